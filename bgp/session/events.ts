// The inputs of the session state machine: RFC 4271 §8.1.2–8.1.5 events, named as there,
// and the two mappings a driver needs from what the codec hands it to an event.
import { ErrorCode, MessageType } from '../codec/constants.js';
import type { NotificationError } from '../codec/errors.js';
import type { BgpMessage, NotificationMessage, OpenMessage, RouteRefreshMessage, UpdateMessage } from '../codec/messages.js';
import type { TimerName } from './types.js';

/** Event 1: the operator starts the session. Resets the peer-oscillation back-off. */
export interface ManualStart {
  type: 'ManualStart';
}
/** Event 4: start, but wait in Active for the peer to connect first. */
export interface ManualStartWithPassiveTcpEstablishment {
  type: 'ManualStart_with_PassiveTcpEstablishment';
}
/**
 * Event 2: the operator stops the session; no automatic restart follows.
 * Past OpenSent the peer gets Cease/Administrative Shutdown (RFC 4486 §4) carrying
 * `shutdownMessage` (RFC 9003), unless `notification` names another Cease, such as
 * Peer De-configured or Administrative Reset.
 */
export interface ManualStop {
  type: 'ManualStop';
  shutdownMessage?: string;
  notification?: NotificationError;
}
/** Event 3: the local system starts the session; ignored while an IdleHold back-off runs. */
export interface AutomaticStart {
  type: 'AutomaticStart';
}
/** Event 5. */
export interface AutomaticStartWithPassiveTcpEstablishment {
  type: 'AutomaticStart_with_PassiveTcpEstablishment';
}
/** Event 8: the local system stops the session (e.g. prefix limit) and restarts it after back-off. */
export interface AutomaticStop {
  type: 'AutomaticStop';
  /** The Cease to send; Cease with subcode 0 when absent. */
  notification?: NotificationError;
}
/** Events 9–13, and the expiry of the IdleHoldReset timer. */
export interface TimerExpires {
  type:
    | 'ConnectRetryTimer_Expires'
    | 'HoldTimer_Expires'
    | 'KeepaliveTimer_Expires'
    | 'DelayOpenTimer_Expires'
    | 'IdleHoldTimer_Expires'
    | 'IdleHoldResetTimer_Expires';
}
/** Event 16: our outgoing connection came up (outbound). */
export interface TcpCrAcked {
  type: 'Tcp_CR_Acked';
}
/** Event 17: the peer's connection was accepted (inbound). */
export interface TcpConnectionConfirmed {
  type: 'TcpConnectionConfirmed';
}
/** Event 18: the connection failed, was closed by the peer, or the attempt to open it failed. */
export interface TcpConnectionFails {
  type: 'TcpConnectionFails';
  message?: string;
}
/** Events 19/20: an OPEN arrived; the machine runs the RFC 4271 §6.2 checks itself. */
export interface BgpOpen {
  type: 'BGPOpen';
  open: OpenMessage;
}
/** Events 21, 22, 28 and a ROUTE-REFRESH error (RFC 7313 §5): the decoder's error is the NOTIFICATION to send. */
export interface MessageError {
  type: 'BGPHeaderErr' | 'BGPOpenMsgErr' | 'UpdateMsgErr' | 'RouteRefreshMsgErr';
  error: NotificationError;
}
/** Events 24/25: a NOTIFICATION arrived; 2/1 is NotifMsgVerErr, anything else NotifMsg. */
export interface NotifMsg {
  type: 'NotifMsg';
  notification: NotificationMessage;
}
/** Event 26. */
export interface KeepAliveMsg {
  type: 'KeepAliveMsg';
}
/** Event 27. */
export interface UpdateMsg {
  type: 'UpdateMsg';
  update: UpdateMessage;
}
/** A ROUTE-REFRESH arrived (RFC 2918, RFC 7313). */
export interface RouteRefreshMsg {
  type: 'RouteRefreshMsg';
  routeRefresh: RouteRefreshMessage;
}
/** Event 23: collision detection (collision.ts) chose to close this connection. */
export interface OpenCollisionDump {
  type: 'OpenCollisionDump';
}
/**
 * Not an RFC event: the driver sent an UPDATE. RFC 4271 §8.2.2 restarts the KeepaliveTimer
 * on every KEEPALIVE or UPDATE sent; KEEPALIVEs are the machine's own, UPDATEs are not.
 */
export interface UpdateMsgSent {
  type: 'UpdateMsgSent';
}

/**
 * Not an RFC 4271 event: BFD declared the path to the peer down (RFC 5882 §3.2, the session's
 * BFD went from Up to Down). Past OpenSent the peer gets Cease / BFD Down (RFC 9384); in every
 * state the session goes to Idle and stays there, without the automatic restart, until BfdUp.
 */
export interface BfdDown {
  type: 'BfdDown';
}
/** BFD is Up again: a session held in Idle by BfdDown starts (as an automatic start would). */
export interface BfdUp {
  type: 'BfdUp';
}

export type SessionEvent =
  | ManualStart
  | ManualStartWithPassiveTcpEstablishment
  | ManualStop
  | AutomaticStart
  | AutomaticStartWithPassiveTcpEstablishment
  | AutomaticStop
  | TimerExpires
  | TcpCrAcked
  | TcpConnectionConfirmed
  | TcpConnectionFails
  | BgpOpen
  | MessageError
  | NotifMsg
  | KeepAliveMsg
  | UpdateMsg
  | RouteRefreshMsg
  | OpenCollisionDump
  | UpdateMsgSent
  | BfdDown
  | BfdUp;

export type SessionEventType = SessionEvent['type'];

/** The event a timer's expiry is reported as. */
export const TIMER_EVENTS: Readonly<Record<TimerName, TimerExpires['type']>> = {
  ConnectRetry: 'ConnectRetryTimer_Expires',
  Hold: 'HoldTimer_Expires',
  Keepalive: 'KeepaliveTimer_Expires',
  DelayOpen: 'DelayOpenTimer_Expires',
  IdleHold: 'IdleHoldTimer_Expires',
  IdleHoldReset: 'IdleHoldResetTimer_Expires',
};

/** The event for a message the decoder read whole. */
export function messageEvent(message: BgpMessage): SessionEvent {
  switch (message.type) {
    case MessageType.Open:
      return { type: 'BGPOpen', open: message };
    case MessageType.Update:
      return { type: 'UpdateMsg', update: message };
    case MessageType.Notification:
      return { type: 'NotifMsg', notification: message };
    case MessageType.Keepalive:
      return { type: 'KeepAliveMsg' };
    case MessageType.RouteRefresh:
      return { type: 'RouteRefreshMsg', routeRefresh: message };
  }
}

/** The event for a decode error, chosen by its NOTIFICATION error code (RFC 4271 §6.1–6.3, RFC 7313 §5). */
export function errorEvent(error: NotificationError): SessionEvent {
  switch (error.code) {
    case ErrorCode.OpenMessageError:
      return { type: 'BGPOpenMsgErr', error };
    case ErrorCode.UpdateMessageError:
      return { type: 'UpdateMsgErr', error };
    case ErrorCode.RouteRefreshMessageError:
      return { type: 'RouteRefreshMsgErr', error };
    default:
      return { type: 'BGPHeaderErr', error };
  }
}
