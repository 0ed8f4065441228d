// One (name, typed message, commented bytes) fixture per message and interesting variant, in
// the manner of mqtt-packet: each fixture is decoded, encoded and mirrored. The bytes are
// written out octet by octet (test/support/bytes.ts), never with the encoder under test.
import { strict as assert } from 'node:assert';
import {
  AS_TRANS,
  Afi,
  AsPathSegmentType,
  AttrFlag,
  AttrType,
  CapabilityCode,
  CeaseSubcode,
  DEFAULT_CONTEXT,
  ErrorCode,
  GracefulRestartFamilyFlag,
  GracefulRestartFlag,
  MAX_SHUTDOWN_MESSAGE_LENGTH,
  MODERN_CONTEXT,
  MessageType,
  OptionalParameterType,
  Origin,
  Prefix,
  RouteRefreshSubtype,
  Safi,
  WellKnownCommunity,
  decodeMessage,
  encodeMessage,
  endOfRibFamily,
  findCapability,
  makeEndOfRib,
  makeNotification,
  makeOpen,
  openCapabilities,
  shutdownData,
  type BgpMessage,
  type Capability,
  type CodecContext,
  type OpenMessage,
  type OptionalParameter,
  type PathAttribute,
  type UpdateMessage,
} from '../../../bgp/index.js';
import { bytes, hex, ipv4, ipv6, message, prefix, repeat, u16, u32, utf8 } from '../../support/bytes.js';

interface Fixture {
  name: string;
  message: BgpMessage;
  bytes: Uint8Array;
  /** The session context; a 4-octet AS session without extended messages unless given. */
  ctx?: CodecContext;
}

const P = (text: string): Prefix => Prefix.parse(text);

/** Decodes a message that must decode cleanly. */
function decodeClean(data: Uint8Array, ctx: CodecContext): BgpMessage {
  const r = decodeMessage(data, ctx);
  if (!r.ok) assert.fail(`expected a message, got ${r.error.name}: ${r.error.message}`);
  assert.deepStrictEqual(r.value.problems, []);
  assert.equal(r.value.treatAsWithdraw, false);
  return r.value.message;
}

// ------------------------------------------------------------------------------------ OPEN

/** Version, My AS 65001, hold time 90 and identifier 192.0.2.1: the fixed part of the OPENs below. */
const OPEN_FIXED = [
  0x04, // version 4
  0xfd, 0xe9, // my AS 65001
  0x00, 0x5a, // hold time 90
  0xc0, 0x00, 0x02, 0x01, // BGP identifier 192.0.2.1
];

function openWith(parameters: OptionalParameter[], fields: Partial<OpenMessage> = {}): OpenMessage {
  return { type: MessageType.Open, version: 4, myAs: 65001, holdTime: 90, bgpId: '192.0.2.1', parameters, ...fields };
}

function capsParam(...capabilities: Capability[]): OptionalParameter {
  return { type: OptionalParameterType.Capabilities, capabilities };
}

const MP_IPV4: Capability = { code: CapabilityCode.Multiprotocol, afi: Afi.Ipv4, safi: Safi.Unicast };
const MP_IPV6: Capability = { code: CapabilityCode.Multiprotocol, afi: Afi.Ipv6, safi: Safi.Unicast };
const ROUTE_REFRESH: Capability = { code: CapabilityCode.RouteRefresh };
const ENHANCED_ROUTE_REFRESH: Capability = { code: CapabilityCode.EnhancedRouteRefresh };
const FOUR_OCTET_AS: Capability = { code: CapabilityCode.FourOctetAs, asn: 4200000001 };
const EXTENDED_MESSAGE: Capability = { code: CapabilityCode.ExtendedMessage };
const GRACEFUL_RESTART_R: Capability = { code: CapabilityCode.GracefulRestart, flags: GracefulRestartFlag.Restart, restartTime: 120, families: [] };

