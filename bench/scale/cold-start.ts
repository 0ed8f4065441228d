// One cold start of one contender: the clock starts just before the process, and stops when
// the router holds every route. Then its memory and CPU, then SIGTERM: the time until the router
// holds none of its routes, and until the process has exited. For vip-speaker also whether every
// VIP was local on the node (counted by its ownership mark; one bound and connected to) and
// whether the node is clean once it has exited.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createVipPlacer } from '../../src/vip/index.js';
import { type Contender, logTail, processFigures } from './contender.js';
import { SPEAKER, type ScaleLab } from './topology.js';
import type { NeighborView } from './vty.js';
import type { BenchVips } from './vips.js';

const execFileP = promisify(execFile);

export interface ColdStartRun {
  /** Process start until the router shows the session Established. */
  establishedMs: number;
  /** Process start until the router holds every route (on every session when there are two). */
  allMs: number;
  /** When the router held every route: resident memory, its peak so far, CPU seconds (user + system). */
  rssMiB: number;
  peakMiB: number;
  cpuSeconds: number;
  /** Resident memory `settleMs` later (when asked for), and the peak by then. */
  settledRssMiB?: number;
  settledPeakMiB?: number;
  /** SIGTERM until the router holds none of the routes. */
  routerEmptyMs: number;
  /** SIGTERM until the process has exited. */
  exitMs: number;
  /** vip-speaker: VIPs local on the node when all routes were held, and left after its exit. */
  localAtAll?: number;
  leftAfterExit?: number;
  /** vip-speaker: a sample VIP accepted a bind() and a connection. */
  bindWorked?: boolean;
}

const holdsAll = (want: number, family: BenchVips['family']) => (v: NeighborView) => v.state === 'Established' && (family === 'ipv4' ? v.ipv4 : v.ipv6) === want;

export async function coldStart(lab: ScaleLab, contender: Contender, vips: BenchVips, options: { peers: 1 | 2; timeoutMs: number; settleMs?: number }): Promise<ColdStartRun> {
  await contender.prepare(lab, vips, { peers: options.peers });
  const neighbors = options.peers === 2 ? [SPEAKER.ipv4, SPEAKER.second] : [SPEAKER.ipv4];
  const want = vips.addresses.length;
  const start = performance.now();
  const running = contender.start(lab, { peers: options.peers });
  let exited = false;
  void running.exited.then(() => (exited = true));
  const failIfGone = (v: NeighborView) => {
    if (exited) throw new Error(`${contender.name} exited early: ${logTail(lab, contender.logName)}`);
    return v;
  };
  try {
    const establishedMs = await lab.until(start, (v) => failIfGone(v).state === 'Established', { what: `${contender.name}'s session`, timeoutMs: options.timeoutMs });
    let allMs = 0;
    for (const neighbor of neighbors) {
      allMs = Math.max(allMs, await lab.until(start, (v) => holdsAll(want, vips.family)(failIfGone(v)), { neighbor, what: `${want} routes from ${contender.name} via ${neighbor}`, timeoutMs: options.timeoutMs }));
    }
    await running.feeding;
    const figures = processFigures(running.child.pid!);
    const run: ColdStartRun = { establishedMs, allMs, ...figures, routerEmptyMs: NaN, exitMs: NaN };
    if (options.settleMs) {
      await new Promise((r) => setTimeout(r, options.settleMs));
      const later = processFigures(running.child.pid!);
      run.settledRssMiB = later.rssMiB;
      run.settledPeakMiB = later.peakMiB;
    }
    if (contender.name === 'vip-speaker') {
      run.localAtAll = await localVips(lab);
      run.bindWorked = await bindWorks(lab, vips.addresses[Math.floor(vips.addresses.length / 2)]!);
    }
    const stopAt = performance.now();
    running.child.kill('SIGTERM');
    run.routerEmptyMs = await lab.until(stopAt, (v) => v.ipv4 + v.ipv6 === 0, { what: `the router to drop ${contender.name}'s routes`, timeoutMs: options.timeoutMs });
    run.exitMs = (await withTimeout(running.exited, options.timeoutMs, `${contender.name} to exit`)) - stopAt;
    if (contender.name === 'vip-speaker') run.leftAfterExit = await localVips(lab);
    return run;
  } finally {
    if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGKILL');
    await running.exited;
    for (const neighbor of neighbors) await lab.until(performance.now(), (v) => v.state !== 'Established' && v.ipv4 + v.ipv6 === 0, { neighbor, what: 'the router to see the session down', timeoutMs: 60_000, pollMs: 20 });
  }
}

/** VIPs carrying vip-speaker's mark on the speaker's lo, as addresses or local routes. */
export async function localVips(lab: ScaleLab): Promise<number> {
  return (await createVipPlacer({ interface: 'lo', placement: 'auto', netns: lab.lab.ns('speaker') }).listOwned()).length;
}

/** A TCP listener bound to the VIP in the speaker namespace accepts a connection to it. */
async function bindWorks(lab: ScaleLab, vip: string): Promise<boolean> {
  const script = `const s=require('net').createServer(c=>c.end('ok')).listen(9,${JSON.stringify(vip)},()=>require('net').connect(9,${JSON.stringify(vip)}).on('data',d=>{console.log(String(d));process.exit(0)}).on('error',e=>{console.log(e.code);process.exit(1)})).on('error',e=>{console.log(e.code);process.exit(1)})`;
  try {
    const { stdout } = await execFileP('ip', ['netns', 'exec', lab.lab.ns('speaker'), process.execPath, '-e', script], { timeout: 10_000 });
    return stdout.trim() === 'ok';
  } catch {
    return false;
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
