// Capped exponential back-off with jitter, for reconnecting to the API server: client-go's
// wait.Backoff in the shape the informers use it (k8s.io/client-go/tools/cache/reflector.go:
// 800 ms doubling to 30 s, reset once a connection has held for a while). Randomness comes in
// from outside, so that tests decide it; the timers are the caller's Clock.

export interface BackoffPolicy {
  /** The first delay. */
  initialMs: number;
  /** No delay is longer than this. */
  maxMs: number;
  /** Each failure multiplies the delay by this. */
  factor: number;
  /** 0..1: a delay is drawn from [d × (1 − jitter), d], so that nodes do not retry in step. */
  jitter: number;
  /** A connection that held this long resets the delay to `initialMs` when it fails. */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffPolicy> = {
  initialMs: 800,
  maxMs: 30_000,
  factor: 2,
  jitter: 0.5,
  resetAfterMs: 120_000,
};

/** The delay before retry number `attempt` (0 for the first retry); `random` returns [0, 1). */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const exponential = policy.initialMs * policy.factor ** Math.max(0, attempt);
  const capped = Math.min(policy.maxMs, Number.isFinite(exponential) ? exponential : policy.maxMs);
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  return Math.round(capped - capped * jitter * random());
}
