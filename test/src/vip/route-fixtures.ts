// Real kernel replies about local routes, captured on Debian 12 with Linux 6.18 in a network
// namespace made for the capture, through this module's own socket and encoders. Hex, one
// datagram per string; netlink headers little-endian (x86-64), addresses in network order.
//
// The namespace's local table held, at the moment of the dumps:
//   local 127.0.0.0/8, 127.0.0.1, broadcast 127.255.255.255, ::1   the kernel's own
//   local 203.0.113.5 proto static                               an operator's
//   local 192.0.2.7 proto 86, local 2001:db8::7 proto 86         ours, added by encodeLocalRoute

/** RTM_GETROUTE dump of AF_INET filtered to table local, protocol 86, type local, oif 1 (seq 3001). */
export const ownedIpv4Dump = [
  // len 52, type 24 RTM_NEWROUTE, flags MULTI|DUMP_FILTERED, seq 3001; rtmsg family 2 dst_len 32
  // table 255 protocol 86 scope 254 type 2; RTA_TABLE 255, RTA_DST 192.0.2.7, RTA_OIF 1
  '3400000018002200b90b00004211000002200000ff56fe020000000008000f00ff00000008000100c00002070800040001000000',
  // NLMSG_DONE, status 0: the operator's route and the kernel's were filtered out by the kernel
  '1400000003002200b90b00004211000000000000',
];

/** The same for AF_INET6 (seq 3002): RTA_DST 2001:db8::7, RTA_PRIORITY 1024, RTA_OIF 1, RTA_CACHEINFO, RTA_PREF. */
export const ownedIpv6Dump = [
  '7400000018002200ba0b0000421100000a800000ff5600020000000008000f00ff0000001400010020010db80000000000000000000000070800060000040000080004000100000024000c0000000000000000000000000000000000000000000000000000000000000000000500140000000000',
  '1400000003002200ba0b00004211000000000000',
];

/** Answers to requests sent without NLM_F_ACK: the kernel speaks only to refuse. */
export const refusals = {
  /** Adding 192.0.2.7 again (seq 2003): errno -17 EEXIST, the request's header echoed (capped). */
  addExisting: '2400000002000001d307000042110000efffffff2c00000018000106d307000000000000',
  /** Removing 198.51.100.9, never added (seq 2004): errno -3 ESRCH. */
  removeAbsent: '2400000002000001d407000042110000fdffffff2c00000019000100d407000000000000',
  /** Removing the operator's 203.0.113.5 with our protocol (seq 2005): ESRCH, it is left alone. */
  removeOperators: '2400000002000001d507000042110000fdffffff2c00000019000100d507000000000000',
};
