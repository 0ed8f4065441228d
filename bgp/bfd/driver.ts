// The session driver: binds one pure BFD machine (fsm.ts) to a path (a socket, or a test's
// memory pair) and a Clock. It verifies digests before the machine sees a packet, signs what
// the machine sends, turns SetTimer actions into clock timers (with the §6.8.7 jitter on
// Transmit, counted from the last packet sent), counts packets and transitions, and reports
// state changes to its client.
import { EventEmitter } from 'node:events';
import { type Clock, type TimerHandle, delay, systemClock } from '../clock.js';
import { signControlPacket, verifyControlPacket } from './auth.js';
import { BfdDiagnostic, BfdState, MICROSECONDS_PER_MILLISECOND } from './constants.js';
import type { BfdError } from './errors.js';
import { createBfdSession, step } from './fsm.js';
import { encodeControlPacket, type BfdControlPacket } from './packet.js';
import { detectionTimeUs, jitteredIntervalUs, peerDetectionTimeUs, receiveIntervalUs } from './timers.js';
import type { BfdAction, BfdEvent, BfdSession, BfdSessionConfig, BfdTimerName } from './types.js';

/** Where the machine's packets go. */
export interface BfdPacketSender {
  send(packet: Buffer): void;
}

export interface BfdSessionDriverOptions {
  config: BfdSessionConfig;
  sender: BfdPacketSender;
  clock?: Clock;
  /** Random numbers in [0, 1): transmit jitter (§6.8.7) and the first auth sequence number. */
  random?: () => number;
  /** Longest a stop keeps sending AdminDown before it resolves. */
  maxLingerMs?: number;
}

export interface BfdCounters {
  packetsSent: number;
  packetsReceived: number;
  /** Packets for this session dropped by an auth or sequence check, by BfdErrorCode. */
  discarded: Record<string, number>;
  /** State changes, by the diagnostic that came with them (BfdDiagnostic names). */
  transitions: Record<string, number>;
}

/** What `vip-speaker status` and /status show of one session. Times in milliseconds. */
export interface BfdSessionStatus {
  state: keyof typeof BfdState;
  remoteState: keyof typeof BfdState;
  localDiagnostic: keyof typeof BfdDiagnostic;
  remoteDiagnostic: keyof typeof BfdDiagnostic;
  localDiscriminator: number;
  remoteDiscriminator: number;
  /** The interval our packets leave at: max(our Desired Min TX in force, the peer's Required Min RX). */
  txIntervalMs: number;
  /** The interval the peer's packets are due at: max(our Required Min RX in force, its Desired Min TX). */
  rxIntervalMs: number;
  /** How long silence lasts before we declare the peer down; 0 before its first packet. */
  detectTimeMs: number;
  /** How long the peer waits for us before declaring us down. */
  peerDetectTimeMs: number;
  configured: { desiredMinTxMs: number; requiredMinRxMs: number; detectMult: number };
  remote: { desiredMinTxMs: number; requiredMinRxMs: number; detectMult: number };
  polling: boolean;
  /** Our C bit, and the peer's (RFC 5882 §4.3). */
  controlPlaneIndependent: boolean;
  remoteControlPlaneIndependent: boolean;
  /** Milliseconds since the session last reached Up, or undefined when it is not Up. */
  upForMs?: number;
  counters: BfdCounters;
}

export interface BfdSessionDriverEvents {
  /** bfd.SessionState changed. */
  state: [to: BfdState, from: BfdState, diagnostic: BfdDiagnostic, remoteAdminDown: boolean];
  /** A packet of this session was dropped (auth, sequence). */
  discard: [error: BfdError];
}

const TIMER_EVENTS: Record<BfdTimerName, BfdEvent> = {
  Transmit: { type: 'TransmitTimer_Expires' },
  Detect: { type: 'DetectTimer_Expires' },
  AuthSeqReset: { type: 'AuthSeqResetTimer_Expires' },
};
const DEFAULT_MAX_LINGER_MS = 3000;
const AUTH_SEQUENCE_SPACE = 0x1_0000_0000;

const ms = (us: number) => us / MICROSECONDS_PER_MILLISECOND;

export class BfdSessionDriver extends EventEmitter<BfdSessionDriverEvents> {
  private session: BfdSession;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly timers = new Map<BfdTimerName, TimerHandle>();
  private lastTxAt: number | undefined;
  private upSince: number | undefined;
  private closed = false;
  readonly counters: BfdCounters = { packetsSent: 0, packetsReceived: 0, discarded: {}, transitions: {} };

  constructor(private readonly options: BfdSessionDriverOptions) {
    super();
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.session = createBfdSession(options.config, Math.floor(this.random() * AUTH_SEQUENCE_SPACE));
  }

  get state(): BfdState {
    return this.session.state;
  }

  /** The machine's whole state, for tests and status. */
  get snapshot(): BfdSession {
    return this.session;
  }

  /** §6.8.16: enable; packets start (unless passive) at the one-second rate of a session not Up. */
  start(): void {
    this.feed({ type: 'Start' });
  }

  /** §6.8.3: new intervals or multiplier; a Poll Sequence carries them when Up. */
  setParameters(desiredMinTxMs: number, requiredMinRxMs: number, detectMult: number): void {
    this.feed({ type: 'ParametersChanged', desiredMinTxUs: desiredMinTxMs * MICROSECONDS_PER_MILLISECOND, requiredMinRxUs: requiredMinRxMs * MICROSECONDS_PER_MILLISECOND, detectMult });
  }