const OPEN_FIXTURES: Fixture[] = [
  {
    name: 'an OPEN without optional parameters',
    message: openWith([]),
    bytes: message(
      MessageType.Open,
      OPEN_FIXED,
      0x00, // optional parameters length 0
    ),
  },
  {
    name: 'an OPEN with the multiprotocol capability for IPv4 unicast',
    message: openWith([capsParam(MP_IPV4)]),
    bytes: message(
      MessageType.Open,
      OPEN_FIXED,
      0x08, // optional parameters length 8
      0x02, 0x06, // parameter 2 (capabilities), length 6
      0x01, 0x04, // capability 1 (multiprotocol), length 4
      0x00, 0x01, // AFI 1 (IPv4)
      0x00, // reserved
      0x01, // SAFI 1 (unicast)
    ),
  },
  {
    name: 'an OPEN with the multiprotocol capability for IPv6 unicast',
    message: openWith([capsParam(MP_IPV6)]),
    bytes: message(
      MessageType.Open,
      OPEN_FIXED,
      0x08, // optional parameters length 8
      0x02, 0x06, // parameter 2 (capabilities), length 6
      0x01, 0x04, // capability 1 (multiprotocol), length 4
      0x00, 0x02, // AFI 2 (IPv6)
      0x00, // reserved
      0x01, // SAFI 1 (unicast)
    ),
  },
  {
    name: 'an OPEN with the route refresh capability',
    message: openWith([capsParam(ROUTE_REFRESH)]),
    bytes: message(
      MessageType.Open,
      OPEN_FIXED,
      0x04, // optional parameters length 4
      0x02, 0x02, // parameter 2 (capabilities), length 2
      0x02, 0x00, // capability 2 (route refresh), length 0
    ),
  },
  {
    name: 'an OPEN with the enhanced route refresh capability',
    message: openWith([capsParam(ENHANCED_ROUTE_REFRESH)]),
    bytes: message(
      MessageType.Open,
      OPEN_FIXED,
      0x04, // optional parameters length 4
      0x02, 0x02, // parameter 2 (capabilities), length 2
      0x46, 0x00, // capability 70 (enhanced route refresh), length 0
    ),
  },
  {
    name: 'an OPEN with the 4-octet AS capability and AS_TRANS in My AS',
    message: openWith([capsParam(FOUR_OCTET_AS)], { myAs: AS_TRANS }),
    bytes: message(
      MessageType.Open,
      0x04, // version 4
      0x5b, 0xa0, // my AS 23456 (AS_TRANS)
      0x00, 0x5a, // hold time 90
      0xc0, 0x00, 0x02, 0x01, // BGP identifier 192.0.2.1
      0x08, // optional parameters length 8
      0x02, 0x06, // parameter 2 (capabilities), length 6
      0x41, 0x04, // capability 65 (4-octet AS), length 4
      0xfa, 0x56, 0xea, 0x01, // AS 4200000001
    ),
  },
  {
    name: 'an OPEN with graceful restart, R and N flags, and the forwarding bit on one family',
    message: openWith([
      capsParam({
        code: CapabilityCode.GracefulRestart,
        flags: GracefulRestartFlag.Restart | GracefulRestartFlag.Notification,
        restartTime: 120,
        families: [
          { afi: Afi.Ipv4, safi: Safi.Unicast, flags: GracefulRestartFamilyFlag.ForwardingState },
          { afi: Afi.Ipv6, safi: Safi.Unicast, flags: 0 },
        ],
      }),
    ]),
    bytes: message(
      MessageType.Open,
      OPEN_FIXED,
      0x0e, // optional parameters length 14
      0x02, 0x0c, // parameter 2 (capabilities), length 12
      0x40, 0x0a, // capability 64 (graceful restart), length 10
      0xc0, 0x78, // flags R and N (0xc), restart time 120
      0x00, 0x01, 0x01, 0x80, // AFI 1, SAFI 1, forwarding state preserved
      0x00, 0x02, 0x01, 0x00, // AFI 2, SAFI 1, no flags
    ),
  },
  {
    name: 'an OPEN with the extended message capability',
    message: openWith([capsParam(EXTENDED_MESSAGE)]),
    bytes: message(
      MessageType.Open,
      OPEN_FIXED,
      0x04, // optional parameters length 4
      0x02, 0x02, // parameter 2 (capabilities), length 2
      0x06, 0x00, // capability 6 (extended message), length 0
    ),
  },
  {
    name: 'an OPEN with the FQDN capability',
    message: openWith([capsParam({ code: CapabilityCode.Fqdn, hostname: 'leaf1', domainName: 'example.net' })]),
    bytes: message(
      MessageType.Open,
      OPEN_FIXED,
      0x16, // optional parameters length 22
      0x02, 0x14, // parameter 2 (capabilities), length 20
      0x49, 0x12, // capability 73 (FQDN), length 18
      0x05, utf8('leaf1'), // hostname length 5, "leaf1"
      0x0b, utf8('example.net'), // domain name length 11, "example.net"
    ),
  },
  {
    name: 'an OPEN with an unknown capability, kept raw',
    message: openWith([capsParam({ code: 239, value: Uint8Array.of(1, 2, 3) }, { code: 128, value: new Uint8Array(0) })]),
    bytes: message(
      MessageType.Open,
      OPEN_FIXED,
      0x09, // optional parameters length 9
      0x02, 0x07, // parameter 2 (capabilities), length 7
      0xef, 0x03, 0x01, 0x02, 0x03, // capability 239 (private use), length 3, value 01 02 03
      0x80, 0x00, // capability 128 (pre-standard route refresh), length 0
    ),
  },
  {
    name: 'an OPEN with one capability per optional parameter, as FRR sends',
    message: openWith([
      capsParam(MP_IPV4),
      capsParam(MP_IPV6),
      capsParam(ROUTE_REFRESH),
      capsParam(ENHANCED_ROUTE_REFRESH),
      capsParam(FOUR_OCTET_AS),
      capsParam(GRACEFUL_RESTART_R),
    ]),
    bytes: message(
      MessageType.Open,
      OPEN_FIXED,
      0x26, // optional parameters length 38
      0x02, 0x06, 0x01, 0x04, 0x00, 0x01, 0x00, 0x01, // capabilities: multiprotocol IPv4 unicast
      0x02, 0x06, 0x01, 0x04, 0x00, 0x02, 0x00, 0x01, // capabilities: multiprotocol IPv6 unicast
      0x02, 0x02, 0x02, 0x00, // capabilities: route refresh
      0x02, 0x02, 0x46, 0x00, // capabilities: enhanced route refresh
      0x02, 0x06, 0x41, 0x04, 0xfa, 0x56, 0xea, 0x01, // capabilities: 4-octet AS 4200000001
      0x02, 0x04, 0x40, 0x02, 0x80, 0x78, // capabilities: graceful restart, R flag, 120 s, no families
    ),
  },
  {
    name: 'an OPEN with all capabilities in one optional parameter',
    message: openWith([capsParam(MP_IPV4, MP_IPV6, ROUTE_REFRESH, ENHANCED_ROUTE_REFRESH, FOUR_OCTET_AS, GRACEFUL_RESTART_R)]),
    bytes: message(
      MessageType.Open,
      OPEN_FIXED,
      0x1c, // optional parameters length 28
      0x02, 0x1a, // parameter 2 (capabilities), length 26
      0x01, 0x04, 0x00, 0x01, 0x00, 0x01, // multiprotocol IPv4 unicast
      0x01, 0x04, 0x00, 0x02, 0x00, 0x01, // multiprotocol IPv6 unicast
      0x02, 0x00, // route refresh
      0x46, 0x00, // enhanced route refresh
      0x41, 0x04, 0xfa, 0x56, 0xea, 0x01, // 4-octet AS 4200000001
      0x40, 0x02, 0x80, 0x78, // graceful restart, R flag, 120 s
    ),
  },
  {
    name: 'an OPEN with the RFC 9072 extended optional parameters encoding',
    message: openWith([capsParam(MP_IPV4)], { extendedParameters: true }),
    bytes: message(
      MessageType.Open,
      OPEN_FIXED,
      0xff, // non-extended optional parameters length 255
      0xff, // non-extended parameter type 255: the extended encoding follows
      0x00, 0x09, // extended optional parameters length 9
      0x02, 0x00, 0x06, // parameter 2 (capabilities), 2-octet length 6
      0x01, 0x04, 0x00, 0x01, 0x00, 0x01, // multiprotocol IPv4 unicast
    ),
  },
];

// ------------------------------------------------------------------------------------ UPDATE

function updateWith(attributes: PathAttribute[], nlri: Prefix[] = [], withdrawn: Prefix[] = []): UpdateMessage {
  return { type: MessageType.Update, withdrawn, attributes, nlri };
}

