// Whole Ethernet frames that tell a segment "this IP address is at this MAC now": pure functions,
// byte-exact, one new buffer per call. The announcer sends them on an AF_PACKET socket as they are.
//
// The three frames are those the Linux kernel and keepalived send, byte for byte (see the captures
// in test/src/arp/fixtures.ts):
//   IPv4  ARP Announcement (RFC 5227 §3), the kernel's own form (net.ipv4.conf.*.arp_notify)
//         gratuitous ARP Reply (RFC 5944 §4.6), as `arping -A` sends it
//   IPv6  unsolicited Neighbor Advertisement (RFC 4861 §4.4, §7.2.6), as the kernel sends it
//         (net.ipv6.conf.*.ndisc_notify) and keepalived too: source address = the VIP
//
// Frames are not padded to Ethernet's 60-octet minimum: the driver does that, as it does for the
// kernel's own 42-octet ARP frames.

/** EtherType values (IANA "IEEE 802 Numbers"). */
export enum EtherType {
  Ipv4 = 0x0800,
  Arp = 0x0806,
  Ipv6 = 0x86dd,
}

/** ARP ar$hrd (RFC 826; IANA "Hardware Types"). */
export enum ArpHardwareType {
  Ethernet = 1,
}

/** ARP ar$op (RFC 826). */
export enum ArpOperation {
  Request = 1,
  Reply = 2,
}

/** ICMPv6 message types (RFC 4861 §4). */
export enum Icmpv6Type {
  NeighborAdvertisement = 136,
}

/** Neighbor Discovery option types (RFC 4861 §4.6). */
export enum NdOptionType {
  SourceLinkLayerAddress = 1,
  TargetLinkLayerAddress = 2,
}

/** Neighbor Advertisement flags, the top bits of the word after the checksum (RFC 4861 §4.4). */
export enum NeighborAdvertisementFlag {
  Router = 0x80,
  Solicited = 0x40,
  Override = 0x20,
}

/** IPv6 Next Header for ICMPv6 (IANA "Assigned Internet Protocol Numbers"). */
export const IPV6_NEXT_HEADER_ICMPV6 = 58;
/** RFC 4861 §7.1.2: a receiver drops an NA whose hop limit is not 255, so no router forwarded it. */
export const ND_HOP_LIMIT = 255;
export const ETHERNET_ADDRESS_LENGTH = 6;
export const ETHERNET_HEADER_LENGTH = 14;
export const ARP_PACKET_LENGTH = 28;
export const IPV6_HEADER_LENGTH = 40;
/** ICMPv6 header (4) + flags and reserved (4) + target (16) + Target Link-Layer Address option (8). */
export const NEIGHBOR_ADVERTISEMENT_LENGTH = 32;

const ETHERNET_BROADCAST: Uint8Array = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
/** ff02::1, the link-local all-nodes group (RFC 4291 §2.7.1). */
const IPV6_ALL_NODES: Uint8Array = Uint8Array.of(0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01);

/** A cursor over one new buffer: one writer per frame, never shared. */
class FrameWriter {
  private readonly view: DataView;
  private offset = 0;
  readonly bytes: Uint8Array;

  constructor(length: number) {
    this.bytes = new Uint8Array(length);
    this.view = new DataView(this.bytes.buffer);
  }

  u8(value: number): this {
    this.view.setUint8(this.offset, value);
    this.offset += 1;
    return this;
  }

  u16(value: number): this {
    this.view.setUint16(this.offset, value);
    this.offset += 2;
    return this;
  }

  u32(value: number): this {
    this.view.setUint32(this.offset, value);
    this.offset += 4;
    return this;
  }

  octets(value: Uint8Array): this {
    this.bytes.set(value, this.offset);
    this.offset += value.length;
    return this;
  }

  /** The frame, after checking that every octet was written. */
  done(): Uint8Array {
    if (this.offset !== this.bytes.length) throw new Error(`frame writer: ${this.offset} of ${this.bytes.length} octets written`);
    return this.bytes;
  }
}

