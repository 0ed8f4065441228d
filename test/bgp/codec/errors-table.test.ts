// Every error case of RFC 4271 §6.1-6.3 and its revisions (RFC 7606, RFC 6793 §6, RFC 7313,
// RFC 8092, RFC 4760 §7, RFC 8654, RFC 9072) in one table: the input, built octet by octet,
// and what the decoder must make of it. A row's name cites the clause it checks.
import { strict as assert } from 'node:assert';
import {
  AttrType,
  CapabilityCode,
  DEFAULT_CONTEXT,
  MODERN_CONTEXT,
  MessageType,
  decodeMessage,
  isKnownRouteRefreshSubtype,
  openCapabilities,
  type BgpErrorName,
  type CodecContext,
  type Decoded,
  type OpenMessage,
  type PathAttribute,
  type UpdateMessage,
} from '../../../bgp/index.js';
import {
  attr,
  bytes,
  capability,
  header,
  hex,
  ipv4,
  ipv6,
  marker,
  message,
  open,
  parameter,
  prefix,
  repeat,
  u16,
  u32,
  update,
  utf8,
  type ByteParts,
} from '../../support/bytes.js';

type Outcome =
  /** The session must send this NOTIFICATION: [code, subcode, data as hex ('' for none)]. */
  | { notification: [number, number, string]; name: BgpErrorName }
  /** RFC 7606 treat-as-withdraw; problems as "action name code/subcode". */
  | { treatAsWithdraw: true; problems: string[] }
  /** RFC 7606 attribute-discard of this attribute type; the UPDATE is otherwise used. */
  | { attributeDiscard: number; problems: string[]; firstKept?: true }
  /** A clean decode, optionally checked further. */
  | { ok: true; check?: (decoded: Decoded) => void };

interface Row {
  name: string;
  input: Uint8Array;
  /** A 4-octet AS session without extended messages unless given. */
  ctx?: CodecContext;
  expect: Outcome;
}

const TWO_OCTET = DEFAULT_CONTEXT;
const EXTENDED: CodecContext = { fourOctetAs: true, extendedMessage: true };

// ------------------------------------------------------------------------------- building blocks

const ORIGIN = attr(0x40, AttrType.Origin, 0x00); // IGP
const AS_PATH = attr(0x40, AttrType.AsPath, 0x02, 0x01, u32(65001)); // AS_SEQUENCE 65001, 4-octet
const AS_PATH_2 = attr(0x40, AttrType.AsPath, 0x02, 0x01, u16(65001)); // AS_SEQUENCE 65001, 2-octet
const NEXT_HOP = attr(0x40, AttrType.NextHop, ipv4('192.0.2.1'));
const NLRI = prefix('198.51.100.0/24');

/** An UPDATE announcing 198.51.100.0/24 with these attributes. */
function announce(...attributes: ByteParts[]): Uint8Array {
  return update({ attributes, nlri: NLRI });
}

/** An UPDATE announcing 198.51.100.0/24 with ORIGIN, AS_PATH, NEXT_HOP and these extra attributes. */
function announceWith(...extra: ByteParts[]): Uint8Array {
  return announce(ORIGIN, AS_PATH, NEXT_HOP, ...extra);
}

/** MP_REACH_NLRI for IPv6 unicast with this next hop field (length octet computed) and NLRI. */
function mpReach6(nextHop: number[], nlri: ByteParts = prefix('2001:db8:1::/64')): number[] {
  return attr(0x80, AttrType.MpReachNlri, u16(2), 0x01, nextHop.length, nextHop, 0x00, nlri);
}

function mpUnreach6(withdrawn: ByteParts = prefix('2001:db8:1::/64')): number[] {
  return attr(0x80, AttrType.MpUnreachNlri, u16(2), 0x01, withdrawn);
}

/** An UPDATE of exactly `length` octets: one unknown optional attribute with Extended Length fills it. */
function updateOfLength(length: number): Uint8Array {
  return update({ attributes: attr(0xd0, 99, repeat(0xab, length - 27)) });
}

/** `n` route refresh capabilities (code 2, length 0): 2n octets. */
function routeRefreshCapabilities(n: number): number[] {
  return Array.from({ length: n }, () => capability(CapabilityCode.RouteRefresh)).flat();
}

const MP_IPV4_CAP = capability(CapabilityCode.Multiprotocol, u16(1), 0x00, 0x01);

function attributesOf(d: Decoded): PathAttribute[] {
  assert.equal(d.message.type, MessageType.Update);
  return (d.message as UpdateMessage).attributes;
}

// ------------------------------------------------------------------------------------ the table