const ORIGIN_IGP: PathAttribute = { type: AttrType.Origin, flags: 0x40, origin: Origin.Igp };
const AS_PATH_65001: PathAttribute = { type: AttrType.AsPath, flags: 0x40, segments: [{ type: AsPathSegmentType.AsSequence, asns: [65001] }] };
const NEXT_HOP: PathAttribute = { type: AttrType.NextHop, flags: 0x40, nextHop: '192.0.2.1' };
/** ORIGIN IGP, AS_PATH 65001 (4-octet) and NEXT_HOP 192.0.2.1: 20 octets. */
const MANDATORY_BYTES = [
  0x40, 0x01, 0x01, 0x00, // ORIGIN (well-known), length 1: IGP
  0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfd, 0xe9, // AS_PATH, length 6: AS_SEQUENCE of 1: 65001
  0x40, 0x03, 0x04, 0xc0, 0x00, 0x02, 0x01, // NEXT_HOP, length 4: 192.0.2.1
];

const MANY_COMMUNITIES = Array.from({ length: 70 }, (_, i) => 0xfde90000 + i);

const UPDATE_FIXTURES: Fixture[] = [
  {
    name: 'an UPDATE with ORIGIN, a 4-octet AS_PATH of an AS_SEQUENCE and an AS_SET, NEXT_HOP and one prefix',
    message: updateWith(
      [
        ORIGIN_IGP,
        {
          type: AttrType.AsPath,
          flags: 0x40,
          segments: [
            { type: AsPathSegmentType.AsSequence, asns: [65001, 4200000001] },
            { type: AsPathSegmentType.AsSet, asns: [65002, 65003] },
          ],
        },
        NEXT_HOP,
      ],
      [P('198.51.100.0/24')],
    ),
    bytes: message(
      MessageType.Update,
      0x00, 0x00, // withdrawn routes length 0
      0x00, 0x22, // total path attribute length 34
      0x40, 0x01, 0x01, 0x00, // ORIGIN (well-known), length 1: IGP
      0x40, 0x02, 0x14, // AS_PATH (well-known), length 20
      0x02, 0x02, 0x00, 0x00, 0xfd, 0xe9, 0xfa, 0x56, 0xea, 0x01, //   AS_SEQUENCE of 2: 65001 4200000001
      0x01, 0x02, 0x00, 0x00, 0xfd, 0xea, 0x00, 0x00, 0xfd, 0xeb, //   AS_SET of 2: 65002 65003
      0x40, 0x03, 0x04, 0xc0, 0x00, 0x02, 0x01, // NEXT_HOP, length 4: 192.0.2.1
      0x18, 0xc6, 0x33, 0x64, // NLRI 198.51.100.0/24
    ),
  },
  {
    name: 'an UPDATE on a 2-octet AS session with AS_TRANS in AS_PATH and AGGREGATOR, and AS4_PATH and AS4_AGGREGATOR',
    ctx: DEFAULT_CONTEXT,
    message: updateWith(
      [
        ORIGIN_IGP,
        { type: AttrType.AsPath, flags: 0x40, segments: [{ type: AsPathSegmentType.AsSequence, asns: [AS_TRANS, 65001] }] },
        NEXT_HOP,
        { type: AttrType.Aggregator, flags: 0xc0, asn: AS_TRANS, address: '192.0.2.1' },
        { type: AttrType.As4Path, flags: 0xc0, segments: [{ type: AsPathSegmentType.AsSequence, asns: [4200000001, 65001] }] },
        { type: AttrType.As4Aggregator, flags: 0xc0, asn: 4200000001, address: '192.0.2.1' },
      ],
      [P('198.51.100.0/24')],
    ),
    bytes: message(
      MessageType.Update,
      0x00, 0x00, // withdrawn routes length 0
      0x00, 0x35, // total path attribute length 53
      0x40, 0x01, 0x01, 0x00, // ORIGIN, length 1: IGP
      0x40, 0x02, 0x06, 0x02, 0x02, 0x5b, 0xa0, 0xfd, 0xe9, // AS_PATH, length 6: AS_SEQUENCE of 2 2-octet ASNs: 23456 65001
      0x40, 0x03, 0x04, 0xc0, 0x00, 0x02, 0x01, // NEXT_HOP 192.0.2.1
      0xc0, 0x07, 0x06, 0x5b, 0xa0, 0xc0, 0x00, 0x02, 0x01, // AGGREGATOR (optional transitive), length 6: AS 23456, 192.0.2.1
      0xc0, 0x11, 0x0a, 0x02, 0x02, 0xfa, 0x56, 0xea, 0x01, 0x00, 0x00, 0xfd, 0xe9, // AS4_PATH, length 10: AS_SEQUENCE 4200000001 65001
      0xc0, 0x12, 0x08, 0xfa, 0x56, 0xea, 0x01, 0xc0, 0x00, 0x02, 0x01, // AS4_AGGREGATOR, length 8: AS 4200000001, 192.0.2.1
      0x18, 0xc6, 0x33, 0x64, // NLRI 198.51.100.0/24
    ),
  },
  {
    name: 'an UPDATE with an empty AS_PATH, MED, LOCAL_PREF, ATOMIC_AGGREGATE and a 4-octet AGGREGATOR',
    message: updateWith(
      [
        { type: AttrType.Origin, flags: 0x40, origin: Origin.Incomplete },
        { type: AttrType.AsPath, flags: 0x40, segments: [] },
        NEXT_HOP,
        { type: AttrType.MultiExitDisc, flags: 0x80, med: 100 },
        { type: AttrType.LocalPref, flags: 0x40, localPref: 200 },
        { type: AttrType.AtomicAggregate, flags: 0x40 },
        { type: AttrType.Aggregator, flags: 0xc0, asn: 4200000001, address: '192.0.2.1' },
      ],
      [P('198.51.100.0/24')],
    ),
    bytes: message(
      MessageType.Update,
      0x00, 0x00, // withdrawn routes length 0
      0x00, 0x2a, // total path attribute length 42
      0x40, 0x01, 0x01, 0x02, // ORIGIN, length 1: INCOMPLETE
      0x40, 0x02, 0x00, // AS_PATH, length 0 (an iBGP route originated here)
      0x40, 0x03, 0x04, 0xc0, 0x00, 0x02, 0x01, // NEXT_HOP 192.0.2.1
      0x80, 0x04, 0x04, 0x00, 0x00, 0x00, 0x64, // MULTI_EXIT_DISC (optional non-transitive), length 4: 100
      0x40, 0x05, 0x04, 0x00, 0x00, 0x00, 0xc8, // LOCAL_PREF, length 4: 200
      0x40, 0x06, 0x00, // ATOMIC_AGGREGATE, length 0
      0xc0, 0x07, 0x08, 0xfa, 0x56, 0xea, 0x01, 0xc0, 0x00, 0x02, 0x01, // AGGREGATOR, length 8: AS 4200000001, 192.0.2.1
      0x18, 0xc6, 0x33, 0x64, // NLRI 198.51.100.0/24
    ),
  },
  {
    name: 'an UPDATE with COMMUNITIES including well-known ones',
    message: updateWith([
      {
        type: AttrType.Communities,
        flags: 0xc0,
        communities: [0xfde90064, WellKnownCommunity.NoExport, WellKnownCommunity.NoAdvertise, WellKnownCommunity.GracefulShutdown],
      },
    ]),
    bytes: message(
      MessageType.Update,
      0x00, 0x00, // withdrawn routes length 0
      0x00, 0x13, // total path attribute length 19
      0xc0, 0x08, 0x10, // COMMUNITIES (optional transitive), length 16
      0xfd, 0xe9, 0x00, 0x64, //   65001:100
      0xff, 0xff, 0xff, 0x01, //   NO_EXPORT
      0xff, 0xff, 0xff, 0x02, //   NO_ADVERTISE
      0xff, 0xff, 0x00, 0x00, //   GRACEFUL_SHUTDOWN
    ),
  },
  {
    name: 'an UPDATE with EXTENDED COMMUNITIES',
    message: updateWith([
      {
        type: AttrType.ExtendedCommunities,
        flags: 0xc0,
        communities: [Uint8Array.of(0x00, 0x02, 0xfd, 0xe9, 0x00, 0x00, 0x00, 0x64), Uint8Array.of(0x01, 0x02, 0xc0, 0x00, 0x02, 0x01, 0x00, 0x64)],
      },
    ]),
    bytes: message(
      MessageType.Update,
      0x00, 0x00, // withdrawn routes length 0
      0x00, 0x13, // total path attribute length 19
      0xc0, 0x10, 0x10, // EXTENDED COMMUNITIES, length 16
      0x00, 0x02, 0xfd, 0xe9, 0x00, 0x00, 0x00, 0x64, //   route target 65001:100 (2-octet AS specific)
      0x01, 0x02, 0xc0, 0x00, 0x02, 0x01, 0x00, 0x64, //   route target 192.0.2.1:100 (IPv4 address specific)
    ),
  },
  {
    name: 'an UPDATE with LARGE_COMMUNITIES',
    message: updateWith([
      {
        type: AttrType.LargeCommunities,
        flags: 0xc0,
        communities: [
          { globalAdmin: 4200000001, localData1: 1, localData2: 2 },
          { globalAdmin: 65001, localData1: 0, localData2: 0xffffffff },
        ],
      },
    ]),
    bytes: message(
      MessageType.Update,
      0x00, 0x00, // withdrawn routes length 0
      0x00, 0x1b, // total path attribute length 27
      0xc0, 0x20, 0x18, // LARGE_COMMUNITY (32), length 24
      0xfa, 0x56, 0xea, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, //   4200000001:1:2
      0x00, 0x00, 0xfd, 0xe9, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, //   65001:0:4294967295
    ),
  },
  {
    name: 'an UPDATE with ORIGINATOR_ID and CLUSTER_LIST',
    message: updateWith([
      { type: AttrType.OriginatorId, flags: 0x80, originatorId: '192.0.2.2' },
      { type: AttrType.ClusterList, flags: 0x80, clusterIds: ['192.0.2.3', '192.0.2.4'] },
    ]),
    bytes: message(
      MessageType.Update,
      0x00, 0x00, // withdrawn routes length 0
      0x00, 0x12, // total path attribute length 18
      0x80, 0x09, 0x04, 0xc0, 0x00, 0x02, 0x02, // ORIGINATOR_ID (optional non-transitive), length 4: 192.0.2.2
      0x80, 0x0a, 0x08, 0xc0, 0x00, 0x02, 0x03, 0xc0, 0x00, 0x02, 0x04, // CLUSTER_LIST, length 8: 192.0.2.3 192.0.2.4
    ),
  },
  {
    name: 'an UPDATE with MP_REACH_NLRI for IPv6 with a global and a link-local next hop',
    message: updateWith([
      {
        type: AttrType.MpReachNlri,
        flags: 0x80,
        afi: Afi.Ipv6,
        safi: Safi.Unicast,
        nextHops: ['2001:db8::1', 'fe80::1'],
        nlri: [P('2001:db8:1::/64'), P('2001:db8:ff::1/128')],
      },
      ORIGIN_IGP,
      AS_PATH_65001,
    ]),
    bytes: message(
      MessageType.Update,
      0x00, 0x00, // withdrawn routes length 0
      0x00, 0x4f, // total path attribute length 79
      0x80, 0x0e, 0x3f, // MP_REACH_NLRI (optional non-transitive), length 63
      0x00, 0x02, //   AFI 2 (IPv6)
      0x01, //   SAFI 1 (unicast)
      0x20, //   next hop length 32
      ipv6('2001:db8::1'), //   global next hop 2001:db8::1
      ipv6('fe80::1'), //   link-local next hop fe80::1
      0x00, //   reserved
      0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, //   2001:db8:1::/64
      0x80, ipv6('2001:db8:ff::1'), //   2001:db8:ff::1/128
      0x40, 0x01, 0x01, 0x00, // ORIGIN IGP
      0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfd, 0xe9, // AS_PATH 65001
    ),
  },
  {
    name: 'an UPDATE with MP_UNREACH_NLRI for IPv6',
    message: updateWith([{ type: AttrType.MpUnreachNlri, flags: 0x80, afi: Afi.Ipv6, safi: Safi.Unicast, withdrawn: [P('2001:db8:1::/64')] }]),
    bytes: message(
      MessageType.Update,
      0x00, 0x00, // withdrawn routes length 0
      0x00, 0x0f, // total path attribute length 15
      0x80, 0x0f, 0x0c, // MP_UNREACH_NLRI (optional non-transitive), length 12
      0x00, 0x02, 0x01, //   AFI 2 (IPv6), SAFI 1 (unicast)
      0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, //   2001:db8:1::/64
    ),
  },
  {
    name: 'an UPDATE with an unknown optional transitive attribute, kept with its Partial flag',
    message: updateWith([{ type: 99, flags: 0xe0, value: Uint8Array.of(0xde, 0xad, 0xbe, 0xef) }]),
    bytes: message(
      MessageType.Update,
      0x00, 0x00, // withdrawn routes length 0
      0x00, 0x07, // total path attribute length 7
      0xe0, 0x63, 0x04, // optional, transitive, partial; type 99; length 4
      0xde, 0xad, 0xbe, 0xef, //   value
    ),
  },
  {
    name: 'an UPDATE with ORIGIN sent with the Extended Length flag on a 1-octet value',
    message: updateWith([{ type: AttrType.Origin, flags: 0x50, origin: Origin.Egp }]),
    bytes: message(
      MessageType.Update,
      0x00, 0x00, // withdrawn routes length 0
      0x00, 0x05, // total path attribute length 5
      0x50, 0x01, // ORIGIN, flags transitive and extended length
      0x00, 0x01, // 2-octet length 1
      0x01, // EGP
    ),
  },
  {
    name: 'an UPDATE with COMMUNITIES of 280 octets, which need the Extended Length flag',
    message: updateWith([{ type: AttrType.Communities, flags: 0xd0, communities: MANY_COMMUNITIES }]),
    bytes: message(
      MessageType.Update,
      0x00, 0x00, // withdrawn routes length 0
      0x01, 0x1c, // total path attribute length 284
      0xd0, 0x08, // COMMUNITIES, flags optional, transitive, extended length
      0x01, 0x18, // 2-octet length 280
      MANY_COMMUNITIES.map((c) => u32(c)), // 70 communities 65001:0 .. 65001:69
    ),
  },
  {
    name: 'an UPDATE withdrawing two IPv4 prefixes',
    message: updateWith([], [], [P('198.51.100.0/24'), P('203.0.113.0/24')]),
    bytes: message(
      MessageType.Update,
      0x00, 0x08, // withdrawn routes length 8
      0x18, 0xc6, 0x33, 0x64, //   198.51.100.0/24
      0x18, 0xcb, 0x00, 0x71, //   203.0.113.0/24
      0x00, 0x00, // total path attribute length 0
    ),
  },
  {
    name: 'an UPDATE announcing IPv4 prefixes of lengths 0, 1, 7, 8, 9, 24, 31 and 32',
    message: updateWith(
      [ORIGIN_IGP, AS_PATH_65001, NEXT_HOP],
      ['0.0.0.0/0', '128.0.0.0/1', '254.0.0.0/7', '10.0.0.0/8', '10.128.0.0/9', '198.51.100.0/24', '192.0.2.254/31', '192.0.2.1/32'].map(P),
    ),
    bytes: message(
      MessageType.Update,
      0x00, 0x00, // withdrawn routes length 0
      0x00, 0x14, // total path attribute length 20
      MANDATORY_BYTES, // ORIGIN IGP, AS_PATH 65001, NEXT_HOP 192.0.2.1
      0x00, // 0.0.0.0/0
      0x01, 0x80, // 128.0.0.0/1
      0x07, 0xfe, // 254.0.0.0/7
      0x08, 0x0a, // 10.0.0.0/8
      0x09, 0x0a, 0x80, // 10.128.0.0/9
      0x18, 0xc6, 0x33, 0x64, // 198.51.100.0/24
      0x1f, 0xc0, 0x00, 0x02, 0xfe, // 192.0.2.254/31
      0x20, 0xc0, 0x00, 0x02, 0x01, // 192.0.2.1/32
    ),
  },
  {
    name: 'an UPDATE announcing IPv6 prefixes of lengths 0, 1, 7, 8, 9, 24, 31, 32, 127 and 128',
    message: updateWith([
      {
        type: AttrType.MpReachNlri,
        flags: 0x80,
        afi: Afi.Ipv6,
        safi: Safi.Unicast,
        nextHops: ['2001:db8::1'],
        nlri: ['::/0', '8000::/1', 'fe00::/7', '2000::/8', '2080::/9', '2001:d00::/24', '2001:db8::/31', '2001:db8::/32', '2001:db8::fe/127', '2001:db8::1/128'].map(P),
      },
      ORIGIN_IGP,
      AS_PATH_65001,
    ]),
    bytes: message(
      MessageType.Update,
      0x00, 0x00, // withdrawn routes length 0
      0x00, 0x5f, // total path attribute length 95
      0x80, 0x0e, 0x4f, // MP_REACH_NLRI, length 79
      0x00, 0x02, 0x01, //   AFI 2 (IPv6), SAFI 1 (unicast)
      0x10, ipv6('2001:db8::1'), //   next hop length 16: 2001:db8::1
      0x00, //   reserved
      0x00, //   ::/0
      0x01, 0x80, //   8000::/1
      0x07, 0xfe, //   fe00::/7
      0x08, 0x20, //   2000::/8
      0x09, 0x20, 0x80, //   2080::/9
      0x18, 0x20, 0x01, 0x0d, //   2001:d00::/24
      0x1f, 0x20, 0x01, 0x0d, 0xb8, //   2001:db8::/31
      0x20, 0x20, 0x01, 0x0d, 0xb8, //   2001:db8::/32
      0x7f, ipv6('2001:db8::fe'), //   2001:db8::fe/127
      0x80, ipv6('2001:db8::1'), //   2001:db8::1/128
      0x40, 0x01, 0x01, 0x00, // ORIGIN IGP
      0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfd, 0xe9, // AS_PATH 65001
    ),
  },
  {
    name: 'an UPDATE that is the IPv4 unicast End-of-RIB marker',
    message: updateWith([]),
    bytes: message(
      MessageType.Update,
      0x00, 0x00, // withdrawn routes length 0
      0x00, 0x00, // total path attribute length 0
    ),
  },
  {
    name: 'an UPDATE that is the IPv6 unicast End-of-RIB marker',
    message: updateWith([{ type: AttrType.MpUnreachNlri, flags: 0x80, afi: Afi.Ipv6, safi: Safi.Unicast, withdrawn: [] }]),
    bytes: message(
      MessageType.Update,
      0x00, 0x00, // withdrawn routes length 0
      0x00, 0x06, // total path attribute length 6
      0x80, 0x0f, 0x03, 0x00, 0x02, 0x01, // MP_UNREACH_NLRI, length 3: AFI 2, SAFI 1, no prefixes
    ),
  },
];