function expectLength(what: string, value: Uint8Array, length: number): void {
  if (value.length !== length) throw new RangeError(`${what} must be ${length} octets, not ${value.length}`);
}

function ethernetHeader(w: FrameWriter, destination: Uint8Array, source: Uint8Array, etherType: EtherType): void {
  w.octets(destination).octets(source).u16(etherType);
}

/**
 * An ARP packet for Ethernet and IPv4 (RFC 826 "Packet format"), broadcast, claiming `ipv4` for
 * `mac`: sender and target protocol addresses are both the claimed address.
 */
function gratuitousArp(operation: ArpOperation, mac: Uint8Array, ipv4: Uint8Array, targetHardwareAddress: Uint8Array): Uint8Array {
  expectLength('a MAC address', mac, ETHERNET_ADDRESS_LENGTH);
  expectLength('an IPv4 address', ipv4, 4);
  const w = new FrameWriter(ETHERNET_HEADER_LENGTH + ARP_PACKET_LENGTH);
  ethernetHeader(w, ETHERNET_BROADCAST, mac, EtherType.Arp);
  w.u16(ArpHardwareType.Ethernet) // ar$hrd
    .u16(EtherType.Ipv4) // ar$pro
    .u8(ETHERNET_ADDRESS_LENGTH) // ar$hln
    .u8(4) // ar$pln
    .u16(operation) // ar$op
    .octets(mac) // ar$sha
    .octets(ipv4) // ar$spa
    .octets(targetHardwareAddress) // ar$tha
    .octets(ipv4); // ar$tpa
  return w.done();
}

/**
 * ARP Announcement (RFC 5227 §2.3, §3): an ARP Request, broadcast, with sender IP = target IP =
 * the VIP and the target hardware address zero ("ignored and SHOULD be set to all zeroes",
 * §2.1.1); §3 says why an Announcement is a Request and not a Reply (both work; the Request form
 * is the recommended one). Identical to the kernel's own (arp_notify: arp_send() with no target
 * MAC); iputils `arping -U` differs only in putting ff:ff:ff:ff:ff:ff in ar$tha. 42 octets.
 */
export function buildArpAnnouncement(mac: Uint8Array, ipv4: Uint8Array): Uint8Array {
  return gratuitousArp(ArpOperation.Request, mac, ipv4, new Uint8Array(ETHERNET_ADDRESS_LENGTH));
}

/**
 * Gratuitous ARP in the Reply form (RFC 5944 §4.6): sender IP = target IP = the VIP, broadcast,
 * and "the ARP Target Hardware Address is also set to the link-layer address to which this cache
 * entry should be updated". Linux only takes a Reply as gratuitous when ar$tha equals ar$sha
 * (arp_is_garp() in net/ipv4/arp.c). Byte for byte what `arping -A` sends. 42 octets.
 */
export function buildGratuitousArpReply(mac: Uint8Array, ipv4: Uint8Array): Uint8Array {
  return gratuitousArp(ArpOperation.Reply, mac, ipv4, mac);
}

/** The Ethernet group address for an IPv6 multicast address: 33:33 and its last 4 octets (RFC 2464 §7). */
export function ipv6MulticastMac(group: Uint8Array): Uint8Array {
  expectLength('an IPv6 address', group, 16);
  return Uint8Array.of(0x33, 0x33, ...group.subarray(12));
}

/**
 * The ICMPv6 checksum (RFC 4443 §2.3): the 16-bit one's complement of the one's complement sum
 * (RFC 1071) of the pseudo-header of RFC 8200 §8.1 (source, destination, upper-layer length as
 * 32 bits, three zero octets, next header 58) and the ICMPv6 message with its checksum field zero.
 */
