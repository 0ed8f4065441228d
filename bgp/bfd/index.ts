// Bidirectional Forwarding Detection: RFC 5880 in Asynchronous mode, over UDP single hop
// (RFC 5881) and multihop (RFC 5883), for the speaker to take a BGP session down within a
// second of its path failing (RFC 5882).
//
// How the parts fit: `packet.ts` encodes and decodes Control packets (decode errors are
// BfdError values named BFD_ERR_*); `auth.ts` signs and verifies them; `fsm.ts` is the session
// as a pure state machine (events in, actions out) with the timer negotiation of `timers.ts`;
// `driver.ts` binds a machine to a path and a Clock; `manager.ts` keeps the sessions of one
// system and demultiplexes received packets; `udp.ts` is the socket adapter, whose TTL check
// is a kernel filter built by `filter.ts`.
export * from './constants.js';
export * from './errors.js';
export { decodeControlPacket, encodeControlPacket, controlPacketLength, type BfdControlPacket, type BfdAuthSection, type BfdDigestAuth, type BfdPasswordAuth } from './packet.js';
export { signControlPacket, verifyControlPacket, sequenceAcceptable, type BfdAuthConfig } from './auth.js';
export { createBfdSession, step as bfdStep } from './fsm.js';
export * from './timers.js';
export type * from './types.js';
export { DiscriminatorPool } from './discriminators.js';
export { BfdSessionDriver, type BfdCounters, type BfdPacketSender, type BfdSessionDriverEvents, type BfdSessionDriverOptions, type BfdSessionStatus } from './driver.js';
export { BfdManager, bfdPeerOptionsProblem, type BfdManagerEvents, type BfdManagerOptions, type BfdPeerOptions, type BfdPeerSession } from './manager.js';
export type { BfdEndpointSpec, BfdPacketHandler, BfdPath, BfdTransport } from './transport.js';
export { UdpBfdTransport, type UdpBfdTransportOptions } from './udp.js';
export { ttlFilterProgram, singleHopFilter, dropAllFilter, type BpfInstruction, type TtlFilterPolicy } from './filter.js';
