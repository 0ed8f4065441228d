// The invariant checker's bookkeeping, with samples and times given by the test.
import { strict as assert } from 'node:assert';
import { type Difference, DivergenceTracker } from '../../../integration/support/divergences.js';

const missing = (subject: string): Difference => ({ where: 'node1:lo', kind: 'missing-address', subject });
const unbacked = (subject: string): Difference => ({ where: 'tor<-node1', kind: 'unbacked-route', subject });
const sample = (atMs: number, differences = 0) => ({ atMs, tookMs: 10, differences, desired: 2 });

describe('invariant checker: divergences and their durations', () => {
  it('times a difference from the first sample that saw it to the first that did not', () => {
    const t = new DivergenceTracker();
    t.observe(sample(0), []);
    t.observe(sample(100, 1), [missing('203.0.113.5/32')]);
    t.observe(sample(200, 1), [missing('203.0.113.5/32')]);
    t.observe(sample(300), []);
    const r = t.report(0, 300);
    assert.equal(r.longestMs, 200);
    assert.deepEqual(r.divergences, [{ where: 'node1:lo', kind: 'missing-address', subject: '203.0.113.5/32', fromMs: 100, toMs: 300, seen: 2 }]);
    assert.deepEqual(r.byKind, { 'missing-address': { count: 1, longestMs: 200 } });
    assert.equal(r.resolutionMs, 100);
  });

  it('counts a difference still open up to the end of the window, and reports it as current', () => {
    const t = new DivergenceTracker();
    t.observe(sample(0, 1), [unbacked('2001:db8::5/128')]);
    t.observe(sample(250, 1), [unbacked('2001:db8::5/128')]);
    assert.equal(t.report(0, 1000).longestMs, 1000);
    assert.equal(t.current().length, 1);
  });

  it('keeps the divergences apart by where, kind and subject, and picks the longest', () => {
    const t = new DivergenceTracker();
    t.observe(sample(0, 2), [missing('203.0.113.5/32'), unbacked('203.0.113.5/32')]);
    t.observe(sample(100, 1), [missing('203.0.113.5/32')]);
    t.observe(sample(500), []);
    const r = t.report(0, 500);
    assert.equal(r.divergences.length, 2);
    assert.equal(r.longest?.kind, 'missing-address');
    assert.deepEqual(r.byKind['unbacked-route'], { count: 1, longestMs: 100 });
  });

  it('lets a failed sample change nothing but counts it', () => {
    const t = new DivergenceTracker();
    t.observe(sample(0, 1), [missing('203.0.113.5/32')]);
    t.observe({ atMs: 100, tookMs: 15_000, differences: -1, desired: -1, error: 'vtysh timed out' }, undefined);
    t.observe(sample(200), []);
    const r = t.report(0, 200);
    assert.equal(r.failedSamples, 1);
    assert.equal(r.longestMs, 200, 'the difference was not taken for gone at the failed sample');
  });

  it('judges only the divergences that overlap the window', () => {
    const t = new DivergenceTracker();
    t.observe(sample(0, 1), [missing('a')]);
    t.observe(sample(100), []);
    t.observe(sample(1000, 1), [missing('b')]);
    t.observe(sample(1100), []);
    const r = t.report(500, 1200);
    assert.deepEqual(r.divergences.map((d) => d.subject), ['b']);
    assert.equal(r.samples, 2);
  });
});
