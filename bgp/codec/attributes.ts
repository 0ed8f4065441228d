// Path attributes (RFC 4271 §4.3, §5) and their error handling. Each known attribute has its
// expected flags and the RFC 7606 approach for a malformed value; decoding returns the typed
// attribute, a recoverable problem, or the NOTIFICATION that resets the session.
import { formatIpv4, parseIpv4 } from './address.js';
import { AsPathSegmentType, AttrFlag, AttrType, ErrorCode, UpdateErrorSubcode } from './constants.js';
import { decodeAsPath, encodeAsPath } from './aspath.js';
import type { CodecContext } from './context.js';
import { type BgpErrorName, type NotificationError, type UpdateErrorAction, type UpdateProblem, notificationError } from './errors.js';
import type { PathAttribute } from './messages.js';
import { decodeMpReach, decodeMpUnreach, encodeMpReachValue, encodeMpUnreachValue } from './mp.js';
import type { Writer } from './writer.js';

type MalformedApproach = UpdateErrorAction | 'session-reset';

interface AttrSpec {
  /** The Optional and Transitive bits this attribute must carry. */
  flags: number;
  /** RFC 7606 §7 (and RFC 6793 §6, RFC 8092 §6): what to do when it is malformed. */
  onMalformed: MalformedApproach;
}

const WELL_KNOWN = AttrFlag.Transitive;
const OPTIONAL_TRANSITIVE = AttrFlag.Optional | AttrFlag.Transitive;
const OPTIONAL_NON_TRANSITIVE = AttrFlag.Optional;

const SPECS: Partial<Record<number, AttrSpec>> = {
  [AttrType.Origin]: { flags: WELL_KNOWN, onMalformed: 'treat-as-withdraw' },
  [AttrType.AsPath]: { flags: WELL_KNOWN, onMalformed: 'treat-as-withdraw' },
  [AttrType.NextHop]: { flags: WELL_KNOWN, onMalformed: 'treat-as-withdraw' },
  [AttrType.MultiExitDisc]: { flags: OPTIONAL_NON_TRANSITIVE, onMalformed: 'treat-as-withdraw' },
  [AttrType.LocalPref]: { flags: WELL_KNOWN, onMalformed: 'treat-as-withdraw' },
  [AttrType.AtomicAggregate]: { flags: WELL_KNOWN, onMalformed: 'attribute-discard' },
  [AttrType.Aggregator]: { flags: OPTIONAL_TRANSITIVE, onMalformed: 'attribute-discard' },
  [AttrType.Communities]: { flags: OPTIONAL_TRANSITIVE, onMalformed: 'treat-as-withdraw' },
  [AttrType.OriginatorId]: { flags: OPTIONAL_NON_TRANSITIVE, onMalformed: 'treat-as-withdraw' },
  [AttrType.ClusterList]: { flags: OPTIONAL_NON_TRANSITIVE, onMalformed: 'treat-as-withdraw' },
  [AttrType.MpReachNlri]: { flags: OPTIONAL_NON_TRANSITIVE, onMalformed: 'session-reset' },
  [AttrType.MpUnreachNlri]: { flags: OPTIONAL_NON_TRANSITIVE, onMalformed: 'session-reset' },
  [AttrType.ExtendedCommunities]: { flags: OPTIONAL_TRANSITIVE, onMalformed: 'treat-as-withdraw' },
  [AttrType.As4Path]: { flags: OPTIONAL_TRANSITIVE, onMalformed: 'attribute-discard' },
  [AttrType.As4Aggregator]: { flags: OPTIONAL_TRANSITIVE, onMalformed: 'attribute-discard' },
  [AttrType.LargeCommunities]: { flags: OPTIONAL_TRANSITIVE, onMalformed: 'treat-as-withdraw' },
};

const SUBCODE_NAMES: Record<number, BgpErrorName> = {
  [UpdateErrorSubcode.MalformedAttributeList]: 'BGP_ERR_MALFORMED_ATTRIBUTE_LIST',
  [UpdateErrorSubcode.UnrecognizedWellKnownAttribute]: 'BGP_ERR_UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE',
  [UpdateErrorSubcode.MissingWellKnownAttribute]: 'BGP_ERR_MISSING_WELL_KNOWN_ATTRIBUTE',
  [UpdateErrorSubcode.AttributeFlagsError]: 'BGP_ERR_ATTRIBUTE_FLAGS',
  [UpdateErrorSubcode.AttributeLengthError]: 'BGP_ERR_ATTRIBUTE_LENGTH',
  [UpdateErrorSubcode.InvalidOriginAttribute]: 'BGP_ERR_INVALID_ORIGIN',
  [UpdateErrorSubcode.InvalidNextHopAttribute]: 'BGP_ERR_INVALID_NEXT_HOP',
  [UpdateErrorSubcode.OptionalAttributeError]: 'BGP_ERR_OPTIONAL_ATTRIBUTE',
  [UpdateErrorSubcode.InvalidNetworkField]: 'BGP_ERR_INVALID_NETWORK_FIELD',
  [UpdateErrorSubcode.MalformedAsPath]: 'BGP_ERR_MALFORMED_AS_PATH',
};

