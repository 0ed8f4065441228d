// The session as a value, and the scaffolding of one step of the state machine: a mutable
// draft that records timer bookkeeping and actions, and the one way back to Idle that every
// failure shares (RFC 4271 §8.2.2 "releases all BGP resources ... drops the TCP connection").
import type { NotificationError } from '../codec/errors.js';
import type { NotificationMessage } from '../codec/messages.js';
import type { SessionConfig } from './config.js';
import { SessionState, type ConnectionDirection, type NegotiatedSession, type SessionAction, type SessionDownReason, type TimerName } from './types.js';

/** One session's whole state; a value, never mutated. */
export interface Session {
  readonly config: SessionConfig;
  readonly state: SessionState;
  /** RFC 4271 §8: failures since the last ManualStart or ManualStop; informational. */
  readonly connectRetryCounter: number;
  /** Seconds the next automatic restart waits (DampPeerOscillations back-off). */
  readonly idleHoldTime: number;
  /** RFC 4271 §8.1.1 AllowAutomaticStart: set by a start, cleared by ManualStop. */
  readonly allowAutomaticStart: boolean;
  /** The last start was passive: wait in Active for the peer first (RFC 4271 §8.1.1). */
  readonly passiveTcpEstablishment: boolean;
  /** In Idle because BFD went down: only BfdUp (or the operator) starts it again (RFC 5882 §3.2). */
  readonly heldByBfd: boolean;
  readonly connection: ConnectionDirection | undefined;
  /** Which timers run, as the actions so far left them. */
  readonly timers: Readonly<Record<TimerName, boolean>>;
  /** From OpenConfirm on: what the peer's OPEN and ours agreed. */
  readonly negotiated: NegotiatedSession | undefined;
}

export interface Transition {
  session: Session;
  actions: SessionAction[];
}

export const NO_TIMERS: Readonly<Record<TimerName, boolean>> = Object.freeze({
  ConnectRetry: false,
  DelayOpen: false,
  Hold: false,
  Keepalive: false,
  IdleHold: false,
  IdleHoldReset: false,
});
/** Released on every fall to Idle, in this order. */
const SESSION_TIMERS: readonly TimerName[] = ['ConnectRetry', 'DelayOpen', 'Hold', 'Keepalive', 'IdleHoldReset'];

/** A mutable copy of the session for the length of one step. */
export class Draft {
  readonly config: SessionConfig;
  state: SessionState;
  connectRetryCounter: number;
  idleHoldTime: number;
  allowAutomaticStart: boolean;
  passiveTcpEstablishment: boolean;
  heldByBfd: boolean;
  connection: ConnectionDirection | undefined;
  negotiated: NegotiatedSession | undefined;
  readonly timers: Record<TimerName, boolean>;
  readonly actions: SessionAction[] = [];

  constructor(from: Session) {
    ({
      config: this.config,
      state: this.state,
      connectRetryCounter: this.connectRetryCounter,
      idleHoldTime: this.idleHoldTime,
      allowAutomaticStart: this.allowAutomaticStart,
      passiveTcpEstablishment: this.passiveTcpEstablishment,
      heldByBfd: this.heldByBfd,
      connection: this.connection,
      negotiated: this.negotiated,
    } = from);
    this.timers = { ...from.timers };
  }

  emit(action: SessionAction): void {
    this.actions.push(action);
  }

  setTimer(timer: TimerName, seconds: number): void {
    this.timers[timer] = true;
    this.emit({ type: 'SetTimer', timer, seconds });
  }

  /** RFC 4271's "sets the timer to zero": only a running timer needs stopping. */
  stopTimer(timer: TimerName): void {
    if (!this.timers[timer]) return;
    this.timers[timer] = false;
    this.emit({ type: 'StopTimer', timer });
  }

  done(): Session {
    const { config, state, connectRetryCounter, idleHoldTime, allowAutomaticStart, passiveTcpEstablishment, heldByBfd, connection, negotiated } = this;
    return { config, state, connectRetryCounter, idleHoldTime, allowAutomaticStart, passiveTcpEstablishment, heldByBfd, connection, timers: this.timers, negotiated };
  }
}

export interface Fall {
  counter: 'reset' | 'increment' | 'keep';
  sent?: NotificationError | undefined;
  received?: NotificationMessage;
}

/**
 * Back to Idle: NOTIFICATION first, then every timer released, the connection dropped, the
 * speaker told, and unless the operator stopped it, an automatic restart after the back-off.
 */
export function toIdle(d: Draft, reason: SessionDownReason, message: string, fall: Fall): void {
  if (fall.sent) d.emit({ type: 'SendNotification', notification: fall.sent });
  for (const timer of SESSION_TIMERS) d.stopTimer(timer);
  if (d.connection || d.state === SessionState.Connect) d.emit({ type: 'Disconnect' });
  d.emit({
    type: 'SessionDown',
    reason,
    state: d.state,
    wasEstablished: d.state === SessionState.Established,
    ...(fall.sent && { notificationSent: fall.sent }),
    ...(fall.received && { notificationReceived: fall.received }),
    message,
  });
  if (fall.counter === 'reset') d.connectRetryCounter = 0;
  if (fall.counter === 'increment') d.connectRetryCounter++;
  if (d.allowAutomaticStart) {
    d.setTimer('IdleHold', d.idleHoldTime);
    d.idleHoldTime = Math.min(d.idleHoldTime * 2, d.config.maxIdleHoldTime);
  }
  d.state = SessionState.Idle;
  d.connection = undefined;
  d.negotiated = undefined;
}