const ROWS: Row[] = [
  // RFC 4271 §6.1: message header errors.
  {
    name: 'RFC 4271 §6.1: a marker that is not all ones is Connection Not Synchronized',
    input: bytes(repeat(0xff, 15), 0xfe, u16(19), MessageType.Keepalive),
    expect: { notification: [1, 1, ''], name: 'BGP_ERR_CONNECTION_NOT_SYNCHRONIZED' },
  },
  {
    name: 'RFC 4271 §6.1: fewer octets than a header is Bad Message Length with the octet count',
    input: bytes(marker(), 0x00),
    expect: { notification: [1, 2, '0011'], name: 'BGP_ERR_BAD_MESSAGE_LENGTH' },
  },
  {
    name: 'RFC 4271 §6.1: a length field below 19 is Bad Message Length with the length as data',
    input: bytes(marker(), u16(18), MessageType.Keepalive),
    expect: { notification: [1, 2, '0012'], name: 'BGP_ERR_BAD_MESSAGE_LENGTH' },
  },
  {
    name: 'RFC 4271 §6.1: a length of 4097 without extended messages is Bad Message Length',
    input: updateOfLength(4097),
    expect: { notification: [1, 2, '1001'], name: 'BGP_ERR_BAD_MESSAGE_LENGTH' },
  },
  {
    name: 'RFC 8654 §4: a length of 4097 is accepted once extended messages are agreed',
    input: updateOfLength(4097),
    ctx: EXTENDED,
    expect: { ok: true, check: (d) => assert.equal((attributesOf(d)[0] as { value: Uint8Array }).value.length, 4070) },
  },
  {
    name: 'RFC 8654 §4: a length of 65535 is accepted once extended messages are agreed',
    input: updateOfLength(65535),
    ctx: EXTENDED,
    expect: { ok: true },
  },
  {
    name: 'RFC 8654 §4: nothing exceeds 65535 octets with extended messages: 65536 octets for a length field of 65535',
    input: bytes(updateOfLength(65535), 0x00),
    ctx: EXTENDED,
    expect: { notification: [1, 2, 'ffff'], name: 'BGP_ERR_BAD_MESSAGE_LENGTH' },
  },
  {
    name: 'RFC 8654 §4: an OPEN over 4096 octets is Bad Message Length even with extended messages',
    // 19 + 10 + 3 (extended length) + 3 (parameter header) + 4062 octets of capabilities = 4097.
    input: message(MessageType.Open, 0x04, u16(65001), u16(90), ipv4('192.0.2.1'), 0xff, 0xff, u16(4065), 0x02, u16(4062), routeRefreshCapabilities(2031)),
    ctx: EXTENDED,
    expect: { notification: [1, 2, '1001'], name: 'BGP_ERR_BAD_MESSAGE_LENGTH' },
  },
  {
    name: 'RFC 4271 §6.1: a length field of 23 on 24 octets is Bad Message Length with the length field as data',
    input: bytes(update({}), 0x00),
    expect: { notification: [1, 2, '0017'], name: 'BGP_ERR_BAD_MESSAGE_LENGTH' },
  },
  {
    name: 'RFC 4271 §6.1: a length field of 24 on 23 octets is Bad Message Length',
    input: bytes(header(MessageType.Update, 5), 0x00, 0x00, 0x00, 0x00),
    expect: { notification: [1, 2, '0018'], name: 'BGP_ERR_BAD_MESSAGE_LENGTH' },
  },
  {
    name: 'RFC 4271 §6.1: a KEEPALIVE of 20 octets is Bad Message Length',
    input: message(MessageType.Keepalive, 0x00),
    expect: { notification: [1, 2, '0014'], name: 'BGP_ERR_BAD_MESSAGE_LENGTH' },
  },
  {
    name: 'RFC 4271 §6.1: an OPEN of 28 octets (< 29) is Bad Message Length',
    input: message(MessageType.Open, 0x04, u16(65001), u16(90), ipv4('192.0.2.1')),
    expect: { notification: [1, 2, '001c'], name: 'BGP_ERR_BAD_MESSAGE_LENGTH' },
  },
  {
    name: 'RFC 4271 §6.1: an UPDATE of 22 octets (< 23) is Bad Message Length',
    input: message(MessageType.Update, 0x00, 0x00, 0x00),
    expect: { notification: [1, 2, '0016'], name: 'BGP_ERR_BAD_MESSAGE_LENGTH' },
  },
  {
    name: 'RFC 4271 §6.1: a NOTIFICATION of 20 octets (< 21) is Bad Message Length',
    input: message(MessageType.Notification, 0x06),
    expect: { notification: [1, 2, '0014'], name: 'BGP_ERR_BAD_MESSAGE_LENGTH' },
  },
  {
    name: 'RFC 2918 §3: a ROUTE-REFRESH of 22 octets (< 23) is Bad Message Length',
    input: message(MessageType.RouteRefresh, 0x00, 0x01, 0x00),
    expect: { notification: [1, 2, '0016'], name: 'BGP_ERR_BAD_MESSAGE_LENGTH' },
  },
  {
    name: 'RFC 4271 §6.1: message type 6 is Bad Message Type with the type as data',
    input: message(6, 0x00),
    expect: { notification: [1, 3, '06'], name: 'BGP_ERR_BAD_MESSAGE_TYPE' },
  },
  {
    name: 'RFC 4271 §6.1: message type 0 is Bad Message Type with the type as data',
    input: message(0),
    expect: { notification: [1, 3, '00'], name: 'BGP_ERR_BAD_MESSAGE_TYPE' },
  },
  {
    name: 'RFC 4271 §4.4: a KEEPALIVE of 19 octets is fine',
    input: message(MessageType.Keepalive),
    expect: { ok: true },
  },

  // RFC 4271 §6.2, RFC 5492, RFC 9072: OPEN message errors.
  {
    name: 'RFC 4271 §6.2: version 3 is Unsupported Version Number with data 4, the smallest version supported',
    input: open([], { version: 3 }),
    expect: { notification: [2, 1, '0004'], name: 'BGP_ERR_UNSUPPORTED_VERSION' },
  },
  {
    name: 'RFC 4271 §6.2: version 5 is Unsupported Version Number with data 4, the largest version supported below it',
    input: open([], { version: 5 }),
    expect: { notification: [2, 1, '0004'], name: 'BGP_ERR_UNSUPPORTED_VERSION' },
  },
  {
    name: 'RFC 4271 §6.2: hold time 1 is Unacceptable Hold Time',
    input: open([], { holdTime: 1 }),
    expect: { notification: [2, 6, ''], name: 'BGP_ERR_UNACCEPTABLE_HOLD_TIME' },
  },
  {
    name: 'RFC 4271 §6.2: hold time 2 is Unacceptable Hold Time',
    input: open([], { holdTime: 2 }),
    expect: { notification: [2, 6, ''], name: 'BGP_ERR_UNACCEPTABLE_HOLD_TIME' },
  },
  {
    name: 'RFC 4271 §4.2: hold time 0 (no keepalives) is fine',
    input: open([], { holdTime: 0 }),
    expect: { ok: true },
  },
  {
    name: 'RFC 4271 §4.2: hold time 3 is fine',
    input: open([], { holdTime: 3 }),
    expect: { ok: true },
  },
  {
    name: 'RFC 6286 §2.2: BGP Identifier 0.0.0.0 is Bad BGP Identifier',
    input: open([], { bgpId: '0.0.0.0' }),
    expect: { notification: [2, 3, ''], name: 'BGP_ERR_BAD_BGP_IDENTIFIER' },
  },
  {
    name: 'RFC 4271 §6.2: optional parameter type 1 (authentication) is Unsupported Optional Parameter',
    input: open(parameter(1, 0x01, 0x02)),
    expect: { notification: [2, 4, ''], name: 'BGP_ERR_UNSUPPORTED_OPTIONAL_PARAMETER' },
  },
  {
    name: 'RFC 4271 §6.2: an optional parameters length past the end of the message is an OPEN error',
    input: message(MessageType.Open, 0x04, u16(65001), u16(90), ipv4('192.0.2.1'), 0x0a, parameter(2, MP_IPV4_CAP)),
    expect: { notification: [2, 0, ''], name: 'BGP_ERR_MALFORMED_OPTIONAL_PARAMETER' },
  },
  {
    name: 'RFC 4271 §6.2: an optional parameters length short of the message is an OPEN error',
    input: message(MessageType.Open, 0x04, u16(65001), u16(90), ipv4('192.0.2.1'), 0x06, parameter(2, MP_IPV4_CAP)),
    expect: { notification: [2, 0, ''], name: 'BGP_ERR_MALFORMED_OPTIONAL_PARAMETER' },
  },
  {
    name: 'RFC 4271 §4.2: a parameter whose length overruns the optional parameters is an OPEN error',
    input: open([0x02, 0x07, MP_IPV4_CAP]),
    expect: { notification: [2, 0, ''], name: 'BGP_ERR_MALFORMED_OPTIONAL_PARAMETER' },
  },
  {
    name: 'RFC 4271 §4.2: a lone parameter type octet with no length is an OPEN error',
    input: open([0x02]),
    expect: { notification: [2, 0, ''], name: 'BGP_ERR_MALFORMED_OPTIONAL_PARAMETER' },
  },
  {
    name: 'RFC 5492 §4: a capability whose length overruns its parameter is an OPEN error',
    input: open(parameter(2, CapabilityCode.Multiprotocol, 0x05, u16(1), 0x00, 0x01)),
    expect: { notification: [2, 0, ''], name: 'BGP_ERR_MALFORMED_CAPABILITY' },
  },
  {
    name: 'RFC 5492 §4: a capability code without its length octet is an OPEN error',
    input: open(parameter(2, MP_IPV4_CAP, CapabilityCode.RouteRefresh)),
    expect: { notification: [2, 0, ''], name: 'BGP_ERR_MALFORMED_CAPABILITY' },
  },
  {
    name: 'RFC 4760 §8: a multiprotocol capability of length 3 is an OPEN error',
    input: open(parameter(2, capability(CapabilityCode.Multiprotocol, u16(1), 0x01))),
    expect: { notification: [2, 0, ''], name: 'BGP_ERR_MALFORMED_CAPABILITY' },
  },
  {
    name: 'RFC 6793 §3: a 4-octet AS capability of length 2 is an OPEN error',
    input: open(parameter(2, capability(CapabilityCode.FourOctetAs, u16(65001)))),
    expect: { notification: [2, 0, ''], name: 'BGP_ERR_MALFORMED_CAPABILITY' },
  },
  {
    name: 'RFC 4724 §3: a graceful restart capability of length 3 is an OPEN error',
    input: open(parameter(2, capability(CapabilityCode.GracefulRestart, 0x00, 0x78, 0x00))),
    expect: { notification: [2, 0, ''], name: 'BGP_ERR_MALFORMED_CAPABILITY' },
  },
  {
    name: 'RFC 2918 §2: a route refresh capability with a value is an OPEN error',
    input: open(parameter(2, capability(CapabilityCode.RouteRefresh, 0x00))),
    expect: { notification: [2, 0, ''], name: 'BGP_ERR_MALFORMED_CAPABILITY' },
  },
  {
    name: 'draft-walton-bgp-hostname-capability: an FQDN capability whose hostname overruns it is kept raw',
    input: open(parameter(2, capability(CapabilityCode.Fqdn, 0x05, utf8('ab')))),
    expect: {
      ok: true,
      check: (d) => assert.deepStrictEqual(openCapabilities(d.message as OpenMessage), [{ code: CapabilityCode.Fqdn, value: bytes(0x05, utf8('ab')), malformed: true }]),
    },
  },
  {
    name: 'draft-walton-bgp-hostname-capability: an FQDN capability that is not UTF-8 is kept raw',
    input: open(parameter(2, capability(CapabilityCode.Fqdn, 0x02, 0xc3, 0x28, 0x00))),
    expect: {
      ok: true,
      check: (d) => assert.deepStrictEqual(openCapabilities(d.message as OpenMessage), [{ code: CapabilityCode.Fqdn, value: bytes(0x02, 0xc3, 0x28, 0x00), malformed: true }]),
    },
  },
  {
    name: 'RFC 5492 §4: an empty capabilities parameter is fine',
    input: open(parameter(2)),
    expect: { ok: true, check: (d) => assert.deepStrictEqual((d.message as OpenMessage).parameters, [{ type: 2, capabilities: [] }]) },
  },
  {
    name: 'RFC 9072 §2: the extended optional parameters encoding decodes',
    input: message(MessageType.Open, 0x04, u16(65001), u16(90), ipv4('192.0.2.1'), 0xff, 0xff, u16(9), 0x02, u16(6), MP_IPV4_CAP),
    expect: { ok: true, check: (d) => assert.equal((d.message as OpenMessage).extendedParameters, true) },
  },
  {
    name: 'RFC 9072 §2: an extended optional parameters length cut short by the message end is an OPEN error',
    input: message(MessageType.Open, 0x04, u16(65001), u16(90), ipv4('192.0.2.1'), 0xff, 0xff, 0x00),
    expect: { notification: [2, 0, ''], name: 'BGP_ERR_MALFORMED_OPTIONAL_PARAMETER' },
  },
  {
    name: 'RFC 9072 §2: an extended optional parameters length disagreeing with the message is an OPEN error',
    input: message(MessageType.Open, 0x04, u16(65001), u16(90), ipv4('192.0.2.1'), 0xff, 0xff, u16(10), 0x02, u16(6), MP_IPV4_CAP),
    expect: { notification: [2, 0, ''], name: 'BGP_ERR_MALFORMED_OPTIONAL_PARAMETER' },
  },
  {
    name: 'RFC 9072 §2: an extended parameter whose 2-octet length overruns the parameters is an OPEN error',
    input: message(MessageType.Open, 0x04, u16(65001), u16(90), ipv4('192.0.2.1'), 0xff, 0xff, u16(9), 0x02, u16(7), MP_IPV4_CAP),
    expect: { notification: [2, 0, ''], name: 'BGP_ERR_MALFORMED_OPTIONAL_PARAMETER' },
  },

  // RFC 4271 §6.3 and RFC 7606 §4: fields that locate the attributes and the NLRI.
  {
    name: 'RFC 7606 §4 / RFC 4271 §6.3: a withdrawn routes length past the message is Malformed Attribute List (session reset)',
    input: message(MessageType.Update, u16(100), 0x00, 0x00),
    expect: { notification: [3, 1, ''], name: 'BGP_ERR_MALFORMED_ATTRIBUTE_LIST' },
  },
  {
    name: 'RFC 7606 §4 / RFC 4271 §6.3: a total path attribute length past the message is Malformed Attribute List (session reset)',
    input: message(MessageType.Update, 0x00, 0x00, u16(10), ORIGIN),
    expect: { notification: [3, 1, ''], name: 'BGP_ERR_MALFORMED_ATTRIBUTE_LIST' },
  },
  {
    name: 'RFC 7606 §4: fewer than 3 octets left for an attribute header is treat-as-withdraw',
    input: announceWith(0x40, 0x05),
    expect: { treatAsWithdraw: true, problems: ['treat-as-withdraw BGP_ERR_ATTRIBUTE_LENGTH 3/5'] },
  },
  {
    name: 'RFC 7606 §4: fewer than 4 octets left for an Extended Length attribute header is treat-as-withdraw',
    input: announceWith(0x50, 0x08, 0x00),
    expect: { treatAsWithdraw: true, problems: ['treat-as-withdraw BGP_ERR_ATTRIBUTE_LENGTH 3/5'] },
  },
  {
    name: 'RFC 7606 §4: an attribute length overrunning the path attributes is treat-as-withdraw',
    input: announceWith(0xc0, 0x08, 0x08, u32(0xfde90064)),
    expect: { treatAsWithdraw: true, problems: ['treat-as-withdraw BGP_ERR_ATTRIBUTE_LENGTH 3/5'] },
  },
  {
    name: 'RFC 7606 §4, §7.11: an MP_REACH_NLRI length overrunning the path attributes is a session reset',
    input: update({ attributes: [ORIGIN, AS_PATH, 0x80, 0x0e, 0x20, u16(2), 0x01, 0x10] }),
    expect: { notification: [3, 5, '800e2000020110'], name: 'BGP_ERR_ATTRIBUTE_LENGTH' },
  },
  {
    name: 'RFC 7606 §4, §7.11: an MP_UNREACH_NLRI length overrunning the path attributes is a session reset',
    input: update({ attributes: [0x80, 0x0f, 0x09, u16(2), 0x01] }),
    expect: { notification: [3, 5, '800f09000201'], name: 'BGP_ERR_ATTRIBUTE_LENGTH' },
  },

  // RFC 7606 §7: one row per attribute.
  {
    name: 'RFC 7606 §7.1: ORIGIN of length 2 is treat-as-withdraw',
    input: announce(attr(0x40, AttrType.Origin, 0x00, 0x00), AS_PATH, NEXT_HOP),
    expect: { treatAsWithdraw: true, problems: ['treat-as-withdraw BGP_ERR_ATTRIBUTE_LENGTH 3/5'] },
  },
  {
    name: 'RFC 7606 §7.1: ORIGIN value 3 is treat-as-withdraw',
    input: announce(attr(0x40, AttrType.Origin, 0x03), AS_PATH, NEXT_HOP),
    expect: { treatAsWithdraw: true, problems: ['treat-as-withdraw BGP_ERR_INVALID_ORIGIN 3/6'] },
  },
  {
    name: 'RFC 7606 §7.2: an AS_PATH segment of type 0 is treat-as-withdraw (Malformed AS_PATH)',
    input: announce(ORIGIN, attr(0x40, AttrType.AsPath, 0x00, 0x01, u32(65001)), NEXT_HOP),
    expect: { treatAsWithdraw: true, problems: ['treat-as-withdraw BGP_ERR_MALFORMED_AS_PATH 3/11'] },
  },
  {
    name: 'RFC 7606 §7.2: an AS_PATH segment of type 5 is treat-as-withdraw (Malformed AS_PATH)',
    input: announce(ORIGIN, attr(0x40, AttrType.AsPath, 0x05, 0x01, u32(65001)), NEXT_HOP),
    expect: { treatAsWithdraw: true, problems: ['treat-as-withdraw BGP_ERR_MALFORMED_AS_PATH 3/11'] },
  },
  {
    name: 'RFC 7606 §7.2: an AS_PATH segment of zero ASNs is treat-as-withdraw (Malformed AS_PATH)',
    input: announce(ORIGIN, attr(0x40, AttrType.AsPath, 0x02, 0x00), NEXT_HOP),
    expect: { treatAsWithdraw: true, problems: ['treat-as-withdraw BGP_ERR_MALFORMED_AS_PATH 3/11'] },
  },
  {
    name: 'RFC 7606 §7.2: an AS_PATH segment overrunning the attribute is treat-as-withdraw (Malformed AS_PATH)',
    input: announce(ORIGIN, attr(0x40, AttrType.AsPath, 0x02, 0x02, u32(65001)), NEXT_HOP),
    expect: { treatAsWithdraw: true, problems: ['treat-as-withdraw BGP_ERR_MALFORMED_AS_PATH 3/11'] },
  },
  {
    name: 'RFC 7606 §7.2: an AS_PATH ending in half a segment header is treat-as-withdraw (Malformed AS_PATH)',
    input: announce(ORIGIN, attr(0x40, AttrType.AsPath, 0x02, 0x01, u32(65001), 0x02), NEXT_HOP),
    expect: { treatAsWithdraw: true, problems: ['treat-as-withdraw BGP_ERR_MALFORMED_AS_PATH 3/11'] },
  },
  {
    name: 'RFC 6793 §4: on a 2-octet AS session AS_PATH is read as 2-octet ASNs',
    input: announce(ORIGIN, attr(0x40, AttrType.AsPath, 0x02, 0x02, u32(0xfde9fdea)), NEXT_HOP),
    ctx: TWO_OCTET,
    expect: { ok: true, check: (d) => assert.deepStrictEqual(attributesOf(d)[1], { type: AttrType.AsPath, flags: 0x40, segments: [{ type: 2, asns: [65001, 65002] }] }) },
  },
  {
    name: 'RFC 7606 §7.2: an AS_PATH of odd length on a 2-octet session is treat-as-withdraw',
    input: announce(ORIGIN, attr(0x40, AttrType.AsPath, 0x02, 0x01, u16(65001), 0x00), NEXT_HOP),
    ctx: TWO_OCTET,
    expect: { treatAsWithdraw: true, problems: ['treat-as-withdraw BGP_ERR_MALFORMED_AS_PATH 3/11'] },
  },
  {
    name: 'RFC 7606 §7.3: NEXT_HOP of length 5 is treat-as-withdraw',
    input: announce(ORIGIN, AS_PATH, attr(0x40, AttrType.NextHop, ipv4('192.0.2.1'), 0x00)),
    expect: { treatAsWithdraw: true, problems: ['treat-as-withdraw BGP_ERR_ATTRIBUTE_LENGTH 3/5'] },
  },
  {
    name: 'RFC 4271 §6.3, RFC 7606 §7.3: NEXT_HOP 0.0.0.0 is not a host address: treat-as-withdraw',
    input: announce(ORIGIN, AS_PATH, attr(0x40, AttrType.NextHop, ipv4('0.0.0.0'))),
    expect: { treatAsWithdraw: true, problems: ['treat-as-withdraw BGP_ERR_INVALID_NEXT_HOP 3/8'] },
  },
  {
    name: 'RFC 4271 §6.3, RFC 7606 §7.3: NEXT_HOP 224.0.0.1 (multicast) is not a host address: treat-as-withdraw',
    input: announce(ORIGIN, AS_PATH, attr(0x40, AttrType.NextHop, ipv4('224.0.0.1'))),
    expect: { treatAsWithdraw: true, problems: ['treat-as-withdraw BGP_ERR_INVALID_NEXT_HOP 3/8'] },
  },
  {
    name: 'RFC 4760 §3, RFC 4271 §6.3: an invalid NEXT_HOP beside MP_REACH_NLRI alone is only discarded: it serves no route',
    input: update({ attributes: [mpReach6(ipv6('2001:db8::1')), ORIGIN, AS_PATH, attr(0x40, AttrType.NextHop, ipv4('0.0.0.0'))] }),
    expect: { attributeDiscard: AttrType.NextHop, problems: ['attribute-discard BGP_ERR_INVALID_NEXT_HOP 3/8'] },
  },
  {
    name: 'RFC 7606 §7.3: a NEXT_HOP of length 5 beside MP_REACH_NLRI alone is still treat-as-withdraw',
    input: update({ attributes: [mpReach6(ipv6('2001:db8::1')), ORIGIN, AS_PATH, attr(0x40, AttrType.NextHop, ipv4('192.0.2.1'), 0x00)] }),
    expect: { treatAsWithdraw: true, problems: ['treat-as-withdraw BGP_ERR_ATTRIBUTE_LENGTH 3/5'] },
  },
  {
    name: 'RFC 4271 §6.3: NEXT_HOP 255.255.255.255 (broadcast) is not a host address: treat-as-withdraw',
    input: announce(ORIGIN, AS_PATH, attr(0x40, AttrType.NextHop, ipv4('255.255.255.255'))),
    expect: { treatAsWithdraw: true, problems: ['treat-as-withdraw BGP_ERR_INVALID_NEXT_HOP 3/8'] },
  },
  {
    name: 'RFC 7606 §7.4: MULTI_EXIT_DISC of length 3 is treat-as-withdraw',
    input: announceWith(attr(0x80, AttrType.MultiExitDisc, 0x00, 0x00, 0x64)),
    expect: { treatAsWithdraw: true, problems: ['treat-as-withdraw BGP_ERR_ATTRIBUTE_LENGTH 3/5'] },
  },
  {
    name: 'RFC 7606 §7.5: LOCAL_PREF of length 3 is treat-as-withdraw',
    input: announceWith(attr(0x40, AttrType.LocalPref, 0x00, 0x00, 0x64)),
    expect: { treatAsWithdraw: true, problems: ['treat-as-withdraw BGP_ERR_ATTRIBUTE_LENGTH 3/5'] },
  },
  {
    name: 'RFC 7606 §7.6: ATOMIC_AGGREGATE of length 1 is attribute-discard',
    input: announceWith(attr(0x40, AttrType.AtomicAggregate, 0x00)),
    expect: { attributeDiscard: AttrType.AtomicAggregate, problems: ['attribute-discard BGP_ERR_ATTRIBUTE_LENGTH 3/5'] },
  },
  {
    name: 'RFC 7606 §7.7: AGGREGATOR of length 7 on a 4-octet session is attribute-discard',
    input: announceWith(attr(0xc0, AttrType.Aggregator, 0x00, u16(65001), ipv4('192.0.2.1'))),
    expect: { attributeDiscard: AttrType.Aggregator, problems: ['attribute-discard BGP_ERR_ATTRIBUTE_LENGTH 3/5'] },
  },
  {
    name: 'RFC 7606 §7.7: AGGREGATOR of length 8 on a 2-octet session is attribute-discard',
    input: announce(ORIGIN, AS_PATH_2, NEXT_HOP, attr(0xc0, AttrType.Aggregator, u32(65001), ipv4('192.0.2.1'))),
    ctx: TWO_OCTET,
    expect: { attributeDiscard: AttrType.Aggregator, problems: ['attribute-discard BGP_ERR_ATTRIBUTE_LENGTH 3/5'] },
  },
  {
    name: 'RFC 7606 §7.8: COMMUNITIES of length 0 is treat-as-withdraw',
    input: announceWith(attr(0xc0, AttrType.Communities)),
    expect: { treatAsWithdraw: true, problems: ['treat-as-withdraw BGP_ERR_ATTRIBUTE_LENGTH 3/5'] },
  },
  {
    name: 'RFC 7606 §7.8: COMMUNITIES of length 5 is treat-as-withdraw',
    input: announceWith(attr(0xc0, AttrType.Communities, u32(0xfde90064), 0x00)),
    expect: { treatAsWithdraw: true, problems: ['treat-as-withdraw BGP_ERR_ATTRIBUTE_LENGTH 3/5'] },
  },
  {
    name: 'RFC 7606 §7.9: ORIGINATOR_ID of length 5 is treat-as-withdraw',
    input: announceWith(attr(0x80, AttrType.OriginatorId, ipv4('192.0.2.2'), 0x00)),
    expect: { treatAsWithdraw: true, problems: ['treat-as-withdraw BGP_ERR_ATTRIBUTE_LENGTH 3/5'] },
  },
  {
    name: 'RFC 7606 §7.10: CLUSTER_LIST of length 6 is treat-as-withdraw',
    input: announceWith(attr(0x80, AttrType.ClusterList, ipv4('192.0.2.3'), 0x00, 0x00)),
    expect: { treatAsWithdraw: true, problems: ['treat-as-withdraw BGP_ERR_ATTRIBUTE_LENGTH 3/5'] },
  },
  {
    name: 'RFC 7606 §7.10: CLUSTER_LIST of length 0 is treat-as-withdraw',
    input: announceWith(attr(0x80, AttrType.ClusterList)),
    expect: { treatAsWithdraw: true, problems: ['treat-as-withdraw BGP_ERR_ATTRIBUTE_LENGTH 3/5'] },
  },
  {
    name: 'RFC 7606 §7.14: EXTENDED COMMUNITIES of length 7 is treat-as-withdraw',
    input: announceWith(attr(0xc0, AttrType.ExtendedCommunities, 0x00, 0x02, u16(65001), 0x00, 0x00, 0x64)),
    expect: { treatAsWithdraw: true, problems: ['treat-as-withdraw BGP_ERR_ATTRIBUTE_LENGTH 3/5'] },
  },
  {
    name: 'RFC 8092 §6: LARGE_COMMUNITY of length 0 is treat-as-withdraw',
    input: announceWith(attr(0xc0, AttrType.LargeCommunities)),
    expect: { treatAsWithdraw: true, problems: ['treat-as-withdraw BGP_ERR_ATTRIBUTE_LENGTH 3/5'] },
  },
  {
    name: 'RFC 8092 §6: LARGE_COMMUNITY of length 13 is treat-as-withdraw',
    input: announceWith(attr(0xc0, AttrType.LargeCommunities, u32(65001), u32(1), u32(2), 0x00)),
    expect: { treatAsWithdraw: true, problems: ['treat-as-withdraw BGP_ERR_ATTRIBUTE_LENGTH 3/5'] },
  },

  // RFC 7606 §3(c) and RFC 4271 §4.3: attribute flags.
  {
    name: 'RFC 7606 §3(c): ORIGIN marked optional is treat-as-withdraw (Attribute Flags Error)',
    input: announce(attr(0xc0, AttrType.Origin, 0x00), AS_PATH, NEXT_HOP),
    expect: { treatAsWithdraw: true, problems: ['treat-as-withdraw BGP_ERR_ATTRIBUTE_FLAGS 3/4'] },
  },
  {
    name: 'RFC 7606 §3(c): MULTI_EXIT_DISC marked transitive is treat-as-withdraw (Attribute Flags Error)',
    input: announceWith(attr(0xc0, AttrType.MultiExitDisc, u32(100))),
    expect: { treatAsWithdraw: true, problems: ['treat-as-withdraw BGP_ERR_ATTRIBUTE_FLAGS 3/4'] },
  },
  {
    name: 'RFC 7606 §3(c), §7.7: AGGREGATOR marked non-transitive is attribute-discard',
    input: announceWith(attr(0x80, AttrType.Aggregator, u32(65001), ipv4('192.0.2.1'))),
    expect: { attributeDiscard: AttrType.Aggregator, problems: ['attribute-discard BGP_ERR_ATTRIBUTE_FLAGS 3/4'] },
  },
  {
    name: 'RFC 4271 §4.3: a Partial bit on a well-known attribute (ORIGIN) is treat-as-withdraw (Attribute Flags Error)',
    input: announce(attr(0x60, AttrType.Origin, 0x00), AS_PATH, NEXT_HOP),
    expect: { treatAsWithdraw: true, problems: ['treat-as-withdraw BGP_ERR_ATTRIBUTE_FLAGS 3/4'] },
  },
  {
    name: 'RFC 4271 §4.3: a Partial bit on an optional transitive attribute (COMMUNITIES) is fine',
    input: announceWith(attr(0xe0, AttrType.Communities, u32(0xfde90064))),
    expect: { ok: true, check: (d) => assert.deepStrictEqual(attributesOf(d)[3], { type: AttrType.Communities, flags: 0xe0, communities: [0xfde90064] }) },
  },
  {
    name: 'RFC 7606 §3(c), §7.11: MP_REACH_NLRI marked transitive is a session reset (Attribute Flags Error)',
    input: update({ attributes: [attr(0xc0, AttrType.MpReachNlri, u16(2), 0x01, 0x10, ipv6('2001:db8::1'), 0x00), ORIGIN, AS_PATH] }),
    expect: { notification: [3, 4, hex(bytes(attr(0xc0, AttrType.MpReachNlri, u16(2), 0x01, 0x10, ipv6('2001:db8::1'), 0x00)))], name: 'BGP_ERR_ATTRIBUTE_FLAGS' },
  },

  // RFC 4760 §7 and RFC 7606 §7.11, §5.3: MP_REACH_NLRI and MP_UNREACH_NLRI.
  {
    name: 'RFC 4760 §7, RFC 7606 §7.11: MP_REACH_NLRI with a next hop length of 5 for IPv6 is Optional Attribute Error (session reset)',
    input: update({ attributes: [mpReach6([0x20, 0x01, 0x0d, 0xb8, 0x00]), ORIGIN, AS_PATH] }),
    expect: { notification: [3, 9, hex(bytes(mpReach6([0x20, 0x01, 0x0d, 0xb8, 0x00])))], name: 'BGP_ERR_OPTIONAL_ATTRIBUTE' },
  },
  {
    name: 'RFC 4760 §7, RFC 7606 §7.11: MP_REACH_NLRI with a next hop length of 0 for IPv6 is a session reset',
    input: update({ attributes: [mpReach6([]), ORIGIN, AS_PATH] }),
    expect: { notification: [3, 9, hex(bytes(mpReach6([])))], name: 'BGP_ERR_OPTIONAL_ATTRIBUTE' },
  },
  {
    name: 'RFC 4760 §3, RFC 7606 §7.11: MP_REACH_NLRI shorter than 5 octets is a session reset',
    input: update({ attributes: attr(0x80, AttrType.MpReachNlri, u16(2), 0x01, 0x00) }),
    expect: { notification: [3, 9, '800e0400020100'], name: 'BGP_ERR_OPTIONAL_ATTRIBUTE' },
  },
  {
    name: 'RFC 4760 §3, RFC 7606 §7.11: MP_REACH_NLRI whose next hop runs into its end is a session reset',
    input: update({ attributes: attr(0x80, AttrType.MpReachNlri, u16(2), 0x01, 0x10, ipv6('2001:db8::1')) }),
    expect: { notification: [3, 9, hex(bytes(attr(0x80, AttrType.MpReachNlri, u16(2), 0x01, 0x10, ipv6('2001:db8::1'))))], name: 'BGP_ERR_OPTIONAL_ATTRIBUTE' },
  },
  {
    name: 'RFC 4760 §4, RFC 7606 §7.11: MP_UNREACH_NLRI shorter than 3 octets is a session reset',
    input: update({ attributes: attr(0x80, AttrType.MpUnreachNlri, u16(2)) }),
    expect: { notification: [3, 9, '800f020002'], name: 'BGP_ERR_OPTIONAL_ATTRIBUTE' },
  },
  {
    name: 'RFC 7606 §5.3: an MP_REACH_NLRI prefix of length 129 is Invalid Network Field (session reset)',
    input: update({ attributes: [mpReach6(ipv6('2001:db8::1'), [0x81, ipv6('2001:db8::1'), 0x00]), ORIGIN, AS_PATH] }),
    expect: { notification: [3, 10, hex(bytes(mpReach6(ipv6('2001:db8::1'), [0x81, ipv6('2001:db8::1'), 0x00])))], name: 'BGP_ERR_INVALID_NETWORK_FIELD' },
  },
  {
    name: 'RFC 7606 §5.3: an MP_REACH_NLRI prefix cut short is Invalid Network Field (session reset)',
    input: update({ attributes: [mpReach6(ipv6('2001:db8::1'), [0x40, 0x20, 0x01]), ORIGIN, AS_PATH] }),
    expect: { notification: [3, 10, hex(bytes(mpReach6(ipv6('2001:db8::1'), [0x40, 0x20, 0x01])))], name: 'BGP_ERR_INVALID_NETWORK_FIELD' },
  },
  {
    name: 'RFC 7606 §5.3: an MP_UNREACH_NLRI prefix of length 129 is Invalid Network Field (session reset)',
    input: update({ attributes: mpUnreach6([0x81, ipv6('2001:db8::1'), 0x00]) }),
    expect: { notification: [3, 10, hex(bytes(mpUnreach6([0x81, ipv6('2001:db8::1'), 0x00])))], name: 'BGP_ERR_INVALID_NETWORK_FIELD' },
  },
  {
    name: 'RFC 8950 §3: MP_REACH_NLRI for IPv4 with a 16-octet IPv6 next hop is fine',
    input: update({ attributes: [attr(0x80, AttrType.MpReachNlri, u16(1), 0x01, 0x10, ipv6('2001:db8::1'), 0x00, NLRI), ORIGIN, AS_PATH] }),
    expect: { ok: true, check: (d) => assert.deepStrictEqual((attributesOf(d)[0] as { nextHops: string[] }).nextHops, ['2001:db8::1']) },
  },
  {
    name: 'RFC 4760 §3: MP_REACH_NLRI of a family this codec does not parse is kept raw',
    input: update({ attributes: [attr(0x80, AttrType.MpReachNlri, u16(25), 70, 0x04, ipv4('192.0.2.1'), 0x00, 0x01, 0x02), ORIGIN, AS_PATH] }),
    expect: {
      ok: true,
      check: (d) =>
        assert.deepStrictEqual(attributesOf(d)[0], {
          type: AttrType.MpReachNlri,
          flags: 0x80,
          afi: 25,
          safi: 70,
          nextHops: [],
          rawNextHop: bytes(ipv4('192.0.2.1')),
          nlri: [],
          rawNlri: bytes(0x01, 0x02),
        }),
    },
  },

  // RFC 7606 §3(g): attributes that appear twice.
  {
    name: 'RFC 7606 §3(g): MP_REACH_NLRI twice is Malformed Attribute List (session reset)',
    input: update({ attributes: [mpReach6(ipv6('2001:db8::1')), mpReach6(ipv6('2001:db8::1')), ORIGIN, AS_PATH] }),
    expect: { notification: [3, 1, ''], name: 'BGP_ERR_MALFORMED_ATTRIBUTE_LIST' },
  },
  {
    name: 'RFC 7606 §3(g): MP_UNREACH_NLRI twice is Malformed Attribute List (session reset)',
    input: update({ attributes: [mpUnreach6(), mpUnreach6()] }),
    expect: { notification: [3, 1, ''], name: 'BGP_ERR_MALFORMED_ATTRIBUTE_LIST' },
  },
  {
    name: 'RFC 7606 §3(g): MULTI_EXIT_DISC twice keeps the first and discards the second',
    input: announceWith(attr(0x80, AttrType.MultiExitDisc, u32(100)), attr(0x80, AttrType.MultiExitDisc, u32(200))),
    expect: { attributeDiscard: AttrType.MultiExitDisc, problems: ['attribute-discard BGP_ERR_DUPLICATE_ATTRIBUTE 3/1'], firstKept: true },
  },
  {
    name: 'RFC 7606 §3(g): an unrecognized attribute twice keeps the first and discards the second',
    input: announceWith(attr(0xc0, 99, 0x01), attr(0xc0, 99, 0x02)),
    expect: { attributeDiscard: 99, problems: ['attribute-discard BGP_ERR_DUPLICATE_ATTRIBUTE 3/1'], firstKept: true },
  },

  // RFC 4271 §6.3: unrecognized and missing attributes.
  {
    name: 'RFC 4271 §6.3: an unrecognized well-known attribute is Unrecognized Well-known Attribute with the attribute as data',
    input: announceWith(attr(0x40, 99, 0x01, 0x02)),
    expect: { notification: [3, 2, '4063020102'], name: 'BGP_ERR_UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE' },
  },
  {
    name: 'RFC 4271 §5: an unrecognized optional transitive attribute is kept as received',
    input: announceWith(attr(0xc0, 99, 0x01, 0x02)),
    expect: { ok: true, check: (d) => assert.deepStrictEqual(attributesOf(d)[3], { type: 99, flags: 0xc0, value: bytes(0x01, 0x02) }) },
  },
  {
    name: 'RFC 4271 §5: an unrecognized optional non-transitive attribute is kept as received (the sender drops it)',
    input: announceWith(attr(0x80, 100, 0x01)),
    expect: { ok: true, check: (d) => assert.deepStrictEqual(attributesOf(d)[3], { type: 100, flags: 0x80, value: bytes(0x01) }) },
  },
  {
    name: 'RFC 7606 §3(d): a missing ORIGIN with NLRI present is treat-as-withdraw (Missing Well-known Attribute)',
    input: announce(AS_PATH, NEXT_HOP),
    expect: { treatAsWithdraw: true, problems: ['treat-as-withdraw BGP_ERR_MISSING_WELL_KNOWN_ATTRIBUTE 3/3'] },
  },
  {
    name: 'RFC 7606 §3(d): a missing AS_PATH with NLRI present is treat-as-withdraw (Missing Well-known Attribute)',
    input: announce(ORIGIN, NEXT_HOP),
    expect: { treatAsWithdraw: true, problems: ['treat-as-withdraw BGP_ERR_MISSING_WELL_KNOWN_ATTRIBUTE 3/3'] },
  },
  {
    name: 'RFC 7606 §3(d): a missing NEXT_HOP with NLRI present is treat-as-withdraw (Missing Well-known Attribute)',
    input: announce(ORIGIN, AS_PATH),
    expect: { treatAsWithdraw: true, problems: ['treat-as-withdraw BGP_ERR_MISSING_WELL_KNOWN_ATTRIBUTE 3/3'] },
  },
  {
    name: 'RFC 7606 §3(d): NLRI without any attribute is treat-as-withdraw, one problem per missing attribute',
    input: announce(),
    expect: {
      treatAsWithdraw: true,
      problems: [
        'treat-as-withdraw BGP_ERR_MISSING_WELL_KNOWN_ATTRIBUTE 3/3',
        'treat-as-withdraw BGP_ERR_MISSING_WELL_KNOWN_ATTRIBUTE 3/3',
        'treat-as-withdraw BGP_ERR_MISSING_WELL_KNOWN_ATTRIBUTE 3/3',
      ],
    },
  },
  {
    name: 'RFC 4760 §3, RFC 7606 §3(d): no NEXT_HOP is needed when only MP_REACH_NLRI carries routes',
    input: update({ attributes: [mpReach6(ipv6('2001:db8::1')), ORIGIN, AS_PATH] }),
    expect: { ok: true },
  },
  {
    name: 'RFC 7606 §3(d): MP_REACH_NLRI without ORIGIN is treat-as-withdraw',
    input: update({ attributes: [mpReach6(ipv6('2001:db8::1')), AS_PATH] }),
    expect: { treatAsWithdraw: true, problems: ['treat-as-withdraw BGP_ERR_MISSING_WELL_KNOWN_ATTRIBUTE 3/3'] },
  },
  {
    name: 'RFC 4760 §4: an UPDATE with only MP_UNREACH_NLRI needs no other attribute',
    input: update({ attributes: mpUnreach6() }),
    expect: { ok: true },
  },
  {
    name: 'RFC 4271 §4.3: an UPDATE that only withdraws needs no attribute',
    input: update({ withdrawn: NLRI }),
    expect: { ok: true },
  },

  // RFC 4271 §6.3, RFC 7606 §5.3: the NLRI and withdrawn routes fields.
  {
    name: 'RFC 7606 §5.3: an NLRI prefix of length 33 is Invalid Network Field (session reset)',
    input: update({ attributes: [ORIGIN, AS_PATH, NEXT_HOP], nlri: [0x21, ipv4('192.0.2.1'), 0x00] }),
    expect: { notification: [3, 10, ''], name: 'BGP_ERR_INVALID_NETWORK_FIELD' },
  },
  {
    name: 'RFC 7606 §5.3: an NLRI prefix cut short is Invalid Network Field (session reset)',
    input: update({ attributes: [ORIGIN, AS_PATH, NEXT_HOP], nlri: [0x18, 0xc6, 0x33] }),
    expect: { notification: [3, 10, ''], name: 'BGP_ERR_INVALID_NETWORK_FIELD' },
  },
  {
    name: 'RFC 7606 §5.3: a withdrawn prefix of length 33 is Invalid Network Field (session reset)',
    input: update({ withdrawn: [0x21, ipv4('192.0.2.1'), 0x00] }),
    expect: { notification: [3, 10, ''], name: 'BGP_ERR_INVALID_NETWORK_FIELD' },
  },

  // RFC 7607 §2: AS 0.
  {
    name: 'RFC 7607 §2: AS 0 in AS_PATH is malformed: treat-as-withdraw',
    input: announce(ORIGIN, attr(0x40, AttrType.AsPath, 0x02, 0x02, u32(65001), u32(0)), NEXT_HOP),
    expect: { treatAsWithdraw: true, problems: ['treat-as-withdraw BGP_ERR_MALFORMED_AS_PATH 3/11'] },
  },
  {
    name: 'RFC 7607 §2: AS 0 in AGGREGATOR is malformed: attribute-discard',
    input: announceWith(attr(0xc0, AttrType.Aggregator, u32(0), ipv4('192.0.2.1'))),
    expect: { attributeDiscard: AttrType.Aggregator, problems: ['attribute-discard BGP_ERR_OPTIONAL_ATTRIBUTE 3/9'] },
  },
  {
    name: 'RFC 7607 §2: AS 0 in AS4_PATH is malformed: attribute-discard',
    input: announce(ORIGIN, AS_PATH_2, NEXT_HOP, attr(0xc0, AttrType.As4Path, 0x02, 0x01, u32(0))),
    ctx: TWO_OCTET,
    expect: { attributeDiscard: AttrType.As4Path, problems: ['attribute-discard BGP_ERR_MALFORMED_AS_PATH 3/11'] },
  },
  {
    name: 'RFC 7607 §2: AS 0 in AS4_AGGREGATOR is malformed: attribute-discard',
    input: announce(ORIGIN, AS_PATH_2, NEXT_HOP, attr(0xc0, AttrType.As4Aggregator, u32(0), ipv4('192.0.2.1'))),
    ctx: TWO_OCTET,
    expect: { attributeDiscard: AttrType.As4Aggregator, problems: ['attribute-discard BGP_ERR_OPTIONAL_ATTRIBUTE 3/9'] },
  },
  {
    name: 'RFC 7607 §2: My Autonomous System 0 in an OPEN is Bad Peer AS',
    input: open([], { myAs: 0 }),
    expect: { notification: [2, 2, ''], name: 'BGP_ERR_BAD_PEER_AS' },
  },
  {
    name: 'RFC 7607 §2: AS 0 in the 4-octet AS capability of an OPEN is Bad Peer AS',
    input: open(parameter(2, capability(CapabilityCode.FourOctetAs, u32(0))), { myAs: 23456 }),
    expect: { notification: [2, 2, ''], name: 'BGP_ERR_BAD_PEER_AS' },
  },

  // RFC 6793 §6: AS4_PATH and AS4_AGGREGATOR.
  {
    name: 'RFC 6793 §6: AS4_PATH with an AS_CONFED_SEQUENCE segment is attribute-discard',
    input: announce(ORIGIN, AS_PATH_2, NEXT_HOP, attr(0xc0, AttrType.As4Path, 0x03, 0x01, u32(4200000001))),
    ctx: TWO_OCTET,
    expect: { attributeDiscard: AttrType.As4Path, problems: ['attribute-discard BGP_ERR_MALFORMED_AS_PATH 3/11'] },
  },
  {
    name: 'RFC 6793 §6: AS4_PATH with a zero-length segment is attribute-discard',
    input: announce(ORIGIN, AS_PATH_2, NEXT_HOP, attr(0xc0, AttrType.As4Path, 0x02, 0x00)),
    ctx: TWO_OCTET,
    expect: { attributeDiscard: AttrType.As4Path, problems: ['attribute-discard BGP_ERR_MALFORMED_AS_PATH 3/11'] },
  },
  {
    name: 'RFC 6793 §6: AS4_PATH too short to carry one AS number (length 0) is attribute-discard',
    input: announce(ORIGIN, AS_PATH_2, NEXT_HOP, attr(0xc0, AttrType.As4Path)),
    ctx: TWO_OCTET,
    expect: { attributeDiscard: AttrType.As4Path, problems: ['attribute-discard BGP_ERR_ATTRIBUTE_LENGTH 3/5'] },
  },
  {
    name: 'RFC 6793 §4.1: AS4_PATH received on a 4-octet AS session is attribute-discard',
    input: announceWith(attr(0xc0, AttrType.As4Path, 0x02, 0x01, u32(4200000001))),
    expect: { attributeDiscard: AttrType.As4Path, problems: ['attribute-discard BGP_ERR_OPTIONAL_ATTRIBUTE 3/9'] },
  },
  {
    name: 'RFC 6793 §4.1: AS4_AGGREGATOR received on a 4-octet AS session is attribute-discard',
    input: announceWith(attr(0xc0, AttrType.As4Aggregator, u32(4200000001), ipv4('192.0.2.1'))),
    expect: { attributeDiscard: AttrType.As4Aggregator, problems: ['attribute-discard BGP_ERR_OPTIONAL_ATTRIBUTE 3/9'] },
  },
  {
    name: 'RFC 6793 §6: AS4_AGGREGATOR of length 6 is attribute-discard',
    input: announce(ORIGIN, AS_PATH_2, NEXT_HOP, attr(0xc0, AttrType.As4Aggregator, u16(65001), ipv4('192.0.2.1'))),
    ctx: TWO_OCTET,
    expect: { attributeDiscard: AttrType.As4Aggregator, problems: ['attribute-discard BGP_ERR_ATTRIBUTE_LENGTH 3/5'] },
  },

  // RFC 7313 §5 and RFC 2918: ROUTE-REFRESH.
  {
    name: 'RFC 7313 §5: a ROUTE-REFRESH of subtype 1 with a 5-octet body is ROUTE-REFRESH Invalid Message Length with the message as data',
    input: message(MessageType.RouteRefresh, u16(1), 0x01, 0x01, 0x00),
    expect: { notification: [7, 1, hex(message(MessageType.RouteRefresh, u16(1), 0x01, 0x01, 0x00))], name: 'BGP_ERR_ROUTE_REFRESH_LENGTH' },
  },
  {
    name: 'RFC 7313 §5: a ROUTE-REFRESH of subtype 2 with a 5-octet body is ROUTE-REFRESH Invalid Message Length',
    input: message(MessageType.RouteRefresh, u16(1), 0x02, 0x01, 0x00),
    expect: { notification: [7, 1, hex(message(MessageType.RouteRefresh, u16(1), 0x02, 0x01, 0x00))], name: 'BGP_ERR_ROUTE_REFRESH_LENGTH' },
  },
  {
    name: 'RFC 2918 §3, RFC 4271 §6.1: a ROUTE-REFRESH of subtype 0 with a 5-octet body is Bad Message Length',
    input: message(MessageType.RouteRefresh, u16(1), 0x00, 0x01, 0x00),
    expect: { notification: [1, 2, '0018'], name: 'BGP_ERR_BAD_MESSAGE_LENGTH' },
  },
  {
    name: 'RFC 7313 §5: a ROUTE-REFRESH of unknown subtype 5 decodes, for the session to ignore',
    input: message(MessageType.RouteRefresh, u16(1), 0x05, 0x01),
    expect: {
      ok: true,
      check: (d) => {
        assert.deepStrictEqual(d.message, { type: MessageType.RouteRefresh, afi: 1, subtype: 5, safi: 1 });
        assert.equal(isKnownRouteRefreshSubtype(5), false);
      },
    },
  },

  // RFC 4271 §4.5: NOTIFICATION.
  {
    name: 'RFC 4271 §6.4: a NOTIFICATION with an unknown error code still decodes (no NOTIFICATION answers one)',
    input: message(MessageType.Notification, 99, 1, 0xab),
    expect: { ok: true, check: (d) => assert.deepStrictEqual(d.message, { type: MessageType.Notification, code: 99, subcode: 1, data: bytes(0xab) }) },
  },
];

