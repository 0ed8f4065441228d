// Making a VIP local on the node, so that the kernel takes its traffic and a socket can bind to
// it, before it is announced; undone after it is withdrawn. Two forms (placer.ts chooses):
//
// - an address on `lo` (or a configured interface): what operators look for with `ip addr`, and
//   what ARP mode needs (it may place the VIP with a wider prefix: the kernel then holds
//   192.0.2.50/24 while everything here still names the VIP '192.0.2.50/32');
// - a local route, `local 192.0.2.50 dev lo table local proto 86` (local-routes.ts, the "AnyIP"
//   route): the kernel delivers to any destination its local table calls local, and bind(2) to an
//   IPv4 address accepts it (inet_addr_type() is RTN_LOCAL).
//
// Why both, measured on this machine (2 cores, shared, load average 3-10; bench/vip-addresses.ts
// and bench/README.md): adding an IPv4 address walks the interface's whole address list
// (__inet_insert_ifa), so the cost grows with the square of the count: 1,000 take 20-100 ms,
// 10,000 1.4 s, 100,000 minutes (61,000 after 6 minutes in the run). 100,000 local routes
// take 0.6-0.9 s to add and 0.5-0.6 s to remove over batched rtnetlink, linearly (half of it in the
// kernel's FIB insert). IPv6 differs: bind(2) to an address with only a local route fails
// (EADDRNOTAVAIL: ipv6_chk_addr looks at addresses only; IPV6_FREEBIND or net.ipv6.ip_nonlocal_bind
// would be needed), and removing IPv6 addresses walks the whole FIB per address
// (rt6_remove_prefsrc): 10,000 take 6-7 s. So 'auto' (the default) places IPv4 VIPs as addresses
// while the node holds at most 1,000 of them and as local routes beyond, and IPv6 VIPs always as
// addresses; 'routes' makes every VIP a route (IPv6 too, for whoever needs 10,000 of them and binds
// to `::`), 'addresses' every VIP an address (ARP mode always). A VIP keeps its form until it goes;
// `status` shows each one's (placedAs). Both forms carry the same ownership number (86 by default):
// IFA_PROTO on an address, rtm_protocol on a route, and listOwned finds both after a kill -9.
//
// Ownership mark: IFA_PROTO (Linux 5.18), 86 by default, configurable (4-255). It is the kernel's
// own "who added this address" field, kept for IPv4 and IPv6 alike and returned in every dump, so
// a restart after kill -9 finds its leftovers with no state file, and an address without the
// mark (an operator's /32 on lo, 127.0.0.1, ::1, which the kernel itself marks 1) is never
// touched. Passed over: labels (IPv4 only), a metric (IFA_RT_PRIORITY also sets the metric of
// the prefix route, a meaning of its own), flags (none is free), a state file (lost or stale on
// a crash between write and add). Checked on this machine: kernel 6.18 keeps and reports it;
// iproute2 6.1 can neither set it ('"proto" is a garbage') nor show it; iproute2 6.4 and later
// print it as `proto 0x56` (and `"protocol": "0x56"` in JSON). A kernel before 5.18 would ignore
// the unknown attribute: add() then finds the address unmarked, removes it again and reports
// VIP_ERR_MARK_NOT_KEPT, so nothing unowned is ever left behind. A route's protocol has been
// kept since routes have had one; a delete names it, so another's route is never removed.
//
// Mechanism: rtnetlink through koffi (kernel-table.ts, netlink-socket.ts), not `ip -batch`,
// because only netlink can set IFA_PROTO with the iproute2 Debian 12 ships, and because it is
// faster: one send(2) carries 256 requests, each gets its own ACK (so a batch says exactly which
// address failed and why, with the kernel's extended-ACK sentence), and no process is spawned.
// bench/vip-addresses.ts, in a fresh namespace on this machine (kernel 6.18), medians of 5, ms,
// add / remove; the manager's times include its two dumps:
//
//   addresses                     manager (netlink)    ip -batch (one process)
//   1 IPv4                          0.4 /    0.4          2.6 /    2.7
//   100 IPv4                        3.6 /    2.0          5.1 /    4.4
//   768 IPv4 (all of RFC 5737)     19.5 /   13.4         23.0 /   14.6
//   1 IPv6                          0.4 /    0.2          2.8 /    2.4
//   100 IPv6                        2.8 /    2.9          4.8 /    5.3
//   5,000 IPv6                    191.5 / 1364.7        834.6 / 2695.6
//   5,000 mixed (768 v4 + v6)     155.8 / 1000.4        515.2 / 2319.2
//
// A cold start of 5,000 VIPs takes 0.16-0.19 s. Removing IPv6 addresses costs the kernel more the
// more there are (29 us each at 100, 270 us each at 5,000; ip pays it too): withdrawals are spread
// over time, and a full teardown of 5,000 takes about 1.4 s. The event loop gets a turn between
// chunks of 256 requests, so BGP timers keep running meanwhile.
//
// Every add and remove reads the interface before (to leave foreign addresses alone and skip what
// is already right) and after (so `done` is what the kernel shows, not what it acknowledged).
// Routes: IFA_F_NOPREFIXROUTE, so an IPv6 /128 adds no main-table route (only the local-table
// route that makes the node accept the traffic); an IPv4 /32 never gets a prefix route. A wider
// prefix gets its connected route, as kube-vip's does: that is what it is configured for. IPv6 is
// added with IFA_F_NODAD: lo does no DAD, and a VIP shared by many nodes must never be "dadfailed".
// The manager does not bring the interface up: BatchResult.interfaceUp reports it.
export { AddressFamily, formatAddress, parseVipAddress, isAddressProblem, type AddressProblem, type VipAddress } from './address.js';
export { VipError, type VipErrorCode, type VipOperation } from './errors.js';
export {
  DEFAULT_VIP_ADDRESS_PROTO,
  createVipAddressManager,
  inPlace,
  type BatchResult,
  type VipAddressManager,
  type VipAddressManagerOptions,
} from './manager.js';
export type { AddressChange, AddressTable, KernelTableOptions } from './kernel-table.js';
export { InterfacePlacer, type InterfacePlacerOptions, type PlacementBatch } from './interfaces.js';
export { createLocalRoutePlacer, type LocalRoutePlacer, type LocalRoutePlacerOptions, type PlacementProgress } from './local-routes.js';
export { AUTO_ROUTE_THRESHOLD, VIP_PLACEMENTS, createVipPlacer, type PlacedForm, type VipPlacement, type VipPlacer, type VipPlacerOptions } from './placer.js';
export type { KernelAddress, KernelLink, NetlinkAck } from './netlink-messages.js';
