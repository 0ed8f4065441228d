// The soak's verdicts and its pages: docs/soak.svg (the plot), docs/soak.json (the figures and
// every sample) and the figures block of docs/soak.md, between its markers. The pages can be
// drawn again from a run's figures, measuring nothing: node dist/integration/soak/report.js docs/soak.json
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type SeriesVerdict, judgeGrowth } from './growth.js';
import type { HeapGrowth } from './heap.js';
import { MIN_WARMUP_MS, SERIES, WARMUP_SHARE } from './plan.js';
import type { Sample } from './sampler.js';
import { lineChart } from './svg.js';

const DOCS = fileURLToPath(new URL('../../../docs/', import.meta.url));
export const BEGIN = '<!-- soak figures: written by npm run soak -->';
export const END = '<!-- end of the soak figures -->';
const MIB = 1024 * 1024;

export interface SoakFigures {
  minutes: number;
  runSeconds: number;
  cores: number;
  loadBefore: number[];
  loadAfter: number[];
  loadMeanDuring: number;
  samples: Sample[];
  flaps: { remote: number; sessionsEstablished: number; sessionsDropped: number };
  services: { created: number; deleted: number };
  reloads: { written: number; applied: number; refused: number };
  outages: Array<[number, number]>;
  settled: boolean;
  settledAfterSeconds?: number;
  divergence: { longestMs: number; longest: string; unbackedMs: number; unbackedSeen: number };
  maxListenersWarnings: number;
  /** The live heap from V8 snapshots at the warm-up's end and at the end, and what grew most between. */
  liveHeap?: { warmupBytes?: number; warmupAtSeconds?: number; endBytes: number; endAtSeconds: number; growth: HeapGrowth[]; allowanceBytes: number };
  verdicts: SeriesVerdict[];
}

type SeriesName = keyof typeof SERIES;

/** Each judged series as [t in ms, value], from the samples that have it. */
export function seriesOf(samples: readonly Sample[]): Record<SeriesName, Array<[number, number]>> {
  const pick = (f: (s: Sample) => number | undefined) => samples.flatMap((s): Array<[number, number]> => {
    const v = f(s);
    return v === undefined || Number.isNaN(v) ? [] : [[s.t, v]];
  });
  return {
    rss: pick((s) => s.rssBytes),
    heap: pick((s) => s.heapUsedBytes),
    fds: pick((s) => s.fds),
    timers: pick((s) => (s.resources ? s.resources.Timeout ?? 0 : undefined)),
    listeners: pick((s) => s.listening),
    sockets: pick((s) => s.connections),
  };
}

export function judgeSoak(samples: readonly Sample[], runSeconds: number): SeriesVerdict[] {
  const warmupUntil = Math.max(MIN_WARMUP_MS, runSeconds * 1000 * WARMUP_SHARE);
  const series = seriesOf(samples);
  return (Object.keys(SERIES) as SeriesName[]).map((k) => judgeGrowth(SERIES[k], series[k], warmupUntil));
}

const mib = (b: number) => `${(b / MIB).toFixed(1)} MiB`;

