// The request gate on the fake clock: client-go's token bucket (burst, then qps), the slots that
// bound requests in flight, the priorities (Leases first), aborts and close.
import { strict as assert } from 'node:assert';
import { ManualClock } from '../../../../bgp/index.js';
import { KubeClientClosedError, RequestGate } from '../../../../src/kubernetes/transport/gate.js';
import { TokenBucket } from '../../../../src/kubernetes/transport/token-bucket.js';
import { RequestPriority } from '../../../../src/kubernetes/transport/waiters.js';

/** Lets promise callbacks run. */
const settle = () => new Promise((r) => setImmediate(r));

/** Takes `n` tokens and records the clock time at which each was given. */
function takeAll(bucket: TokenBucket, clock: ManualClock, n: number, priority = RequestPriority.Normal): number[] {
  const at: number[] = [];
  for (let i = 0; i < n; i++) void bucket.take(priority).then(() => at.push(clock.now()));
  return at;
}

describe('TokenBucket', () => {
  it('lets the burst through at once, then one token every 1/qps seconds', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(5, 10, clock);
    const at = takeAll(bucket, clock, 13);
    await settle();
    assert.deepEqual(at, Array(10).fill(0), 'the burst');
    await clock.advanceAsync(1000);
    assert.deepEqual(at.slice(10), [200, 400, 600]);
  });

  it('refills while idle, up to the burst and no further', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(10, 3, clock);
    takeAll(bucket, clock, 3);
    await settle();
    assert.ok(bucket.available() < 1);
    clock.advance(60_000);
    assert.equal(bucket.available(), 3);
  });

  it('serves a Lease call before Normal ones that waited longer', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(1, 1, clock);
    const order: string[] = [];
    void bucket.take(RequestPriority.Normal).then(() => order.push('first'));
    void bucket.take(RequestPriority.Event).then(() => order.push('event'));
    void bucket.take(RequestPriority.Normal).then(() => order.push('normal'));
    void bucket.take(RequestPriority.Lease).then(() => order.push('lease'));
    await settle();
    await clock.advanceAsync(3000);
    assert.deepEqual(order, ['first', 'lease', 'normal', 'event']);
  });

  it('drops a waiter whose signal aborts, with an AbortError, and gives its turn to the next', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(1, 1, clock);
    await bucket.take(RequestPriority.Normal);
    const controller = new AbortController();
    const aborted = bucket.take(RequestPriority.Normal, controller.signal);
    const next = bucket.take(RequestPriority.Normal).then(() => clock.now());
    controller.abort();
    await assert.rejects(aborted, { name: 'AbortError' });
    await clock.advanceAsync(1000);
    assert.equal(await next, 1000);
  });
});

describe('RequestGate', () => {
  const limits = { qps: 100, burst: 100, maxInFlight: 2 };

  it('holds at most maxInFlight requests, and lets the next in as one leaves', async () => {
    const clock = new ManualClock();
    const gate = new RequestGate(limits, clock);
    const entered: number[] = [];
    const leaves: Array<() => void> = [];
    for (let i = 0; i < 5; i++) void gate.enter(RequestPriority.Normal).then((leave) => (entered.push(i), leaves.push(leave)));
    await settle();
    assert.deepEqual(entered, [0, 1]);
    assert.deepEqual(gate.stats(), { inFlight: 2, peakInFlight: 2, waiting: 3, passed: 2 });
    leaves[0]!();
    leaves[0]!(); // a second call gives back nothing more
    await settle();
    assert.deepEqual(entered, [0, 1, 2]);
    assert.equal(gate.stats().inFlight, 2);
    for (const leave of leaves.splice(0)) leave();
    await settle();
    assert.deepEqual(entered, [0, 1, 2, 3, 4]);
    assert.equal(gate.stats().peakInFlight, 2);
  });

  it('paces the requests at qps after the burst, whatever the slots allow', async () => {
    const clock = new ManualClock();
    const gate = new RequestGate({ qps: 2, burst: 2, maxInFlight: 10 }, clock);
    const at: number[] = [];
    for (let i = 0; i < 6; i++) void gate.enter(RequestPriority.Normal).then(() => at.push(clock.now()));
    await settle();
    await clock.advanceAsync(2000);
    assert.deepEqual(at, [0, 0, 500, 1000, 1500, 2000]);
  });

  it('lets a Lease renewal in ahead of a backlog of status writes', async () => {
    const clock = new ManualClock();
    const gate = new RequestGate({ ...limits, maxInFlight: 1 }, clock);
    const order: string[] = [];
    const first = await gate.enter(RequestPriority.Normal);
    for (let i = 0; i < 3; i++) void gate.enter(RequestPriority.Normal).then((leave) => (order.push(`write ${i}`), leave()));
    void gate.enter(RequestPriority.Lease).then((leave) => (order.push('renew'), leave()));
    await settle();
    first();
    await settle();
    assert.deepEqual(order, ['renew', 'write 0', 'write 1', 'write 2']);
  });

  it('a watch takes a token and no slot', async () => {
    const clock = new ManualClock();
    const gate = new RequestGate({ qps: 1, burst: 1, maxInFlight: 1 }, clock);
    const leave = await gate.enter(RequestPriority.Normal);
    let watching = false;
    void gate.token(RequestPriority.Normal).then(() => (watching = true));
    await settle();
    assert.equal(watching, false, 'the burst is spent');
    await clock.advanceAsync(1000);
    assert.equal(watching, true, 'with the only slot still taken');
    leave();
  });

  it('gives the slot back when the token wait is aborted', async () => {
    const clock = new ManualClock();
    const gate = new RequestGate({ qps: 1, burst: 1, maxInFlight: 2 }, clock);
    const leave = await gate.enter(RequestPriority.Normal);
    const controller = new AbortController();
    const waiting = gate.enter(RequestPriority.Normal, controller.signal);
    await settle();
    assert.equal(gate.stats().inFlight, 2);
    controller.abort();
    await assert.rejects(waiting, { name: 'AbortError' });
    assert.equal(gate.stats().inFlight, 1);
    leave();
  });

  it('closes: waiters and later callers are refused, and the signal tells the requests in flight', async () => {
    const clock = new ManualClock();
    const gate = new RequestGate({ ...limits, maxInFlight: 1 }, clock);
    const leave = await gate.enter(RequestPriority.Normal);
    const waiting = gate.enter(RequestPriority.Lease);
    gate.close('stopping');
    assert.equal(gate.signal.aborted, true);
    await assert.rejects(waiting, (err: Error) => err instanceof KubeClientClosedError && err.message === 'stopping');
    await assert.rejects(gate.enter(RequestPriority.Normal), { code: 'KUBE_CLIENT_CLOSED' });
    await assert.rejects(gate.token(RequestPriority.Normal), { code: 'KUBE_CLIENT_CLOSED' });
    leave();
    assert.equal(clock.pending, 0, 'no timer left');
  });
});