// ------------------------------------------------------------------------------------ the rest

const NOTIFICATION_FIXTURES: Fixture[] = [
  {
    name: 'a NOTIFICATION without data',
    message: makeNotification(ErrorCode.UpdateMessageError, 1),
    bytes: message(
      MessageType.Notification,
      0x03, // error code 3 (UPDATE Message Error)
      0x01, // subcode 1 (Malformed Attribute List)
    ),
  },
  {
    name: 'a NOTIFICATION with data',
    message: makeNotification(ErrorCode.MessageHeaderError, 2, Uint8Array.of(0x00, 0x12)),
    bytes: message(
      MessageType.Notification,
      0x01, // error code 1 (Message Header Error)
      0x02, // subcode 2 (Bad Message Length)
      0x00, 0x12, // data: the bad length 18
    ),
  },
  {
    name: 'a NOTIFICATION Cease / Administrative Shutdown with an RFC 9003 shutdown communication',
    message: { ...makeNotification(ErrorCode.Cease, CeaseSubcode.AdministrativeShutdown, bytes(0x0b, utf8('maintenance'))), shutdownMessage: 'maintenance' },
    bytes: message(
      MessageType.Notification,
      0x06, // error code 6 (Cease)
      0x02, // subcode 2 (Administrative Shutdown)
      0x0b, // shutdown communication length 11
      utf8('maintenance'), // "maintenance"
    ),
  },
  {
    name: 'a NOTIFICATION Cease / Administrative Reset with a multi-octet UTF-8 shutdown communication',
    message: { ...makeNotification(ErrorCode.Cease, CeaseSubcode.AdministrativeReset, bytes(0x13, utf8('Wartung – zurück'))), shutdownMessage: 'Wartung – zurück' },
    bytes: message(
      MessageType.Notification,
      0x06, // error code 6 (Cease)
      0x04, // subcode 4 (Administrative Reset)
      0x13, // shutdown communication length 19 (16 characters)
      utf8('Wartung – zurück'), // "Wartung – zurück"
    ),
  },
  {
    name: 'a NOTIFICATION Cease / Administrative Shutdown with an empty shutdown communication',
    message: { ...makeNotification(ErrorCode.Cease, CeaseSubcode.AdministrativeShutdown, Uint8Array.of(0)), shutdownMessage: '' },
    bytes: message(
      MessageType.Notification,
      0x06, // error code 6 (Cease)
      0x02, // subcode 2 (Administrative Shutdown)
      0x00, // shutdown communication length 0
    ),
  },
  {
    name: 'a NOTIFICATION Cease / Administrative Shutdown whose data is not UTF-8, kept as data only',
    message: makeNotification(ErrorCode.Cease, CeaseSubcode.AdministrativeShutdown, Uint8Array.of(0x02, 0xff, 0xfe)),
    bytes: message(
      MessageType.Notification,
      0x06, // error code 6 (Cease)
      0x02, // subcode 2 (Administrative Shutdown)
      0x02, 0xff, 0xfe, // length 2, then octets that are not UTF-8
    ),
  },
];

