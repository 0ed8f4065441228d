// rtnetlink messages for local routes (the "AnyIP" form of a VIP, see local-routes.ts): encoders
// that write straight into a caller's buffer, since a cold start writes 100,000 of them, and a
// decoder for the routes a dump returns. Numbers are those of linux/rtnetlink.h.
import { AddressFamily } from './address.js';
import {
  HEADER_LENGTH,
  LE,
  NetlinkFlag,
  NetlinkGetFlag,
  NetlinkMessageType,
  NetlinkNewFlag,
  attributes,
  type NetlinkMessage,
} from './netlink-messages.js';

/** struct rtmsg is 12 octets: family, dst_len, src_len, tos, table, protocol, scope, type, flags (u32). */
const RTMSG_LENGTH = 12;

/** rtm_table: the table that holds the kernel's own local and broadcast routes (RT_TABLE_LOCAL). */
export const RT_TABLE_LOCAL = 255;

/** rtm_type values (RTN_*). */
export enum RouteType {
  Unicast = 1,
  /** Accept locally: the kernel delivers the packet to its own sockets. */
  Local = 2,
}

/** rtm_scope values (RT_SCOPE_*). */
export enum RouteScope {
  Host = 254,
  /** On a delete request: match any scope (iproute2 sends this too). */
  Nowhere = 255,
}

/** Route attributes (RTA_*). */
export enum RtaAttr {
  Dst = 1,
  Oif = 4,
  Priority = 6,
  Table = 15,
}

/** One local route as the kernel reports it. */
export interface KernelRoute {
  readonly family: number;
  readonly dstLength: number;
  readonly table: number;
  readonly protocol: number;
  readonly type: number;
  /** RTA_DST, network order; absent for a default route. */
  readonly dst: Uint8Array | undefined;
  /** RTA_OIF, 0 when absent. */
  readonly oif: number;
}

export interface LocalRouteRequest {
  readonly seq: number;
  readonly ifindex: number;
  /**
   * The whole address, a host route: 4 or 16 octets in network order, or an IPv4 address as an
   * unsigned 32-bit number (what the cold-start path carries, to spare a Uint8Array per VIP).
   */
  readonly dst: Uint8Array | number;
  /** rtm_protocol: our ownership mark. */
  readonly protocol: number;
}

const familyOf = (dst: Uint8Array | number) => (typeof dst === 'number' || dst.length === 4 ? AddressFamily.Inet : AddressFamily.Inet6);

/** Octets one request takes: header, rtmsg, RTA_DST, RTA_OIF. */
export function localRouteRequestLength(family: AddressFamily): number {
  return HEADER_LENGTH + RTMSG_LENGTH + 4 + (family === AddressFamily.Inet ? 4 : 16) + 8;
}

/**
 * Writes RTM_NEWROUTE (add) or RTM_DELROUTE (remove) for `local ADDRESS dev IF table local proto
 * P` at `offset` and returns the offset after it. No NLM_F_ACK: the kernel answers a refusal
 * whatever the flags (netlink_rcv_skb acks every error), so 100,000 successes cost no receive
 * at all, and silence after send(2) means done. Add: NLM_F_CREATE|NLM_F_EXCL, so that a route
 * already there (an operator's, or the kernel's for an address on the node) answers EEXIST and is
 * never replaced. Remove: the kernel deletes only a route whose protocol matches (fib_table_delete
 * and ip6_route_del compare rtm_protocol when it is non-zero), so another's route is never taken.
 */
export function writeLocalRoute(view: DataView, offset: number, kind: 'add' | 'remove', request: LocalRouteRequest): number {
  const family = familyOf(request.dst);
  const length = localRouteRequestLength(family);
  const add = kind === 'add';
  view.setUint32(offset, length, LE);
  view.setUint16(offset + 4, add ? NetlinkMessageType.NewRoute : NetlinkMessageType.DelRoute, LE);
  view.setUint16(offset + 6, NetlinkFlag.Request | (add ? NetlinkNewFlag.Create | NetlinkNewFlag.Excl : 0), LE);
  view.setUint32(offset + 8, request.seq, LE);
  view.setUint32(offset + 12, 0, LE); // nlmsg_pid: the kernel fills in ours
  let o = offset + HEADER_LENGTH;
  const dstOctets = family === AddressFamily.Inet ? 4 : 16;
  view.setUint8(o, family);
  view.setUint8(o + 1, dstOctets * 8); // rtm_dst_len: a host route
  view.setUint8(o + 2, 0); // rtm_src_len
  view.setUint8(o + 3, 0); // rtm_tos
  view.setUint8(o + 4, RT_TABLE_LOCAL);
  view.setUint8(o + 5, request.protocol);
  view.setUint8(o + 6, add ? RouteScope.Host : RouteScope.Nowhere);
  view.setUint8(o + 7, RouteType.Local);
  view.setUint32(o + 8, 0, LE); // rtm_flags
  o += RTMSG_LENGTH;
  view.setUint16(o, 4 + dstOctets, LE);
  view.setUint16(o + 2, RtaAttr.Dst, LE);
  if (typeof request.dst === 'number') view.setUint32(o + 4, request.dst, false); // network order
  else for (let i = 0; i < dstOctets; i++) view.setUint8(o + 4 + i, request.dst[i]!);
  o += 4 + dstOctets;
  view.setUint16(o, 8, LE);
  view.setUint16(o + 2, RtaAttr.Oif, LE);
  view.setUint32(o + 4, request.ifindex, LE);
  return o + 8;
}

