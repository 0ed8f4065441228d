// The suite's run as tables (Markdown) with the goals of the scale issue marked met or not, the
// ratio of each contender to vip-speaker from the same run, and the JSON of the run.
import type { ChurnResult } from './churn.js';
import type { ColdStartRun } from './cold-start.js';
import { type Spread, formatMs, formatNumber, percentile, spread } from './stats.js';
import type { ColdStartSeries, SuiteResult } from './suite.js';

const VS = 'vip-speaker';

export interface Goal {
  goal: string;
  measured: string;
  met: boolean | undefined;
}

const series = (r: SuiteResult, contender: string, n: number, family: 'ipv4' | 'ipv6' = 'ipv4', peers: 1 | 2 = 1): ColdStartSeries | undefined =>
  r.coldStarts.find((s) => s.contender === contender && s.n === n && s.family === family && s.peers === peers);
const of = (s: ColdStartSeries | undefined, pick: (run: ColdStartRun) => number | undefined): Spread => spread((s?.runs ?? []).map((run) => pick(run) ?? NaN));
const isChurn = (c: SuiteResult['churn'][string] | undefined): c is ChurnResult => c !== undefined && !('error' in c);

export function goals(r: SuiteResult): Goal[] {
  const out: Goal[] = [];
  const cold = (n: number, limit: number) => {
    const s = of(series(r, VS, n), (run) => run.allMs);
    out.push({ goal: `${n.toLocaleString('en-US')} VIPs to the router in ≤ ${limit / 1000} s`, measured: formatMs(s), met: Number.isFinite(s.median) ? s.median <= limit : undefined });
  };
  cold(1000, 500);
  cold(10_000, 1000);
  cold(r.options.large, 2000);
  const large = r.options.large;
  const vs = of(series(r, VS, large), (run) => run.allMs);
  const bird = of(series(r, 'BIRD 2', large), (run) => run.allMs);
  out.push({ goal: `${large.toLocaleString('en-US')} VIPs ahead of BIRD`, measured: `${formatMs(vs)} vs ${formatMs(bird)}`, met: Number.isFinite(vs.median) && Number.isFinite(bird.median) ? vs.median < bird.median : undefined });
  const local = (series(r, VS, large)?.runs ?? []).every((run) => run.localAtAll === large && run.bindWorked === true);
  out.push({ goal: 'every VIP local on the node when the router holds it (counted; one bound and connected to)', measured: local ? 'yes, every run' : 'no', met: (series(r, VS, large)?.runs.length ?? 0) > 0 ? local : undefined });

  const two = of(series(r, VS, large, 'ipv4', 2), (run) => run.settledRssMiB);
  out.push({ goal: `resident memory ≤ 100 MiB at ${large.toLocaleString('en-US')} VIPs, two peers (settled)`, measured: formatNumber(two, 1, 'MiB'), met: Number.isFinite(two.median) ? two.median <= 100 : undefined });
  const one = of(series(r, VS, large), (run) => run.settledRssMiB);
  const small = of(series(r, VS, 1000), (run) => run.rssMiB);
  const perRoute = ((one.median - small.median) * 2 ** 20) / (large - 1000);
  const perSecondPeer = ((two.median - one.median) * 2 ** 20) / large;
  out.push({
    goal: 'a second peer far below the per-route cost (under a quarter of it)',
    measured: `${perSecondPeer.toFixed(0)} octets per route for the second peer, ${perRoute.toFixed(0)} per route`,
    met: Number.isFinite(perRoute) && Number.isFinite(perSecondPeer) ? perSecondPeer < perRoute / 4 : undefined,
  });

  const churn = r.churn[VS];
  if (isChurn(churn)) {
    const p99 = (xs?: number[]) => (xs?.length ? percentile(xs, 99) : NaN);
    const service = p99(churn.serviceMs);
    const reload = p99(churn.reloadMs);
    out.push({ goal: 'one VIP added by a Service, p99 < 50 ms with 100,000 up', measured: `${service.toFixed(1)} ms`, met: service < 50 });
    out.push({ goal: 'one VIP added by a config reload, p99 < 50 ms with 100,000 up', measured: `${reload.toFixed(1)} ms`, met: reload < 50 });
    out.push({ goal: 'a burst of 1,000 new VIPs (one reload) in < 1 s', measured: `${(churn.burstReloadMs ?? NaN).toFixed(0)} ms`, met: (churn.burstReloadMs ?? Infinity) < 1000 });
    out.push({ goal: 'a burst of 1,000 new VIPs (1,000 Services sent to the API server at once) in < 1 s', measured: `${(churn.burstServicesMs ?? NaN).toFixed(0)} ms`, met: (churn.burstServicesMs ?? Infinity) < 1000 });
  } else {
    out.push({ goal: 'churn with 100,000 up', measured: churn ? `failed: ${churn.error}` : 'not run', met: undefined });
  }
  const stop = series(r, VS, large);
  const empty = of(stop, (run) => run.routerEmptyMs);
  const exit = of(stop, (run) => run.exitMs);
  const clean = (stop?.runs ?? []).every((run) => run.leftAfterExit === 0 && run.exitMs <= 2000);
  out.push({ goal: `SIGTERM with ${large.toLocaleString('en-US')} up: the router holds none within 100 ms`, measured: formatMs(empty), met: Number.isFinite(empty.median) ? empty.max <= 100 : undefined });
  out.push({ goal: 'SIGTERM: the node clean (no VIP left) within 2 s', measured: `process exit ${formatMs(exit)}, VIPs left: ${(stop?.runs ?? []).map((run) => run.leftAfterExit).join(', ')}`, met: (stop?.runs.length ?? 0) > 0 ? clean : undefined });
  return out;
}

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export function markdown(r: SuiteResult): string {
  const contenders = Object.keys(r.versions).filter((c) => c !== 'FRR (router)');
  const others = contenders.filter((c) => c !== VS);
  const lines: string[] = [];
  lines.push(`Run of ${r.date.slice(0, 16).replace('T', ' ')} UTC on ${r.machine.cpus} × ${r.machine.model}, ${r.machine.memoryGiB} GiB, Linux ${r.machine.kernel}; load average ${r.machine.loadBefore.map((l) => l.toFixed(1)).join(' ')} before, ${r.machine.loadAfter.map((l) => l.toFixed(1)).join(' ')} after.`);
  lines.push(`Versions: ${Object.entries(r.versions).map(([k, v]) => `${k} ${v}`).join(', ')}. ${r.options.runs} run(s) per cell: median (min–max).`, '');

  lines.push('### Cold start: process start until the router holds every route', '');
  const sizes = [...new Map(r.coldStarts.filter((s) => s.peers === 1).map((s) => [`${s.family} ${s.n}`, s])).values()];
  lines.push(
    table(
      ['VIPs', ...contenders, ...others.map((c) => `${c} ÷ ${VS}`)],
      sizes.map((size) => {
        const cell = (c: string) => {
          const s = series(r, c, size.n, size.family);
          return s?.error && !s.runs.length ? 'failed' : formatMs(of(s, (run) => run.allMs));
        };
        const ratio = (c: string) => {
          const a = of(series(r, c, size.n, size.family), (run) => run.allMs).median;
          const b = of(series(r, VS, size.n, size.family), (run) => run.allMs).median;
          return Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : 'n/a';
        };
        return [`${size.n.toLocaleString('en-US')} ${size.family === 'ipv4' ? 'IPv4' : 'IPv6'}`, ...contenders.map(cell), ...others.map(ratio)];
      }),
    ),
    '',
  );
  lines.push('Session Established at the router (ms from process start), same runs:', '');
  lines.push(table(['VIPs', ...contenders], sizes.map((size) => [`${size.n.toLocaleString('en-US')} ${size.family === 'ipv4' ? 'IPv4' : 'IPv6'}`, ...contenders.map((c) => formatMs(of(series(r, c, size.n, size.family), (run) => run.establishedMs)))])), '');

  const large = r.options.large;
  lines.push(`### At ${large.toLocaleString('en-US')} IPv4 VIPs: memory, CPU, SIGTERM`, '');
  const rows = [...contenders.map((c) => [c, series(r, c, large)] as const), [`${VS}, two peers`, series(r, VS, large, 'ipv4', 2)] as const];
  lines.push(
    table(
      ['', 'RSS when all held', `RSS ${r.options.settleMs / 1000} s later`, 'peak RSS', 'CPU s to all held', 'SIGTERM → router holds none', 'SIGTERM → process exit'],
      rows.map(([name, s]) => [
        name,
        formatNumber(of(s, (run) => run.rssMiB), 1, 'MiB'),
        formatNumber(of(s, (run) => run.settledRssMiB), 1, 'MiB'),
        formatNumber(of(s, (run) => run.settledPeakMiB ?? run.peakMiB), 1, 'MiB'),
        formatNumber(of(s, (run) => run.cpuSeconds), 2, 's'),
        formatMs(of(s, (run) => run.routerEmptyMs)),
        formatMs(of(s, (run) => run.exitMs)),
      ]),
    ),
    '',
  );

  lines.push(`### Churn with ${large.toLocaleString('en-US')} VIPs up: one VIP until the router holds it (${r.options.churnSamples} samples), and a burst of ${r.options.burst.toLocaleString('en-US')}`, '');
  const churnRows: string[][] = [];
  for (const [name, c] of Object.entries(r.churn)) {
    if (!isChurn(c)) {
      churnRows.push([name, `failed: ${c.error.slice(0, 120)}`, '', '', '']);
      continue;
    }
    const q = (xs: number[]) => `${percentile(xs, 50).toFixed(1)} / ${percentile(xs, 99).toFixed(1)} ms`;
    if (c.serviceMs) churnRows.push([`${name}: a Service created`, q(c.serviceMs), c.burstServicesMs !== undefined ? `${c.burstServicesMs.toFixed(0)} ms` : '', `${c.rssAfterMiB.toFixed(1)} MiB`]);
    if (c.reloadMs) churnRows.push([`${name}: config reload`, q(c.reloadMs), c.burstReloadMs !== undefined ? `${c.burstReloadMs.toFixed(0)} ms` : '', `${c.rssAfterMiB.toFixed(1)} MiB`]);
    if (c.apiMs) churnRows.push([`${name}: API (AddPathStream)`, q(c.apiMs), c.burstApiMs !== undefined ? `${c.burstApiMs.toFixed(0)} ms` : '', `${c.rssAfterMiB.toFixed(1)} MiB`]);
  }
  lines.push(table(['', 'p50 / p99', 'burst', 'RSS after'], churnRows), '');

  lines.push('### Goals', '');
  lines.push(table(['goal', 'measured', ''], goals(r).map((g) => [g.goal, g.measured, g.met === undefined ? 'not measured' : g.met ? 'met' : '**NOT MET**'])));
  return lines.join('\n') + '\n';
}
