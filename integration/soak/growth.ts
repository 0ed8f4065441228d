// Whether a series sampled during the soak grows without bound. A leak shows as a level that
// keeps rising: so, after a warm-up (a fresh process grows its heap and caches first), the rest
// of the run is cut into quarters, and a series is judged to grow without bound when the median
// of every quarter is above the one before AND the last quarter's median exceeds the first's by
// more than the series' allowance. Both at once: a steady rise by a little (V8 settling its
// heap) and one jump that then holds (a cache filled once) are bounded; a staircase is not.
// The allowances are generous on purpose: this is a lab on a shared machine, not a benchmark.

export interface SeriesVerdict {
  name: string;
  /** First and last sample after the warm-up, and the maximum over the whole run. */
  start: number;
  end: number;
  max: number;
  /** Medians of the four quarters after the warm-up. */
  quarterMedians: number[];
  /** The last quarter's median minus the first's. */
  growth: number;
  allowance: number;
  grows: boolean;
  /** One line for the report. */
  reason: string;
}

export interface SeriesSpec {
  name: string;
  /** Growth beyond which a rise in every quarter counts (in the series' unit). */
  allowance: number;
}

const QUARTERS = 4;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `points`: [t, value] in time order; samples before `warmupUntil` are left out of the verdict. */
export function judgeGrowth(spec: SeriesSpec, points: ReadonlyArray<readonly [number, number]>, warmupUntil: number): SeriesVerdict {
  const after = points.filter(([t]) => t >= warmupUntil).map(([, v]) => v);
  const max = Math.max(...points.map(([, v]) => v));
  if (after.length < QUARTERS * 2) {
    return { name: spec.name, start: after[0] ?? NaN, end: after.at(-1) ?? NaN, max, quarterMedians: [], growth: 0, allowance: spec.allowance, grows: false, reason: `too few samples after the warm-up (${after.length}) to judge` };
  }
  const size = Math.floor(after.length / QUARTERS);
  const quarterMedians = Array.from({ length: QUARTERS }, (_, q) => median(after.slice(q * size, q === QUARTERS - 1 ? after.length : (q + 1) * size)));
  const rising = quarterMedians.every((m, i) => i === 0 || m > quarterMedians[i - 1]!);
  const growth = quarterMedians[QUARTERS - 1]! - quarterMedians[0]!;
  const grows = rising && growth > spec.allowance;
  const reason = grows
    ? `rises in every quarter, by ${growth} in all (allowed ${spec.allowance})`
    : rising
      ? `rises in every quarter but by ${growth} only (allowed ${spec.allowance})`
      : `does not rise in every quarter (medians ${quarterMedians.join(', ')})`;
  return { name: spec.name, start: after[0]!, end: after.at(-1)!, max, quarterMedians, growth, allowance: spec.allowance, grows, reason };
}
