// Giving memory back after a large change. Placing 100,000 VIPs grows several tables to 100,000
// entries; each growth leaves the old backing store behind, and V8 leaves that garbage (about
// 70 MiB at 100,000 VIPs, measured with heap snapshots) resident until a full collection, which
// an idle daemon reaches only after half a minute or more; reloading a 100,000-VIP config leaves
// as much each time. One full collection after the change gives it back at once, compacting the
// old generation (scattered survivors otherwise keep half-empty pages: 9 MiB at 100,000 VIPs).
// V8 offers no way to ask for one without --expose-gc, which a process can still turn on for
// itself (v8.setFlagsFromString) and reach through a fresh context's `gc`; compaction is asked
// for the same way, for this one collection.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type Clock, type TimerHandle, systemClock } from '../bgp/index.js';

/** Changes of this many VIPs leave enough garbage behind to collect at once. */
export const LARGE_CHANGE = 10_000;

/**
 * After the UPDATEs of the change are written, and late enough for V8 to see the allocation
 * rate fall (it measures over 5 s, and only then gives back its young generation too).
 */
const COLLECTION_DELAY_MS = 6000;

let collect: (() => void) | null | undefined;
let pending: TimerHandle | undefined;

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
  // First without compaction: the garbage goes and its pages are given back; compacting then
  // copies only the survivors, so the peak stays lower (176 MiB with one compacting collection
  // at 100,000 VIPs and two peers).
  collect();
  setFlagsFromString('--compact-on-every-full-gc');
  try {
    collect();
  } finally {
    setFlagsFromString('--no-compact-on-every-full-gc');
  }
  return true;
}

/** One collection a few seconds from now; another call meanwhile moves it later. */
export function collectGarbageSoon(clock: Clock = systemClock): void {
  pending?.cancel();
  pending = clock.after(COLLECTION_DELAY_MS, () => {
    pending = undefined;
    collectGarbage();
  });
}

/** Forgets a collection not yet run (a stopping daemon must not wait for it). */
export function cancelGarbageCollection(): void {
  pending?.cancel();
  pending = undefined;
}

/**
 * Keeps V8's young generation at its first size (two 1 MiB semi-spaces) instead of letting it grow
 * to 2 x 16 MiB under load: a daemon's data lives long, so a large nursery saves little copying,
 * and once grown it stays resident until V8 sees the allocation rate fall, which an idle daemon
 * (no allocation at all) never shows: the settled resident memory at 100,000 VIPs and two peers
 * was 97 or 128 MiB from one run to the next. V8 reads this flag whenever it would grow.
 */
export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
