// Typed BGP messages: a union tagged by `type`, one interface per message and per
// capability and path attribute, so that a field added to one place is seen by the compiler
// everywhere else.
import type {
  Afi,
  AsPathSegmentType,
  CapabilityCode,
  MessageType,
  OptionalParameterType,
  Origin,
  RouteRefreshSubtype,
  Safi,
  AttrType,
} from './constants.js';
import type { Prefix } from './prefix.js';

export interface Family {
  afi: Afi | number;
  safi: Safi | number;
}

// ---------------------------------------------------------------------------- capabilities

export interface MultiprotocolCapability {
  code: CapabilityCode.Multiprotocol;
  afi: Afi | number;
  safi: Safi | number;
  /** The reserved octet between AFI and SAFI; 0 on the wire, kept so that decode/encode is exact. */
  reserved?: number;
}
export interface RouteRefreshCapability {
  code: CapabilityCode.RouteRefresh;
}
export interface EnhancedRouteRefreshCapability {
  code: CapabilityCode.EnhancedRouteRefresh;
}
export interface ExtendedMessageCapability {
  code: CapabilityCode.ExtendedMessage;
}
export interface FourOctetAsCapability {
  code: CapabilityCode.FourOctetAs;
  asn: number;
}
export interface GracefulRestartFamily extends Family {
  /** Per-family flags; bit 0x80 is "forwarding state preserved" (RFC 4724 §3). */
  flags: number;
}
export interface GracefulRestartCapability {
  code: CapabilityCode.GracefulRestart;
  /** Upper nibble of the first octet: Restart (R) 0x8 and Notification (N, RFC 8538) 0x4. */
  flags: number;
  /** Restart time in seconds, 12 bits. */
  restartTime: number;
  families: GracefulRestartFamily[];
}
export interface FqdnCapability {
  code: CapabilityCode.Fqdn;
  hostname: string;
  domainName: string;
}
/** Any capability this codec does not interpret, kept byte for byte. */
export interface UnknownCapability {
  code: number;
  value: Uint8Array;
  /** Set when a known code carried a value this codec could not read; kept raw (RFC 5492 §3). */
  malformed?: true;
}

export type Capability =
  | MultiprotocolCapability
  | RouteRefreshCapability
  | EnhancedRouteRefreshCapability
  | ExtendedMessageCapability
  | FourOctetAsCapability
  | GracefulRestartCapability
  | FqdnCapability
  | UnknownCapability;

// ---------------------------------------------------------------------------- OPEN

export interface CapabilitiesParameter {
  type: OptionalParameterType.Capabilities;
  capabilities: Capability[];
}
export interface UnknownParameter {
  type: number;
  value: Uint8Array;
}
export type OptionalParameter = CapabilitiesParameter | UnknownParameter;

export interface OpenMessage {
  type: MessageType.Open;
  version: number;
  /** The 2-octet My Autonomous System field (AS_TRANS when the real AS needs four octets). */
  myAs: number;
  holdTime: number;
  /** BGP Identifier in dotted-quad form. */
  bgpId: string;
  parameters: OptionalParameter[];
  /** True when the optional parameters used the RFC 9072 extended length encoding. */
  extendedParameters?: boolean;
}

// ---------------------------------------------------------------------------- path attributes

export interface AsPathSegment {
  type: AsPathSegmentType | number;
  asns: number[];
}