export function updateError(subcode: UpdateErrorSubcode, message: string, data?: Uint8Array): NotificationError {
  // A copy: the data may be a view of the socket's buffer.
  return notificationError(SUBCODE_NAMES[subcode] ?? 'BGP_ERR_MALFORMED_ATTRIBUTE_LIST', ErrorCode.UpdateMessageError, subcode, message, data?.slice());
}

export function updateProblem(action: UpdateErrorAction, subcode: UpdateErrorSubcode, message: string, attrType?: number): UpdateProblem {
  const p: UpdateProblem = { action, name: SUBCODE_NAMES[subcode] ?? 'BGP_ERR_MALFORMED_ATTRIBUTE_LIST', subcode, message };
  if (attrType !== undefined) p.attrType = attrType;
  return p;
}

export function attrName(type: number): string {
  return AttrType[type] ? `${AttrType[type]} (${type})` : `attribute ${type}`;
}

/** One decoded attribute: the value, a recoverable problem, or a session-resetting error. */
export type AttrDecode = { attr: PathAttribute } | { problem: UpdateProblem } | { error: NotificationError };

function malformed(spec: AttrSpec, type: number, subcode: UpdateErrorSubcode, message: string, whole: Uint8Array): AttrDecode {
  const text = `${attrName(type)}: ${message}`;
  if (spec.onMalformed === 'session-reset') return { error: updateError(subcode, text, whole) };
  return { problem: updateProblem(spec.onMalformed, subcode, text, type) };
}

function badLength(spec: AttrSpec, type: number, length: number, expected: string, whole: Uint8Array): AttrDecode {
  return malformed(spec, type, UpdateErrorSubcode.AttributeLengthError, `length ${length}, expected ${expected}`, whole);
}

