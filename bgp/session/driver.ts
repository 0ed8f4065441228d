// The session driver: binds the pure state machine (fsm.ts) of one peer to TCP sockets and
// timers. Bytes go through the framer and the decoder into events; the machine's actions come
// back out as writes, connects, disconnects and timers. A second connection to the same peer
// (both sides connecting at once) runs its own machine until collision detection (§6.8)
// chooses which one stays.
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { type Clock, type TimerHandle, systemClock } from '../clock.js';
import { CapabilityCode, MessageType } from '../codec/constants.js';
import { DEFAULT_CONTEXT, type CodecContext } from '../codec/context.js';
import { MessageFramer } from '../codec/framer.js';
import { decodeMessage, encodeMessage } from '../codec/message.js';
import type { NotificationError } from '../codec/errors.js';
import type { BgpMessage, RouteRefreshMessage } from '../codec/messages.js';
import { makeNotification } from '../codec/notification.js';
import { openCapabilities } from '../codec/open.js';
import type { DecodedUpdate } from '../codec/update.js';
import { resolveCollision } from './collision.js';
import type { SessionConfig } from './config.js';
import { type SessionEvent, TIMER_EVENTS, errorEvent, messageEvent } from './events.js';
import { type Session, createSession, step } from './fsm.js';
import { jitteredSeconds } from './jitter.js';
import { connectionCollisionResolution } from './notifications.js';
import { type ConnectionDirection, type NegotiatedSession, type SessionAction, type SessionDownAction, SessionState, type TimerName } from './types.js';

/**
 * Opens an outgoing TCP connection to the peer (the transport: MD5, TTL, source address). The
 * signal aborts an attempt the session no longer wants.
 */
export type Connector = (signal: AbortSignal) => Promise<Socket>;

export interface PeerDriverOptions {
  config: SessionConfig;
  connect: Connector;
  clock?: Clock;
  /** Random numbers in [0, 1) for timer jitter (RFC 4271 §10). */
  random?: () => number;
  /** Grace for a NOTIFICATION to drain before a closing socket is destroyed. */
  closeGraceMs?: number;
}

export interface ConnectionInfo {
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  direction: ConnectionDirection;
}

export interface PeerDriverEvents {
  /** The peer's session changed state (the surviving connection's machine). */
  state: [to: SessionState, from: SessionState];
  established: [negotiated: NegotiatedSession, connection: ConnectionInfo];
  down: [down: SessionDownAction];
  /** An UPDATE in Established, with its RFC 7606 problems. */
  update: [update: DecodedUpdate];
  routeRefresh: [message: RouteRefreshMessage];
  /** Every message read or written, for counters. */
  message: [direction: 'rx' | 'tx', type: MessageType];
  /** An outgoing connection attempt failed (the transport's error, e.g. an MD5 hint). */
  connectError: [error: Error];
  /** The socket's buffer emptied after `sendUpdates` reported back-pressure. */
  drain: [];
}

const KEEPALIVE_BYTES = encodeMessage({ type: MessageType.Keepalive }, DEFAULT_CONTEXT);

class Connection {
  session: Session;
  socket: Socket | undefined;
  framer = new MessageFramer();
  ctx: CodecContext = DEFAULT_CONTEXT;
  readonly timers = new Map<TimerName, TimerHandle>();
  openReceived = false;
  /** Identifies the current outgoing attempt; a resolved attempt whose token is stale is dropped. */
  connectToken = 0;
  connectAbort: AbortController | undefined;
  constructor(config: SessionConfig) {
    this.session = createSession(config);
  }
}

export class PeerDriver extends EventEmitter<PeerDriverEvents> {
  private primary: Connection;
  private secondary: Connection | undefined;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly closeGraceMs: number;
  /** The UPDATE being fed, so that DeliverUpdate can hand on its RFC 7606 problems. */
  private decodedUpdate: DecodedUpdate | undefined;
  private readonly closing = new Set<Socket>();
  private connectSeq = 0;

  constructor(private readonly options: PeerDriverOptions) {
    super();
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.closeGraceMs = options.closeGraceMs ?? 1000;
    this.primary = new Connection(options.config);
  }

  get state(): SessionState {
    return this.primary.session.state;
  }

  /** Held in Idle by bfdDown() until BFD comes back (RFC 5882 §3.2). */
  get heldByBfd(): boolean {
    return this.primary.session.heldByBfd;
  }

  get negotiated(): NegotiatedSession | undefined {
    return this.primary.session.state === SessionState.Established ? this.primary.session.negotiated : undefined;
  }

  get connection(): ConnectionInfo | undefined {
    return this.primary.socket ? info(this.primary) : undefined;
  }

  /** The codec context of the established session (4-octet AS, extended messages). */
  get codecContext(): CodecContext {
    return this.primary.ctx;
  }

