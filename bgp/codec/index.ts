// The codec's public surface; bgp/index.ts re-exports it.
export * from './constants.js';
export * from './context.js';
export * from './errors.js';
export type * from './messages.js';
export { Prefix } from './prefix.js';
export { formatIp, formatIpv4, formatIpv6, parseIp, parseIpv4, parseIpv4Number, parseIpv6 } from './address.js';
export { MessageFramer, type FramerOutput } from './framer.js';
export { decodeMessage, encodeMessage, writeMessage, type Decoded } from './message.js';
export { decodeHeader, maxMessageLength } from './header.js';
export { makeOpen, openCapabilities } from './open.js';
export { findCapability } from './capabilities.js';
export { makeNotification, shutdownData, MAX_SHUTDOWN_MESSAGE_LENGTH } from './notification.js';
export { isKnownRouteRefreshSubtype } from './route-refresh.js';
export { endOfRibFamily, makeEndOfRib, reachablePrefixes, withdrawnPrefixes, type DecodedUpdate } from './update.js';
export { asPathLength, mergeAs4Path, needsAs4Path } from './aspath.js';
export { packAnnouncements, packWithdrawals, splitByOctets, type PackOptions } from './pack.js';
export { Writer } from './writer.js';