  /**
   * A packet demultiplexed to this session: its digest is checked here (the machine checks the
   * A bit and the sequence number), then the machine takes it.
   */
  receive(raw: Uint8Array, packet: BfdControlPacket): void {
    if (this.closed) return;
    const auth = this.session.config.auth;
    if (auth && packet.auth) {
      const problem = verifyControlPacket(raw, packet, auth);
      if (problem) return this.discarded(problem);
    }
    this.counters.packetsReceived++;
    this.feed({ type: 'PacketReceived', packet });
  }

  /**
   * §6.8.16: AdminDown with `diagnostic`, sent at once and repeated for the peer's Detection
   * Time (at most maxLingerMs), so that the peer knows this is not a failure; then closed.
   */
  async stop(diagnostic = BfdDiagnostic.AdministrativelyDown): Promise<void> {
    if (this.closed) return;
    // Only a peer that saw us Init or Up has anything to learn; a session still coming up just goes.
    const heard = this.session.state === BfdState.Up || this.session.state === BfdState.Init;
    // The peer's Detection Time as it stood before AdminDown slowed our packets to one a second.
    const linger = Math.min(ms(peerDetectionTimeUs(this.session)), this.options.maxLingerMs ?? DEFAULT_MAX_LINGER_MS);
    this.feed({ type: 'Stop', diagnostic });
    if (!heard) return this.close();
    await delay(this.clock, linger);
    this.close();
  }

  /** Stops every timer and sends nothing more, as a crash would. */
  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }

  status(): BfdSessionStatus {
    const s = this.session;
    const st: BfdSessionStatus = {
      state: BfdState[s.state] as keyof typeof BfdState,
      remoteState: BfdState[s.remoteState] as keyof typeof BfdState,
      localDiagnostic: BfdDiagnostic[s.localDiag] as keyof typeof BfdDiagnostic,
      remoteDiagnostic: (BfdDiagnostic[s.remoteDiag] ?? 'NoDiagnostic') as keyof typeof BfdDiagnostic,
      localDiscriminator: s.config.localDiscriminator,
      remoteDiscriminator: s.remoteDiscr,
      txIntervalMs: ms(s.txIntervalUs),
      rxIntervalMs: s.remoteDetectMult ? ms(receiveIntervalUs(s)) : 0,
      detectTimeMs: ms(detectionTimeUs(s)),
      peerDetectTimeMs: ms(peerDetectionTimeUs(s)),
      configured: { desiredMinTxMs: ms(s.config.desiredMinTxUs), requiredMinRxMs: ms(s.config.requiredMinRxUs), detectMult: s.config.detectMult },
      remote: { desiredMinTxMs: ms(s.remoteDesiredMinTxUs), requiredMinRxMs: s.remoteDetectMult ? ms(s.remoteMinRxUs) : 0, detectMult: s.remoteDetectMult },
      polling: s.polling,
      controlPlaneIndependent: s.config.controlPlaneIndependent,
      remoteControlPlaneIndependent: s.remoteControlPlaneIndependent,
      counters: this.counters,
    };
    if (this.upSince !== undefined) st.upForMs = this.clock.now() - this.upSince;
    return st;
  }

  private feed(event: BfdEvent): void {
    if (this.closed) return;
    const { session, actions } = step(this.session, event);
    this.session = session;
    for (const a of actions) this.act(a);
  }

  private act(a: BfdAction): void {
    switch (a.type) {
      case 'Send':
        return this.send(a.packet, a.authSequence);
      case 'SetTimer':
        return this.setTimer(a.timer, a.us);
      case 'StopTimer':
        this.timers.get(a.timer)?.cancel();
        this.timers.delete(a.timer);
        return;
      case 'StateChange': {
        const name = BfdDiagnostic[a.diagnostic] ?? String(a.diagnostic);
        this.counters.transitions[name] = (this.counters.transitions[name] ?? 0) + 1;
        this.upSince = a.to === BfdState.Up ? this.clock.now() : undefined;
        this.emit('state', a.to, a.from, a.diagnostic, a.remoteAdminDown);
        return;
      }
      case 'Discard':
        return this.discarded(a.error);
      case 'PollComplete':
        return;
    }
  }

  private send(packet: BfdControlPacket, authSequence: number | undefined): void {
    const auth = this.session.config.auth;
    const bytes = auth ? signControlPacket(packet, auth, authSequence ?? 0) : encodeControlPacket(packet);
    this.lastTxAt = this.clock.now();
    this.counters.packetsSent++;
    this.options.sender.send(bytes);
  }

  /**
   * Transmit: jittered, and due that long after the last packet sent (at once if that moment has
   * passed, or if nothing was ever sent). Detect and AuthSeqReset: from now, exactly.
   */
  private setTimer(timer: BfdTimerName, us: number): void {
    this.timers.get(timer)?.cancel();
    let delayMs = ms(us);
    if (timer === 'Transmit') {
      const interval = ms(jitteredIntervalUs(us, this.session.config.detectMult, this.random));
      delayMs = this.lastTxAt === undefined ? 0 : Math.max(0, this.lastTxAt + interval - this.clock.now());
    }
    this.timers.set(
      timer,
      this.clock.after(delayMs, () => {
        this.timers.delete(timer);
        this.feed(TIMER_EVENTS[timer]);
      }),
    );
  }

  private discarded(error: BfdError): void {
    this.counters.discarded[error.code] = (this.counters.discarded[error.code] ?? 0) + 1;
    this.emit('discard', error);
  }
}