/** One request as its own buffer (tests, single changes). */
export function encodeLocalRoute(kind: 'add' | 'remove', request: LocalRouteRequest): Uint8Array {
  const out = new Uint8Array(localRouteRequestLength(familyOf(request.dst)));
  writeLocalRoute(new DataView(out.buffer), 0, kind, request);
  return out;
}

/**
 * RTM_GETROUTE dump of one family's local table, filtered by the kernel (NETLINK_GET_STRICT_CHK)
 * to type local, our protocol and the interface: a node with 100,000 routes elsewhere still
 * returns only ours. A kernel without strict checking ignores the filter; decodeRoute's caller
 * filters again.
 */
export function encodeOwnedRouteDump(seq: number, family: AddressFamily, protocol: number, ifindex: number): Uint8Array {
  const length = HEADER_LENGTH + RTMSG_LENGTH + 8;
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  view.setUint32(0, length, LE);
  view.setUint16(4, NetlinkMessageType.GetRoute, LE);
  view.setUint16(6, NetlinkFlag.Request | NetlinkGetFlag.Dump, LE);
  view.setUint32(8, seq, LE);
  out[HEADER_LENGTH] = family;
  out[HEADER_LENGTH + 4] = RT_TABLE_LOCAL;
  out[HEADER_LENGTH + 5] = protocol;
  out[HEADER_LENGTH + 7] = RouteType.Local;
  // dst_len, src_len, tos and scope must be 0 in a strict dump request (ip_valid_fib_dump_req).
  view.setUint16(HEADER_LENGTH + RTMSG_LENGTH, 8, LE);
  view.setUint16(HEADER_LENGTH + RTMSG_LENGTH + 2, RtaAttr.Oif, LE);
  view.setUint32(HEADER_LENGTH + RTMSG_LENGTH + 4, ifindex, LE);
  return out;
}

/** Decodes RTM_NEWROUTE; undefined when it is too short to be one. RTA_TABLE wins over rtm_table. */
/**
 * Whether a route message is one of ours: `family`, a host route (/32 or /128), type local in the
 * local table, `protocol`, on `ifindex`. Read in place, with no allocation: a dump of 100,000 is
 * counted this way (decodeRoute makes several objects per route).
 */
export function isOwnedLocalRoute(message: NetlinkMessage, family: number, protocol: number, ifindex: number): boolean {
  const p = message.payload;
  if (p.length < RTMSG_LENGTH || p[0] !== family || p[1] !== (family === AddressFamily.Inet ? 32 : 128) || p[5] !== protocol || p[7] !== RouteType.Local) return false;
  let table = p[4]!;
  let oif = 0;
  let dst = false;
  const u32 = (at: number) => (p[at]! | (p[at + 1]! << 8) | (p[at + 2]! << 16) | (p[at + 3]! << 24)) >>> 0;
  for (let at = RTMSG_LENGTH; at + 4 <= p.length; ) {
    const length = p[at]! | (p[at + 1]! << 8);
    if (length < 4 || at + length > p.length) break;
    const type = (p[at + 2]! | (p[at + 3]! << 8)) & 0x3fff;
    if (type === RtaAttr.Dst) dst = true;
    else if (type === RtaAttr.Oif && length >= 8) oif = u32(at + 4);
    else if (type === RtaAttr.Table && length >= 8) table = u32(at + 4);
    at += (length + 3) & ~3;
  }
  return dst && table === RT_TABLE_LOCAL && oif === ifindex;
}

export function decodeRoute(message: NetlinkMessage): KernelRoute | undefined {
  const p = message.payload;
  if (p.length < RTMSG_LENGTH) return undefined;
  let table = p[4]!;
  let dst: Uint8Array | undefined;
  let oif = 0;
  for (const [type, data] of attributes(p.subarray(RTMSG_LENGTH))) {
    if (type === RtaAttr.Dst) dst = Uint8Array.from(data);
    else if (type === RtaAttr.Oif && data.length >= 4) oif = new DataView(data.buffer, data.byteOffset, 4).getUint32(0, LE);
    else if (type === RtaAttr.Table && data.length >= 4) table = new DataView(data.buffer, data.byteOffset, 4).getUint32(0, LE);
  }
  return { family: p[0]!, dstLength: p[1]!, table, protocol: p[5]!, type: p[7]!, dst, oif };
}
