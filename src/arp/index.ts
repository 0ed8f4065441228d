// Layer-2 announcements for the ARP mode: on a flat segment with no BGP router, one elected node
// holds each VIP on its real interface and tells the segment so, as VRRP routers and keepalived do.
//
//   frames.ts         pure, byte-exact builders: ARP Announcement (RFC 5227), gratuitous ARP Reply
//                     (RFC 5944 §4.6), unsolicited Neighbor Advertisement (RFC 4861 §7.2.6)
//   packet-socket.ts  an AF_PACKET socket through koffi (Node has none), in a namespace if asked;
//                     reads the interface's index and MAC with ioctl(2); failures are values
//   announcer.ts      the takeover burst and the periodic refresh, with the Clock for its timers
//   errors.ts         ArpError: a stable ARP_ERR_* code, the errno, the interface and the VIP
//
// Election, and putting the VIP on the interface, are the caller's: the announcer only speaks.
export {
  DEFAULT_IPV4_BURST,
  DEFAULT_IPV6_BURST,
  DEFAULT_REFRESH_INTERVAL_MS,
  MAX_BURST_COUNT,
  createAnnouncer,
  type AnnounceOptions,
  type Announcer,
  type AnnouncerOptions,
  type BurstShape,
  type Refresh,
  type RefreshOptions,
} from './announcer.js';
export { ArpError, type ArpErrorCode, type LinkFailure } from './errors.js';
export {
  buildArpAnnouncement,
  buildGratuitousArpReply,
  buildUnsolicitedNeighborAdvertisement,
  formatMac,
  icmpv6Checksum,
  type NeighborAdvertisementOptions,
} from './frames.js';
export type { LinkAddress, PacketSocket, PacketSocketOptions } from './packet-socket.js';
