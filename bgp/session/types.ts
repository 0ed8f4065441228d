// The vocabulary of one BGP session: its states, timers and the actions the state machine
// asks its driver to carry out. Names follow RFC 4271 §8 wherever the RFC has one.
import type { Capability, Family, NotificationMessage, OpenMessage, RouteRefreshMessage, UpdateMessage } from '../codec/messages.js';
import type { NotificationError } from '../codec/errors.js';

/** The six states of the BGP finite state machine (RFC 4271 §8.2.2). */
export enum SessionState {
  Idle = 'Idle',
  Connect = 'Connect',
  Active = 'Active',
  OpenSent = 'OpenSent',
  OpenConfirm = 'OpenConfirm',
  Established = 'Established',
}

/**
 * The timers of RFC 4271 §8 (ConnectRetry, Hold, Keepalive, DelayOpen, IdleHold), plus
 * IdleHoldReset: once it expires in Established, the peer-oscillation back-off starts over.
 */
export type TimerName = 'ConnectRetry' | 'Hold' | 'Keepalive' | 'DelayOpen' | 'IdleHold' | 'IdleHoldReset';

export const TIMER_NAMES: readonly TimerName[] = ['ConnectRetry', 'DelayOpen', 'Hold', 'Keepalive', 'IdleHoldReset', 'IdleHold'];

/** Who opened the TCP connection: we (outbound, Tcp_CR_Acked) or the peer (inbound, TcpConnectionConfirmed). */
export type ConnectionDirection = 'inbound' | 'outbound';

/** RFC 4271 §8.2.2: the hold timer is set to "a large value" in OpenSent; 4 minutes is suggested. */
export const OPEN_SENT_HOLD_TIME = 240;

/** What both sides agreed on once the peer's OPEN passed every check (RFC 4271 §4.2, RFC 5492). */
export interface NegotiatedSession {
  /** The peer's AS: from its four-octet AS capability when present (RFC 6793 §4.1). */
  peerAs: number;
  peerBgpId: string;
  /** True when the peer is in our AS (internal BGP). */
  ibgp: boolean;
  /** min(ours, peer's); 0 means neither KEEPALIVEs nor a hold timer (RFC 4271 §4.2). */
  holdTime: number;
  /** At most a third of `holdTime` (RFC 4271 §10); 0 when `holdTime` is 0. */
  keepaliveTime: number;
  /** Families both sides advertised; IPv4 unicast for a peer without any MP capability (RFC 4760 §8). */
  families: Family[];
  /** Both sides advertised the four-octet AS capability (RFC 6793). */
  fourOctetAs: boolean;
  /** The peer accepts ROUTE-REFRESH (RFC 2918 §3). */
  routeRefresh: boolean;
  /** Both sides advertised enhanced route refresh, so BoRR/EoRR may be used (RFC 7313 §4). */
  enhancedRouteRefresh: boolean;
  /** Both sides advertised extended messages (RFC 8654 §3). */
  extendedMessage: boolean;
  /** 65535 with extended messages, else 4096 (RFC 4271 §4.1, RFC 8654). */
  maxMessageLength: number;
  /** The peer's graceful restart capability, when it sent one (RFC 4724 §3). */
  peerGracefulRestart?: PeerGracefulRestart;
  /** The peer's FQDN capability, when it sent one (draft-walton-bgp-hostname-capability). */
  peerHostname?: { hostname: string; domainName: string };
  /** Every capability the peer advertised, as decoded. */
  peerCapabilities: Capability[];
}

export interface PeerGracefulRestart {
  /** Restart State (R) bit: the peer has just restarted (RFC 4724 §3). */
  restarting: boolean;
  /** Notification (N) bit: the peer supports graceful restart after NOTIFICATION (RFC 8538). */
  notification: boolean;
  /** Seconds the peer asks us to keep its routes after the session drops. */
  restartTime: number;
  families: { afi: number; safi: number; forwardingState: boolean }[];
}

/** Stable names for why a session fell back to Idle; safe to match on and alert on. */
export type SessionDownReason =
  | 'ManualStop'
  | 'AutomaticStop'
  | 'HoldTimerExpired'
  | 'TcpConnectionFails'
  | 'NotificationReceived'
  | 'HeaderError'
  | 'OpenMessageError'
  | 'UpdateMessageError'
  | 'RouteRefreshMessageError'
  | 'ConnectionCollision'
  | 'FsmError'
  /** BFD declared the path to the peer down (RFC 5882 §3.2); Cease / BFD Down went out (RFC 9384). */
  | 'BfdDown';

/** Start an outgoing TCP connection to the peer (RFC 4271 §8.2.2 "initiates a TCP connection"). */
export interface ConnectAction {
  type: 'Connect';
}
/** Close the TCP connection, after flushing any NOTIFICATION queued before it, or abort a connection attempt. */
export interface DisconnectAction {
  type: 'Disconnect';
}
export interface SendOpenAction {
  type: 'SendOpen';
  open: OpenMessage;
}
export interface SendKeepaliveAction {
  type: 'SendKeepalive';
}
export interface SendNotificationAction {
  type: 'SendNotification';
  notification: NotificationError;
}
/** Start the named timer, replacing it if it runs; its expiry comes back as the matching event. */
export interface SetTimerAction {
  type: 'SetTimer';
  timer: TimerName;
  seconds: number;
}
export interface StopTimerAction {
  type: 'StopTimer';
  timer: TimerName;
}
export interface SessionEstablishedAction {
  type: 'SessionEstablished';
  negotiated: NegotiatedSession;
}
/** Emitted on every fall back to Idle; routes learnt from the peer go only when `wasEstablished`. */
export interface SessionDownAction {
  type: 'SessionDown';
  reason: SessionDownReason;
  /** The state the session left. */
  state: SessionState;
  wasEstablished: boolean;
  /** The NOTIFICATION we sent, if any. */
  notificationSent?: NotificationError;
  /** The NOTIFICATION the peer sent, if that is what ended the session. */
  notificationReceived?: NotificationMessage;
  message: string;
}
/** An UPDATE for the speaker; only ever emitted in Established. */
export interface DeliverUpdateAction {
  type: 'DeliverUpdate';
  update: UpdateMessage;
}
/** A ROUTE-REFRESH for the speaker; only in Established and for a family we advertised (RFC 2918 §4). */
export interface DeliverRouteRefreshAction {
  type: 'DeliverRouteRefresh';
  routeRefresh: RouteRefreshMessage;
}

export type SessionAction =
  | ConnectAction
  | DisconnectAction
  | SendOpenAction
  | SendKeepaliveAction
  | SendNotificationAction
  | SetTimerAction
  | StopTimerAction
  | SessionEstablishedAction
  | SessionDownAction
  | DeliverUpdateAction
  | DeliverRouteRefreshAction;