export function icmpv6Checksum(source: Uint8Array, destination: Uint8Array, message: Uint8Array): number {
  expectLength('an IPv6 source address', source, 16);
  expectLength('an IPv6 destination address', destination, 16);
  const pseudoHeader = new FrameWriter(40).octets(source).octets(destination).u32(message.length).u16(0).u8(0).u8(IPV6_NEXT_HEADER_ICMPV6).done();
  let sum = 0;
  const add = (octets: Uint8Array) => {
    for (let i = 0; i < octets.length; i += 2) sum += (octets[i]! << 8) | (octets[i + 1] ?? 0);
  };
  add(pseudoHeader);
  add(message);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export interface NeighborAdvertisementOptions {
  /** The interface's MAC: Ethernet source and the Target Link-Layer Address option. */
  readonly mac: Uint8Array;
  /** The VIP, 16 octets. */
  readonly target: Uint8Array;
  /**
   * The IPv6 source address; the target when absent. RFC 4861 §4.4 asks for "an address assigned
   * to the interface from which the advertisement is sent": the VIP is one, once bound, and it is
   * what the kernel's ndisc_send_na() uses for an address of its own, and what keepalived uses.
   * A link-local would do as well, but would tie the frame to one more address that may be absent
   * (addr_gen_mode none) and make it differ from the kernel's.
   */
  readonly source?: Uint8Array;
  /**
   * The Router flag (RFC 4861 §4.4): whether the sender is a router. A receiver that had the
   * address marked as a router and sees R clear drops it from its default router list (§7.2.5),
   * which never matters for a VIP. Clear by default; keepalived copies the interface's forwarding.
   */
  readonly router?: boolean;
}

/**
 * Unsolicited Neighbor Advertisement (RFC 4861 §4.4, §7.2.6) in an IPv6 packet in an Ethernet
 * frame: to ff02::1 (33:33:00:00:00:01), hop limit 255, ICMPv6 type 136 code 0, Solicited clear
 * (it answers no Solicitation), Override set (so receivers replace the link-layer address they
 * have cached), target = the VIP, and a Target Link-Layer Address option (§4.6.1) carrying the
 * MAC. Traffic class and flow label are zero, as the kernel's. 86 octets.
 */
export function buildUnsolicitedNeighborAdvertisement(options: NeighborAdvertisementOptions): Uint8Array {
  const { mac, target } = options;
  const source = options.source ?? target;
  expectLength('a MAC address', mac, ETHERNET_ADDRESS_LENGTH);
  expectLength('an IPv6 target address', target, 16);
  expectLength('an IPv6 source address', source, 16);

  const flags = NeighborAdvertisementFlag.Override | (options.router ? NeighborAdvertisementFlag.Router : 0);
  const icmp = new FrameWriter(NEIGHBOR_ADVERTISEMENT_LENGTH)
    .u8(Icmpv6Type.NeighborAdvertisement)
    .u8(0) // code
    .u16(0) // checksum, filled in below
    .u8(flags)
    .u8(0)
    .u16(0) // reserved
    .octets(target)
    .u8(NdOptionType.TargetLinkLayerAddress)
    .u8(1) // option length in units of 8 octets
    .octets(mac)
    .done();
  new DataView(icmp.buffer).setUint16(2, icmpv6Checksum(source, IPV6_ALL_NODES, icmp));

  const w = new FrameWriter(ETHERNET_HEADER_LENGTH + IPV6_HEADER_LENGTH + NEIGHBOR_ADVERTISEMENT_LENGTH);
  ethernetHeader(w, ipv6MulticastMac(IPV6_ALL_NODES), mac, EtherType.Ipv6);
  w.u32(6 << 28) // version 6, traffic class 0, flow label 0
    .u16(NEIGHBOR_ADVERTISEMENT_LENGTH) // payload length
    .u8(IPV6_NEXT_HEADER_ICMPV6)
    .u8(ND_HOP_LIMIT)
    .octets(source)
    .octets(IPV6_ALL_NODES)
    .octets(icmp);
  return w.done();
}

/** '00:00:5e:00:53:01' for 6 octets; for messages and tests. */
export function formatMac(mac: Uint8Array): string {
  return Array.from(mac, (octet) => octet.toString(16).padStart(2, '0')).join(':');
}
