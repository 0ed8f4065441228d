// The soak: `npm run soak -- --minutes 10` (add --no-docs for a trial run, --heap-snapshots to
// compare the live heap at the warm-up's end and at the end). For the given time,
// node1's vip-speaker lives through a flapping peer, Services created and deleted every second,
// reloads (one in ten broken) and API outages, while a sampler reads its resident memory, open
// file descriptors, timers, listening sockets and connections every second. At the end the lab
// must come back to exactly the desired set (nothing lost), and no series may grow without
// bound (growth.ts); the figures go to docs/soak.md, docs/soak.json and docs/soak.svg. Exits 1
// when the daemon died, a series grew, or the lab did not settle.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ServiceChurn, lbService } from '../faults/churn.js';
import { frrSkipReason } from '../support/frr.js';
import { labSkipReason } from '../support/lab.js';
import { wireSkipReason } from '../support/wire.js';
import { SoakActivities } from './activities.js';
import {
  BASE_VIPS,
  CHECK_INTERVAL_MS,
  CHURN_PERIOD_MS,
  FLAP_CYCLE_MS,
  LIVE_HEAP_ALLOWANCE_BYTES,
  MIN_WARMUP_MS,
  OUTAGE_EVERY_MS,
  OUTAGE_MS,
  SAMPLE_INTERVAL_MS,
  SERVICES_KEPT,
  SETTLE_TIMEOUT_MS,
  SNAPSHOT_TIMEOUT_MS,
  WARMUP_SHARE,
} from './plan.js';
import { type SoakFigures, judgeSoak, writeSoakDocs } from './report.js';
import type { Sample } from './sampler.js';
import { readHeapTotals, heapGrowth } from './heap.js';
import { TOR2, buildSoakLab } from './topology.js';

const SAMPLER = fileURLToPath(new URL('./sampler.js', import.meta.url));

function parseArgs(argv: string[]): { minutes: number; docs: boolean; snapshots: boolean } {
  let minutes = 10;
  let docs = true;
  let snapshots = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--minutes') minutes = Number(argv[++i]);
    else if (argv[i] === '--no-docs') docs = false;
    else if (argv[i] === '--heap-snapshots') snapshots = true;
    else throw new Error(`unknown argument ${argv[i]}: use --minutes N [--no-docs] [--heap-snapshots]`);
  }
  if (!(minutes > 0)) throw new Error('--minutes wants a positive number');
  return { minutes, docs, snapshots };
}

async function established(soak: Awaited<ReturnType<typeof buildSoakLab>>): Promise<{ established: number; dropped: number }> {
  const j = await soak.tor2.json<Record<string, { connectionsEstablished?: number; connectionsDropped?: number }>>(`show bgp neighbors ${TOR2.node1Address} json`);
  const n = j[TOR2.node1Address];
  return { established: n?.connectionsEstablished ?? 0, dropped: n?.connectionsDropped ?? 0 };
}

/** Signals the daemon to write a heap snapshot into `dir` and waits until the file is whole. */
async function heapSnapshot(pid: number, dir: string): Promise<string> {
  const before = new Set(readdirSync(dir));
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + SNAPSHOT_TIMEOUT_MS;
  let last = -1;
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    const file = readdirSync(dir).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    if (file) {
      const size = statSync(join(dir, file)).size;
      // V8 writes it in one go and closes it: a size that holds for a second is the whole file.
      if (size > 0 && size === last) return join(dir, file);
      last = size;
    }
    if (Date.now() > deadline) throw new Error(`no heap snapshot from the daemon within ${SNAPSHOT_TIMEOUT_MS} ms`);
  }
}