function describeProblems(d: Decoded): string[] {
  return d.problems.map((p) => `${p.action} ${p.name} 3/${p.subcode}`);
}

function check(row: Row): void {
  const r = decodeMessage(row.input, row.ctx ?? MODERN_CONTEXT);
  const e = row.expect;
  if ('notification' in e) {
    if (r.ok) assert.fail(`expected NOTIFICATION ${e.notification.join('/')}, got a message with problems ${JSON.stringify(describeProblems(r.value))}`);
    const [code, subcode, data] = e.notification;
    assert.deepStrictEqual([r.error.code, r.error.subcode, hex(r.error.data), r.error.name], [code, subcode, data, e.name], r.error.message);
    assert.equal(r.error.kind, 'notification');
    assert.ok(r.error.message.length > 0);
    return;
  }
  if (!r.ok) assert.fail(`expected a message, got ${r.error.name} ${r.error.code}/${r.error.subcode}: ${r.error.message}`);
  const d = r.value;
  if ('treatAsWithdraw' in e) {
    assert.deepStrictEqual(describeProblems(d), e.problems);
    assert.equal(d.treatAsWithdraw, true);
    return;
  }
  if ('attributeDiscard' in e) {
    assert.deepStrictEqual(describeProblems(d), e.problems);
    assert.equal(d.treatAsWithdraw, false);
    assert.ok(d.problems.every((p) => p.attrType === e.attributeDiscard));
    const left = attributesOf(d).filter((a) => a.type === e.attributeDiscard);
    assert.equal(left.length, e.firstKept ? 1 : 0);
    return;
  }
  assert.deepStrictEqual(describeProblems(d), []);
  assert.equal(d.treatAsWithdraw, false);
  e.check?.(d);
}

describe('error table: RFC 4271 §6 and its revisions', () => {
  for (const row of ROWS) it(row.name, () => check(row));

  it('covers every subcode of RFC 4271 §6 that a message alone can show, and both RFC 7606 lighter approaches', () => {
    const seen = new Set<string>();
    for (const row of ROWS) {
      const e = row.expect;
      if ('notification' in e) seen.add(`${e.notification[0]}/${e.notification[1]}`);
      else if ('treatAsWithdraw' in e) seen.add('treat-as-withdraw');
      else if ('attributeDiscard' in e) seen.add('attribute-discard');
    }
    for (const want of ['1/1', '1/2', '1/3', '2/0', '2/1', '2/2', '2/3', '2/4', '2/6', '3/1', '3/2', '3/4', '3/5', '3/9', '3/10', '7/1', 'treat-as-withdraw', 'attribute-discard']) {
      assert.ok(seen.has(want), want);
    }
  });
});