  /** ManualStart (RFC 4271 §8.1.2 event 1, or event 4 for a passive peer). */
  start(): void {
    this.feed(this.primary, { type: this.options.config.passive ? 'ManualStart_with_PassiveTcpEstablishment' : 'ManualStart' });
  }

  /**
   * ManualStop: Cease to the peer (Administrative Shutdown with `shutdownMessage`, RFC 9003,
   * unless another NOTIFICATION is given), then close. Resolves once the sockets are closed.
   */
  async stop(options: { shutdownMessage?: string; notification?: NotificationError } = {}): Promise<void> {
    const sockets = [this.primary.socket, this.secondary?.socket, ...this.closing].filter((s): s is Socket => s !== undefined);
    const event: SessionEvent = { type: 'ManualStop' };
    if (options.shutdownMessage !== undefined) event.shutdownMessage = options.shutdownMessage;
    if (options.notification) event.notification = options.notification;
    if (this.secondary) this.feed(this.secondary, event);
    this.feed(this.primary, event);
    await Promise.all(sockets.map((s) => closed(s)));
  }

  /**
   * Closes the connection without a NOTIFICATION, as a crash would: the peer keeps our routes
   * if graceful restart was agreed (RFC 4724 §4).
   */
  abort(): void {
    for (const c of [this.primary, this.secondary]) {
      if (!c) continue;
      for (const t of c.timers.values()) t.cancel();
      c.timers.clear();
      abandonConnect(c);
      c.socket?.destroy();
      c.socket = undefined;
    }
  }

  /** An inbound connection from this peer's address. Returns false if it was refused. */
  acceptInbound(socket: Socket): boolean {
    const p = this.primary;
    switch (p.session.state) {
      case SessionState.Idle:
        socket.destroy();
        return false;
      case SessionState.Connect:
      case SessionState.Active:
        if (p.socket) break;
        if (p.connectToken === 0) {
          this.attach(p, socket);
          this.feed(p, { type: 'TcpConnectionConfirmed' });
          return true;
        }
        // Our own attempt is under way and may already be accepted at the other end: run both,
        // and let collision detection choose once the OPENs arrive (RFC 4271 §6.8).
        return this.acceptAsSecond(socket);
      case SessionState.Established: {
        // RFC 4724 §4: a new connection from a peer that can restart gracefully means it did.
        const negotiated = p.session.negotiated;
        if (negotiated?.peerGracefulRestart) {
          this.feed(p, { type: 'TcpConnectionFails', message: 'peer reconnected: graceful restart (RFC 4724 §4)' });
          this.primary = new Connection(this.options.config);
          this.feed(this.primary, { type: 'ManualStart_with_PassiveTcpEstablishment' });
          this.attach(this.primary, socket);
          this.feed(this.primary, { type: 'TcpConnectionConfirmed' });
          return true;
        }
        break;
      }
      default:
        if (this.secondary) break;
        return this.acceptAsSecond(socket);
    }
    // RFC 4271 §6.8: a collision with an Established session closes the new connection.
    const n = connectionCollisionResolution();
    socket.end(encodeMessage(makeNotification(n.code, n.subcode, n.data), DEFAULT_CONTEXT));
    this.closeLater(socket);
    return false;
  }

  /** Runs an inbound connection in a machine of its own beside the primary one. */
  private acceptAsSecond(socket: Socket): boolean {
    if (this.secondary) {
      socket.destroy();
      return false;
    }
    const second = new Connection(this.options.config);
    this.secondary = second;
    this.feed(second, { type: 'ManualStart_with_PassiveTcpEstablishment' });
    this.attach(second, socket);
    this.feed(second, { type: 'TcpConnectionConfirmed' });
    return true;
  }

  /**
   * Writes UPDATEs on the established session. Returns false when the socket's buffer is full:
   * the caller should wait for 'drain' before sending more (back-pressure).
   */
  sendUpdates(messages: readonly Buffer[]): boolean {
    const c = this.primary;
    if (c.session.state !== SessionState.Established || !c.socket || messages.length === 0) return true;
    for (const m of messages) {
      c.socket.write(m);
      this.emit('message', 'tx', MessageType.Update);
    }
    this.feed(c, { type: 'UpdateMsgSent' });
    return !c.socket.writableNeedDrain;
  }

  /** Sends a ROUTE-REFRESH (or an RFC 7313 BoRR/EoRR marker) on the established session. */
  sendRouteRefresh(message: RouteRefreshMessage): void {
    const c = this.primary;
    if (c.session.state !== SessionState.Established || !c.socket) return;
    c.socket.write(encodeMessage(message, c.ctx));
    this.emit('message', 'tx', MessageType.RouteRefresh);
  }