export function figuresMarkdown(f: SoakFigures): string {
  const first = f.samples[0];
  const last = f.samples.at(-1);
  const byName = new Map(f.verdicts.map((v) => [v.name, v]));
  const row = (label: string, spec: keyof typeof SERIES, format: (v: number) => string, startValue: number | undefined, endValue: number | undefined) => {
    const v = byName.get(SERIES[spec].name);
    const medians = v?.quarterMedians.length ? `quarter medians ${v.quarterMedians.map(format).join(', ')}` : (v?.reason ?? '');
    return `| ${label} | ${startValue === undefined ? '?' : format(startValue)} | ${endValue === undefined ? '?' : format(endValue)} | ${v ? format(v.max) : '?'} | ${v ? (v.grows ? '**grows**' : 'bounded') : '?'}: ${medians} |`;
  };
  const cpu = last && first ? last.cpuSeconds - first.cpuSeconds : 0;
  return [
    `${f.minutes} minutes${f.liveHeap ? ' with heap snapshots (the resident memory includes what writing them cost)' : ''} on ${f.cores} cores shared with other work: load average ${f.loadBefore.map((l) => l.toFixed(1)).join(' / ')} (1/5/15 min) before, ${f.loadMeanDuring.toFixed(1)} on average during, ${f.loadAfter.map((l) => l.toFixed(1)).join(' / ')} after. ${f.samples.length} samples; the daemon used ${cpu.toFixed(1)} s of CPU (${((cpu / f.runSeconds) * 100).toFixed(1)}% of one core).`,
    '',
    '| | at the start | at the end | highest | verdict, after the warm-up |',
    '|---|---|---|---|---|',
    row('resident memory', 'rss', mib, first?.rssBytes, last?.rssBytes),
    row('V8 heap in use', 'heap', mib, first?.heapUsedBytes, last?.heapUsedBytes),
    row('open file descriptors', 'fds', String, first?.fds, last?.fds),
    row('timers', 'timers', String, first?.resources?.Timeout, last?.resources?.Timeout),
    row('listening sockets', 'listeners', String, first?.listening, last?.listening),
    row('TCP connections', 'sockets', String, first?.connections, last?.connections),
    ...(f.liveHeap ? [liveHeapLine(f.liveHeap)] : []),
    '',
    `Handled: ${f.flaps.remote} flaps by the peer (the peer counted ${f.flaps.sessionsEstablished} sessions up and ${f.flaps.sessionsDropped} down), ${f.services.created} Services created and ${f.services.deleted} deleted, ${f.reloads.written} config files written (${f.reloads.applied} reloads applied, ${f.reloads.refused} refused as broken), ${f.outages.length} API outages of ${f.outages.length ? Math.round(f.outages[0]![1] - f.outages[0]![0]) : 0} s. ${f.maxListenersWarnings} MaxListenersExceededWarning in the log.`,
    '',
    f.settled
      ? `Afterwards the lab agreed with the desired set again ${f.settledAfterSeconds?.toFixed(1)} s after the last change: nothing lost. Longest divergence during the run: ${(f.divergence.longestMs / 1000).toFixed(1)} s (${f.divergence.longest}); blackholes: ${f.divergence.unbackedMs ? `${(f.divergence.unbackedMs / 1000).toFixed(1)} s at most (${f.divergence.unbackedSeen} samples)` : 'none'}.`
      : '**Afterwards the lab did not agree with the desired set again.**',
    '',
    '![resident memory, heap, file descriptors, timers and sockets of the daemon during the soak](soak.svg)',
  ].join('\n');
}

function liveHeapLine(h: NonNullable<SoakFigures['liveHeap']>): string {
  if (h.warmupBytes === undefined) return `| live heap (a V8 snapshot, after a full collection) | ? | ${mib(h.endBytes)} | | no snapshot at the warm-up's end |`;
  const growth = h.endBytes - h.warmupBytes;
  const top = h.growth.slice(0, 3).map((g) => `${g.kind} ${g.bytes >= 0 ? '+' : ''}${(g.bytes / 1024).toFixed(0)} KiB`).join(', ');
  const verdict = growth > h.allowanceBytes ? '**grows**' : 'bounded';
  return `| live heap (a V8 snapshot, after a full collection) | ${mib(h.warmupBytes)} at ${Math.round(h.warmupAtSeconds ?? 0)} s | ${mib(h.endBytes)} at ${Math.round(h.endAtSeconds)} s | | ${verdict}: ${(growth / 1024).toFixed(0)} KiB more (allowed ${mib(h.allowanceBytes)}); most: ${top} |`;
}

export function soakSvg(f: SoakFigures): string {
  const s = seriesOf(f.samples);
  const secs = (points: Array<[number, number]>, scale = 1) => points.map(([t, v]): [number, number] => [t / 1000, v / scale]);
  return lineChart(
    [
      { title: 'resident memory (MiB)', points: secs(s.rss, MIB), format: (v) => v.toFixed(0) },
      { title: 'V8 heap in use (MiB)', points: secs(s.heap, MIB), format: (v) => v.toFixed(0) },
      { title: 'open file descriptors', points: secs(s.fds) },
      { title: 'timers', points: secs(s.timers) },
      { title: 'listening sockets', points: secs(s.listeners) },
      { title: 'TCP connections', points: secs(s.sockets) },
    ],
    { title: `vip-speaker during a ${f.minutes}-minute soak`, spans: f.outages, spanLabel: 'API server down' },
  );
}

export function writeSoakDocs(f: SoakFigures): void {
  writeFileSync(`${DOCS}soak.svg`, soakSvg(f));
  writeFileSync(`${DOCS}soak.json`, JSON.stringify(f) + '\n');
  const file = `${DOCS}soak.md`;
  const doc = readFileSync(file, 'utf8');
  const from = doc.indexOf(BEGIN);
  const to = doc.indexOf(END);
  if (from < 0 || to < from) throw new Error(`docs/soak.md has no figure markers (${BEGIN} ... ${END})`);
  writeFileSync(file, doc.slice(0, from) + `${BEGIN}\n\n${figuresMarkdown(f)}\n\n${END}` + doc.slice(to + END.length));
  console.log('  docs/soak.md, docs/soak.json and docs/soak.svg written');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file = `${DOCS}soak.json`] = process.argv.slice(2);
  writeSoakDocs(JSON.parse(readFileSync(file, 'utf8')) as SoakFigures);
}
