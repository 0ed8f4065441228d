// The BGP session's BFD gate (RFC 5882 §3.2, RFC 9384), apart from the RFC 4271 machine it
// extends: BfdDown takes the session to Idle and holds it there without the automatic
// restart; BfdUp releases it. fsm.ts routes both events here, from every state.
import { bfdDown } from './notifications.js';
import { type Draft, toIdle } from './session.js';
import { SessionState } from './types.js';

/**
 * BFD says the path is down (RFC 5882 §3.2): to Idle, with Cease / BFD Down past OpenSent
 * (RFC 9384), and held there, no automatic restart, until BfdUp. In Idle it only cancels a
 * pending automatic restart; a session the operator stopped stays as it is.
 */
export function heldDown(d: Draft): void {
  if (d.state === SessionState.Idle) {
    if (!d.allowAutomaticStart) return;
    d.stopTimer('IdleHold');
    d.allowAutomaticStart = false;
    d.heldByBfd = true;
    return;
  }
  const opened = d.state !== SessionState.Connect && d.state !== SessionState.Active;
  d.allowAutomaticStart = false;
  d.heldByBfd = true;
  toIdle(d, 'BfdDown', 'BFD declared the path to the peer down', { counter: 'increment', sent: opened ? bfdDown() : undefined });
}

/** BFD is Up again: a session held by BfdDown starts at once (`start`, fsm.ts's), as it was last started. */
export function released(d: Draft, start: (d: Draft, passive: boolean) => void): void {
  if (d.state !== SessionState.Idle || !d.heldByBfd) return;
  d.heldByBfd = false;
  d.allowAutomaticStart = true;
  start(d, d.passiveTcpEstablishment);
}

