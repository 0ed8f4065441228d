// The fault lab's outcomes of a run, in integration/faults/results.json (not kept in git): the
// first result of a run replaces the file, the others join it, one entry per fault. report.ts
// turns the file into the table of docs/faults.md.
import { fileURLToPath } from 'node:url';
import type { WindowReport } from '../support/invariants.js';
import { resultsFile } from '../support/results.js';

export const RESULTS_FILE = fileURLToPath(new URL('../../../integration/faults/results.json', import.meta.url));

export interface FaultOutcome {
  /** Order in the table. */
  order: number;
  fault: string;
  /** How long the fault lasted, ms (0 for an instant one such as a kill). */
  faultMs: number;
  /** What the test saw, in a sentence. */
  outcome: string;
  /** From the end of the fault until the first of a stable run of samples with no difference, ms. */
  convergedAfterMs: number;
  /** The longest single divergence from the start of the fault until convergence, ms. */
  longestMs: number;
  longest?: string;
  /** Divergences by kind in that window: how many, the longest. */
  byKind: WindowReport['byKind'];
  /** Blackholes: a route at the tor for an address its node did not have, longest, ms. */
  unbackedMs: number;
  /** The most samples in a row that saw one blackhole (one can be the race of the reads with the router's own lag). */
  unbackedSeen: number;
  resolutionMs: number;
  samples: number;
  long: boolean;
}

const record = resultsFile<FaultOutcome & { test: string }>(RESULTS_FILE);

/** Records one fault's outcome, under its name. */
export function recordFault(o: FaultOutcome): void {
  record({ ...o, test: o.fault });
}

/** Judges a fault: the window from its start to convergence, in the outcome's figures. */
export function judge(report: WindowReport, faultEndMs: number, convergedAtMs: number): Pick<FaultOutcome, 'convergedAfterMs' | 'longestMs' | 'longest' | 'byKind' | 'unbackedMs' | 'unbackedSeen' | 'resolutionMs' | 'samples'> {
  const l = report.longest;
  return {
    convergedAfterMs: Math.max(0, Math.round(convergedAtMs - faultEndMs)),
    longestMs: Math.round(report.longestMs),
    ...(l ? { longest: `${l.where} ${l.kind} ${l.subject}` } : {}),
    byKind: report.byKind,
    unbackedMs: Math.round(report.byKind['unbacked-route']?.longestMs ?? 0),
    unbackedSeen: Math.max(0, ...report.divergences.filter((d) => d.kind === 'unbacked-route').map((d) => d.seen)),
    resolutionMs: Math.round(report.resolutionMs),
    samples: report.samples,
  };
}