const OTHER_FIXTURES: Fixture[] = [
  {
    name: 'a KEEPALIVE',
    message: { type: MessageType.Keepalive },
    bytes: message(MessageType.Keepalive), // the header alone: 19 octets
  },
  {
    name: 'a ROUTE-REFRESH for IPv4 unicast (subtype 0, normal)',
    message: { type: MessageType.RouteRefresh, afi: Afi.Ipv4, subtype: RouteRefreshSubtype.Normal, safi: Safi.Unicast },
    bytes: message(
      MessageType.RouteRefresh,
      0x00, 0x01, // AFI 1 (IPv4)
      0x00, // subtype 0 (normal route refresh)
      0x01, // SAFI 1 (unicast)
    ),
  },
  {
    name: 'a ROUTE-REFRESH Beginning of Route Refresh for IPv6 unicast (subtype 1)',
    message: { type: MessageType.RouteRefresh, afi: Afi.Ipv6, subtype: RouteRefreshSubtype.BeginningOfRouteRefresh, safi: Safi.Unicast },
    bytes: message(
      MessageType.RouteRefresh,
      0x00, 0x02, // AFI 2 (IPv6)
      0x01, // subtype 1 (BoRR)
      0x01, // SAFI 1 (unicast)
    ),
  },
  {
    name: 'a ROUTE-REFRESH End of Route Refresh for IPv4 unicast (subtype 2)',
    message: { type: MessageType.RouteRefresh, afi: Afi.Ipv4, subtype: RouteRefreshSubtype.EndOfRouteRefresh, safi: Safi.Unicast },
    bytes: message(
      MessageType.RouteRefresh,
      0x00, 0x01, // AFI 1 (IPv4)
      0x02, // subtype 2 (EoRR)
      0x01, // SAFI 1 (unicast)
    ),
  },
];