interface AttrBase {
  /** Flags as received; on encode the Extended Length bit is forced on when the value needs it. */
  flags?: number;
}
export interface OriginAttr extends AttrBase {
  type: AttrType.Origin;
  origin: Origin;
}
export interface AsPathAttr extends AttrBase {
  type: AttrType.AsPath;
  segments: AsPathSegment[];
}
export interface As4PathAttr extends AttrBase {
  type: AttrType.As4Path;
  segments: AsPathSegment[];
}
export interface NextHopAttr extends AttrBase {
  type: AttrType.NextHop;
  nextHop: string;
}
export interface MultiExitDiscAttr extends AttrBase {
  type: AttrType.MultiExitDisc;
  med: number;
}
export interface LocalPrefAttr extends AttrBase {
  type: AttrType.LocalPref;
  localPref: number;
}
export interface AtomicAggregateAttr extends AttrBase {
  type: AttrType.AtomicAggregate;
}
export interface AggregatorAttr extends AttrBase {
  type: AttrType.Aggregator;
  asn: number;
  address: string;
}
export interface As4AggregatorAttr extends AttrBase {
  type: AttrType.As4Aggregator;
  asn: number;
  address: string;
}
export interface CommunitiesAttr extends AttrBase {
  type: AttrType.Communities;
  /** Each community as an unsigned 32-bit number (high 16 bits: AS, low: value). */
  communities: number[];
}
export interface ExtendedCommunitiesAttr extends AttrBase {
  type: AttrType.ExtendedCommunities;
  /** Each extended community as its 8 octets (RFC 4360 §2). */
  communities: Uint8Array[];
}
export interface LargeCommunity {
  globalAdmin: number;
  localData1: number;
  localData2: number;
}
export interface LargeCommunitiesAttr extends AttrBase {
  type: AttrType.LargeCommunities;
  communities: LargeCommunity[];
}
export interface OriginatorIdAttr extends AttrBase {
  type: AttrType.OriginatorId;
  originatorId: string;
}
export interface ClusterListAttr extends AttrBase {
  type: AttrType.ClusterList;
  clusterIds: string[];
}
export interface MpReachAttr extends AttrBase {
  type: AttrType.MpReachNlri;
  afi: Afi | number;
  safi: Safi | number;
  /**
   * Next hops: one address, or for IPv6 a global and a link-local one (RFC 2545 §3).
   * Empty when the family is not IPv4/IPv6 unicast or multicast; then `rawNextHop` holds it.
   */
  nextHops: string[];
  rawNextHop?: Uint8Array;
  /** The reserved octet (formerly the SNPA count); 0 on the wire from any RFC 4760 speaker. */
  reserved?: number;
  nlri: Prefix[];
  /** NLRI of a family this codec does not parse, kept raw. */
  rawNlri?: Uint8Array;
}
export interface MpUnreachAttr extends AttrBase {
  type: AttrType.MpUnreachNlri;
  afi: Afi | number;
  safi: Safi | number;
  withdrawn: Prefix[];
  rawWithdrawn?: Uint8Array;
}
export interface UnknownAttr {
  type: number;
  flags: number;
  value: Uint8Array;
}

export type PathAttribute =
  | OriginAttr
  | AsPathAttr
  | As4PathAttr
  | NextHopAttr
  | MultiExitDiscAttr
  | LocalPrefAttr
  | AtomicAggregateAttr
  | AggregatorAttr
  | As4AggregatorAttr
  | CommunitiesAttr
  | ExtendedCommunitiesAttr
  | LargeCommunitiesAttr
  | OriginatorIdAttr
  | ClusterListAttr
  | MpReachAttr
  | MpUnreachAttr
  | UnknownAttr;

// ---------------------------------------------------------------------------- other messages

export interface UpdateMessage {
  type: MessageType.Update;
  withdrawn: Prefix[];
  attributes: PathAttribute[];
  nlri: Prefix[];
}

export interface NotificationMessage {
  type: MessageType.Notification;
  code: number;
  subcode: number;
  data: Uint8Array;
  /** RFC 9003 shutdown communication, when a Cease/Administrative Shutdown or Reset carries one. */
  shutdownMessage?: string;
}

export interface KeepaliveMessage {
  type: MessageType.Keepalive;
}

export interface RouteRefreshMessage {
  type: MessageType.RouteRefresh;
  afi: Afi | number;
  subtype: RouteRefreshSubtype | number;
  safi: Safi | number;
}

export type BgpMessage = OpenMessage | UpdateMessage | NotificationMessage | KeepaliveMessage | RouteRefreshMessage;
