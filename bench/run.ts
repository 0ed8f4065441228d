// `npm run bench`: every benchmark, printed as tables. Benchmarks that need root and network
// namespaces say so and are skipped without it.
import { codecGoal, formatCodecTable, runCodecBench } from './codec.js';
import { coldStartSkipReason, formatColdStart, runColdStart } from './cold-start.js';
import { formatVipAddressTable, runVipAddressBench, vipAddressBenchSkipReason } from './vip-addresses.js';

const only = process.argv[2];

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
  section('bench/vip-addresses: VIP addresses on lo, netlink vs ip -batch');
  const skip = vipAddressBenchSkipReason();
  console.log(skip ? `skipped: ${skip}` : formatVipAddressTable(await runVipAddressBench()));
}

if (!only || only === 'cold-start') {
  section('bench/cold-start: process start until the ToR holds 5,000 VIPs, vip-speaker vs BIRD 2');
  const skip = coldStartSkipReason();
  if (skip) console.log(`skipped: ${skip}`);
  else {
    const r = await runColdStart();
    console.log(formatColdStart(r));
    if (r.ratio > 1.5) process.exitCode = 1;
  }
}
