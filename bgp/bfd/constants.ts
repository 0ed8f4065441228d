// The numbers of BFD, named as RFC 5880 §4.1 and the IANA BFD registries name them, and the
// ports and limits of RFC 5881 (single hop) and RFC 5883 (multihop).

/** RFC 5880 §4.1: the only version there is. */
export const BFD_VERSION = 1;

/** RFC 5880 §4.1 "Sta": the session states as they appear on the wire. */
export enum BfdState {
  AdminDown = 0,
  Down = 1,
  Init = 2,
  Up = 3,
}

/** RFC 5880 §4.1 "Diag": why the local system last changed state. */
export enum BfdDiagnostic {
  NoDiagnostic = 0,
  ControlDetectionTimeExpired = 1,
  EchoFunctionFailed = 2,
  NeighborSignaledSessionDown = 3,
  ForwardingPlaneReset = 4,
  PathDown = 5,
  ConcatenatedPathDown = 6,
  AdministrativelyDown = 7,
  ReverseConcatenatedPathDown = 8,
}

/** RFC 5880 §4.1 "Auth Type". */
export enum BfdAuthType {
  Reserved = 0,
  SimplePassword = 1,
  KeyedMd5 = 2,
  MeticulousKeyedMd5 = 3,
  KeyedSha1 = 4,
  MeticulousKeyedSha1 = 5,
}

/** RFC 5880 §4.1: the mandatory section, without authentication. */
export const BFD_CONTROL_LENGTH = 24;
/** RFC 5880 §6.8.6: with the A bit set, at least the auth type and length octets follow. */
export const BFD_CONTROL_MIN_LENGTH_WITH_AUTH = 26;
/** RFC 5880 §4.4: Keyed SHA1 section: type, length, key id, reserved, sequence (4), hash (20). */
export const BFD_SHA1_AUTH_LENGTH = 28;
/** RFC 5880 §4.4: the SHA1 hash, and the key padded to it. */
export const BFD_SHA1_DIGEST_LENGTH = 20;
/** RFC 5880 §4.3: Keyed MD5 section: type, length, key id, reserved, sequence (4), digest (16). */
export const BFD_MD5_AUTH_LENGTH = 24;
/** RFC 5880 §4.2: simple password, 1 to 16 octets. */
export const BFD_MAX_PASSWORD_LENGTH = 16;

/** RFC 5881 §4: single-hop Control packets go to this UDP port. */
export const BFD_SINGLE_HOP_PORT = 3784;
/** RFC 5883 §5: multihop Control packets go to this UDP port. */
export const BFD_MULTIHOP_PORT = 4784;
/** RFC 5881 §4: the source port of a session is one of these, the same for all its packets. */
export const BFD_SOURCE_PORT_MIN = 49152;
export const BFD_SOURCE_PORT_MAX = 65535;
/** RFC 5881 §5: single-hop packets leave with TTL / Hop Limit 255 and arrive with nothing else. */
export const BFD_TTL = 255;

/** RFC 5880 §6.8.3: while not Up, bfd.DesiredMinTxInterval is at least one second. */
export const BFD_SLOW_TX_INTERVAL_US = 1_000_000;
/** RFC 5880 §6.8.1: bfd.RemoteMinRxInterval starts at 1 µs, until the peer says otherwise. */
export const BFD_INITIAL_REMOTE_MIN_RX_US = 1;
/** The interval fields are 32-bit microseconds (RFC 5880 §4.1). */
export const BFD_MAX_INTERVAL_US = 0xffffffff;
export const MICROSECONDS_PER_MILLISECOND = 1000;

/** RFC 5880 §6.8.7: periodic packets are sent at 75 % to 100 % of the interval... */
export const BFD_JITTER_MIN_FRACTION = 0.75;
/** ...and at no more than 90 % of it when bfd.DetectMult is 1. */
export const BFD_JITTER_MAX_FRACTION_DETECT_MULT_ONE = 0.9;
