// Making VIPs local: time to add and then remove IPv4 /32s and IPv6 /128s on lo through the
// address manager (rtnetlink, with its two dumps and IFA_PROTO mark), through one `ip -batch -`
// process (iproute2 6.1 cannot mark them), and IPv4 VIPs as local routes through the route
// placer (src/vip/local-routes.ts). The numbers behind the choice in src/vip/index.ts. Runs in
// a network namespace made for the run and deleted after; IPv4 beyond the 768 documentation
// addresses comes from 198.18.0.0/15 (RFC 2544 benchmarking, bench/scale/vips.ts). Needs root.
// Run alone: `node dist/bench/vip-addresses.js`.
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { createLocalRoutePlacer, createVipAddressManager } from '../src/vip/index.js';
import { benchVips } from './scale/vips.js';

/** 'mixed': all 768 IPv4 documentation addresses, the rest IPv6, as a dual-stack cold start. */
export type Family = 'IPv4' | 'IPv6' | 'mixed';

export interface VipAddressRow {
  mechanism: 'netlink (manager)' | 'ip -batch' | 'local routes (placer)';
  family: Family;
  addresses: number;
  /** Medians over `repeats` runs, in milliseconds. */
  addMs: number;
  removeMs: number;
}

/** RFC 5737's three /24s hold 768 addresses: as /32s on lo even .0 and .255 are plain hosts. */
export const DOCUMENTATION_IPV4_COUNT = 768;

/** Addresses: IPv4 up to 10,000 (100,000 would take minutes: the kernel's cost is quadratic). */
const PLAN: Array<[Family, number[]]> = [
  ['IPv4', [1, 100, 1000, 10_000]],
  ['IPv6', [1, 100, 5000]],
  ['mixed', [5000]],
];
/** Local routes: IPv4 only (see src/vip/index.ts). */
const ROUTE_PLAN = [1000, 10_000, 100_000];

/** Why the bench cannot run here, or undefined when it can. */
export function vipAddressBenchSkipReason(): string | undefined {
  if (process.platform !== 'linux') return `skipped: VIP addresses are Linux rtnetlink and this is ${process.platform}`;
  if (process.getuid?.() !== 0) return 'skipped: the VIP address bench creates a network namespace, which needs root';
  if (spawnSync('ip', ['-V']).status !== 0) return 'skipped: iproute2 (`ip`) is needed to create the namespace';
  return undefined;
}

/**
 * Documentation addresses (RFC 5737, RFC 3849) up to 768 IPv4 ones, as the tests use; more IPv4
 * come from the benchmarking block 198.18.0.0/15. Never a real network's.
 */
export function documentationAddresses(family: Family, n: number): string[] {
  const out: string[] = [];
  const v4 = family === 'IPv4' ? n : family === 'mixed' ? Math.min(n, DOCUMENTATION_IPV4_COUNT) : 0;
  if (v4 > DOCUMENTATION_IPV4_COUNT) return [...benchVips('ipv4', v4).addresses, ...benchVips('ipv6', n - v4).addresses];
  const nets = ['192.0.2', '198.51.100', '203.0.113'];
  for (let i = 0; i < v4; i++) out.push(`${nets[i >> 8]}.${i & 0xff}`);
  for (let i = 0; out.length < n; i++) out.push(`2001:db8:b::${(i + 1).toString(16)}`);
  return out;
}

function ip(args: string[], input?: string): void {
  const result = spawnSync('ip', args, { input, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ip ${args.join(' ')}: ${result.stderr || result.error?.message}`);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function timed(run: () => unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Every row; needs root (see vipAddressBenchSkipReason). */
export async function runVipAddressBench(options: { repeats?: number } = {}): Promise<VipAddressRow[]> {
  const skip = vipAddressBenchSkipReason();
  if (skip) throw new Error(skip);
  const repeats = options.repeats ?? 3;
  const ns = `vsvipbench-${process.pid}-${Date.now() % 100000}`;
  ip(['netns', 'add', ns]);
  try {
    ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    const manager = createVipAddressManager({ interface: 'lo', netns: ns });
    const rows: VipAddressRow[] = [];
    for (const [family, counts] of PLAN) {
      for (const count of counts) {
        const addresses = documentationAddresses(family, count);
        const withLength = addresses.map((a) => `${a}/${a.includes(':') ? 128 : 32}`);
        const netlink = { add: [] as number[], remove: [] as number[] };
        const batch = { add: [] as number[], remove: [] as number[] };
        for (let r = 0; r < repeats; r++) {
          netlink.add.push(await timed(async () => expectAll(await manager.add(addresses), count, 'add')));
          netlink.remove.push(await timed(async () => expectAll(await manager.remove(addresses), count, 'remove')));
          batch.add.push(await timed(() => ip(['-n', ns, '-batch', '-'], withLength.map((a) => `address add ${a} dev lo\n`).join(''))));
          batch.remove.push(await timed(() => ip(['-n', ns, '-batch', '-'], withLength.map((a) => `address del ${a} dev lo\n`).join(''))));
        }
        rows.push({ mechanism: 'netlink (manager)', family, addresses: count, addMs: median(netlink.add), removeMs: median(netlink.remove) });
        rows.push({ mechanism: 'ip -batch', family, addresses: count, addMs: median(batch.add), removeMs: median(batch.remove) });
      }
    }
    const routes = createLocalRoutePlacer({ interface: 'lo', protocol: 86, netns: ns });
    for (const count of ROUTE_PLAN) {
      const vips = benchVips('ipv4', count).addresses;
      const times = { add: [] as number[], remove: [] as number[] };
      for (let r = 0; r < repeats; r++) {
        times.add.push(await timed(async () => expectAll(await routes.add(vips), count, 'add')));
        times.remove.push(await timed(async () => expectAll(await routes.remove(vips), count, 'remove')));
      }
      rows.push({ mechanism: 'local routes (placer)', family: 'IPv4', addresses: count, addMs: median(times.add), removeMs: median(times.remove) });
    }
    return rows;
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
  }
}

function expectAll(result: { done: string[]; failed: unknown[] }, count: number, what: string): void {
  if (result.done.length !== count) throw new Error(`bench ${what}: ${result.done.length} of ${count} done, ${result.failed.length} failed`);
}

export function formatVipAddressTable(rows: VipAddressRow[]): string {
  const header = ['mechanism', 'family', 'addresses', 'add ms', 'remove ms', 'add µs/address'];
  const body = rows.map((r) => [
    r.mechanism,
    r.family,
    r.addresses.toLocaleString('en-US'),
    r.addMs.toFixed(1),
    r.removeMs.toFixed(1),
    ((r.addMs * 1000) / r.addresses).toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [line(header), `|${widths.map((w, i) => (i < 2 ? `-${'-'.repeat(w)}-` : `-${'-'.repeat(w)}:`)).join('|')}|`, ...body.map(line)].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const skip = vipAddressBenchSkipReason();
  if (skip) console.log(skip);
  else console.log(formatVipAddressTable(await runVipAddressBench({ repeats: Number(process.env.BENCH_REPEATS ?? 3) })));
}
