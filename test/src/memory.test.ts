// The one full collection after a large change: this V8 lets a process ask for it, and a second
// request before the first runs moves it later rather than adding one.
import { strict as assert } from 'node:assert';
import { ManualClock } from '../../bgp/index.js';
import { cancelGarbageCollection, collectGarbage, collectGarbageSoon } from '../../src/memory.js';

describe('memory: collecting after a large change', () => {
  afterEach(() => cancelGarbageCollection());

  it('runs a full compacting collection in this Node, and gives back what nothing holds', () => {
    const before = process.memoryUsage().heapUsed;
    let garbage: unknown[] | undefined = Array.from({ length: 200_000 }, (_, i) => ({ i, s: `vip-${i}` }));
    assert.ok(process.memoryUsage().heapUsed > before);
    garbage = undefined;
    assert.equal(garbage, undefined);
    assert.equal(collectGarbage(), true);
    assert.ok(process.memoryUsage().heapUsed < before + 8 * 2 ** 20, 'the 200,000 objects are gone');
  });

  it('schedules one collection; a later request moves it, so a burst of changes gets one', () => {
    const clock = new ManualClock();
    collectGarbageSoon(clock);
    clock.advance(5000);
    collectGarbageSoon(clock);
    assert.equal(clock.pending, 1);
    clock.advance(6000);
    assert.equal(clock.pending, 0);
  });
});
