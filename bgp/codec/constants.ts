// Wire constants of BGP-4, named as in the RFCs and the IANA registries.

/** Message types (RFC 4271 §4.1, RFC 2918). */
export enum MessageType {
  Open = 1,
  Update = 2,
  Notification = 3,
  Keepalive = 4,
  RouteRefresh = 5,
}

export const MARKER_LENGTH = 16;
export const HEADER_LENGTH = 19;
/** RFC 4271 §4.1: the largest message without the extended message capability. */
export const MAX_MESSAGE_LENGTH = 4096;
/** RFC 8654: the largest message once both sides advertised extended messages. */
export const MAX_EXTENDED_MESSAGE_LENGTH = 65535;
export const BGP_VERSION = 4;
/** RFC 6793 §9: the 2-octet stand-in for a 4-octet AS number. */
export const AS_TRANS = 23456;

/** NOTIFICATION error codes (RFC 4271 §4.5, RFC 7313). */
export enum ErrorCode {
  MessageHeaderError = 1,
  OpenMessageError = 2,
  UpdateMessageError = 3,
  HoldTimerExpired = 4,
  FiniteStateMachineError = 5,
  Cease = 6,
  RouteRefreshMessageError = 7,
}

/** Message Header Error subcodes (RFC 4271 §6.1). */
export enum HeaderErrorSubcode {
  ConnectionNotSynchronized = 1,
  BadMessageLength = 2,
  BadMessageType = 3,
}

/** OPEN Message Error subcodes (RFC 4271 §6.2, RFC 5492, RFC 9072). */
export enum OpenErrorSubcode {
  Unspecific = 0,
  UnsupportedVersionNumber = 1,
  BadPeerAs = 2,
  BadBgpIdentifier = 3,
  UnsupportedOptionalParameter = 4,
  UnacceptableHoldTime = 6,
  UnsupportedCapability = 7,
  RoleMismatch = 11,
}

/** UPDATE Message Error subcodes (RFC 4271 §6.3). */
export enum UpdateErrorSubcode {
  MalformedAttributeList = 1,
  UnrecognizedWellKnownAttribute = 2,
  MissingWellKnownAttribute = 3,
  AttributeFlagsError = 4,
  AttributeLengthError = 5,
  InvalidOriginAttribute = 6,
  InvalidNextHopAttribute = 8,
  OptionalAttributeError = 9,
  InvalidNetworkField = 10,
  MalformedAsPath = 11,
}

/** Finite State Machine Error subcodes (RFC 6608). */
export enum FsmErrorSubcode {
  UnspecifiedError = 0,
  UnexpectedMessageInOpenSent = 1,
  UnexpectedMessageInOpenConfirm = 2,
  UnexpectedMessageInEstablished = 3,
}

/** Cease subcodes (RFC 4486, RFC 8203/9003). */
export enum CeaseSubcode {
  MaximumNumberOfPrefixesReached = 1,
  AdministrativeShutdown = 2,
  PeerDeconfigured = 3,
  AdministrativeReset = 4,
  ConnectionRejected = 5,
  OtherConfigurationChange = 6,
  ConnectionCollisionResolution = 7,
  OutOfResources = 8,
  HardReset = 9,
  BfdDown = 10,
}

/** ROUTE-REFRESH Message Error subcodes (RFC 7313 §5). */
export enum RouteRefreshErrorSubcode {
  InvalidMessageLength = 1,
}

/** ROUTE-REFRESH message subtypes (RFC 7313 §3). */
export enum RouteRefreshSubtype {
  Normal = 0,
  BeginningOfRouteRefresh = 1,
  EndOfRouteRefresh = 2,
}

/** OPEN optional parameter types (RFC 5492, RFC 9072). */
export enum OptionalParameterType {
  Capabilities = 2,
  /** RFC 9072 §2: marks the extended optional parameters length encoding. */
  ExtendedLength = 255,
}

/** Capability codes (IANA "Capability Codes"). */
export enum CapabilityCode {
  Multiprotocol = 1,
  RouteRefresh = 2,
  ExtendedNextHop = 5,
  ExtendedMessage = 6,
  Role = 9,
  GracefulRestart = 64,
  FourOctetAs = 65,
  AddPath = 69,
  EnhancedRouteRefresh = 70,
  LongLivedGracefulRestart = 71,
  Fqdn = 73,
  SoftwareVersion = 75,
}

/** Address family identifiers (IANA). */
export enum Afi {
  Ipv4 = 1,
  Ipv6 = 2,
}

/** Subsequent address family identifiers (IANA). */
export enum Safi {
  Unicast = 1,
  Multicast = 2,
}

/** Path attribute type codes (IANA "BGP Path Attributes"). */
export enum AttrType {
  Origin = 1,
  AsPath = 2,
  NextHop = 3,
  MultiExitDisc = 4,
  LocalPref = 5,
  AtomicAggregate = 6,
  Aggregator = 7,
  Communities = 8,
  OriginatorId = 9,
  ClusterList = 10,
  MpReachNlri = 14,
  MpUnreachNlri = 15,
  ExtendedCommunities = 16,
  As4Path = 17,
  As4Aggregator = 18,
  LargeCommunities = 32,
}

/** Path attribute flag bits (RFC 4271 §4.3). */
export enum AttrFlag {
  Optional = 0x80,
  Transitive = 0x40,
  Partial = 0x20,
  ExtendedLength = 0x10,
}

/** ORIGIN values (RFC 4271 §5.1.1). */
export enum Origin {
  Igp = 0,
  Egp = 1,
  Incomplete = 2,
}

/** AS_PATH segment types (RFC 4271 §4.3, RFC 5065). */
export enum AsPathSegmentType {
  AsSet = 1,
  AsSequence = 2,
  AsConfedSequence = 3,
  AsConfedSet = 4,
}

/** Well-known communities (RFC 1997, RFC 3765, RFC 7999, RFC 8326). */
export enum WellKnownCommunity {
  GracefulShutdown = 0xffff0000,
  AcceptOwn = 0xffff0001,
  LlgrStale = 0xffff0006,
  NoLlgr = 0xffff0007,
  Blackhole = 0xffff029a,
  NoExport = 0xffffff01,
  NoAdvertise = 0xffffff02,
  NoExportSubconfed = 0xffffff03,
  NoPeer = 0xffffff04,
}

/** Graceful restart capability flags, upper nibble of the first octet (RFC 4724, RFC 8538). */
export enum GracefulRestartFlag {
  Restart = 0x8,
  Notification = 0x4,
}

/** Graceful restart per-family flags (RFC 4724 §3). */
export enum GracefulRestartFamilyFlag {
  ForwardingState = 0x80,
}
