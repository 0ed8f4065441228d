// The soak's verdict on a series: a staircase grows without bound, a plateau or a jump does not.
import { strict as assert } from 'node:assert';
import { judgeGrowth } from '../../../integration/soak/growth.js';

const spec = { name: 'timers', allowance: 10 };
/** One sample a second for `n` seconds, valued by `f`. */
const series = (n: number, f: (t: number) => number): Array<[number, number]> => Array.from({ length: n }, (_, t) => [t * 1000, f(t)]);

describe('soak: growth without bound', () => {
  it('fails a series that rises in every quarter by more than its allowance', () => {
    const v = judgeGrowth(spec, series(600, (t) => 8 + Math.floor(t / 20)), 60_000);
    assert.equal(v.grows, true);
    assert.ok(v.growth > spec.allowance);
    assert.match(v.reason, /rises in every quarter/);
  });

  it('passes a series that stays within a band, however noisy', () => {
    const v = judgeGrowth(spec, series(600, (t) => 8 + ((t * 7) % 5)), 60_000);
    assert.equal(v.grows, false);
    assert.equal(v.max, 12);
  });

  it('passes one jump that then holds (a cache filled once), and a rise smaller than the allowance', () => {
    assert.equal(judgeGrowth(spec, series(600, (t) => (t < 300 ? 8 : 30)), 60_000).grows, false);
    assert.equal(judgeGrowth(spec, series(600, (t) => 8 + t / 100), 60_000).grows, false);
  });

  it('leaves the warm-up out: a fast start followed by a plateau is bounded', () => {
    const v = judgeGrowth({ name: 'rss', allowance: 32 * 2 ** 20 }, series(600, (t) => (t < 60 ? 50e6 + t * 1e6 : 110e6 + (t % 3) * 1e5)), 60_000);
    assert.equal(v.grows, false);
    assert.equal(v.start, 110e6);
  });

  it('does not judge a run too short to cut into quarters', () => {
    const v = judgeGrowth(spec, series(65, (t) => t), 60_000);
    assert.equal(v.grows, false);
    assert.match(v.reason, /too few samples/);
  });
});
