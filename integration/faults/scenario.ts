// How one fault is run and judged: the lab must agree with the desired set before it; the fault
// is applied (with Services churning meanwhile) and lifted; then the invariant checker must see
// the state come back to exactly the desired set. The outcome goes to results.json.
import { strict as assert } from 'node:assert';
import { ServiceChurn } from './churn.js';
import { type FaultOutcome, judge, recordFault } from './results.js';
import type { FaultLab } from './topology.js';

/** `npm run lab:faults` sets it: every fault lasts its long time. */
export const LONG = process.env.VIP_SPEAKER_FAULTS === 'long';
/** How long the lab may take to agree with the desired set, before a fault and after it. */
export const CONVERGE_TIMEOUT_MS = 120_000;
/** Samples with no difference in a row that count as converged. */
export const STABLE_MS = 3000;
/** Churn during a fault: a Service created (and the oldest deleted) this often. */
export const CHURN_PERIOD_MS = 1000;
const CHURN_KEEP = 4;

export interface FaultRun {
  /** Applies the fault, waits out its time, lifts it; resolves with the sentence for the table. */
  act(context: { churn: ServiceChurn; lab: FaultLab }): Promise<string>;
  /** Once converged: more to say (what the restart cleaned up, say). */
  after?(context: { lab: FaultLab }): Promise<string> | string;
  /** No churn during this fault (the 5,000-VIP kill brings its own change). */
  quiet?: boolean;
  /**
   * Routes at the tor for addresses their node lacks are part of this fault, for at most this
   * long (a generous bound); any other fault allows none.
   */
  unbackedBoundMs?: number;
}

export async function runFault(f: FaultLab, order: number, fault: string, run: FaultRun): Promise<FaultOutcome> {
  const checker = f.checker;
  await checker.converged({ timeoutMs: CONVERGE_TIMEOUT_MS, stableMs: STABLE_MS }).catch((err: Error) => {
    throw new Error(`the lab did not agree with the desired set before the fault: ${err.message}`);
  });
  const churn = new ServiceChurn(f.api, { periodMs: CHURN_PERIOD_MS, keep: CHURN_KEEP, prefix: `f${order}` });
  const startMs = checker.now();
  if (!run.quiet) churn.start();
  let outcome: string;
  try {
    outcome = await run.act({ churn, lab: f });
  } finally {
    await churn.stop();
  }
  const endMs = checker.now();
  const convergedAt = await checker.converged({ timeoutMs: CONVERGE_TIMEOUT_MS, stableMs: STABLE_MS }).catch((err: Error) => {
    recordFault({ order, fault, faultMs: Math.round(endMs - startMs), outcome: `${outcome}; NOT CONVERGED: ${err.message}`, ...judge(checker.report(startMs), endMs, endMs), convergedAfterMs: -1, long: LONG });
    throw err;
  });
  const judged = judge(checker.report(startMs, convergedAt), endMs, convergedAt);
  const changes = run.quiet ? '' : `; ${churn.created} Services created and ${churn.deleted} deleted meanwhile`;
  const addendum = run.after ? `; ${await run.after({ lab: f })}` : '';
  const result: FaultOutcome = { order, fault, faultMs: Math.round(endMs - startMs), outcome: outcome + changes + addendum, ...judged, long: LONG };
  recordFault(result);
  console.log(`      ${fault}: converged ${judged.convergedAfterMs} ms after the fault; longest divergence ${judged.longestMs} ms (${judged.longest ?? 'none'}), resolution ${judged.resolutionMs} ms`);
  if (run.unbackedBoundMs !== undefined) assert.ok(judged.unbackedMs <= run.unbackedBoundMs, `a route at the tor for an address its node did not have for ${judged.unbackedMs} ms`);
  else assert.ok(judged.unbackedSeen <= 1, `a route at the tor for an address its node did not have, seen by ${judged.unbackedSeen} samples in a row (${judged.unbackedMs} ms)`);
  return result;
}

export const seconds = (ms: number) => new Promise((r) => setTimeout(r, ms));
