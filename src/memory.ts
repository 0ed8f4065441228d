// Giving memory back after a large change. Placing 100,000 VIPs grows several tables to 100,000
// entries; each growth leaves the old backing store behind, and V8 leaves that garbage (about
// 70 MiB at 100,000 VIPs, measured with heap snapshots) resident until a full collection, which
// an idle daemon reaches only after half a minute or more. One full collection after the change
// gives it back at once, compacting the old generation (scattered survivors otherwise keep
// half-empty pages: 9 MiB at 100,000 VIPs). V8 offers no way to ask for one without
// --expose-gc, which a process can still turn on for itself (v8.setFlagsFromString) and reach
// through a fresh context's `gc`; compaction is asked for the same way, for this one collection.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | null | undefined;

/** Runs a full garbage collection; false when this V8 does not allow it (nothing happens then). */
export function collectGarbage(): boolean {
  if (collect === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
    } catch {
      collect = null;
    }
  }
  if (!collect) return false;
  setFlagsFromString('--compact-on-every-full-gc');
  try {
    collect();
  } finally {
    setFlagsFromString('--no-compact-on-every-full-gc');
  }
  return true;
}
