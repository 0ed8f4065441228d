// The bookkeeping of the invariant checker, apart from any lab so that it is tested on its own:
// samples come in with the differences they saw (keyed), and each difference is timed from the
// first sample that saw it to the first that did not. A window of the run is then judged: the
// longest divergence that overlapped it, the count and longest per kind, and the resolution
// (the median time between two samples), which every duration here is only as fine as.

export type DifferenceKind = 'missing-address' | 'extra-address' | 'missing-route' | 'extra-route' | 'unbacked-route' | 'status' | 'lease';

export interface Difference {
  where: string;
  kind: DifferenceKind;
  subject: string;
}

/** One divergence: from the sample that first saw it to the first that did not (open: no `toMs`). */
export interface Divergence extends Difference {
  fromMs: number;
  toMs?: number;
  /** Samples that saw it. */
  seen: number;
}

export interface SampleRecord {
  atMs: number;
  tookMs: number;
  /** Differences seen; -1 when the sample could not be taken. */
  differences: number;
  desired: number;
  error?: string;
}

/** A window of the run, judged. */
export interface WindowReport {
  fromMs: number;
  toMs: number;
  samples: number;
  failedSamples: number;
  /** Median time between two samples: the resolution of every duration here. */
  resolutionMs: number;
  /** The longest divergence that overlapped the window (still open ones up to `toMs`). */
  longestMs: number;
  longest?: Divergence;
  /** Per kind: how many divergences, the longest. */
  byKind: Partial<Record<DifferenceKind, { count: number; longestMs: number }>>;
  divergences: Divergence[];
}

export const differenceKey = (d: Difference) => `${d.where} ${d.kind} ${d.subject}`;

export class DivergenceTracker {
  readonly samples: SampleRecord[] = [];
  private readonly open = new Map<string, Divergence>();
  private readonly closed: Divergence[] = [];

  /** A sample taken at `atMs` that saw `differences` (a failed sample changes nothing but is counted). */
  observe(record: SampleRecord, differences: readonly Difference[] | undefined): void {
    this.samples.push(record);
    if (!differences) return;
    const seen = new Map(differences.map((d) => [differenceKey(d), d]));
    for (const [key, d] of this.open) {
      if (seen.has(key)) continue;
      d.toMs = record.atMs;
      this.closed.push(d);
      this.open.delete(key);
    }
    for (const [key, d] of seen) {
      const open = this.open.get(key);
      if (open) open.seen++;
      else this.open.set(key, { where: d.where, kind: d.kind, subject: d.subject, fromMs: record.atMs, seen: 1 });
    }
  }

  /** The divergences open now. */
  current(): Divergence[] {
    return [...this.open.values()];
  }

  /** Judges the window [fromMs, toMs]. */
  report(fromMs: number, toMs: number): WindowReport {
    const inWindow = this.samples.filter((s) => s.atMs >= fromMs && s.atMs <= toMs);
    const gaps = inWindow.slice(1).map((s, i) => s.atMs - inWindow[i]!.atMs).sort((a, b) => a - b);
    const divergences = [...this.closed, ...this.open.values()].filter((d) => d.fromMs <= toMs && (d.toMs ?? Infinity) >= fromMs);
    const duration = (d: Divergence) => Math.min(d.toMs ?? toMs, toMs) - d.fromMs;
    const byKind: WindowReport['byKind'] = {};
    let longest: Divergence | undefined;
    for (const d of divergences) {
      const k = (byKind[d.kind] ??= { count: 0, longestMs: 0 });
      k.count++;
      k.longestMs = Math.max(k.longestMs, duration(d));
      if (!longest || duration(d) > duration(longest)) longest = d;
    }
    return {
      fromMs,
      toMs,
      samples: inWindow.length,
      failedSamples: inWindow.filter((s) => s.differences < 0).length,
      resolutionMs: gaps.length ? gaps[Math.floor(gaps.length / 2)]! : 0,
      longestMs: longest ? duration(longest) : 0,
      ...(longest ? { longest } : {}),
      byKind,
      divergences,
    };
  }
}