const FIXTURES = [...OPEN_FIXTURES, ...UPDATE_FIXTURES, ...NOTIFICATION_FIXTURES, ...OTHER_FIXTURES];

describe('codec fixtures: decode, encode and mirror', () => {
  for (const f of FIXTURES) {
    const ctx = f.ctx ?? MODERN_CONTEXT;
    describe(f.name, () => {
      it('decodes to the typed message', () => {
        assert.deepStrictEqual(decodeClean(f.bytes, ctx), f.message);
      });
      it('encodes to the same bytes', () => {
        assert.equal(hex(encodeMessage(f.message, ctx)), hex(f.bytes));
      });
      it('re-encodes its own decoding byte for byte', () => {
        assert.equal(hex(encodeMessage(decodeClean(f.bytes, ctx), ctx)), hex(f.bytes));
      });
    });
  }
});

describe('decoding from a Buffer', () => {
  it('gives the same values as decoding a Uint8Array, as plain Uint8Arrays', () => {
    for (const f of FIXTURES) {
      const ctx = f.ctx ?? MODERN_CONTEXT;
      assert.deepStrictEqual(decodeClean(Buffer.from(f.bytes), ctx), f.message, f.name);
    }
  });

  it('copies the octets it keeps, so that reusing the input buffer does not change a decoded message', () => {
    // The framer hands out views into the socket's chunks; decoded values must not alias them.
    for (const f of FIXTURES) {
      const ctx = f.ctx ?? MODERN_CONTEXT;
      const input = Buffer.from(f.bytes);
      const decoded = decodeClean(input, ctx);
      input.fill(0xee);
      assert.deepStrictEqual(decoded, f.message, f.name);
    }
  });
});

