// Collects the BFD labs' measurements of a run into integration/bfd/results.json (not kept in git): the first
// result of a run replaces the file, the others join it, one entry per measurement.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FILE = fileURLToPath(new URL('../../../integration/bfd/results.json', import.meta.url));

export interface BfdMeasurement {
  /** What happened: the fault, BFD on or off, the family. */
  test: string;
  fault: 'SIGSTOP' | 'link cut' | 'SIGKILL and restart';
  bfd: boolean;
  family: 'IPv4' | 'IPv6';
  /** From the fault until FRR's zebra removed the VIP's route from the tor's kernel, ms; absent when it never did. */
  routeGoneMs?: number;
  /** Graceful restart: samples of FRR's table during the restart, and how many lacked the route. */
  samples?: number;
  missing?: number;
}

let startedThisRun = false;

export function recordBfdResult(m: BfdMeasurement): void {
  let all: Record<string, BfdMeasurement & { at: string }> = {};
  if (startedThisRun) {
    try {
      all = JSON.parse(readFileSync(FILE, 'utf8')) as typeof all;
    } catch {
      // rewritten below
    }
  }
  startedThisRun = true;
  all[m.test] = { ...m, at: new Date().toISOString() };
  writeFileSync(FILE, JSON.stringify(all, null, 2) + '\n');
}
