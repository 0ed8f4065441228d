// The BGP finite state machine of RFC 4271 §8, as a pure function: step(session, event)
// returns the next session and the actions that carry it out. No sockets, timers, clocks or
// randomness live here. A driver binds it to the world:
//
//   - it feeds events in: operator commands, TCP connection news, decoded messages
//     (messageEvent/errorEvent in events.ts) and timer expiries;
//   - it carries actions out, in order: connect, send, disconnect, set or stop a timer
//     (SetTimer replaces a running timer of that name; jitter, if any, is the driver's: see
//     jitter.ts), and hands SessionEstablished, SessionDown and delivered messages to the speaker;
//   - it accepts inbound connections in every state but Idle;
//   - a second connection to the same peer (events 16/17 once this machine has one) is the
//     driver's to run in a second machine, started with ManualStart_with_PassiveTcpEstablishment
//     and fed TcpConnectionConfirmed, until collision.ts says which to dump.
//
// Every fall back to Idle other than ManualStop is a failure: the session restarts itself
// after IdleHoldTime, which doubles on each failure in a row up to maxIdleHoldTime
// (RFC 4271 §8.1.1 DampPeerOscillations), and starts over after idleHoldResetTime in
// Established or on ManualStart. BfdDown is the exception: the session waits in Idle for BfdUp
// instead, since a path BFD calls down will not carry a new connection either.
import { ErrorCode, OpenErrorSubcode } from '../codec/constants.js';
import type { NotificationError } from '../codec/errors.js';
import type { NotificationMessage } from '../codec/messages.js';
import type { SessionConfig } from './config.js';
import { TIMER_EVENTS, type ManualStop, type SessionEvent } from './events.js';
import { negotiate } from './negotiate.js';
import { heldDown, released } from './bfd-gate.js';
import { administrativeShutdown, ceaseUnspecific, connectionCollisionResolution, fsmError, holdTimerExpired } from './notifications.js';
import { Draft, NO_TIMERS, toIdle, type Session, type Transition } from './session.js';
import { OPEN_SENT_HOLD_TIME, SessionState, type NegotiatedSession, type SessionDownReason, type TimerName } from './types.js';

export type { Session, Transition } from './session.js';

/** Which timer each expiry event reports on. */
const EXPIRING = new Map<SessionEvent['type'], TimerName>(Object.entries(TIMER_EVENTS).map(([timer, event]) => [event, timer as TimerName]));

const MESSAGES: Partial<Record<SessionEvent['type'], string>> = {
  BGPOpen: 'an OPEN',
  BGPOpenMsgErr: 'a malformed OPEN',
  KeepAliveMsg: 'a KEEPALIVE',
  UpdateMsg: 'an UPDATE',
  UpdateMsgErr: 'a malformed UPDATE',
  RouteRefreshMsg: 'a ROUTE-REFRESH',
  RouteRefreshMsgErr: 'a malformed ROUTE-REFRESH',
};

/** A stopped session in Idle (RFC 4271 §8.2.2), waiting for ManualStart. */
export function createSession(config: SessionConfig): Session {
  return {
    config,
    state: SessionState.Idle,
    connectRetryCounter: 0,
    idleHoldTime: config.idleHoldTime,
    allowAutomaticStart: false,
    passiveTcpEstablishment: config.passive,
    heldByBfd: false,
    connection: undefined,
    timers: NO_TIMERS,
    negotiated: undefined,
  };
}

/**
 * RFC 4271 §8.2.2, one event at a time. The expiry of a timer this session does not have
 * running is stale (the driver stopped it while the expiry was queued) and is ignored.
 */
export function step(session: Session, event: SessionEvent): Transition {
  const expiring = EXPIRING.get(event.type);
  if (expiring && !session.timers[expiring]) return { session, actions: [] };
  const d = new Draft(session);
  if (expiring) d.timers[expiring] = false;
  if (event.type === 'BfdDown' || event.type === 'BfdUp') {
    if (event.type === 'BfdDown') heldDown(d);
    else released(d, start);
    return { session: d.done(), actions: d.actions };
  }
  switch (session.state) {
    case SessionState.Idle:
      idle(d, event);
      break;
    case SessionState.Connect:
    case SessionState.Active:
      connecting(d, event);
      break;
    case SessionState.OpenSent:
      openSent(d, event);
      break;
    case SessionState.OpenConfirm:
      openConfirm(d, event);
      break;
    case SessionState.Established:
      established(d, event);
      break;
  }
  return { session: d.done(), actions: d.actions };
}

