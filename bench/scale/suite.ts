// The scale suite (`npm run bench`, section "scale"): every contender in the same lab, several
// runs each, the figures the issue asks for, and the goals marked met or not. Writes the run as
// JSON, the tables as Markdown and a plot of time against N as SVG (report.ts, plot.ts).
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { type ChurnResult, birdChurn, gobgpChurn, vipSpeakerChurn } from './churn.js';
import { type ColdStartRun, coldStart } from './cold-start.js';
import type { Contender } from './contender.js';
import { bird } from './contenders/bird.js';
import { exabgp } from './contenders/exabgp.js';
import { gobgp } from './contenders/gobgp.js';
import { vipSpeaker } from './contenders/vip-speaker.js';
import { ScaleLab, scaleSkipReason } from './topology.js';
import { type VipFamily, benchVips } from './vips.js';

export interface SuiteOptions {
  /** Runs of each cold start (the median and spread come from them). */
  runs: number;
  /** Churn samples of one VIP each, per mechanism. */
  churnSamples: number;
  /** The burst of new VIPs. */
  burst: number;
  /** VIPs up during the churn and the memory figures. */
  large: number;
  /** Cold starts to measure: [family, N]. */
  sizes: Array<[VipFamily, number]>;
  /** Resident memory is read this long after the router holds every route (the 100,000 runs). */
  settleMs: number;
  timeoutMs: number;
  log: (line: string) => void;
}

export const FULL: Omit<SuiteOptions, 'log'> = {
  runs: 3,
  churnSamples: 100,
  burst: 1000,
  large: 100_000,
  sizes: [['ipv4', 1000], ['ipv4', 10_000], ['ipv4', 100_000], ['ipv6', 10_000]],
  // vip-speaker collects its garbage 6 s after its last large change (src/memory.ts): read after.
  settleMs: 12_000,
  timeoutMs: 180_000,
};

/** `--quick`: one run of each, 20 churn samples; the same sizes, so that every goal is looked at. */
export const QUICK: Omit<SuiteOptions, 'log'> = { ...FULL, runs: 1, churnSamples: 20 };

export interface ColdStartSeries {
  contender: string;
  family: VipFamily;
  n: number;
  peers: 1 | 2;
  runs: ColdStartRun[];
  error?: string;
}

export interface SuiteResult {
  date: string;
  machine: { cpus: number; model: string; memoryGiB: number; kernel: string; loadBefore: number[]; loadAfter: number[] };
  versions: Record<string, string>;
  options: Omit<SuiteOptions, 'log'>;
  coldStarts: ColdStartSeries[];
  churn: Record<string, ChurnResult | { error: string }>;
}

export const CONTENDERS: readonly Contender[] = [vipSpeaker, bird, gobgp, exabgp];

export function suiteSkipReason(): string | undefined {
  return scaleSkipReason();
}

function machine(): Pick<SuiteResult['machine'], 'cpus' | 'model' | 'memoryGiB' | 'kernel'> {
  return {
    cpus: cpus().length,
    model: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim(),
  };
}

/** Runs `fn` in a lab of its own, destroyed whatever happens; a failure becomes the error text. */
async function inLab<T>(label: string, fn: (lab: ScaleLab) => Promise<T>): Promise<T | { error: string }> {
  const lab = new ScaleLab(label);
  try {
    await lab.build();
    return await fn(lab);
  } catch (error) {
    return { error: (error as Error).message.slice(0, 500) };
  } finally {
    lab.destroy();
  }
}

export async function runSuite(options: SuiteOptions): Promise<SuiteResult> {
  const log = options.log;
  const contenders = CONTENDERS.filter((c) => {
    const skip = c.skipReason();
    if (skip) log(`${c.name}: skipped (${skip})`);
    return !skip;
  });
  const { log: _log, ...plain } = options;
  const result: SuiteResult = {
    date: new Date().toISOString(),
    machine: { ...machine(), loadBefore: loadavg(), loadAfter: [] },
    versions: Object.fromEntries(contenders.map((c) => [c.name, c.version()])),
    options: plain,
    coldStarts: [],
    churn: {},
  };
  const frr = execFileSync('/usr/lib/frr/bgpd', ['--version'], { encoding: 'utf8' }).match(/version (\S+)/)?.[1] ?? 'unknown';
  result.versions['FRR (router)'] = frr;

  // One lab for all cold starts: each run ends with the router empty and the session down.
  const plan: Array<{ contender: Contender; family: VipFamily; n: number; peers: 1 | 2 }> = [];
  for (const [family, n] of options.sizes) for (const contender of contenders) plan.push({ contender, family, n, peers: 1 });
  if (contenders.includes(vipSpeaker)) plan.push({ contender: vipSpeaker, family: 'ipv4', n: options.large, peers: 2 });
  const lab = new ScaleLab('scale');
  try {
    await lab.build();
    for (const step of plan) {
      const series: ColdStartSeries = { contender: step.contender.name, family: step.family, n: step.n, peers: step.peers, runs: [] };
      result.coldStarts.push(series);
      const vips = benchVips(step.family, step.n);
      for (let r = 0; r < options.runs; r++) {
        try {
          const run = await coldStart(lab, step.contender, vips, { peers: step.peers, timeoutMs: options.timeoutMs, ...(step.n >= options.large ? { settleMs: options.settleMs } : {}) });
          series.runs.push(run);
          log(`cold start ${step.contender.name} ${step.n.toLocaleString('en-US')} ${step.family}${step.peers === 2 ? ', two peers' : ''}: ${run.allMs.toFixed(0)} ms, RSS ${run.rssMiB.toFixed(0)} MiB, SIGTERM to router empty ${run.routerEmptyMs.toFixed(0)} ms`);
        } catch (error) {
          series.error = (error as Error).message.slice(0, 500);
          log(`cold start ${step.contender.name} ${step.n} ${step.family}: FAILED: ${series.error}`);
          break;
        }
      }
    }
  } finally {
    lab.destroy();
  }

  const churnOptions = { base: options.large, samples: options.churnSamples, burst: options.burst, timeoutMs: options.timeoutMs };
  const churns: Array<[Contender, (lab: ScaleLab) => Promise<ChurnResult>]> = [
    [vipSpeaker, (l) => vipSpeakerChurn(l, churnOptions)],
    [bird, (l) => birdChurn(l, bird, churnOptions)],
    [gobgp, (l) => gobgpChurn(l, gobgp, churnOptions)],
  ];
  for (const [contender, run] of churns) {
    if (!contenders.includes(contender)) continue;
    log(`churn ${contender.name} with ${options.large.toLocaleString('en-US')} VIPs up ...`);
    result.churn[contender.name] = await inLab('churn', run);
  }
  result.machine.loadAfter = loadavg();
  return result;
}
