// Cold start: the time from process start until the top-of-rack FRR holds all of 5,000 VIPs,
// for vip-speaker (each VIP also bound to lo) and, in the same run and the same lab, for BIRD 2
// announcing 5,000 static routes. The goal is vip-speaker at most BIRD's time; more than 1.5x
// BIRD's is a defect to profile and fix. Needs root (network namespaces), FRR and BIRD.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NODES, TOR_AS, NODE_AS, buildE2eLab, type E2eLab } from '../integration/e2e/topology.js';
import { frrSkipReason } from '../integration/support/frr.js';
import { haveProgram, labSkipReason, waitFor } from '../integration/support/lab.js';
import { CLI } from '../integration/support/vip-speaker-node.js';

export const VIP_COUNT = 5000;

/** 5,000 VIPs from the documentation ranges: every IPv4 address of 203.0.113.0/24 and 198.51.100.0/24 we may use, the rest IPv6. */
export function coldStartVips(count = VIP_COUNT): string[] {
  const out: string[] = [];
  for (const net of ['203.0.113', '198.51.100']) for (let i = 1; i <= 254 && out.length < count; i++) out.push(`${net}.${i}`);
  for (let i = 1; out.length < count; i++) out.push(`2001:db8:f::${i.toString(16)}`);
  return out;
}

export interface ColdStartResult {
  vipSpeakerMs: number;
  birdMs: number;
  /** Until FRR sees the session Established: start-up and connection, before any route. */
  vipSpeakerEstablishedMs: number;
  birdEstablishedMs: number;
  ratio: number;
  vipSpeakerRssMiB: number;
  vipsOnLo: number;
}

export function coldStartSkipReason(): string | undefined {
  return labSkipReason() ?? frrSkipReason() ?? (haveProgram('bird') ? undefined : 'BIRD 2 is not installed (scripts/setup.sh installs it)');
}

const node = NODES[0]!;

/** Prefixes FRR has received from node1, both families. */
async function received(e: E2eLab): Promise<number> {
  const s = await e.tor.json<{ ipv4Unicast?: { peers?: Record<string, { pfxRcd?: number }> }; ipv6Unicast?: { peers?: Record<string, { pfxRcd?: number }> } }>('show bgp summary json');
  return (s.ipv4Unicast?.peers?.[node.ipv4]?.pfxRcd ?? 0) + (s.ipv6Unicast?.peers?.[node.ipv4]?.pfxRcd ?? 0);
}

async function untilReceived(e: E2eLab, want: number, what: string): Promise<void> {
  await waitFor(what, async () => ((await received(e)) === want ? true : undefined), 120_000, 20);
}

