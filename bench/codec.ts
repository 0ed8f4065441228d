// Codec throughput: decode and encode of UPDATEs carrying 1, 100 and 1,000 prefixes, in MB/s
// and prefixes/s, on one core. 1,000 IPv4 /32s take 5,000 octets, so that row uses an RFC 8654
// extended-message session; IPv6 rows use MP_REACH_NLRI.
import {
  AsPathSegmentType,
  AttrType,
  MessageType,
  Origin,
  Prefix,
  decodeMessage,
  encodeMessage,
  type CodecContext,
  type PathAttribute,
  type UpdateMessage,
} from '../bgp/index.js';

export interface CodecRow {
  family: string;
  prefixes: number;
  messageBytes: number;
  decodeMBps: number;
  decodePrefixesPerSec: number;
  encodeMBps: number;
  encodePrefixesPerSec: number;
}

const GOAL_IPV4_DECODE_PER_SEC = 1_000_000;

function ipv4Prefixes(n: number): Prefix[] {
  const out: Prefix[] = [];
  for (let i = 0; i < n; i++) out.push(Prefix.fromBytes(1, 32, Uint8Array.of(198, 51, (i >> 8) & 0xff, i & 0xff)));
  return out;
}

function ipv6Prefixes(n: number): Prefix[] {
  const out: Prefix[] = [];
  for (let i = 0; i < n; i++) {
    const b = new Uint8Array(16);
    b.set([0x20, 0x01, 0x0d, 0xb8], 0);
    b[14] = (i >> 8) & 0xff;
    b[15] = i & 0xff;
    out.push(Prefix.fromBytes(2, 128, b));
  }
  return out;
}

function sharedAttributes(): PathAttribute[] {
  return [
    { type: AttrType.Origin, origin: Origin.Igp },
    { type: AttrType.AsPath, segments: [{ type: AsPathSegmentType.AsSequence, asns: [4200000001, 65000] }] },
    { type: AttrType.MultiExitDisc, med: 10 },
    { type: AttrType.Communities, communities: [0xfde80001, 0xffffff01] },
    { type: AttrType.LargeCommunities, communities: [{ globalAdmin: 4200000001, localData1: 1, localData2: 2 }] },
  ];
}

function makeUpdate(family: 'ipv4' | 'ipv6', n: number): UpdateMessage {
  const attributes = sharedAttributes();
  if (family === 'ipv4') {
    attributes.splice(2, 0, { type: AttrType.NextHop, nextHop: '192.0.2.1' });
    return { type: MessageType.Update, withdrawn: [], attributes, nlri: ipv4Prefixes(n) };
  }
  attributes.unshift({ type: AttrType.MpReachNlri, afi: 2, safi: 1, nextHops: ['2001:db8::1', 'fe80::1'], nlri: ipv6Prefixes(n) });
  return { type: MessageType.Update, withdrawn: [], attributes, nlri: [] };
}

/** Runs `fn` repeatedly for about `ms` milliseconds; returns operations per second. */
function rate(fn: () => void, ms: number): number {
  for (let i = 0; i < 200; i++) fn(); // warm-up for the JIT
  let iterations = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(ms) * 1_000_000n;
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 50; i++) fn();
    iterations += 50;
    elapsed = process.hrtime.bigint() - start;
  }
  return iterations / (Number(elapsed) / 1e9);
}

export function runCodecBench(msPerCase = 1000): CodecRow[] {
  const rows: CodecRow[] = [];
  for (const family of ['ipv4', 'ipv6'] as const) {
    for (const n of [1, 100, 1000]) {
      const update = makeUpdate(family, n);
      const size = family === 'ipv4' ? 23 + 5 * n + 60 : 23 + 17 * n + 80;
      const ctx: CodecContext = { fourOctetAs: true, extendedMessage: size > 4096 };
      const bytes = encodeMessage(update, ctx);
      const check = decodeMessage(bytes, ctx);
      if (!check.ok || check.value.problems.length) throw new Error(`bench input does not decode cleanly: ${JSON.stringify(check)}`);
      let sink = 0;
      const decodeRate = rate(() => {
        const r = decodeMessage(bytes, ctx);
        if (r.ok) sink += 1;
      }, msPerCase);
      const encodeRate = rate(() => {
        sink += encodeMessage(update, ctx).length;
      }, msPerCase);
      if (sink === 0) throw new Error('unreachable');
      rows.push({
        family: ctx.extendedMessage ? `${family} (ext msg)` : family,
        prefixes: n,
        messageBytes: bytes.length,
        decodeMBps: (decodeRate * bytes.length) / 1e6,
        decodePrefixesPerSec: decodeRate * n,
        encodeMBps: (encodeRate * bytes.length) / 1e6,
        encodePrefixesPerSec: encodeRate * n,
      });
    }
  }
  return rows;
}

export function formatCodecTable(rows: CodecRow[]): string {
  const head = ['family', 'prefixes/msg', 'msg bytes', 'decode MB/s', 'decode prefixes/s', 'encode MB/s', 'encode prefixes/s'];
  const body = rows.map((r) => [
    r.family,
    String(r.prefixes),
    String(r.messageBytes),
    r.decodeMBps.toFixed(1),
    Math.round(r.decodePrefixesPerSec).toLocaleString('en-US'),
    r.encodeMBps.toFixed(1),
    Math.round(r.encodePrefixesPerSec).toLocaleString('en-US'),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padStart(widths[i]!)).join(' | ') + ' |';
  return [line(head), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...body.map(line)].join('\n');
}

/** The goal: at least one million IPv4 prefixes decoded per second on one core. */
export function codecGoal(rows: CodecRow[]): { met: boolean; best: number; goal: number } {
  const best = Math.max(...rows.filter((r) => r.family.startsWith('ipv4')).map((r) => r.decodePrefixesPerSec));
  return { met: best >= GOAL_IPV4_DECODE_PER_SEC, best, goal: GOAL_IPV4_DECODE_PER_SEC };
}
