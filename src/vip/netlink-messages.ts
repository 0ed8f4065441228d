// rtnetlink messages for interface addresses: pure encoders returning one message each, and
// decoders for what the kernel sends back. Netlink is in host byte order (RFC 3549 section 2.2
// leaves it to the host; Linux uses native), addresses in network order. Numbers are those of
// linux/netlink.h, linux/rtnetlink.h, linux/if_addr.h and linux/if_link.h.
import { endianness } from 'node:os';
import { AddressFamily } from './address.js';

/** Netlink's host byte order (the helpers below are shared with route-messages.ts). */
export const LE = endianness() === 'LE';

/** nlmsghdr.nlmsg_type values used here. */
export enum NetlinkMessageType {
  Noop = 1,
  Error = 2,
  Done = 3,
  NewLink = 16,
  GetLink = 18,
  NewAddr = 20,
  DelAddr = 21,
  GetAddr = 22,
  NewRoute = 24,
  DelRoute = 25,
  GetRoute = 26,
}

/** nlmsghdr.nlmsg_flags bits for every message. */
export enum NetlinkFlag {
  Request = 0x1,
  Multi = 0x2,
  Ack = 0x4,
  /** Reply: a dump was interrupted by a concurrent change and may be inconsistent. */
  DumpInterrupted = 0x10,
}

/** Modifiers of a GET request (NLM_F_ROOT|NLM_F_MATCH). */
export enum NetlinkGetFlag {
  Dump = 0x300,
}

/** Modifiers of a NEW request. */
export enum NetlinkNewFlag {
  Excl = 0x200,
  Create = 0x400,
}

/** Flags of an ACK (NLMSG_ERROR) message; the same bits mean other things elsewhere. */
export enum NetlinkAckFlag {
  /** The echoed request was cut to its header (NETLINK_CAP_ACK). */
  Capped = 0x100,
  /** Extended-ACK TLVs follow (NETLINK_EXT_ACK). */
  AckTlvs = 0x200,
}

/** struct ifaddrmsg attributes (IFA_*). */
export enum IfaAttr {
  Address = 1,
  Local = 2,
  Label = 3,
  Broadcast = 4,
  Flags = 8,
  /** Linux 5.18: who added the address. The kernel sets 1..3 itself; the rest are free. */
  Proto = 11,
}

/** Address flags (IFA_F_*); the 32-bit set travels in IFA_FLAGS. */
export enum IfaFlag {
  NoDad = 0x02,
  Permanent = 0x80,
  NoPrefixRoute = 0x200,
}

/** IFA_PROTO values the kernel itself uses (IFAPROT_*): never ours. */
export const KERNEL_ADDRESS_PROTOCOLS = { unspec: 0, kernelLo: 1, kernelRa: 2, kernelLl: 3 } as const;

/** struct ifinfomsg attribute IFLA_IFNAME, and the IFF_UP bit of ifi_flags. */
const IFLA_IFNAME = 3;
const IFF_UP = 0x1;
/** struct nlmsgerr extended-ACK TLV NLMSGERR_ATTR_MSG: the kernel's sentence. */
const NLMSGERR_ATTR_MSG = 1;

export const HEADER_LENGTH = 16;
const IFADDRMSG_LENGTH = 8;
const IFINFOMSG_LENGTH = 16;

export const align4 = (n: number) => (n + 3) & ~3;

export function attribute(type: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(align4(4 + data.length));
  const view = new DataView(out.buffer);
  view.setUint16(0, 4 + data.length, LE);
  view.setUint16(2, type, LE);
  out.set(data, 4);
  return out;
}

export const u32 = (value: number) => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, LE);
  return out;
};

