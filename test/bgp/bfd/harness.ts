// A bench for the BFD machine: feeds events, records actions as short strings ('Send Init P',
// 'SetTimer Transmit 300000', 'Down->Init NoDiagnostic'), and builds the peer's packets, so
// that each test states one transition in one line.
import { BfdDiagnostic, BfdState } from '../../../bgp/bfd/constants.js';
import { createBfdSession, step } from '../../../bgp/bfd/fsm.js';
import type { BfdControlPacket } from '../../../bgp/bfd/packet.js';
import type { BfdAction, BfdEvent, BfdSession, BfdSessionConfig } from '../../../bgp/bfd/types.js';

export const LOCAL_DISCR = 0x11111111;
export const PEER_DISCR = 0x22222222;
export const MS = 1000;

export function bfdConfig(options: Partial<BfdSessionConfig> = {}): BfdSessionConfig {
  return { localDiscriminator: LOCAL_DISCR, desiredMinTxUs: 300 * MS, requiredMinRxUs: 300 * MS, detectMult: 3, passive: false, controlPlaneIndependent: false, ...options };
}

/**
 * A packet from the peer: its state, our discriminator once it knows it, 300 ms receive, ×3,
 * and the one-second transmit interval a peer not Up must advertise (RFC 5880 §6.8.3), 300 ms once Up.
 */
export function peerPacket(state: BfdState, fields: Partial<BfdControlPacket> = {}): BfdControlPacket {
  return {
    diagnostic: BfdDiagnostic.NoDiagnostic,
    state,
    poll: false,
    final: false,
    controlPlaneIndependent: false,
    demand: false,
    multipoint: false,
    detectMult: 3,
    myDiscriminator: PEER_DISCR,
    yourDiscriminator: state === BfdState.Down || state === BfdState.AdminDown ? 0 : LOCAL_DISCR,
    desiredMinTxInterval: state === BfdState.Up ? 300 * MS : 1000 * MS,
    requiredMinRxInterval: 300 * MS,
    requiredMinEchoRxInterval: 0,
    ...fields,
  };
}

export function summarize(a: BfdAction): string {
  switch (a.type) {
    case 'Send':
      return `Send ${BfdState[a.packet.state]}${a.packet.poll ? ' P' : ''}${a.packet.final ? ' F' : ''}`;
    case 'SetTimer':
      return `SetTimer ${a.timer} ${a.us}`;
    case 'StopTimer':
      return `StopTimer ${a.timer}`;
    case 'StateChange':
      return `${BfdState[a.from]}->${BfdState[a.to]} ${BfdDiagnostic[a.diagnostic]}${a.remoteAdminDown ? ' (peer AdminDown)' : ''}`;
    case 'Discard':
      return `Discard ${a.error.code}`;
    case 'PollComplete':
      return 'PollComplete';
  }
}

export class BfdHarness {
  session: BfdSession;
  readonly log: BfdAction[] = [];

  constructor(options: Partial<BfdSessionConfig> = {}, initialAuthSequence = 0) {
    this.session = createBfdSession(bfdConfig(options), initialAuthSequence);
  }

  /** Feeds the events in order; returns the last one's actions as strings. */
  send(...events: BfdEvent[]): string[] {
    let last: BfdAction[] = [];
    for (const e of events) {
      const t = step(this.session, e);
      this.session = t.session;
      this.log.push(...t.actions);
      last = t.actions;
    }
    return last.map(summarize);
  }

  /** Feeds packets from the peer. */
  receive(...packets: BfdControlPacket[]): string[] {
    return this.send(...packets.map((packet) => ({ type: 'PacketReceived' as const, packet })));
  }

  get state(): BfdState {
    return this.session.state;
  }

  /** The last packet the machine asked to send. */
  lastSent(): BfdControlPacket | undefined {
    for (let i = this.log.length - 1; i >= 0; i--) {
      const a = this.log[i]!;
      if (a.type === 'Send') return a.packet;
    }
    return undefined;
  }
}

/** Started, then through the three-way handshake: the peer said Down, then Init. */
export function upSession(options: Partial<BfdSessionConfig> = {}): BfdHarness {
  const h = new BfdHarness(options);
  h.send({ type: 'Start' });
  h.receive(peerPacket(BfdState.Down), peerPacket(BfdState.Init));
  return h;
}

/** Started, the peer heard saying Down: Init. */
export function initSession(options: Partial<BfdSessionConfig> = {}): BfdHarness {
  const h = new BfdHarness(options);
  h.send({ type: 'Start' });
  h.receive(peerPacket(BfdState.Down));
  return h;
}

export function downSession(options: Partial<BfdSessionConfig> = {}): BfdHarness {
  const h = new BfdHarness(options);
  h.send({ type: 'Start' });
  return h;
}