describe('OPEN encoding details', () => {
  it('switches to the RFC 9072 encoding when the capabilities exceed 255 octets', () => {
    const many: Capability[] = Array.from({ length: 50 }, (_, i) => ({ code: CapabilityCode.Multiprotocol, afi: 1, safi: i + 1 }));
    const open = makeOpen({ myAs: 65001, holdTime: 90, bgpId: '192.0.2.1', capabilities: many });
    const encoded = encodeMessage(open, MODERN_CONTEXT);
    // 50 capabilities of 6 octets = 300 octets, plus a 3-octet parameter header.
    assert.equal(hex(encoded.subarray(28, 35)), hex(bytes(0xff, 0xff, u16(303), 0x02, u16(300))));
    assert.deepStrictEqual(decodeClean(encoded, MODERN_CONTEXT), { ...open, extendedParameters: true });
  });

  it('makeOpen puts every capability in one parameter and omits the parameter when there are none', () => {
    const open = makeOpen({ myAs: 65001, holdTime: 90, bgpId: '192.0.2.1', capabilities: [MP_IPV4, ROUTE_REFRESH] });
    assert.deepStrictEqual(open, openWith([capsParam(MP_IPV4, ROUTE_REFRESH)]));
    assert.deepStrictEqual(makeOpen({ myAs: 65001, holdTime: 90, bgpId: '192.0.2.1', capabilities: [] }).parameters, []);
  });

  it('openCapabilities gathers the capabilities of every parameter in order and findCapability finds typed ones', () => {
    const frr = OPEN_FIXTURES.find((f) => f.name.includes('as FRR sends'))!.message as OpenMessage;
    const caps = openCapabilities(frr);
    assert.deepStrictEqual(caps, [MP_IPV4, MP_IPV6, ROUTE_REFRESH, ENHANCED_ROUTE_REFRESH, FOUR_OCTET_AS, GRACEFUL_RESTART_R]);
    assert.deepStrictEqual(findCapability(caps, CapabilityCode.FourOctetAs), FOUR_OCTET_AS);
    assert.equal(findCapability(caps, CapabilityCode.ExtendedMessage), undefined);
    // A known code that could not be read is kept raw and is not returned as a typed capability.
    assert.equal(findCapability([{ code: CapabilityCode.Fqdn, value: Uint8Array.of(9), malformed: true }], CapabilityCode.Fqdn), undefined);
  });

  it('refuses to encode an OPEN longer than 4096 octets even when extended messages are agreed', () => {
    // RFC 8654 §4: the extended length applies to every message but OPEN and KEEPALIVE.
    const params: OptionalParameter[] = Array.from({ length: 20 }, () => capsParam(...Array.from({ length: 40 }, () => MP_IPV4)));
    assert.throws(() => encodeMessage(openWith(params), { fourOctetAs: true, extendedMessage: true }), RangeError);
  });
});

describe('UPDATE encoding details', () => {
  it('sets the Extended Length flag when a value exceeds 255 octets even if the flags do not ask for it', () => {
    const fixture = UPDATE_FIXTURES.find((f) => f.name.includes('280 octets'))!;
    for (const flags of [undefined, 0xc0]) {
      const encoded = encodeMessage(updateWith([{ type: AttrType.Communities, flags, communities: MANY_COMMUNITIES }]), MODERN_CONTEXT);
      assert.equal(hex(encoded), hex(fixture.bytes));
    }
  });

  it('sends an attribute without flags with the flags of its type', () => {
    const cases: [PathAttribute, number][] = [
      [{ type: AttrType.Origin, origin: Origin.Igp }, 0x40],
      [{ type: AttrType.MultiExitDisc, med: 1 }, 0x80],
      [{ type: AttrType.LocalPref, localPref: 1 }, 0x40],
      [{ type: AttrType.Communities, communities: [1] }, 0xc0],
      [{ type: AttrType.LargeCommunities, communities: [{ globalAdmin: 1, localData1: 2, localData2: 3 }] }, 0xc0],
      [{ type: AttrType.MpUnreachNlri, afi: Afi.Ipv6, safi: Safi.Unicast, withdrawn: [] }, 0x80],
    ];
    for (const [attribute, flags] of cases) {
      const encoded = encodeMessage(updateWith([attribute]), MODERN_CONTEXT);
      assert.equal(encoded[23], flags, `type ${attribute.type}`);
    }
  });

  it('writes an AS above 65535 as AS_TRANS in AS_PATH and AGGREGATOR on a 2-octet session', () => {
    const update = updateWith([
      { type: AttrType.AsPath, segments: [{ type: AsPathSegmentType.AsSequence, asns: [4200000001, 65001] }] },
      { type: AttrType.Aggregator, asn: 4200000001, address: '192.0.2.1' },
    ]);
    const expected = message(
      MessageType.Update,
      0x00, 0x00, // withdrawn routes length 0
      0x00, 0x12, // total path attribute length 18
      0x40, 0x02, 0x06, 0x02, 0x02, 0x5b, 0xa0, 0xfd, 0xe9, // AS_PATH: AS_SEQUENCE 23456 65001
      0xc0, 0x07, 0x06, 0x5b, 0xa0, 0xc0, 0x00, 0x02, 0x01, // AGGREGATOR: AS 23456, 192.0.2.1
    );
    assert.equal(hex(encodeMessage(update, DEFAULT_CONTEXT)), hex(expected));
  });

  it('splits an AS_PATH segment of more than 255 ASNs into segments of at most 255', () => {
    const asns = Array.from({ length: 300 }, (_, i) => 64512 + i);
    const update = updateWith([{ type: AttrType.AsPath, flags: 0x40, segments: [{ type: AsPathSegmentType.AsSequence, asns }] }]);
    const decoded = decodeClean(encodeMessage(update, MODERN_CONTEXT), MODERN_CONTEXT) as UpdateMessage;
    assert.deepStrictEqual(decoded.attributes, [
      {
        type: AttrType.AsPath,
        flags: 0x40 | AttrFlag.ExtendedLength,
        segments: [
          { type: AsPathSegmentType.AsSequence, asns: asns.slice(0, 255) },
          { type: AsPathSegmentType.AsSequence, asns: asns.slice(255) },
        ],
      },
    ]);
  });

  it('writes only the significant octets of each prefix, whatever the host bits of the address', () => {
    const sloppy = new Prefix(Afi.Ipv4, 9, Uint8Array.of(10, 0xff, 0xff, 0xff));
    const encoded = encodeMessage(updateWith([], [], [sloppy]), MODERN_CONTEXT);
    assert.equal(hex(encoded.subarray(19)), hex(bytes(0x00, 0x03, 0x09, 0x0a, 0xff, 0x00, 0x00)));
  });
});

