// vip-speaker's BGP library: the one public entry point. It depends on nothing in src/ and
// knows nothing of Kubernetes (the lint step enforces it).
//
// How the parts fit: `codec/` turns bytes into typed messages and back (decode errors are
// values: the NOTIFICATION to send, or an RFC 7606 action); `session/` holds the pure RFC 4271
// state machine (events in, actions out) and the driver that binds it to a socket and to the
// Clock (clock.ts, the one way time comes in); `transport/` makes the sockets (TCP MD5, TTL and
// GTSM, source interface) through libc; `speaker/` runs many peers over one Adj-RIB-Out.
// `bfd/` is BFD (RFC 5880/5881/5883) in the same shape, which the speaker ties to each BGP session.
export * from './codec/index.js';
export { describeMessage, describeAttribute, describeCapability, familyName } from './codec/describe.js';
export { findAttribute, isKnownAttr, type KnownAttribute } from './codec/attribute-access.js';
export * from './session/index.js';
export { PeerDriver, type Connector, type ConnectionInfo, type PeerDriverEvents, type PeerDriverOptions } from './session/driver.js';
export { type Clock, type TimerHandle, systemClock, ManualClock, MANUAL_CLOCK_EPOCH, every, delay, withTimeout } from './clock.js';
export * from './transport/index.js';
export * from './bfd/index.js';
export { BgpSpeaker, DEFAULT_MAX_PREFIXES, DEFAULT_RESTART_TIME, type PeerConfig, type PeerStatus, type SpeakerEvents, type SpeakerOptions } from './speaker/speaker.js';
export { AdjRibOut, type FlushContext, type FlushResult } from './speaker/adj-rib-out.js';
export { type Route, type PeerAttributeContext, routeAttributes, routeAttributeKey } from './speaker/route.js';
export { type PeerCounters } from './speaker/peer.js';
export { SpeakerError, type SpeakerErrorCode } from './speaker/errors.js';
export { DEFAULT_BFD_INTERVAL_MS, DEFAULT_BFD_MULTIPLIER, bfdOptionsFor, type PeerBfdConfig, type PeerBfdStatus } from './speaker/bfd-link.js';