/** Milliseconds from `start` until FRR sees the session Established, then until it holds `want` prefixes. */
async function phases(e: E2eLab, start: number, want: number, who: string): Promise<{ established: number; all: number }> {
  await waitFor(`FRR's session with ${who}`, async () => ((await e.tor.neighborState(node.ipv4)) === 'Established' ? true : undefined), 120_000, 20);
  const established = performance.now() - start;
  await untilReceived(e, want, `FRR to hold every route from ${who}`);
  return { established, all: performance.now() - start };
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function timeVipSpeaker(e: E2eLab, vips: string[]): Promise<{ ms: number; establishedMs: number; rss: number; onLo: number }> {
  const config = join(e.lab.dir, 'cold-start.yaml');
  writeFileSync(config, [`asn: ${NODE_AS}`, `routerId: ${node.ipv4}`, 'peers:', `  - "${node.torIpv4}:${TOR_AS}::false"`, 'log: { level: warn }', 'vips:', ...vips.map((v) => `  - ${v}`)].join('\n') + '\n');
  const start = performance.now();
  const child = e.lab.spawn(node.name, process.execPath, [CLI, 'run', '--config', config, '--no-watch'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const t = await phases(e, start, vips.length, 'vip-speaker');
  const rss = rssMiB(child.pid!);
  const { stdout } = await e.lab.exec(node.name, 'ip', ['-j', 'addr', 'show', 'dev', 'lo']);
  const onLo = (JSON.parse(stdout) as Array<{ addr_info: unknown[] }>)[0]!.addr_info.length - 2;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  await untilReceived(e, 0, 'FRR to drop vip-speaker\'s routes');
  await waitFor('FRR to see the session down', async () => ((await e.tor.neighborState(node.ipv4)) !== 'Established' ? true : undefined), 30_000, 20);
  return { ms: t.all, establishedMs: t.established, rss, onLo };
}

async function timeBird(e: E2eLab, vips: string[]): Promise<{ ms: number; establishedMs: number }> {
  const v4 = vips.filter((v) => !v.includes(':'));
  const v6 = vips.filter((v) => v.includes(':'));
  const conf = join(e.lab.dir, 'cold-start-bird.conf');
  const sock = join(e.lab.dir, 'cold-start-bird.ctl');
  writeFileSync(
    conf,
    [
      `router id ${node.ipv4};`,
      'protocol device {}',
      `protocol static s4 { ipv4; ${v4.map((v) => `route ${v}/32 blackhole;`).join(' ')} }`,
      `protocol static s6 { ipv6; ${v6.map((v) => `route ${v}/128 blackhole;`).join(' ')} }`,
      'protocol bgp tor {',
      `  local ${node.ipv4} as ${NODE_AS};`,
      `  neighbor ${node.torIpv4} as ${TOR_AS};`,
      // BIRD waits 5 s before its first connection by default; vip-speaker connects at once.
      '  connect delay time 0;',
      '  ipv4 { import none; export all; };',
      '  ipv6 { import none; export all; };',
      '}',
    ].join('\n') + '\n',
  );
  const start = performance.now();
  const child = e.lab.spawn(node.name, 'bird', ['-f', '-c', conf, '-s', sock], { stdio: 'ignore' });
  const t = await phases(e, start, vips.length, 'BIRD');
  child.kill('SIGKILL');
  return { ms: t.all, establishedMs: t.established };
}

export async function runColdStart(): Promise<ColdStartResult> {
  execFileSync('test', ['-f', CLI]);
  const e = await buildE2eLab('cold');
  try {
    const vips = coldStartVips();
    const v = await timeVipSpeaker(e, vips);
    const b = await timeBird(e, vips);
    return { vipSpeakerMs: v.ms, birdMs: b.ms, vipSpeakerEstablishedMs: v.establishedMs, birdEstablishedMs: b.establishedMs, ratio: v.ms / b.ms, vipSpeakerRssMiB: v.rss, vipsOnLo: v.onLo };
  } finally {
    e.lab.destroySync();
  }
}

export function formatColdStart(r: ColdStartResult): string {
  const verdict = r.ratio <= 1 ? 'goal met (at most BIRD\'s time)' : r.ratio <= 1.5 ? 'slower than BIRD, within 1.5x' : 'DEFECT: more than 1.5x BIRD\'s time';
  return [
    `| announcer | VIPs | session Established at FRR | all routes at FRR | notes |`,
    `|---|---|---|---|---|`,
    `| vip-speaker | ${VIP_COUNT} | ${r.vipSpeakerEstablishedMs.toFixed(0)} ms | ${r.vipSpeakerMs.toFixed(0)} ms | ${r.vipsOnLo} VIPs bound to lo; RSS ${r.vipSpeakerRssMiB.toFixed(1)} MiB |`,
    `| BIRD 2 | ${VIP_COUNT} | ${r.birdEstablishedMs.toFixed(0)} ms | ${r.birdMs.toFixed(0)} ms | static routes, 'connect delay time 0' (its default waits 5 s) |`,
    '',
    `ratio vip-speaker / BIRD: ${r.ratio.toFixed(2)} — ${verdict}`,
  ].join('\n');
}
