// The daemon's live heap, from V8 heap snapshots: a snapshot collects all garbage before it is
// written, so the sum of its objects is what the process really holds, with none of the noise
// of a heap between two collections. The soak takes one at the end of the warm-up and one at the
// end (node --heapsnapshot-signal=SIGUSR2), and compares them by kind of object: a leak shows as
// objects of one constructor piling up; compiled code growing as more functions get hot does not.
import { readFileSync } from 'node:fs';

interface SnapshotFile {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Bytes and objects by kind: `object Foo`, `closure bar`, `code`, `string`, `array` ... */
export interface HeapTotals {
  totalBytes: number;
  byKind: Map<string, { bytes: number; count: number }>;
}

/** Object kinds named by their constructor; the other node types are summed by type alone. */
const NAMED = new Set(['object', 'closure', 'native']);

export function heapTotals(text: string): HeapTotals {
  const file = JSON.parse(text) as SnapshotFile;
  const fields = file.snapshot.meta.node_fields;
  const types = file.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = [fields.indexOf('type'), fields.indexOf('name'), fields.indexOf('self_size')];
  const byKind = new Map<string, { bytes: number; count: number }>();
  let totalBytes = 0;
  for (let i = 0; i < file.nodes.length; i += fields.length) {
    const type = types[file.nodes[i + typeAt]!] ?? '?';
    const kind = NAMED.has(type) ? `${type} ${file.strings[file.nodes[i + nameAt]!] ?? '?'}` : type;
    const size = file.nodes[i + sizeAt]!;
    const k = byKind.get(kind) ?? { bytes: 0, count: 0 };
    k.bytes += size;
    k.count++;
    byKind.set(kind, k);
    totalBytes += size;
  }
  return { totalBytes, byKind };
}

export function readHeapTotals(path: string): HeapTotals {
  return heapTotals(readFileSync(path, 'utf8'));
}

export interface HeapGrowth {
  kind: string;
  bytes: number;
  count: number;
}

/** The kinds that grew most from `a` to `b`, by bytes. */
export function heapGrowth(a: HeapTotals, b: HeapTotals, top = 8): HeapGrowth[] {
  const kinds = new Set([...a.byKind.keys(), ...b.byKind.keys()]);
  return [...kinds]
    .map((kind) => {
      const before = a.byKind.get(kind) ?? { bytes: 0, count: 0 };
      const after = b.byKind.get(kind) ?? { bytes: 0, count: 0 };
      return { kind, bytes: after.bytes - before.bytes, count: after.count - before.count };
    })
    .sort((x, y) => y.bytes - x.bytes)
    .slice(0, top);
}
