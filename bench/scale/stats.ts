// Median and spread of a few runs, and percentiles of many samples.

export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function spread(values: readonly number[]): Spread {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return { median: NaN, min: NaN, max: NaN, runs: 0 };
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)!, runs: sorted.length };
}

/** The p-th percentile (0..100) by the nearest-rank method. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** "412 (388–455)" in ms, or "1.94 s (1.80–2.10)" from a second up. */
export function formatMs(s: Spread): string {
  if (!Number.isFinite(s.median)) return 'n/a';
  const seconds = s.median >= 1000;
  const f = (v: number) => (seconds ? (v / 1000).toFixed(2) : v.toFixed(0));
  return s.runs > 1 ? `${f(s.median)}${seconds ? ' s' : ' ms'} (${f(s.min)}–${f(s.max)})` : `${f(s.median)}${seconds ? ' s' : ' ms'}`;
}

export function formatNumber(s: Spread, digits: number, unit: string): string {
  if (!Number.isFinite(s.median)) return 'n/a';
  const f = (v: number) => v.toFixed(digits);
  return s.runs > 1 ? `${f(s.median)} ${unit} (${f(s.min)}–${f(s.max)})` : `${f(s.median)} ${unit}`;
}
