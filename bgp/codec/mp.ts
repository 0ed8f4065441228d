// MP_REACH_NLRI and MP_UNREACH_NLRI (RFC 4760 §3, §4): IPv4 and IPv6 unicast and multicast are
// read into prefixes; any other family is kept raw. Both attributes are handled by session
// reset when malformed (RFC 7606 §7.11), so errors here are NOTIFICATIONs.
import { formatIpv4, formatIpv6, parseIp } from './address.js';
import { Afi, ErrorCode, Safi, AttrType, UpdateErrorSubcode } from './constants.js';
import { type NotificationError, type Result, fail, notificationError, ok } from './errors.js';
import type { MpReachAttr, MpUnreachAttr } from './messages.js';
import { decodePrefixes, encodePrefixes } from './nlri.js';
import type { Writer } from './writer.js';

/** The families whose NLRI are plain prefixes (RFC 4760 §5). */
export function isPrefixFamily(afi: number, safi: number): afi is Afi {
  return (afi === Afi.Ipv4 || afi === Afi.Ipv6) && (safi === Safi.Unicast || safi === Safi.Multicast);
}

function mpError(type: AttrType, message: string, data: Uint8Array): NotificationError {
  return notificationError(
    'BGP_ERR_OPTIONAL_ATTRIBUTE',
    ErrorCode.UpdateMessageError,
    UpdateErrorSubcode.OptionalAttributeError,
    `${AttrType[type]}: ${message}`,
    data.slice(), // a copy: the data may be a view of the socket's buffer
  );
}

/** buf[start, end) is the attribute value; `whole` is the whole attribute, for the NOTIFICATION data. */
export function decodeMpReach(buf: Uint8Array, start: number, end: number, flags: number, whole: Uint8Array): Result<MpReachAttr> {
  if (end - start < 5) return fail(mpError(AttrType.MpReachNlri, `value of ${end - start} octets, at least 5 needed`, whole));
  const afi = (buf[start]! << 8) | buf[start + 1]!;
  const safi = buf[start + 2]!;
  const nhLength = buf[start + 3]!;
  const nhStart = start + 4;
  const reservedAt = nhStart + nhLength;
  if (reservedAt >= end) return fail(mpError(AttrType.MpReachNlri, `next hop length ${nhLength} overruns the attribute`, whole));
  const attr: MpReachAttr = { type: AttrType.MpReachNlri, flags, afi, safi, nextHops: [], nlri: [] };
  const reserved = buf[reservedAt]!;
  if (reserved !== 0) attr.reserved = reserved;
  if (!isPrefixFamily(afi, safi)) {
    attr.rawNextHop = buf.slice(nhStart, reservedAt);
    attr.rawNlri = buf.slice(reservedAt + 1, end);
    return ok(attr);
  }
  // RFC 2545 §3 (IPv6: global, optionally link-local) and RFC 8950 (IPv4 NLRI, IPv6 next hop).
  if (nhLength === 4 && afi === Afi.Ipv4) attr.nextHops.push(formatIpv4(buf, nhStart));
  else if (nhLength === 16) attr.nextHops.push(formatIpv6(buf, nhStart));
  else if (nhLength === 32) attr.nextHops.push(formatIpv6(buf, nhStart), formatIpv6(buf, nhStart + 16));
  else {
    return fail(mpError(AttrType.MpReachNlri, `next hop length ${nhLength} is not valid for AFI ${afi} SAFI ${safi} (expected ${afi === Afi.Ipv4 ? '4, 16 or 32' : '16 or 32'})`, whole));
  }
  const nlri = decodePrefixes(buf, reservedAt + 1, end, afi, 'MP_REACH_NLRI');
  if (!nlri.ok) return fail({ ...nlri.error, data: whole.slice() });
  attr.nlri = nlri.value;
  return ok(attr);
}

export function decodeMpUnreach(buf: Uint8Array, start: number, end: number, flags: number, whole: Uint8Array): Result<MpUnreachAttr> {
  if (end - start < 3) return fail(mpError(AttrType.MpUnreachNlri, `value of ${end - start} octets, at least 3 needed`, whole));
  const afi = (buf[start]! << 8) | buf[start + 1]!;
  const safi = buf[start + 2]!;
  const attr: MpUnreachAttr = { type: AttrType.MpUnreachNlri, flags, afi, safi, withdrawn: [] };
  if (!isPrefixFamily(afi, safi)) {
    attr.rawWithdrawn = buf.slice(start + 3, end);
    return ok(attr);
  }
  const withdrawn = decodePrefixes(buf, start + 3, end, afi, 'MP_UNREACH_NLRI');
  if (!withdrawn.ok) return fail({ ...withdrawn.error, data: whole.slice() });
  attr.withdrawn = withdrawn.value;
  return ok(attr);
}

export function encodeMpReachValue(w: Writer, attr: MpReachAttr): void {
  w.u16(attr.afi);
  w.u8(attr.safi);
  if (attr.rawNextHop) {
    w.u8(attr.rawNextHop.length);
    w.bytes(attr.rawNextHop);
  } else {
    const lengthAt = w.pos;
    w.u8(0);
    for (const nh of attr.nextHops) {
      const bytes = parseIp(nh);
      if (!bytes) throw new TypeError(`MP_REACH_NLRI next hop is not an IP address: ${JSON.stringify(nh)}`);
      w.bytes(bytes);
    }
    w.patchU8(lengthAt, w.pos - lengthAt - 1);
  }
  w.u8(attr.reserved ?? 0);
  if (attr.rawNlri) w.bytes(attr.rawNlri);
  else encodePrefixes(w, attr.nlri);
}

export function encodeMpUnreachValue(w: Writer, attr: MpUnreachAttr): void {
  w.u16(attr.afi);
  w.u8(attr.safi);
  if (attr.rawWithdrawn) w.bytes(attr.rawWithdrawn);
  else encodePrefixes(w, attr.withdrawn);
}
