// A lab's measurements of one run, gathered into a JSON file beside the lab (not kept in git):
// the first result of a run replaces the file, the others join it, one entry per test.
import { readFileSync, writeFileSync } from 'node:fs';

/** A recorder writing to `file`; each measurement is kept under its `test` name, with the time. */
export function resultsFile<T extends { test: string }>(file: string): (measurement: T) => void {
  let startedThisRun = false;
  return (m) => {
    let all: Record<string, T & { at: string }> = {};
    if (startedThisRun) {
      try {
        all = JSON.parse(readFileSync(file, 'utf8')) as typeof all;
      } catch {
        // rewritten below
      }
    }
    startedThisRun = true;
    all[m.test] = { ...m, at: new Date().toISOString() };
    writeFileSync(file, JSON.stringify(all, null, 2) + '\n');
  };
}