export function message(type: NetlinkMessageType, flags: number, seq: number, parts: Uint8Array[]): Uint8Array {
  const length = HEADER_LENGTH + parts.reduce((sum, p) => sum + p.length, 0);
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  view.setUint32(0, length, LE);
  view.setUint16(4, type, LE);
  view.setUint16(6, flags, LE);
  view.setUint32(8, seq, LE);
  // nlmsg_pid 0: the kernel fills in our port id.
  let offset = HEADER_LENGTH;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function ifaddrmsg(family: number, prefixLength: number, flags: number, ifindex: number): Uint8Array {
  const out = new Uint8Array(IFADDRMSG_LENGTH);
  const view = new DataView(out.buffer);
  out[0] = family;
  out[1] = prefixLength;
  out[2] = flags & 0xff; // the low 8 flags; IFA_FLAGS carries all 32
  out[3] = 0; // RT_SCOPE_UNIVERSE: a VIP is reachable from anywhere
  view.setUint32(4, ifindex, LE);
  return out;
}

/** What one address request needs: the same for add and delete. */
export interface AddressRequest {
  readonly seq: number;
  readonly ifindex: number;
  readonly family: AddressFamily;
  readonly bytes: Uint8Array;
  readonly prefixLength: number;
}

/**
 * RTM_NEWADDR with NLM_F_CREATE|NLM_F_EXCL (never replace: a replace would rewrite an operator's
 * address with our mark) and an ACK. A host prefix gets IFA_F_NOPREFIXROUTE, which keeps the
 * kernel from adding a main-table route for an IPv6 /128 (which a routing daemon might
 * redistribute); only the local-table route that makes the node accept the traffic remains. A
 * wider prefix (ARP mode's vip_subnet) gets its connected route, as kube-vip's does, and an IPv4
 * one up to /30 its broadcast address, as `ip addr add ... brd +` and kube-vip's netlink library
 * set it (RFC 3021: /31 and /32 have none). IFA_F_NODAD: lo does no DAD anyway, and on another
 * interface a VIP shared by many nodes must not be marked duplicate.
 */
export function encodeNewAddress(request: AddressRequest & { readonly proto: number }): Uint8Array {
  const v4 = request.family === AddressFamily.Inet;
  const hostLength = v4 ? 32 : 128;
  const flags = (request.prefixLength === hostLength ? IfaFlag.NoPrefixRoute : 0) | (v4 ? 0 : IfaFlag.NoDad);
  const broadcast = v4 && request.prefixLength <= 30 ? [attribute(IfaAttr.Broadcast, broadcastOf(request.bytes, request.prefixLength))] : [];
  return message(
    NetlinkMessageType.NewAddr,
    NetlinkFlag.Request | NetlinkFlag.Ack | NetlinkNewFlag.Create | NetlinkNewFlag.Excl,
    request.seq,
    [
      ifaddrmsg(request.family, request.prefixLength, flags, request.ifindex),
      attribute(IfaAttr.Local, request.bytes),
      attribute(IfaAttr.Address, request.bytes),
      ...broadcast,
      attribute(IfaAttr.Flags, u32(flags)),
      attribute(IfaAttr.Proto, Uint8Array.of(request.proto)),
    ],
  );
}

/** The IPv4 directed broadcast of `bytes` in its /prefixLength: the host bits all set. */
function broadcastOf(bytes: Uint8Array, prefixLength: number): Uint8Array {
  return bytes.map((octet, i) => octet | (0xff >> Math.min(8, Math.max(0, prefixLength - 8 * i))));
}

/** RTM_DELADDR with an ACK. The kernel matches on address and prefix length, not on IFA_PROTO. */
export function encodeDeleteAddress(request: AddressRequest): Uint8Array {
  return message(NetlinkMessageType.DelAddr, NetlinkFlag.Request | NetlinkFlag.Ack, request.seq, [
    ifaddrmsg(request.family, request.prefixLength, 0, request.ifindex),
    attribute(IfaAttr.Local, request.bytes),
    attribute(IfaAttr.Address, request.bytes),
  ]);
}

/** RTM_GETADDR dump of both families; with NETLINK_GET_STRICT_CHK the kernel keeps only `ifindex`. */
export function encodeAddressDump(seq: number, ifindex: number): Uint8Array {
  return message(NetlinkMessageType.GetAddr, NetlinkFlag.Request | NetlinkGetFlag.Dump, seq, [ifaddrmsg(0, 0, 0, ifindex)]);
}

/** RTM_GETLINK by name (IFLA_IFNAME, NUL-terminated): ENODEV when there is no such link. */
export function encodeLinkByName(seq: number, name: string): Uint8Array {
  const nameBytes = new TextEncoder().encode(`${name}\0`);
  return message(NetlinkMessageType.GetLink, NetlinkFlag.Request, seq, [
    new Uint8Array(IFINFOMSG_LENGTH), // AF_UNSPEC, index 0: look up by name
    attribute(IFLA_IFNAME, nameBytes),
  ]);
}

/** One message as it arrived; `payload` is a view into the received buffer. */
export interface NetlinkMessage {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly payload: Uint8Array;
}

/** Splits one datagram into messages; undefined if a length field runs past the end. */
export function splitMessages(datagram: Uint8Array): NetlinkMessage[] | undefined {
  const view = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  const out: NetlinkMessage[] = [];
  let offset = 0;
  while (offset + HEADER_LENGTH <= datagram.length) {
    const length = view.getUint32(offset, LE);
    if (length < HEADER_LENGTH || offset + length > datagram.length) return undefined;
    out.push({
      type: view.getUint16(offset + 4, LE),
      flags: view.getUint16(offset + 6, LE),
      seq: view.getUint32(offset + 8, LE),
      payload: datagram.subarray(offset + HEADER_LENGTH, offset + length),
    });
    offset += align4(length);
  }
  return offset < datagram.length ? undefined : out; // a cut header at the end
}

export function* attributes(data: Uint8Array): Generator<[number, Uint8Array]> {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let offset = 0;
  while (offset + 4 <= data.length) {
    const length = view.getUint16(offset, LE);
    if (length < 4 || offset + length > data.length) return;
    yield [view.getUint16(offset + 2, LE) & 0x3fff, data.subarray(offset + 4, offset + length)]; // drop NLA_F_NESTED/NET_BYTEORDER
    offset += align4(length);
  }
}

const cString = (data: Uint8Array) => {
  const end = data.indexOf(0);
  return new TextDecoder().decode(end < 0 ? data : data.subarray(0, end));
};

/** An NLMSG_ERROR (or the status of an NLMSG_DONE): errno 0 is an ACK. */
export interface NetlinkAck {
  /** Positive errno, 0 for success. */
  readonly errno: number;
  readonly kernelMessage?: string;
}

/** Decodes struct nlmsgerr and, when NLM_F_ACK_TLVS is set, the kernel's extended-ACK message. */
export function decodeAck(message: NetlinkMessage): NetlinkAck | undefined {
  const p = message.payload;
  if (p.length < 4) return undefined;
  const view = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const errno = -view.getInt32(0, LE) | 0; // | 0: no -0 for an ACK
  if (message.type === NetlinkMessageType.Done || !(message.flags & NetlinkAckFlag.AckTlvs)) return { errno };
  if (p.length < 4 + HEADER_LENGTH) return { errno };
  // The echoed request: its header only when capped, else the whole of it.
  const echoed = message.flags & NetlinkAckFlag.Capped ? HEADER_LENGTH : view.getUint32(4, LE);
  for (const [type, data] of attributes(p.subarray(4 + align4(echoed)))) {
    if (type === NLMSGERR_ATTR_MSG) return { errno, kernelMessage: cString(data) };
  }
  return { errno };
}

/** An address as RTM_NEWADDR reports it. */
export interface KernelAddress {
  readonly family: number;
  readonly prefixLength: number;
  readonly ifindex: number;
  /** IFA_LOCAL when present (the address itself on a point-to-point link), else IFA_ADDRESS. */
  readonly bytes: Uint8Array;
  /** IFA_PROTO, 0 when absent (IFAPROT_UNSPEC). */
  readonly proto: number;
  /** IFA_FLAGS when present, else ifa_flags. */
  readonly flags: number;
}

export function decodeAddress(message: NetlinkMessage): KernelAddress | undefined {
  const p = message.payload;
  if (p.length < IFADDRMSG_LENGTH) return undefined;
  const view = new DataView(p.buffer, p.byteOffset, p.byteLength);
  let local: Uint8Array | undefined;
  let address: Uint8Array | undefined;
  let proto = 0;
  let flags = p[2]!;
  for (const [type, data] of attributes(p.subarray(IFADDRMSG_LENGTH))) {
    if (type === IfaAttr.Local) local = data;
    else if (type === IfaAttr.Address) address = data;
    else if (type === IfaAttr.Proto && data.length >= 1) proto = data[0]!;
    else if (type === IfaAttr.Flags && data.length >= 4) flags = new DataView(data.buffer, data.byteOffset, 4).getUint32(0, LE);
  }
  const bytes = local ?? address;
  if (!bytes) return undefined;
  return { family: p[0]!, prefixLength: p[1]!, ifindex: view.getUint32(4, LE), bytes: Uint8Array.from(bytes), proto, flags };
}

/** A link as RTM_NEWLINK reports it: its index, name and whether it is administratively up. */
export interface KernelLink {
  readonly ifindex: number;
  readonly name: string;
  readonly up: boolean;
}

export function decodeLink(message: NetlinkMessage): KernelLink | undefined {
  const p = message.payload;
  if (p.length < IFINFOMSG_LENGTH) return undefined;
  const view = new DataView(p.buffer, p.byteOffset, p.byteLength);
  let name = '';
  for (const [type, data] of attributes(p.subarray(IFINFOMSG_LENGTH))) {
    if (type === IFLA_IFNAME) name = cString(data);
  }
  return { ifindex: view.getInt32(4, LE), name, up: (view.getUint32(8, LE) & IFF_UP) !== 0 };
}
