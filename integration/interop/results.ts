// Collects the interop results of a run into integration/interop/results.json, from which the
// README's interop matrix is filled (scripts/interop-matrix.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const FILE = join(process.cwd(), 'integration', 'interop', 'results.json');

type Results = Record<string, Record<string, boolean>>;

export function recordInterop(router: string, test: string, ok: boolean): void {
  let all: Results = {};
  try {
    all = JSON.parse(readFileSync(FILE, 'utf8')) as Results;
  } catch {
    // first result of the run
  }
  (all[router] ??= {})[test] = ok;
  writeFileSync(FILE, JSON.stringify(all, null, 2) + '\n');
}