/** RFC 4271 §8.2.2 Idle: refuses connections, waits for a start. */
function idle(d: Draft, e: SessionEvent): void {
  switch (e.type) {
    case 'ManualStart':
    case 'ManualStart_with_PassiveTcpEstablishment':
      d.stopTimer('IdleHold');
      d.idleHoldTime = d.config.idleHoldTime;
      d.connectRetryCounter = 0;
      d.allowAutomaticStart = true;
      d.heldByBfd = false;
      return start(d, e.type !== 'ManualStart');
    case 'AutomaticStart':
    case 'AutomaticStart_with_PassiveTcpEstablishment':
      // DampPeerOscillations: an automatic start waits out the back-off, and BFD's hold.
      if (d.timers.IdleHold || d.heldByBfd) return;
      d.allowAutomaticStart = true;
      return start(d, e.type !== 'AutomaticStart');
    case 'IdleHoldTimer_Expires':
      if (d.allowAutomaticStart) start(d, d.passiveTcpEstablishment);
      return;
    case 'ManualStop':
      d.stopTimer('IdleHold');
      d.allowAutomaticStart = false;
      d.heldByBfd = false;
      return;
    case 'Tcp_CR_Acked':
    case 'TcpConnectionConfirmed':
      d.emit({ type: 'Disconnect' });
      return;
    default:
      return;
  }
}

/** Idle → Connect, or → Active when passive; a passive-only peer (config.passive) never retries out. */
function start(d: Draft, passive: boolean): void {
  d.passiveTcpEstablishment = passive;
  if (passive || d.config.passive) {
    if (!d.config.passive) d.setTimer('ConnectRetry', d.config.connectRetryTime);
    d.state = SessionState.Active;
    return;
  }
  d.setTimer('ConnectRetry', d.config.connectRetryTime);
  d.emit({ type: 'Connect' });
  d.state = SessionState.Connect;
}

/** RFC 4271 §8.2.2 Connect and Active: they differ only on ConnectRetry and TCP failure. */
function connecting(d: Draft, e: SessionEvent): void {
  const connect = d.state === SessionState.Connect;
  switch (e.type) {
    case 'ManualStop':
      d.allowAutomaticStart = false;
      return toIdle(d, 'ManualStop', manualStopMessage(e), {
        counter: 'reset',
        sent: d.timers.DelayOpen && d.config.sendNotificationWithoutOpen ? manualStopNotification(e) : undefined,
      });
    case 'ConnectRetryTimer_Expires':
      if (connect) {
        d.emit({ type: 'Disconnect' });
        d.connection = undefined;
      }
      d.setTimer('ConnectRetry', d.config.connectRetryTime);
      d.stopTimer('DelayOpen');
      d.emit({ type: 'Connect' });
      d.state = SessionState.Connect;
      return;
    case 'DelayOpenTimer_Expires':
      d.stopTimer('ConnectRetry');
      return sendOpen(d);
    case 'Tcp_CR_Acked':
    case 'TcpConnectionConfirmed':
      if (d.connection) return;
      d.connection = e.type === 'Tcp_CR_Acked' ? 'outbound' : 'inbound';
      d.stopTimer('ConnectRetry');
      if (d.config.delayOpen) return d.setTimer('DelayOpen', d.config.delayOpenTime);
      return sendOpen(d);
    case 'TcpConnectionFails':
      if (connect && d.timers.DelayOpen) {
        d.setTimer('ConnectRetry', d.config.connectRetryTime);
        d.stopTimer('DelayOpen');
        d.emit({ type: 'Disconnect' });
        d.connection = undefined;
        d.state = SessionState.Active;
        return;
      }
      return toIdle(d, 'TcpConnectionFails', e.message ?? 'the TCP connection failed', { counter: connect ? 'keep' : 'increment' });
    case 'BGPOpen': {
      // Event 20: only with DelayOpen running does an OPEN arrive before ours is sent.
      if (!d.timers.DelayOpen) return unexpected(d, e);
      const negotiated = negotiate(d.config, e.open);
      if (!negotiated.ok) return messageError(d, 'OpenMessageError', negotiated.error);
      d.stopTimer('ConnectRetry');
      d.stopTimer('DelayOpen');
      d.emit({ type: 'SendOpen', open: d.config.open });
      return openReceived(d, negotiated.value);
    }
    case 'BGPHeaderErr':
      return messageError(d, 'HeaderError', e.error);
    case 'BGPOpenMsgErr':
      return messageError(d, 'OpenMessageError', e.error);
    case 'NotifMsg':
      // Event 24 with DelayOpen running leaves the counter alone.
      return notificationReceived(d, e.notification, isVersionError(e.notification) && d.timers.DelayOpen ? 'keep' : 'increment');
    default:
      return common(d, e);
  }
}

