// Real frames, captured with `tcpdump -xx` on Linux 6.18 (Debian 12, iputils-arping 20221126) in
// two network namespaces joined by a veth made for the capture. Namespace A's eth0 had the
// documentation MAC 00:00:5e:00:53:01 (RFC 7042), 192.0.2.50/24 and 2001:db8::50/64, and
//   net.ipv4.conf.eth0.arp_notify=1, net.ipv6.conf.eth0.ndisc_notify=1, accept_dad=0;
// `ip link set eth0 up` in A then made the kernel announce both addresses itself. The two arping
// frames came from `arping -U` and `arping -A -c 1 -I eth0 -s 192.0.2.50 192.0.2.50` in A.
// Captured in namespace B, on the far end of the veth.

export const capturedMac = '00:00:5e:00:53:01';
export const capturedIpv4 = '192.0.2.50';
export const capturedIpv6 = '2001:db8::50';

export const captures = {
  /** The kernel's ARP Announcement (arp_notify): a Request, target hardware address zero. */
  kernelArpAnnouncement:
    'ffffffffffff 00005e005301 0806' + // Ethernet: broadcast, A, ARP
    '0001 0800 06 04 0001' + // Ethernet, IPv4, hln 6, pln 4, Request
    '00005e005301 c0000232' + // sender: A's MAC, 192.0.2.50
    '000000000000 c0000232', // target: zero, 192.0.2.50
  /** `arping -U`: the same Request, but iputils puts the broadcast address in ar$tha. */
  arpingUnsolicitedRequest:
    'ffffffffffff 00005e005301 0806' +
    '0001 0800 06 04 0001' +
    '00005e005301 c0000232' +
    'ffffffffffff c0000232',
  /** `arping -A`: a Reply, broadcast, ar$tha = ar$sha (RFC 5944 §4.6). */
  arpingGratuitousReply:
    'ffffffffffff 00005e005301 0806' +
    '0001 0800 06 04 0002' + // Reply
    '00005e005301 c0000232' +
    '00005e005301 c0000232',
  /** The kernel's unsolicited NA (ndisc_notify): tcpdump says "[icmp6 sum ok] ... Flags [override]". */
  kernelNeighborAdvertisement:
    '333300000001 00005e005301 86dd' + // Ethernet: all-nodes group, A, IPv6
    '60000000 0020 3a ff' + // version 6, payload 32, next header 58, hop limit 255
    '20010db8000000000000000000000050' + // source: the VIP itself
    'ff020000000000000000000000000001' + // destination: ff02::1
    '88 00 498c' + // type 136, code 0, checksum 0x498c
    '20000000' + // flags: Override only; reserved
    '20010db8000000000000000000000050' + // target: the VIP
    '02 01 00005e005301', // Target Link-Layer Address option, 1 × 8 octets, A's MAC
  /** The kernel's NA for A's own link-local fe80::200:5eff:fe00:5301, at the same link-up. */
  kernelLinkLocalNeighborAdvertisement:
    '333300000001 00005e005301 86dd 60000000 0020 3a ff' +
    'fe80000000000000 02005efffe005301' + // source: the link-local itself
    'ff020000000000000000000000000001' +
    '88 00 4499 20000000' + // checksum 0x4499
    'fe80000000000000 02005efffe005301' + // target
    '02 01 00005e005301',
} as const;