  /**
   * BFD declared the path to the peer down (RFC 5882 §3.2): Cease / BFD Down (RFC 9384) past
   * OpenSent, then Idle, held there until bfdUp(). A second connection in progress goes too.
   */
  bfdDown(): void {
    if (this.secondary) this.feed(this.secondary, { type: 'BfdDown' });
    this.feed(this.primary, { type: 'BfdDown' });
  }

  /** BFD is Up again: a session held by bfdDown() starts at once; otherwise nothing happens. */
  bfdUp(): void {
    this.feed(this.primary, { type: 'BfdUp' });
  }

  /** AutomaticStop with a Cease (e.g. the RFC 4486 maximum-prefix NOTIFICATION): restarts after back-off. */
  automaticStop(notification: NotificationError): void {
    this.feed(this.primary, { type: 'AutomaticStop', notification });
  }

  /** Octets written but not yet taken by the kernel: the send queue held in memory. */
  get sendQueueBytes(): number {
    return this.primary.socket?.writableLength ?? 0;
  }

  get writableNeedDrain(): boolean {
    return this.primary.socket?.writableNeedDrain ?? false;
  }

  // ------------------------------------------------------------------------------ internals

  private attach(c: Connection, socket: Socket): void {
    c.socket = socket;
    c.framer = new MessageFramer();
    c.ctx = DEFAULT_CONTEXT;
    c.openReceived = false;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(c, socket, chunk));
    socket.on('drain', () => {
      if (c === this.primary) this.emit('drain');
    });
    const gone = (err?: Error) => {
      if (c.socket !== socket) return;
      c.socket = undefined;
      this.feed(c, { type: 'TcpConnectionFails', message: err ? err.message : 'connection closed by peer' });
    };
    socket.on('error', gone);
    socket.on('close', () => gone());
  }

  private onData(c: Connection, socket: Socket, chunk: Buffer): void {
    const { messages, error } = c.framer.push(chunk);
    for (const bytes of messages) {
      if (c.socket !== socket) return;
      const r = decodeMessage(bytes, c.ctx);
      if (!r.ok) {
        this.feed(c, errorEvent(r.error));
        return;
      }
      const message = r.value.message;
      this.emit('message', 'rx', message.type);
      if (message.type === MessageType.Update) this.decodedUpdate = { update: message, problems: r.value.problems, treatAsWithdraw: r.value.treatAsWithdraw };
      if (message.type === MessageType.Open && this.collision(c, message)) continue;
      this.feed(c, messageEvent(message));
      this.decodedUpdate = undefined;
    }
    if (error && c.socket === socket) this.feed(c, errorEvent(error));
  }

  /** RFC 4271 §6.8 on an OPEN; returns true when the receiving connection was dumped. */
  private collision(c: Connection, open: Extract<BgpMessage, { type: MessageType.Open }>): boolean {
    c.openReceived = true;
    const other = c === this.primary ? this.secondary : this.primary;
    if (!other || !other.socket) return false;
    const as4 = openCapabilities(open).find((x) => x.code === CapabilityCode.FourOctetAs);
    const remoteAs = as4 && 'asn' in as4 ? as4.asn : open.myAs;
    const r = resolveCollision({
      localBgpId: this.options.config.localBgpId,
      remoteBgpId: open.bgpId,
      localAs: this.options.config.localAs,
      remoteAs,
      received: { direction: c.session.connection ?? 'inbound' },
      other: { direction: other.session.connection ?? 'outbound', state: other.session.state, openReceived: other.openReceived },
    });
    if (!r.collision) return false;
    const loser = r.close === 'received' ? c : other;
    const winner = loser === c ? other : c;
    const before = this.primary.session.state;
    this.primary = winner;
    this.secondary = undefined;
    // The loser sends Cease / Connection Collision Resolution and is forgotten, timers and all.
    this.feed(loser, { type: 'OpenCollisionDump' });
    this.discard(loser);
    this.promoted(winner, before);
    return loser === c;
  }

  private feed(c: Connection, event: SessionEvent): void {
    const before = c.session.state;
    const { session, actions } = step(c.session, event);
    c.session = session;
    for (const a of actions) this.act(c, a);
    if (c === this.secondary && !c.socket) {
      this.discard(c);
      return;
    }
    if (c === this.primary && !c.socket && c.connectToken === 0 && this.secondary?.socket) {
      // The primary connection is gone while the peer's other connection lives: it carries on.
      const next = this.secondary;
      this.discard(c);
      this.primary = next;
      this.secondary = undefined;
      this.promoted(next, before);
      return;
    }
    if (c === this.primary && session.state !== before) this.emit('state', session.state, before);
  }

  /** Reports a connection that became the peer's session, as if its changes had been seen all along. */
  private promoted(c: Connection, before: SessionState): void {
    if (c.session.state !== before) this.emit('state', c.session.state, before);
    if (c.session.state === SessionState.Established && c.session.negotiated && c.socket) this.emit('established', c.session.negotiated, info(c));
  }

  /** Forgets a connection's machine: its timers and any attempt it had under way. */
  private discard(c: Connection): void {
    for (const t of c.timers.values()) t.cancel();
    c.timers.clear();
    abandonConnect(c);
    if (c === this.secondary) this.secondary = undefined;
  }

  private act(c: Connection, a: SessionAction): void {
    switch (a.type) {
      case 'Connect':
        this.connect(c);
        return;
      case 'Disconnect': {
        abandonConnect(c);
        const s = c.socket;
        c.socket = undefined;
        if (s) {
          s.end();
          this.closeLater(s);
        }
        return;
      }
      case 'SendOpen':
        this.write(c, encodeMessage(a.open, DEFAULT_CONTEXT), MessageType.Open);
        return;
      case 'SendKeepalive':
        this.write(c, KEEPALIVE_BYTES, MessageType.Keepalive);
        return;
      case 'SendNotification':
        this.write(c, encodeMessage(makeNotification(a.notification.code, a.notification.subcode, a.notification.data), DEFAULT_CONTEXT), MessageType.Notification);
        return;
      case 'SetTimer': {
        c.timers.get(a.timer)?.cancel();
        const ms = jitteredSeconds(a.timer, a.seconds, this.random) * 1000;
        const event = { type: TIMER_EVENTS[a.timer] } as SessionEvent;
        c.timers.set(
          a.timer,
          this.clock.after(ms, () => {
            c.timers.delete(a.timer);
            this.feed(c, event);
          }),
        );
        return;
      }
      case 'StopTimer':
        c.timers.get(a.timer)?.cancel();
        c.timers.delete(a.timer);
        return;
      case 'SessionEstablished':
        c.ctx = { fourOctetAs: a.negotiated.fourOctetAs, extendedMessage: a.negotiated.extendedMessage };
        c.framer.setExtendedMessage(a.negotiated.extendedMessage);
        if (c === this.primary && c.socket) this.emit('established', a.negotiated, info(c));
        return;
      case 'SessionDown':
        // A connection dumped by collision detection, or lost while the peer's other connection
        // lives on, is not the peer's session going down.
        if (c === this.primary && a.reason !== 'ConnectionCollision' && !(this.secondary?.socket && !a.wasEstablished)) this.emit('down', a);
        return;
      case 'DeliverUpdate':
        if (c === this.primary) this.emit('update', this.decodedUpdate ?? { update: a.update, problems: [], treatAsWithdraw: false });
        return;
      case 'DeliverRouteRefresh':
        if (c === this.primary) this.emit('routeRefresh', a.routeRefresh);
        return;
    }
  }

  private write(c: Connection, bytes: Buffer, type: MessageType): void {
    if (!c.socket) return;
    c.socket.write(bytes);
    this.emit('message', 'tx', type);
  }

  private connect(c: Connection): void {
    if (c.socket) return;
    abandonConnect(c);
    const token = ++this.connectSeq;
    const abort = new AbortController();
    c.connectToken = token;
    c.connectAbort = abort;
    this.options.connect(abort.signal).then(
      (socket) => {
        const wanted = c.connectToken === token && !c.socket && (c.session.state === SessionState.Connect || c.session.state === SessionState.Active);
        if (!wanted) {
          socket.destroy();
          return;
        }
        c.connectToken = 0;
        c.connectAbort = undefined;
        this.attach(c, socket);
        this.feed(c, { type: 'Tcp_CR_Acked' });
      },
      (err: Error) => {
        if (c.connectToken !== token) return;
        c.connectToken = 0;
        c.connectAbort = undefined;
        this.emit('connectError', err);
        this.feed(c, { type: 'TcpConnectionFails', message: err.message });
      },
    );
  }

  /** Gives a closing socket time to flush a NOTIFICATION, then destroys it. */
  private closeLater(s: Socket): void {
    this.closing.add(s);
    const timer = this.clock.after(this.closeGraceMs, () => s.destroy());
    s.once('close', () => {
      timer.cancel();
      this.closing.delete(s);
    });
  }
}

/** Forgets the outgoing attempt in progress, if any, and tells the transport to give it up. */
function abandonConnect(c: Connection): void {
  c.connectToken = 0;
  c.connectAbort?.abort();
  c.connectAbort = undefined;
}

function info(c: Connection): ConnectionInfo {
  const s = c.socket!;
  return {
    localAddress: s.localAddress ?? '',
    localPort: s.localPort ?? 0,
    remoteAddress: s.remoteAddress ?? '',
    remotePort: s.remotePort ?? 0,
    direction: c.session.connection ?? 'outbound',
  };
}

function closed(s: Socket): Promise<void> {
  if (s.destroyed && s.closed) return Promise.resolve();
  return new Promise((resolve) => s.once('close', () => resolve()));
}