async function main(): Promise<number> {
  const { minutes, docs, snapshots } = parseArgs(process.argv.slice(2));
  const reason = labSkipReason() ?? frrSkipReason() ?? wireSkipReason();
  if (reason) {
    console.log(`soak skipped: ${reason}`);
    return 0;
  }
  const loadBefore = loadavg();
  console.log(`soak: ${minutes} min; ${cpus().length} cores, load average ${loadBefore.map((l) => l.toFixed(2)).join(' / ')}`);
  const soak = await buildSoakLab(CHECK_INTERVAL_MS);
  const { f } = soak;
  let sampler: ChildProcess | undefined;
  try {
    f.configure('node2', { staticVips: BASE_VIPS.node2 });
    await f.api.create('Service', lbService('web', '203.0.113.20'));
    await f.api.create('Service', lbService('web6', '2001:db8:f::20'));
    const activities = new SoakActivities(soak, { flapCycleMs: FLAP_CYCLE_MS, outageEveryMs: OUTAGE_EVERY_MS, outageMs: OUTAGE_MS }, () => (Date.now() - startedAt) / 1000);
    activities.writeNode1(true);
    // With --heap-snapshots, node1 again, able to write heap snapshots on SIGUSR2 (which collect
    // all garbage first). Writing one costs the process about as much memory as its heap, and
    // V8 keeps it: the resident memory of such a run is not that of a daemon left alone.
    const node1 = f.node('node1');
    const heapDir = join(f.lab.dir, 'heap');
    if (snapshots) {
      if (!existsSync(heapDir)) mkdirSync(heapDir);
      await node1.stop();
      await node1.start([], undefined, { prefix: ['env', `NODE_OPTIONS=--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${heapDir}`] });
    }
    await f.checker.converged({ timeoutMs: SETTLE_TIMEOUT_MS });
    const pid = node1.pid!;
    const logBefore = node1.log().length;
    const sessionsBefore = await established(soak);

    const samples: Sample[] = [];
    sampler = f.lab.spawn('node1', process.execPath, [SAMPLER, String(pid), '9469', String(SAMPLE_INTERVAL_MS)]);
    createInterface({ input: sampler.stdout! }).on('line', (line) => {
      const s = JSON.parse(line) as Sample & { fatal?: string };
      if (s.fatal) console.error(`soak: the sampler stopped: ${s.fatal}`);
      else samples.push(s);
    });
    const startedAt = Date.now();
    const checkFrom = f.checker.now();
    const churn = new ServiceChurn(f.api, { periodMs: CHURN_PERIOD_MS, keep: SERVICES_KEPT, prefix: 'soak' });
    churn.start();
    activities.start();
    const deadline = startedAt + minutes * 60_000;
    const loads: number[] = [];
    const warmupEnds = startedAt + Math.max(MIN_WARMUP_MS, minutes * 60_000 * WARMUP_SHARE);
    let warmupSnapshot: { path: string; atSeconds: number } | undefined;
    while (Date.now() < deadline) {
      if (snapshots && !warmupSnapshot && Date.now() >= warmupEnds) {
        const atSeconds = (Date.now() - startedAt) / 1000;
        warmupSnapshot = { path: await heapSnapshot(pid, heapDir), atSeconds };
      }
      await new Promise((r) => setTimeout(r, Math.max(0, Math.min(10_000, deadline - Date.now(), !snapshots || warmupSnapshot ? Infinity : warmupEnds - Date.now()))));
      loads.push(loadavg()[0]!);
      const last = samples.at(-1);
      if (!node1.running) throw new Error('node1\'s vip-speaker died during the soak');
      process.stdout.write(`\r  ${((Date.now() - startedAt) / 60_000).toFixed(1)} min: rss ${((last?.rssBytes ?? 0) / 2 ** 20).toFixed(1)} MiB, fds ${last?.fds}, timers ${last?.resources?.Timeout}, flaps ${activities.counters.remoteFlaps}, Services ${churn.created}   `);
    }
    process.stdout.write('\n');
    await churn.stop();
    await activities.stop();
    const runSeconds = (Date.now() - startedAt) / 1000;
    const heapA = warmupSnapshot ? readHeapTotals(warmupSnapshot.path) : undefined;
    const heapB = snapshots ? readHeapTotals(await heapSnapshot(pid, heapDir)) : undefined;
    const endedAt = f.checker.now();
    // Back to the start: tor2 configured, the API up; nothing may be left out of place.
    activities.writeNode1(true);
    const settledAt = await f.checker.converged({ timeoutMs: SETTLE_TIMEOUT_MS }).then((t) => t, () => undefined);
    const check = f.checker.report(checkFrom);
    const sessionsAfter = await established(soak);
    const log = node1.log().slice(logBefore);
    const figures: SoakFigures = {
      minutes,
      runSeconds,
      cores: cpus().length,
      loadBefore,
      loadAfter: loadavg(),
      loadMeanDuring: loads.reduce((a, b) => a + b, 0) / Math.max(1, loads.length),
      samples,
      flaps: { remote: activities.counters.remoteFlaps, sessionsEstablished: sessionsAfter.established - sessionsBefore.established, sessionsDropped: sessionsAfter.dropped - sessionsBefore.dropped },
      services: { created: churn.created, deleted: churn.deleted },
      reloads: { written: activities.counters.reloadsWritten, applied: (log.match(/"configuration reloaded/g) ?? []).length, refused: (log.match(/configuration reload refused/g) ?? []).length },
      outages: activities.counters.outages,
      settled: settledAt !== undefined,
      ...(settledAt !== undefined ? { settledAfterSeconds: Math.max(0, settledAt - endedAt) / 1000 } : {}),
      divergence: { longestMs: Math.round(check.longestMs), longest: check.longest ? `${check.longest.where} ${check.longest.kind} ${check.longest.subject}` : '', unbackedMs: Math.round(check.byKind['unbacked-route']?.longestMs ?? 0), unbackedSeen: Math.max(0, ...check.divergences.filter((d) => d.kind === 'unbacked-route').map((d) => d.seen)) },
      maxListenersWarnings: (log.match(/MaxListenersExceededWarning/g) ?? []).length,
      ...(heapB
        ? {
            liveHeap: {
              ...(heapA && warmupSnapshot ? { warmupBytes: heapA.totalBytes, warmupAtSeconds: warmupSnapshot.atSeconds } : {}),
              endBytes: heapB.totalBytes,
              endAtSeconds: runSeconds,
              growth: heapA ? heapGrowth(heapA, heapB) : [],
              allowanceBytes: LIVE_HEAP_ALLOWANCE_BYTES,
            },
          }
        : {}),
      verdicts: [],
    };
    figures.verdicts = judgeSoak(samples, runSeconds);
    const failed = figures.verdicts.filter((v) => v.grows);
    const liveGrowth = heapA && heapB ? heapB.totalBytes - heapA.totalBytes : 0;
    if (heapB) console.log(`  live heap after a full collection: ${heapA ? (heapA.totalBytes / 2 ** 20).toFixed(1) : '?'} MiB at the warm-up's end, ${(heapB.totalBytes / 2 ** 20).toFixed(1)} MiB at the end`);
    for (const v of figures.verdicts) console.log(`  ${v.grows ? 'GROWS' : 'bounded'}  ${v.name}: ${v.start} → ${v.end} (max ${v.max}); ${v.reason}`);
    console.log(`  flaps ${figures.flaps.remote} (sessions up ${figures.flaps.sessionsEstablished}, down ${figures.flaps.sessionsDropped}); Services ${figures.services.created} created, ${figures.services.deleted} deleted; reloads ${figures.reloads.applied} applied, ${figures.reloads.refused} refused; ${figures.outages.length} API outages; settled: ${figures.settled}`);
    if (docs) writeSoakDocs(figures);
    else {
      const file = join(tmpdir(), `vip-speaker-soak-${process.pid}.json`);
      writeFileSync(file, JSON.stringify(figures));
      console.log(`  figures in ${file} (docs left alone: --no-docs)`);
    }
    return failed.length || !figures.settled || figures.maxListenersWarnings || liveGrowth > LIVE_HEAP_ALLOWANCE_BYTES ? 1 : 0;
  } finally {
    sampler?.kill();
    await f.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`soak failed: ${err.stack ?? err.message}`);
    process.exit(1);
  },
);
