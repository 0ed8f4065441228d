// The ARP lab's outage arithmetic, without a lab: which stretch of failed attempts counts.
import { strict as assert } from 'node:assert';
import { type Attempt, longestOutage } from './outage.js';
import { bracketed } from './sampler.js';

const ok = (t: number, node: string): Attempt => ({ t, ms: 1, ok: true, node });
const failed = (t: number): Attempt => ({ t, ms: 200, ok: false, error: 'timeout' });

describe('ARP lab outage: the longest stretch without an answer', () => {
  it('runs from the last answer before the fault to the first answer after it', () => {
    const attempts = [ok(0, 'node1'), ok(20, 'node1'), failed(40), failed(60), failed(80), ok(100, 'node2'), ok(120, 'node2')];
    assert.deepEqual(longestOutage(attempts, 30), { gapMs: 80, from: 20, to: 100, failed: 3, before: 'node1', after: 'node2' });
  });

  it('reads attempts in the order they started, not the order they finished', () => {
    const attempts = [ok(100, 'node2'), failed(60), ok(0, 'node1'), failed(40), ok(20, 'node1')];
    assert.equal(longestOutage(attempts, 30)?.gapMs, 80);
  });

  it('ignores stretches that ended before the fault', () => {
    const attempts = [ok(0, 'node1'), failed(20), failed(40), failed(60), ok(80, 'node1'), ok(100, 'node1'), failed(120), ok(140, 'node2')];
    assert.deepEqual(longestOutage(attempts, 90), { gapMs: 40, from: 100, to: 140, failed: 1, before: 'node1', after: 'node2' });
  });

  it('is the pace of the prober when nothing failed, and undefined without an answer after the fault', () => {
    assert.equal(longestOutage([ok(0, 'node1'), ok(20, 'node1'), ok(40, 'node1')], 10)?.gapMs, 20);
    assert.equal(longestOutage([ok(0, 'node1'), failed(20), failed(40)], 10), undefined);
  });
});

describe('ARP lab sampler: two holders only when certain', () => {
  // A round reads node1, node2, node3, node2, node1 (positions 0 to 4).
  it('counts an overlap when one node held the VIP at two reads around the other\'s', () => {
    assert.equal(bracketed([0, 4], [2]), true);
    assert.equal(bracketed([1, 3], [2]), true);
  });

  it('does not take a handover seen across the reads for an overlap', () => {
    // node1 held it at its first read only, node3 at its read after: the VIP moved in between.
    assert.equal(bracketed([0], [2]) || bracketed([2], [0]), false);
    assert.equal(bracketed([3], [0, 4]) || bracketed([0, 4], [3]), true, 'node1 at both reads, node2 at its second');
    assert.equal(bracketed([], [2]), false);
  });
});
