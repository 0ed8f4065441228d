import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { MessageType } from '../../../bgp/codec/constants.js';
import { TIMER_EVENTS, type SessionEvent } from '../../../bgp/session/events.js';
import { createSession, step } from '../../../bgp/session/fsm.js';
import { SessionState, TIMER_NAMES, type TimerName } from '../../../bgp/session/types.js';
import { ALL_EVENTS } from './fixtures.js';
import { config, peerOpen } from './harness.js';

const STATES = new Set(Object.values(SessionState));

const eventArb: fc.Arbitrary<SessionEvent> = fc.oneof(
  fc.constantFrom(...ALL_EVENTS),
  fc.constantFrom<SessionEvent>(
    { type: 'BGPOpen', open: peerOpen({ holdTime: 0 }) },
    { type: 'BGPOpen', open: peerOpen({ holdTime: 2 }) },
    { type: 'BGPOpen', open: peerOpen({ version: 3 }) },
    { type: 'BGPOpen', open: peerOpen({ bgpId: '0.0.0.0' }) },
    { type: 'NotifMsg', notification: { type: MessageType.Notification, code: 2, subcode: 1, data: Uint8Array.of(0, 4) } },
    { type: 'ManualStop', shutdownMessage: 'going down' },
  ),
);

const configArb = fc.record({
  delayOpen: fc.boolean(),
  passive: fc.boolean(),
  sendNotificationWithoutOpen: fc.boolean(),
  holdTime: fc.constantFrom(0, 3, 90),
});

/** A step of the driver: an event from outside, or the expiry of one of the running timers. */
type Input = SessionEvent | { fire: number };

const inputArb: fc.Arbitrary<Input> = fc.oneof(eventArb, fc.record({ fire: fc.nat(5) }));

describe('session FSM: properties', () => {
  it('any sequence of events never throws and keeps the session consistent', () => {
    fc.assert(
      fc.property(configArb, fc.array(inputArb, { maxLength: 80 }), (options, inputs) => {
        let session = createSession(config(options));
        const running = new Set<TimerName>();
        for (const input of inputs) {
          let event: SessionEvent;
          if ('fire' in input) {
            const timers = TIMER_NAMES.filter((t) => running.has(t));
            const timer = timers[input.fire % Math.max(timers.length, 1)];
            if (!timer) continue;
            running.delete(timer);
            event = { type: TIMER_EVENTS[timer] };
          } else {
            event = input;
            // An expiry from outside ends the timer it names, as a real one would.
            const expiring = TIMER_NAMES.find((t) => TIMER_EVENTS[t] === input.type);
            if (expiring) running.delete(expiring);
          }
          const before = session;
          const { session: after, actions } = step(before, event);
          assert.ok(STATES.has(after.state));
          for (const action of actions) {
            if (action.type === 'SetTimer') {
              assert.ok(Number.isInteger(action.seconds) && action.seconds > 0, `SetTimer ${action.timer} ${action.seconds}`);
              running.add(action.timer);
            }
            if (action.type === 'StopTimer') assert.ok(running.delete(action.timer), `StopTimer ${action.timer} while not running`);
            if (action.type === 'SendNotification' || action.type === 'SendKeepalive' || action.type === 'SendOpen') {
              assert.ok(before.connection || after.connection, `${action.type} without a connection`);
            }
            if (action.type === 'SessionEstablished') assert.equal(before.state, SessionState.OpenConfirm);
            if (action.type === 'DeliverUpdate' || action.type === 'DeliverRouteRefresh') assert.equal(before.state, SessionState.Established);
          }
          for (const timer of TIMER_NAMES) assert.equal(after.timers[timer], running.has(timer), `timer ${timer}`);
          const wentDown = actions.some((a) => a.type === 'SessionDown');
          assert.equal(wentDown, before.state !== SessionState.Idle && after.state === SessionState.Idle);
          if (after.state === SessionState.Idle) {
            assert.equal(after.connection, undefined);
            assert.deepEqual([...running].filter((t) => t !== 'IdleHold'), []);
          }
          if (after.state === SessionState.OpenSent) assert.ok(after.connection && after.timers.Hold);
          if (after.state === SessionState.OpenConfirm || after.state === SessionState.Established) {
            assert.ok(after.connection && after.negotiated);
            assert.equal(after.timers.Hold, after.negotiated.holdTime > 0);
            assert.equal(after.timers.Keepalive, after.negotiated.holdTime > 0);
          }
          session = after;
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('the same inputs always give the same outputs', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 30 }), (events) => {
        const run = () => {
          let session = createSession(config());
          return events.map((event) => {
            const t = step(session, event);
            session = t.session;
            return t.actions;
          });
        };
        assert.deepEqual(run(), run());
      }),
      { numRuns: 200 },
    );
  });
});