function u32(buf: Uint8Array, p: number): number {
  return ((buf[p]! << 24) | (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!) >>> 0;
}

/** RFC 4271 §6.3: a NEXT_HOP must be a valid unicast host address. */
function isInvalidNextHop(buf: Uint8Array, p: number): boolean {
  const first = buf[p]!;
  return first === 0 || first === 127 || first >= 224;
}

/**
 * Decodes one attribute whose value is buf[vStart, vEnd). `whole` is the attribute with its
 * header, for NOTIFICATION data (RFC 4271 §6.3 asks for the erroneous attribute).
 */
export function decodeAttribute(flags: number, type: number, buf: Uint8Array, vStart: number, vEnd: number, whole: Uint8Array, ctx: CodecContext): AttrDecode {
  const spec = SPECS[type];
  const length = vEnd - vStart;
  if (!spec) {
    // RFC 4271 §6.3: an unrecognized well-known attribute is fatal; optional ones are kept as-is.
    if (!(flags & AttrFlag.Optional)) {
      return { error: updateError(UpdateErrorSubcode.UnrecognizedWellKnownAttribute, `unrecognized well-known attribute type ${type}`, whole) };
    }
    return { attr: { type, flags, value: buf.slice(vStart, vEnd) } };
  }
  // RFC 7606 §3(c): Optional or Transitive bits in conflict with the type make it malformed;
  // so does a Partial bit on a well-known or optional non-transitive attribute (RFC 4271 §4.3).
  const wantPartialClear = spec.flags !== OPTIONAL_TRANSITIVE;
  if ((flags & OPTIONAL_TRANSITIVE) !== spec.flags || (wantPartialClear && flags & AttrFlag.Partial)) {
    return malformed(spec, type, UpdateErrorSubcode.AttributeFlagsError, `flags 0x${flags.toString(16).padStart(2, '0')} conflict with the attribute type (expected 0x${spec.flags.toString(16)})`, whole);
  }
  switch (type) {
    case AttrType.Origin: {
      if (length !== 1) return badLength(spec, type, length, '1', whole);
      const origin = buf[vStart]!;
      if (origin > 2) return malformed(spec, type, UpdateErrorSubcode.InvalidOriginAttribute, `value ${origin}, expected 0 (IGP), 1 (EGP) or 2 (INCOMPLETE)`, whole);
      return { attr: { type, flags, origin } };
    }
    case AttrType.AsPath:
    case AttrType.As4Path: {
      if (type === AttrType.As4Path && ctx.fourOctetAs) {
        // RFC 6793 §4.1: between two 4-octet speakers AS4_PATH is not used and is discarded.
        return { problem: updateProblem('attribute-discard', UpdateErrorSubcode.OptionalAttributeError, 'AS4_PATH (17): received on a 4-octet AS session, discarded', type) };
      }
      // RFC 6793 §6: an AS4_PATH too short to carry one AS number is malformed.
      if (type === AttrType.As4Path && length === 0) return badLength(spec, type, length, 'at least 6', whole);
      const path = decodeAsPath(buf, vStart, vEnd, type === AttrType.AsPath && !ctx.fourOctetAs ? 2 : 4);
      if (!path.ok) return malformed(spec, type, UpdateErrorSubcode.MalformedAsPath, path.message, whole);
      // RFC 7607 §2: AS 0 in AS_PATH or AS4_PATH makes the attribute malformed.
      if (path.segments.some((s) => s.asns.includes(0))) return malformed(spec, type, UpdateErrorSubcode.MalformedAsPath, 'AS 0 in the path', whole);
      if (type === AttrType.As4Path && path.segments.some((s) => s.type === AsPathSegmentType.AsConfedSequence || s.type === AsPathSegmentType.AsConfedSet)) {
        // RFC 6793 §6: confederation segments in AS4_PATH make it malformed.
        return malformed(spec, type, UpdateErrorSubcode.MalformedAsPath, 'confederation segment in AS4_PATH', whole);
      }
      return { attr: { type, flags, segments: path.segments } as PathAttribute };
    }
    case AttrType.NextHop:
      if (length !== 4) return badLength(spec, type, length, '4', whole);
      if (isInvalidNextHop(buf, vStart)) return malformed(spec, type, UpdateErrorSubcode.InvalidNextHopAttribute, `${formatIpv4(buf, vStart)} is not a unicast host address`, whole);
      return { attr: { type, flags, nextHop: formatIpv4(buf, vStart) } };
    case AttrType.MultiExitDisc:
      if (length !== 4) return badLength(spec, type, length, '4', whole);
      return { attr: { type, flags, med: u32(buf, vStart) } };
    case AttrType.LocalPref:
      if (length !== 4) return badLength(spec, type, length, '4', whole);
      return { attr: { type, flags, localPref: u32(buf, vStart) } };
    case AttrType.AtomicAggregate:
      if (length !== 0) return badLength(spec, type, length, '0', whole);
      return { attr: { type, flags } };
    case AttrType.Aggregator:
    case AttrType.As4Aggregator: {
      if (type === AttrType.As4Aggregator && ctx.fourOctetAs) {
        return { problem: updateProblem('attribute-discard', UpdateErrorSubcode.OptionalAttributeError, 'AS4_AGGREGATOR (18): received on a 4-octet AS session, discarded', type) };
      }
      const asnSize = type === AttrType.Aggregator && !ctx.fourOctetAs ? 2 : 4;
      if (length !== asnSize + 4) return badLength(spec, type, length, String(asnSize + 4), whole);
      const asn = asnSize === 4 ? u32(buf, vStart) : (buf[vStart]! << 8) | buf[vStart + 1]!;
      // RFC 7607 §2: AS 0 in AGGREGATOR or AS4_AGGREGATOR makes the attribute malformed.
      if (asn === 0) return malformed(spec, type, UpdateErrorSubcode.OptionalAttributeError, 'AS 0', whole);
      return { attr: { type, flags, asn, address: formatIpv4(buf, vStart + asnSize) } as PathAttribute };
    }
    case AttrType.Communities: {
      if (length === 0 || length % 4 !== 0) return badLength(spec, type, length, 'a non-zero multiple of 4', whole);
      const communities = new Array<number>(length / 4);
      for (let i = 0; i < communities.length; i++) communities[i] = u32(buf, vStart + 4 * i);
      return { attr: { type, flags, communities } };
    }
    case AttrType.OriginatorId:
      if (length !== 4) return badLength(spec, type, length, '4', whole);
      return { attr: { type, flags, originatorId: formatIpv4(buf, vStart) } };
    case AttrType.ClusterList: {
      if (length === 0 || length % 4 !== 0) return badLength(spec, type, length, 'a non-zero multiple of 4', whole);
      const clusterIds: string[] = [];
      for (let p = vStart; p < vEnd; p += 4) clusterIds.push(formatIpv4(buf, p));
      return { attr: { type, flags, clusterIds } };
    }
    case AttrType.ExtendedCommunities: {
      if (length === 0 || length % 8 !== 0) return badLength(spec, type, length, 'a non-zero multiple of 8', whole);
      const communities: Uint8Array[] = [];
      for (let p = vStart; p < vEnd; p += 8) communities.push(buf.slice(p, p + 8));
      return { attr: { type, flags, communities } };
    }
    case AttrType.LargeCommunities: {
      if (length === 0 || length % 12 !== 0) return badLength(spec, type, length, 'a non-zero multiple of 12', whole);
      const communities = [];
      for (let p = vStart; p < vEnd; p += 12) communities.push({ globalAdmin: u32(buf, p), localData1: u32(buf, p + 4), localData2: u32(buf, p + 8) });
      return { attr: { type, flags, communities } };
    }
    case AttrType.MpReachNlri: {
      const r = decodeMpReach(buf, vStart, vEnd, flags, whole);
      return r.ok ? { attr: r.value } : { error: r.error };
    }
    case AttrType.MpUnreachNlri: {
      const r = decodeMpUnreach(buf, vStart, vEnd, flags, whole);
      return r.ok ? { attr: r.value } : { error: r.error };
    }
  }
  return { attr: { type, flags, value: buf.slice(vStart, vEnd) } };
}

/** The flags an attribute is sent with when none were given. */
export function defaultFlags(type: number): number {
  return SPECS[type]?.flags ?? OPTIONAL_TRANSITIVE;
}

/** Whether a type code is one this codec interprets. */
export function isKnownAttribute(type: number): boolean {
  return SPECS[type] !== undefined;
}

/**
 * Writes one attribute. The Extended Length bit is kept if the flags ask for it and forced on
 * when the value exceeds 255 octets (RFC 4271 §4.3).
 */
export function encodeAttribute(w: Writer, attr: PathAttribute, ctx: CodecContext): void {
  let flags = attr.flags ?? defaultFlags(attr.type);
  const flagsAt = w.pos;
  w.u8(flags);
  w.u8(attr.type);
  const lengthAt = w.pos;
  w.u16(0);
  const vStart = w.pos;
  encodeValue(w, attr, ctx);
  const length = w.pos - vStart;
  if (flags & AttrFlag.ExtendedLength || length > 255) {
    flags |= AttrFlag.ExtendedLength;
    w.patchU16(lengthAt, length);
  } else {
    w.shiftLeftOne(vStart);
    w.patchU8(lengthAt, length);
  }
  w.patchU8(flagsAt, flags);
}

function writeIpv4(w: Writer, text: string, what: string): void {
  const b = parseIpv4(text);
  if (!b) throw new TypeError(`${what} must be an IPv4 address, got ${JSON.stringify(text)}`);
  w.bytes(b);
}

function encodeValue(w: Writer, attr: PathAttribute, ctx: CodecContext): void {
  if ('value' in attr) {
    w.bytes(attr.value);
    return;
  }
  switch (attr.type) {
    case AttrType.Origin:
      w.u8(attr.origin);
      return;
    case AttrType.AsPath:
      encodeAsPath(w, attr.segments, ctx.fourOctetAs ? 4 : 2);
      return;
    case AttrType.As4Path:
      encodeAsPath(w, attr.segments, 4);
      return;
    case AttrType.NextHop:
      writeIpv4(w, attr.nextHop, 'NEXT_HOP');
      return;
    case AttrType.MultiExitDisc:
      w.u32(attr.med);
      return;
    case AttrType.LocalPref:
      w.u32(attr.localPref);
      return;
    case AttrType.AtomicAggregate:
      return;
    case AttrType.Aggregator:
      if (ctx.fourOctetAs) w.u32(attr.asn);
      else w.u16(attr.asn > 0xffff ? 23456 : attr.asn);
      writeIpv4(w, attr.address, 'AGGREGATOR address');
      return;
    case AttrType.As4Aggregator:
      w.u32(attr.asn);
      writeIpv4(w, attr.address, 'AS4_AGGREGATOR address');
      return;
    case AttrType.Communities:
      for (const c of attr.communities) w.u32(c);
      return;
    case AttrType.OriginatorId:
      writeIpv4(w, attr.originatorId, 'ORIGINATOR_ID');
      return;
    case AttrType.ClusterList:
      for (const id of attr.clusterIds) writeIpv4(w, id, 'CLUSTER_LIST entry');
      return;
    case AttrType.ExtendedCommunities:
      for (const c of attr.communities) {
        if (c.length !== 8) throw new RangeError(`an extended community is 8 octets, got ${c.length}`);
        w.bytes(c);
      }
      return;
    case AttrType.LargeCommunities:
      for (const c of attr.communities) {
        w.u32(c.globalAdmin);
        w.u32(c.localData1);
        w.u32(c.localData2);
      }
      return;
    case AttrType.MpReachNlri:
      encodeMpReachValue(w, attr);
      return;
    case AttrType.MpUnreachNlri:
      encodeMpUnreachValue(w, attr);
      return;
  }
}
