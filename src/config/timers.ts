// Session timers and their RFC 4271 rules, for the node and for each peer.

/**
 * RFC 4271 §4.2: the hold time is 0 or at least 3 s; §10 suggests a keepalive of a third of the
 * hold time, and we hold to it so that two keepalives can be lost before the session drops.
 * With a hold time of 0 no keepalives are sent, so the keepalive must be 0 too.
 */
export function timerPairProblem(holdTime: number, keepaliveTime: number): string | undefined {
  if (holdTime === 0 && keepaliveTime !== 0) return `expected 0 when the hold time is 0 (no keepalives are sent), got ${keepaliveTime}`;
  if (keepaliveTime * 3 > holdTime) {
    return `expected at most a third of the hold time (${holdTime} / 3 = ${Math.floor(holdTime / 3)}), got ${keepaliveTime}`;
  }
  if (holdTime !== 0 && keepaliveTime === 0) return 'expected a keepalive time of at least 1 second when the hold time is not 0';
  return undefined;
}

/** A keepalive for a hold time given alone: a third of it, as RFC 4271 §10 suggests. */
export function keepaliveFor(holdTime: number): number {
  return Math.floor(holdTime / 3);
}
