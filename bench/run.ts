// `npm run bench`: every benchmark, printed as tables. `npm run bench -- --quick` makes the scale
// suite short (one run of each cold start, 20 churn samples); `npm run bench -- scale` (or codec,
// vip-addresses) runs one section. Benchmarks that need root and network namespaces say so and
// are skipped without it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { codecGoal, formatCodecTable, runCodecBench } from './codec.js';
import { plot } from './scale/plot.js';
import { goals, markdown } from './scale/report.js';
import { FULL, QUICK, runSuite, suiteSkipReason } from './scale/suite.js';
import { formatVipAddressTable, runVipAddressBench, vipAddressBenchSkipReason } from './vip-addresses.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.find((a) => !a.startsWith('--'));
/** The source tree's bench/results, where a run is recorded (quick runs beside, never over it). */
const RESULTS = fileURLToPath(new URL('../../bench/results/', import.meta.url));

function section(title: string): void {
  console.log(`\n## ${title}\n`);
}

if (!only || only === 'codec') {
  section('bench/codec: UPDATE decode and encode, one core');
  const rows = runCodecBench(Number(process.env.BENCH_MS ?? 1000));
  console.log(formatCodecTable(rows));
  const goal = codecGoal(rows);
  console.log(`\nIPv4 decode: ${Math.round(goal.best).toLocaleString('en-US')} prefixes/s (goal ${goal.goal.toLocaleString('en-US')}): ${goal.met ? 'met' : 'NOT MET'}`);
  if (!goal.met) process.exitCode = 1;
}

if (!only || only === 'vip-addresses') {
  section('bench/vip-addresses: VIPs made local on lo: addresses (netlink, ip -batch) and local routes');
  const skip = vipAddressBenchSkipReason();
  console.log(skip ? `skipped: ${skip}` : formatVipAddressTable(await runVipAddressBench({ repeats: quick ? 1 : 3 })));
}

if (!only || only === 'scale') {
  section(`bench/scale: vip-speaker, BIRD 2, GoBGP and ExaBGP announcing to one FRR router${quick ? ' (quick)' : ''}`);
  const skip = suiteSkipReason();
  if (skip) console.log(`skipped: ${skip}`);
  else {
    const result = await runSuite({ ...(quick ? QUICK : FULL), log: (line) => console.log(`  ${line}`) });
    const tables = markdown(result);
    console.log(`\n${tables}`);
    const name = quick ? 'scale-quick' : 'scale';
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(`${RESULTS}${name}.json`, JSON.stringify(result, null, 1) + '\n');
    writeFileSync(`${RESULTS}${name}.md`, tables);
    writeFileSync(`${RESULTS}${name}.svg`, plot(result));
    console.log(`written: bench/results/${name}.json, .md, .svg`);
    if (goals(result).some((g) => g.met === false)) process.exitCode = 1;
  }
}