/** RFC 4271 §8.2.2 OpenSent: our OPEN is out, the peer's awaited under the large hold timer. */
function openSent(d: Draft, e: SessionEvent): void {
  switch (e.type) {
    case 'TcpConnectionFails':
      d.emit({ type: 'Disconnect' });
      d.connection = undefined;
      d.stopTimer('Hold');
      if (!d.config.passive) d.setTimer('ConnectRetry', d.config.connectRetryTime);
      d.state = SessionState.Active;
      return;
    case 'BGPOpen': {
      const negotiated = negotiate(d.config, e.open);
      if (!negotiated.ok) return messageError(d, 'OpenMessageError', negotiated.error);
      return openReceived(d, negotiated.value);
    }
    case 'NotifMsg':
      // Event 24 leaves the counter alone. Event 25 is not answered with an FSM Error, unlike
      // the RFC 4271 table: a NOTIFICATION is never answered (as in OpenConfirm).
      return notificationReceived(d, e.notification, isVersionError(e.notification) ? 'keep' : 'increment');
    default:
      return afterOpen(d, e);
  }
}

/** RFC 4271 §8.2.2 OpenConfirm: both OPENs are through, the peer's KEEPALIVE awaited. */
function openConfirm(d: Draft, e: SessionEvent): void {
  switch (e.type) {
    case 'KeepAliveMsg':
      restartHoldTimer(d);
      if (d.idleHoldTime !== d.config.idleHoldTime) d.setTimer('IdleHoldReset', d.config.idleHoldResetTime);
      d.emit({ type: 'SessionEstablished', negotiated: d.negotiated! });
      d.state = SessionState.Established;
      return;
    case 'BGPOpen': {
      // RFC 4271 §8.2.2 OpenConfirm: "If an OPEN message is received, all fields are checked for
      // correctness": one failing §6.2 (a wrong peer AS, say) is an OPEN Message Error here too.
      // A sound second OPEN is unexpected; a collision reaches the machine as OpenCollisionDump.
      const negotiated = negotiate(d.config, e.open);
      if (!negotiated.ok) return messageError(d, 'OpenMessageError', negotiated.error);
      return afterOpen(d, e);
    }
    default:
      return afterOpen(d, e);
  }
}

/** RFC 4271 §8.2.2 Established: UPDATEs flow, each KEEPALIVE or UPDATE restarts the hold timer. */
function established(d: Draft, e: SessionEvent): void {
  switch (e.type) {
    case 'UpdateMsgSent':
      if (d.negotiated!.holdTime > 0) d.setTimer('Keepalive', d.negotiated!.keepaliveTime);
      return;
    case 'IdleHoldResetTimer_Expires':
      d.idleHoldTime = d.config.idleHoldTime;
      return;
    case 'KeepAliveMsg':
      return restartHoldTimer(d);
    case 'UpdateMsg':
      restartHoldTimer(d);
      d.emit({ type: 'DeliverUpdate', update: e.update });
      return;
    case 'RouteRefreshMsg': {
      const { afi, safi, subtype } = e.routeRefresh;
      // RFC 2918 §4: ignore a family we did not advertise; RFC 7313 §5: ignore an unknown subtype.
      const advertised = d.config.families.some((f) => f.afi === afi && f.safi === safi);
      if (advertised && subtype <= 2) d.emit({ type: 'DeliverRouteRefresh', routeRefresh: e.routeRefresh });
      return;
    }
    case 'UpdateMsgErr':
      return messageError(d, 'UpdateMessageError', e.error);
    case 'RouteRefreshMsgErr':
      return messageError(d, 'RouteRefreshMessageError', e.error);
    case 'BGPOpen':
    case 'BGPOpenMsgErr':
      // A second OPEN on this connection; collisions come in as OpenCollisionDump.
      return unexpected(d, e);
    default:
      return afterOpen(d, e);
  }
}

/** What OpenSent, OpenConfirm and Established do alike once our OPEN is out. */
function afterOpen(d: Draft, e: SessionEvent): void {
  switch (e.type) {
    case 'ManualStop':
      d.allowAutomaticStart = false;
      return toIdle(d, 'ManualStop', manualStopMessage(e), { counter: 'reset', sent: manualStopNotification(e) });
    case 'HoldTimer_Expires': {
      const holdTime = d.state === SessionState.OpenSent ? OPEN_SENT_HOLD_TIME : d.negotiated!.holdTime;
      const sent = holdTimerExpired(holdTime);
      return toIdle(d, 'HoldTimerExpired', sent.message, { counter: 'increment', sent });
    }
    case 'KeepaliveTimer_Expires':
      d.emit({ type: 'SendKeepalive' });
      d.setTimer('Keepalive', d.negotiated!.keepaliveTime);
      return;
    case 'Tcp_CR_Acked':
    case 'TcpConnectionConfirmed':
      // A second connection: the driver tracks it until its OPEN settles the collision.
      return;
    case 'TcpConnectionFails':
      return toIdle(d, 'TcpConnectionFails', e.message ?? 'the TCP connection failed', { counter: 'increment' });
    case 'NotifMsg':
      return notificationReceived(d, e.notification, 'increment');
    case 'BGPHeaderErr':
      // RFC 4271 §6.1: a header error is reported as such, in Established too.
      return messageError(d, 'HeaderError', e.error);
    case 'BGPOpenMsgErr':
      return messageError(d, 'OpenMessageError', e.error);
    default:
      return common(d, e);
  }
}

