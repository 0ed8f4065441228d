// The BGP session: per-peer configuration, the RFC 4271 §8 state machine as a pure
// function, OPEN negotiation, connection collision resolution and the NOTIFICATIONs a
// session decides to send.
export * from './types.js';
export * from './events.js';
export * from './config.js';
export * from './negotiate.js';
export * from './collision.js';
export * from './notifications.js';
export * from './jitter.js';
export { parseBgpIdentifier } from './identifier.js';
export { createSession, step, type Session, type Transition } from './fsm.js';
