// The vocabulary of one BFD session: its configuration, its state variables (named after the
// bfd.* variables of RFC 5880 §6.8.1), the events that drive it and the actions it asks its
// driver to carry out. Intervals are microseconds, as on the wire.
import type { BfdAuthConfig } from './auth.js';
import type { BfdDiagnostic, BfdState } from './constants.js';
import type { BfdError } from './errors.js';
import type { BfdControlPacket } from './packet.js';

export interface BfdSessionConfig {
  /** bfd.LocalDiscr: nonzero and unique on this system (see discriminators.ts). */
  localDiscriminator: number;
  /** bfd.DesiredMinTxInterval once Up; while not Up at least one second is advertised (§6.8.3). */
  desiredMinTxUs: number;
  /** bfd.RequiredMinRxInterval. */
  requiredMinRxUs: number;
  /** bfd.DetectMult. */
  detectMult: number;
  /** §6.1: wait for the peer's first packet before sending any. */
  passive: boolean;
  /**
   * The C bit (§4.1, RFC 5882 §4.3): whether this BFD survives its control plane. vip-speaker's
   * BFD runs in the BGP process, so it is false there: a frozen or restarting speaker stops BFD.
   */
  controlPlaneIndependent: boolean;
  /** bfd.AuthType and the key; none when absent. */
  auth?: BfdAuthConfig;
}

export type BfdTimerName = 'Transmit' | 'Detect' | 'AuthSeqReset';

/** One session's whole state; a value, never mutated. */
export interface BfdSession {
  readonly config: BfdSessionConfig;
  /** Started (§6.8.16 "enabled"); a session not started never transmits. */
  readonly enabled: boolean;
  /** bfd.SessionState. */
  readonly state: BfdState;
  /** bfd.RemoteSessionState. */
  readonly remoteState: BfdState;
  /** bfd.RemoteDiscr: 0 until the peer is heard, and again once it falls silent. */
  readonly remoteDiscr: number;
  /** bfd.LocalDiag. */
  readonly localDiag: BfdDiagnostic;
  /** The Diag of the peer's last packet (for status only). */
  readonly remoteDiag: BfdDiagnostic;
  /** bfd.DesiredMinTxInterval as advertised now: the configured value when Up, at least 1 s otherwise. */
  readonly desiredMinTxUs: number;
  /** bfd.RequiredMinRxInterval as advertised now. */
  readonly requiredMinRxUs: number;
  /** The Desired Min TX that paces our packets: an increase waits for its Poll Sequence (§6.8.3). */
  readonly txDesiredInForceUs: number;
  /** The Required Min RX that times detection: a reduction waits for its Poll Sequence (§6.8.3). */
  readonly rxRequiredInForceUs: number;
  /** bfd.RemoteMinRxInterval. */
  readonly remoteMinRxUs: number;
  /** The peer's last Desired Min TX Interval (0 before its first packet). */
  readonly remoteDesiredMinTxUs: number;
  /** The peer's last Detect Mult (0 before its first packet). */
  readonly remoteDetectMult: number;
  /** bfd.RemoteDemandMode. */
  readonly remoteDemand: boolean;
  /** The peer's C bit. */
  readonly remoteControlPlaneIndependent: boolean;
  /** A Poll Sequence is under way (§6.5): our packets carry P until a packet with F arrives. */
  readonly polling: boolean;
  /** Parameters changed during a Poll Sequence: another one starts when it ends. */
  readonly pollPending: boolean;
  /** bfd.RcvAuthSeq, undefined while bfd.AuthSeqKnown is 0. */
  readonly rcvAuthSeq: number | undefined;
  /** bfd.XmitAuthSeq: where the sequence starts is the driver's choice (random), then it counts. */
  readonly xmitAuthSeq: number;
  /** The interval the Transmit timer runs with now (0: not transmitting periodically). */
  readonly txIntervalUs: number;
  readonly timers: Readonly<Record<BfdTimerName, boolean>>;
}

/** §6.8.16: enable the session: from AdminDown (or a fresh session) to Down, transmitting. */
export interface BfdStart {
  type: 'Start';
}
/** §6.8.16: disable the session: AdminDown with a diagnostic (AdministrativelyDown unless PathDown). */
export interface BfdStop {
  type: 'Stop';
  diagnostic?: BfdDiagnostic;
}
/** A packet that passed decoding (§6.8.6 first checks) and was demultiplexed to this session. */
export interface BfdPacketReceived {
  type: 'PacketReceived';
  packet: BfdControlPacket;
}
/** §6.8.3: new timer parameters; a Poll Sequence carries them when Up. */
export interface BfdParametersChanged {
  type: 'ParametersChanged';
  desiredMinTxUs: number;
  requiredMinRxUs: number;
  detectMult: number;
}
export interface BfdTimerExpires {
  type: 'TransmitTimer_Expires' | 'DetectTimer_Expires' | 'AuthSeqResetTimer_Expires';
}

export type BfdEvent = BfdStart | BfdStop | BfdPacketReceived | BfdParametersChanged | BfdTimerExpires;

/** Send this packet now; the driver adds the auth section (sequence: `xmitAuthSeq` of the action). */
export interface BfdSendAction {
  type: 'Send';
  packet: BfdControlPacket;
  /** The XmitAuthSeq to sign with, when the session authenticates. */
  authSequence?: number;
}
/**
 * Start (or restart) a timer. For Transmit, the interval counts from the last packet sent
 * (§6.8.3: a shorter interval is honoured at once) and the driver applies the §6.8.7 jitter.
 */
export interface BfdSetTimerAction {
  type: 'SetTimer';
  timer: BfdTimerName;
  us: number;
}
export interface BfdStopTimerAction {
  type: 'StopTimer';
  timer: BfdTimerName;
}
/** bfd.SessionState changed; `diagnostic` is bfd.LocalDiag after the change. */
export interface BfdStateChangeAction {
  type: 'StateChange';
  from: BfdState;
  to: BfdState;
  diagnostic: BfdDiagnostic;
  /** The peer said AdminDown: RFC 5882 §3.2 asks clients not to treat this Down as a failure. */
  remoteAdminDown: boolean;
}
/** A packet was dropped by a check that needs the session (auth, sequence). */
export interface BfdDiscardAction {
  type: 'Discard';
  error: BfdError;
}
/** A Poll Sequence ended: the negotiated intervals now in force changed. */
export interface BfdPollCompleteAction {
  type: 'PollComplete';
}

export type BfdAction = BfdSendAction | BfdSetTimerAction | BfdStopTimerAction | BfdStateChangeAction | BfdDiscardAction | BfdPollCompleteAction;

export interface BfdTransition {
  session: BfdSession;
  actions: BfdAction[];
}