/** Events every state past Idle treats alike. */
function common(d: Draft, e: SessionEvent): void {
  const opened = d.state !== SessionState.Connect && d.state !== SessionState.Active;
  switch (e.type) {
    case 'ManualStart':
    case 'ManualStart_with_PassiveTcpEstablishment':
    case 'AutomaticStart':
    case 'AutomaticStart_with_PassiveTcpEstablishment':
    case 'UpdateMsgSent':
    case 'IdleHoldResetTimer_Expires':
      return;
    case 'AutomaticStop': {
      const sent = opened ? (e.notification ?? ceaseUnspecific()) : undefined;
      return toIdle(d, 'AutomaticStop', sent?.message ?? 'the session was stopped', { counter: 'increment', sent });
    }
    case 'OpenCollisionDump': {
      const sent = opened ? connectionCollisionResolution() : undefined;
      return toIdle(d, 'ConnectionCollision', 'closed by connection collision resolution', { counter: 'increment', sent });
    }
    default:
      return unexpected(d, e);
  }
}

/** The peer's OPEN passed: KEEPALIVE out, negotiated timers on, OpenConfirm (RFC 4271 §8.2.2). */
function openReceived(d: Draft, negotiated: NegotiatedSession): void {
  d.emit({ type: 'SendKeepalive' });
  if (negotiated.holdTime > 0) {
    d.setTimer('Keepalive', negotiated.keepaliveTime);
    d.setTimer('Hold', negotiated.holdTime);
  } else {
    // RFC 4271 §4.2: a hold time of 0 means no hold timer at all.
    d.stopTimer('Hold');
  }
  d.negotiated = negotiated;
  d.state = SessionState.OpenConfirm;
}

function sendOpen(d: Draft): void {
  d.emit({ type: 'SendOpen', open: d.config.open });
  d.setTimer('Hold', OPEN_SENT_HOLD_TIME);
  d.state = SessionState.OpenSent;
}

function restartHoldTimer(d: Draft): void {
  if (d.negotiated!.holdTime > 0) d.setTimer('Hold', d.negotiated!.holdTime);
}

/** Before our OPEN went out a NOTIFICATION is sent only with SendNOTIFICATIONwithoutOPEN. */
function messageError(d: Draft, reason: SessionDownReason, error: NotificationError): void {
  const opened = d.state !== SessionState.Connect && d.state !== SessionState.Active;
  const sent = opened || (d.connection && d.config.sendNotificationWithoutOpen) ? error : undefined;
  toIdle(d, reason, error.message, { counter: 'increment', sent });
}

/** RFC 4271 §8.2.2 "any other event"; RFC 6608 names the state when a NOTIFICATION goes out. */
function unexpected(d: Draft, e: SessionEvent): void {
  const opened = d.state !== SessionState.Connect && d.state !== SessionState.Active;
  const what = MESSAGES[e.type] ?? e.type;
  const error = fsmError(d.state, what, MESSAGES[e.type] !== undefined);
  toIdle(d, 'FsmError', error.message, { counter: 'increment', sent: opened ? error : undefined });
}

function notificationReceived(d: Draft, received: NotificationMessage, counter: 'keep' | 'increment'): void {
  const text = received.shutdownMessage ? `: ${JSON.stringify(received.shutdownMessage)}` : '';
  toIdle(d, 'NotificationReceived', `the peer sent NOTIFICATION ${received.code}/${received.subcode}${text}`, { counter, received });
}

function isVersionError(n: NotificationMessage): boolean {
  return n.code === ErrorCode.OpenMessageError && n.subcode === OpenErrorSubcode.UnsupportedVersionNumber;
}

function manualStopNotification(e: ManualStop): NotificationError {
  return e.notification ?? administrativeShutdown(e.shutdownMessage);
}

function manualStopMessage(e: ManualStop): string {
  return `stopped by the operator${e.shutdownMessage ? `: ${JSON.stringify(e.shutdownMessage)}` : ''}`;
}
