// The BGP session's BFD gate (RFC 5882 §3.2, RFC 9384): BfdDown takes the session to Idle and
// holds it there, BfdUp lets it go, the operator's commands override both, and no sequence of
// flaps leaves the session stuck down once BFD is Up.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { SessionEvent } from '../../../bgp/session/events.js';
import { SessionState } from '../../../bgp/session/types.js';
import { ALL_EVENTS } from './fixtures.js';
import { Harness, harnessIn } from './harness.js';

const { Idle, Connect, Active, Established } = SessionState;
const down: SessionEvent = { type: 'BfdDown' };
const up: SessionEvent = { type: 'BfdUp' };

/** Established, then BFD went down: held in Idle. */
function held(options = {}): Harness {
  const h = harnessIn(Established, options);
  h.send(down);
  return h;
}

/** Idle after a TCP failure, its automatic restart pending. */
function failed(): Harness {
  const h = new Harness();
  h.send({ type: 'ManualStart' }, { type: 'TcpConnectionFails' });
  return h;
}

describe('session FSM: the BFD gate', () => {
  it('BfdDown in Established is held in Idle with no restart pending', () => assert.deepEqual([held().state, held().session.heldByBfd, held().timer('IdleHold')], [Idle, true, undefined]));
  it('BfdDown in Idle with a restart pending cancels it and holds', () => assert.deepEqual(failed().send(down), ['StopTimer IdleHold']));
  it('BfdDown in Idle after the operator stopped it changes nothing', () => {
    const h = failed();
    h.send({ type: 'ManualStop' });
    assert.deepEqual([h.send(down), h.session.heldByBfd], [[], false]);
  });
  it('a held session ignores AutomaticStart', () => assert.deepEqual(held().send({ type: 'AutomaticStart' }), []));
  it('a held session stays Idle however long nothing happens', () => assert.deepEqual([held().advance(3600), held().state], [[], Idle]));
  it('a held session refuses the peer\'s connection', () => assert.deepEqual(held().send({ type: 'TcpConnectionConfirmed' }), ['Disconnect']));
  it('BfdUp starts a held session at once', () => assert.deepEqual(held().send(up), ['SetTimer ConnectRetry 120', 'Connect']));
  it('BfdUp starts a held passive session in Active', () => {
    const h = harnessIn(Active, { passive: true });
    h.send(down);
    assert.deepEqual([h.send(up), h.state], [[], Active]);
  });
  it('BfdUp leaves a session that BFD did not hold alone', () => assert.deepEqual(failed().send(up), []));
  it('ManualStart starts a held session and clears the hold', () => {
    const h = held();
    assert.deepEqual([h.send({ type: 'ManualStart' }), h.session.heldByBfd], [['SetTimer ConnectRetry 120', 'Connect'], false]);
  });
  it('ManualStop clears the hold: BfdUp then starts nothing', () => {
    const h = held();
    h.send({ type: 'ManualStop' });
    assert.deepEqual(h.send(up), []);
  });
  it('a second BfdDown while held changes nothing', () => assert.deepEqual(held().send(down), []));
  it('a flap during connecting goes down and comes back', () => {
    const h = harnessIn(Connect);
    assert.deepEqual([h.send(down, up), h.state], [['StopTimer ConnectRetry', 'Disconnect', 'SessionDown BfdDown', 'SetTimer ConnectRetry 120', 'Connect'], Connect]);
  });

  it('after any flaps, the last one Up, the session is never left in Idle without a restart', () => {
    const others = ALL_EVENTS.filter((e) => e.type !== 'ManualStop' && e.type !== 'BfdDown' && e.type !== 'BfdUp');
    const input = fc.oneof(fc.constantFrom<SessionEvent>(down, up), fc.constantFrom(...others), fc.integer({ min: 1, max: 300 }));
    fc.assert(
      fc.property(fc.array(input, { maxLength: 60 }), fc.integer({ min: 0, max: 300 }), (inputs, after) => {
        const h = new Harness();
        h.send({ type: 'ManualStart' });
        for (const i of inputs) {
          if (typeof i === 'number') h.advance(i);
          else h.send(i);
        }
        h.send(down, up);
        h.advance(after);
        assert.equal(h.session.heldByBfd, false);
        assert.ok(h.state !== Idle || h.timer('IdleHold') !== undefined, `Idle with nothing to restart it after ${inputs.length} inputs`);
      }),
      { numRuns: 1000 },
    );
  });
});
