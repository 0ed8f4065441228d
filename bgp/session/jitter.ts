// RFC 4271 §10: jitter on the timers whose expiries would otherwise synchronise across
// peers. The random source comes in as an argument so that the state machine stays
// deterministic and tests stay exact; the driver applies this to SetTimer actions.
import type { TimerName } from './types.js';

/** Timers the driver may jitter; never Hold, which only ever needs its full length. */
export const JITTERED_TIMERS: ReadonlySet<TimerName> = new Set<TimerName>(['ConnectRetry', 'Keepalive', 'IdleHold']);

/**
 * RFC 4271 §10: the base value times a factor uniformly distributed in [0.75, 1.0].
 * `random` returns a number in [0, 1), like Math.random.
 */
export function jitteredSeconds(timer: TimerName, seconds: number, random: () => number): number {
  if (!JITTERED_TIMERS.has(timer)) return seconds;
  return seconds * (0.75 + 0.25 * random());
}
