// The soak's fixed settings: what each node announces to begin with, how fast things change,
// what counts as growth, and where the figures go.
import type { SeriesSpec } from './growth.js';

export const BASE_VIPS = {
  node1: ['203.0.113.10', '2001:db8:f::10'],
  node2: ['203.0.113.11', '2001:db8:f::11'],
};

/** A Service created, and the oldest deleted once more than SERVICES_KEPT live, this often. */
export const CHURN_PERIOD_MS = 1000;
export const SERVICES_KEPT = 20;
/** A flap (and two reloads) this often. */
export const FLAP_CYCLE_MS = 6000;
/** The API server goes down this often, for this long. */
export const OUTAGE_EVERY_MS = 120_000;
export const OUTAGE_MS = 20_000;
/** Samples of the daemon this often. */
export const SAMPLE_INTERVAL_MS = 1000;
/** The invariant checker, slower than in the fault lab: it runs for the whole soak. */
export const CHECK_INTERVAL_MS = 1000;
/** Left out of the growth verdict: at least a minute, or a tenth of the run. */
export const MIN_WARMUP_MS = 60_000;
export const WARMUP_SHARE = 0.1;
/** The live heap (after a full collection) may grow this much from the warm-up's end to the run's. */
export const LIVE_HEAP_ALLOWANCE_BYTES = 8 * 1024 * 1024;
/** How long V8 may take to write a heap snapshot on a loaded machine. */
export const SNAPSHOT_TIMEOUT_MS = 120_000;
/** After the run, the lab must agree with the desired set again within this. */
export const SETTLE_TIMEOUT_MS = 180_000;

const MIB = 1024 * 1024;

/** The series judged, and the rise in every quarter each may show without failing. */
export const SERIES: Record<'rss' | 'heap' | 'fds' | 'timers' | 'listeners' | 'sockets', SeriesSpec> = {
  rss: { name: 'resident memory (bytes)', allowance: 32 * MIB },
  heap: { name: 'V8 heap in use (bytes)', allowance: 16 * MIB },
  fds: { name: 'open file descriptors', allowance: 4 },
  timers: { name: 'timers (Timeout)', allowance: 10 },
  listeners: { name: 'listening TCP sockets', allowance: 1 },
  sockets: { name: 'TCP connections', allowance: 4 },
};