describe('End-of-RIB', () => {
  const ipv4Eor = UPDATE_FIXTURES.find((f) => f.name.includes('IPv4 unicast End-of-RIB'))!;
  const ipv6Eor = UPDATE_FIXTURES.find((f) => f.name.includes('IPv6 unicast End-of-RIB'))!;

  it('makeEndOfRib builds the empty UPDATE for IPv4 unicast', () => {
    assert.equal(hex(encodeMessage(makeEndOfRib({ afi: Afi.Ipv4, safi: Safi.Unicast }), MODERN_CONTEXT)), hex(ipv4Eor.bytes));
  });

  it('makeEndOfRib builds an UPDATE with an empty MP_UNREACH_NLRI for IPv6 unicast', () => {
    assert.equal(hex(encodeMessage(makeEndOfRib({ afi: Afi.Ipv6, safi: Safi.Unicast }), MODERN_CONTEXT)), hex(ipv6Eor.bytes));
  });

  it('endOfRibFamily recognises both markers once decoded', () => {
    assert.deepStrictEqual(endOfRibFamily(decodeClean(ipv4Eor.bytes, MODERN_CONTEXT) as UpdateMessage), { afi: Afi.Ipv4, safi: Safi.Unicast });
    assert.deepStrictEqual(endOfRibFamily(decodeClean(ipv6Eor.bytes, MODERN_CONTEXT) as UpdateMessage), { afi: Afi.Ipv6, safi: Safi.Unicast });
  });

  it('endOfRibFamily returns undefined for UPDATEs that carry routes or other attributes', () => {
    for (const f of UPDATE_FIXTURES) {
      if (f === ipv4Eor || f === ipv6Eor) continue;
      assert.equal(endOfRibFamily(f.message as UpdateMessage), undefined, f.name);
    }
  });
});

describe('shutdown communication (RFC 9003)', () => {
  it('shutdownData is a length octet followed by the UTF-8 text', () => {
    assert.equal(hex(shutdownData('bye')), hex(bytes(0x03, utf8('bye'))));
    assert.equal(hex(shutdownData('')), '00');
  });

  it('shutdownData cuts a message longer than 255 octets on a character boundary', () => {
    const cases: [string, number][] = [
      ['a'.repeat(300), 255], // 1-octet characters: cut at 255
      ['é'.repeat(200), 254], // 2-octet characters: 127 whole characters
      ['€'.repeat(100), 255], // 3-octet characters: 85 whole characters
      ['😀'.repeat(70), 252], // 4-octet characters: 63 whole characters
    ];
    for (const [text, octets] of cases) {
      const data = shutdownData(text);
      assert.equal(data[0], octets, text.slice(0, 1));
      assert.equal(data.length, octets + 1);
      assert.ok(octets <= MAX_SHUTDOWN_MESSAGE_LENGTH);
      const kept = new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(1));
      assert.ok(text.startsWith(kept));
    }
  });

  it('a Cease carrying a cut message decodes to the kept characters', () => {
    const text = 'é'.repeat(200);
    const encoded = encodeMessage(makeNotification(ErrorCode.Cease, CeaseSubcode.AdministrativeShutdown, shutdownData(text)), MODERN_CONTEXT);
    assert.equal(encoded.length, 19 + 2 + 1 + 254);
    const decoded = decodeClean(encoded, MODERN_CONTEXT);
    assert.equal(decoded.type === MessageType.Notification && decoded.shutdownMessage, 'é'.repeat(127));
  });

  it('a NOTIFICATION given only a shutdownMessage is encoded with its RFC 9003 data', () => {
    const msg = { ...makeNotification(ErrorCode.Cease, CeaseSubcode.AdministrativeShutdown), shutdownMessage: 'maintenance' };
    const fixture = NOTIFICATION_FIXTURES.find((f) => f.name.includes('Administrative Shutdown with an RFC 9003'))!;
    assert.equal(hex(encodeMessage(msg, MODERN_CONTEXT)), hex(fixture.bytes));
  });

  it('keeps a leading U+FEFF in a shutdown communication', () => {
    const text = '\ufeffplanned';
    const decoded = decodeClean(message(MessageType.Notification, 0x06, 0x02, shutdownData(text)), MODERN_CONTEXT);
    assert.equal(decoded.type === MessageType.Notification && decoded.shutdownMessage, text);
  });
});

describe('FQDN capability', () => {
  it('keeps a leading U+FEFF in the hostname so that it re-encodes byte for byte', () => {
    const host = utf8('\ufeffleaf');
    const input = message(MessageType.Open, OPEN_FIXED, 0x0d, 0x02, 0x0b, 0x49, 0x09, host.length, host, 0x00);
    const decoded = decodeClean(input, MODERN_CONTEXT);
    assert.deepStrictEqual(openCapabilities(decoded as OpenMessage), [{ code: CapabilityCode.Fqdn, hostname: '\ufeffleaf', domainName: '' }]);
    assert.equal(hex(encodeMessage(decoded, MODERN_CONTEXT)), hex(input));
  });
});

describe('byte builder sanity', () => {
  it('writes the marker, the length and the type in a header', () => {
    assert.equal(hex(message(MessageType.Keepalive)), `${'ff'.repeat(16)}001304`);
    assert.equal(hex(bytes(repeat(1, 2), u16(0x1234), u32(0xdeadbeef), ipv4('192.0.2.1'))), '01011234deadbeefc0000201');
    assert.equal(hex(bytes(prefix('2001:db8::/33'))), '2120010db800');
  });
});
