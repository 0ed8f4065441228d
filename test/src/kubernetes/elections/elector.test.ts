// Leader election against the fake API server with client-node's real calls, under a manual
// clock: two candidates A and B take, hold, lose and hand over the Lease as client-go's
// leaderelection does.
import { strict as assert } from 'node:assert';
import { CoordinationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { ManualClock } from '../../../../bgp/index.js';
import {
  ElectionOptionsError,
  type ElectionFailure,
  LeaderElector,
  type LeaderElectorOptions,
  type StoppedReason,
} from '../../../../src/kubernetes/elections/elector.js';
import { FakeApiServer, type KubeObject } from '../../../support/fake-apiserver/index.js';
import { until } from '../../../support/wait.js';

const NS = 'kube-system';
const LEASE = 'plndr-svcs-lock';
const EPOCH = Date.UTC(2024, 0, 1);

interface Recorded {
  elector: LeaderElector;
  events: string[];
  failures: ElectionFailure[];
}

/** Lease spec as stored by the fake, i.e. as on the wire. */
function spec(server: FakeApiServer): Record<string, unknown> {
  const lease = server.get('Lease', { namespace: NS, name: LEASE }) as (KubeObject & { spec?: Record<string, unknown> }) | undefined;
  assert.ok(lease, 'the lease exists');
  return lease.spec ?? {};
}

/**
 * A client whose Lease reads are counted, with how many overlap, and which can be held after
 * their answer (the read saw the Lease; the attempt has not finished) until `letGo()`.
 */
function countedReads(kubeConfig: KubeConfig) {
  const api = kubeConfig.makeApiClient(CoordinationV1Api);
  const read = api.readNamespacedLease.bind(api);
  let letGo = (): void => undefined;
  const reads = { count: 0, inFlight: 0, maxInFlight: 0, held: undefined as Promise<void> | undefined };
  api.readNamespacedLease = async (...args) => {
    reads.count++;
    reads.inFlight++;
    reads.maxInFlight = Math.max(reads.maxInFlight, reads.inFlight);
    try {
      const lease = await read(...args);
      await reads.held;
      return lease;
    } finally {
      reads.inFlight--;
    }
  };
  return {
    api,
    reads,
    hold: () => void (reads.held = new Promise<void>((resolve) => (letGo = resolve))),
    letGo: () => {
      reads.held = undefined;
      letGo();
    },
  };
}

describe('LeaderElector', () => {
  let server: FakeApiServer;
  let clock: ManualClock;
  let electors: LeaderElector[];

  function candidate(identity: string, options: Partial<LeaderElectorOptions> = {}): Recorded {
    const elector = new LeaderElector({
      kubeConfig: server.kubeconfig(),
      namespace: NS,
      name: LEASE,
      identity,
      clock,
      random: () => 0,
      ...options,
    });
    const r: Recorded = { elector, events: [], failures: [] };
    elector.on('leading', () => r.events.push(`${clock.now()} leading`));
    elector.on('stoppedLeading', (why: StoppedReason) => r.events.push(`${clock.now()} stoppedLeading ${why}`));
    elector.on('newLeader', (id) => r.events.push(`${clock.now()} newLeader ${id}`));
    elector.on('failure', (f) => r.failures.push(f));
    electors.push(elector);
    return r;
  }

  /** Moves the clock in steps, letting every API call of each step finish before the next. */
  async function run(ms: number, step = 50): Promise<void> {
    for (let t = 0; t < ms; t += step) {
      clock.advance(step);
      await Promise.all(electors.map((e) => e.settled()));
    }
  }

  const writes = () => server.requests.filter((r) => r.method !== 'GET' && r.path.includes('/leases'));

  beforeEach(async () => {
    server = new FakeApiServer();
    await server.start();
    clock = new ManualClock(EPOCH);
    electors = [];
  });

  afterEach(async () => {
    await Promise.all(electors.map((e) => e.stop({ release: false })));
    await server.stop();
  });

  it('takes an absent lease by creating it with holderIdentity, duration, times and zero transitions', async () => {
    const a = candidate('node-a');
    a.elector.start();
    await run(50);
    assert.equal(a.elector.isLeader, true);
    assert.deepEqual(a.events, ['50 newLeader node-a', '50 leading']);
    const s = spec(server);
    assert.equal(s.holderIdentity, 'node-a');
    assert.equal(s.leaseDurationSeconds, 5);
    assert.equal(s.leaseTransitions, 0);
    // metav1.MicroTime: six fractional digits, as kube-apiserver parses RFC3339Micro.
    assert.equal(s.acquireTime, '2024-01-01T00:00:00.000000Z');
    assert.equal(s.renewTime, s.acquireTime);
    assert.deepEqual(writes().map((r) => `${r.method} ${r.code}`), ['POST 201']);
  });

  it('lets B see A as leader without writing, and A renew every retryPeriod keeping acquireTime', async () => {
    const a = candidate('node-a');
    a.elector.start();
    await run(50);
    const b = candidate('node-b');
    b.elector.start();
    await run(5000);
    assert.equal(b.elector.isLeader, false);
    assert.equal(b.elector.leader, 'node-a');
    assert.deepEqual(b.events, ['100 newLeader node-a']);
    const s = spec(server);
    assert.equal(s.holderIdentity, 'node-a');
    assert.equal(s.acquireTime, '2024-01-01T00:00:00.000000Z');
    assert.equal(s.renewTime, '2024-01-01T00:00:05.050000Z');
    // One create, then one PUT a second; B only ever read.
    assert.deepEqual(writes().map((r) => r.method), ['POST', 'PUT', 'PUT', 'PUT', 'PUT', 'PUT']);
  });

  it('hands over to B a leaseDuration after B last saw the lease change, with one more transition', async () => {
    const a = candidate('node-a');
    const b = candidate('node-b');
    a.elector.start();
    await run(50);
    b.elector.start();
    await run(3000);
    // A dies without a release: its renewals stop, the lease stays as last written.
    await a.elector.stop({ release: false });
    const lastRenew = spec(server).renewTime;
    await run(4500);
    assert.equal(b.elector.isLeader, false, 'B waits out the lease duration');
    await run(2000);
    assert.equal(b.elector.isLeader, true);
    const s = spec(server);
    assert.equal(s.holderIdentity, 'node-b');
    assert.equal(s.leaseTransitions, 1);
    // A's last renewal (3050) was first seen by B at its attempt at 3100: valid until 8100.
    assert.equal(lastRenew, '2024-01-01T00:00:03.050000Z');
    assert.equal(s.acquireTime, '2024-01-01T00:00:08.100000Z');
    assert.deepEqual(b.events.slice(-2).map((e) => e.split(' ').slice(1).join(' ')), ['newLeader node-b', 'leading']);
  });

  it('judges expiry by when it saw the record change, not by the renewTime another node wrote', async () => {
    // A holder whose clock is a year behind keeps renewing: its lease must hold.
    const stale = (s: number) => new Date(EPOCH - 365 * 86_400_000 + s * 1000).toISOString().replace('Z', '000Z');
    server.create('Lease', { metadata: { namespace: NS, name: LEASE }, spec: { holderIdentity: 'skewed', leaseDurationSeconds: 5, renewTime: stale(0), leaseTransitions: 3 } });
    const b = candidate('node-b');
    b.elector.start();
    for (let s = 1; s <= 10; s++) {
      await run(1000);
      const current = server.get('Lease', { namespace: NS, name: LEASE })!;
      server.update('Lease', { ...current, spec: { ...(current as unknown as { spec: object }).spec, renewTime: stale(s) } });
    }
    assert.equal(b.elector.isLeader, false);
    // Once the record stops changing, B takes it after the lease duration.
    await run(4000);
    assert.equal(b.elector.isLeader, false);
    await run(2100);
    assert.equal(b.elector.isLeader, true);
    assert.equal(spec(server).leaseTransitions, 4);
  });

  it('releases on stop so that B takes over at its next retry, not after the lease duration', async () => {
    const a = candidate('node-a');
    const b = candidate('node-b');
    a.elector.start();
    await run(50);
    b.elector.start();
    await run(2000);
    await a.elector.stop();
    assert.deepEqual(a.events.slice(-1), ['2050 stoppedLeading stopped']);
    const released = spec(server);
    assert.equal(released.holderIdentity, '');
    assert.equal(released.leaseDurationSeconds, 1);
    assert.equal(released.acquireTime, '2024-01-01T00:00:02.050000Z');
    assert.equal(released.renewTime, released.acquireTime);
    assert.equal(released.leaseTransitions, 0);
    await run(1000);
    assert.equal(b.elector.isLeader, true);
    assert.equal(spec(server).leaseTransitions, 1);
  });

  it('re-takes its own unexpired lease at once after a restart, keeping acquireTime and transitions', async () => {
    const first = candidate('node-a');
    first.elector.start();
    await run(2000);
    await first.elector.stop({ release: false });
    const before = spec(server);
    const again = candidate('node-a');
    again.elector.start();
    await run(50);
    assert.equal(again.elector.isLeader, true);
    const after = spec(server);
    assert.equal(after.acquireTime, before.acquireTime);
    assert.equal(after.leaseTransitions, before.leaseTransitions);
  });

  it('makes one leader of two that create the lease at the same moment: the other gets 409', async () => {
    const a = candidate('node-a');
    const b = candidate('node-b');
    a.elector.start();
    b.elector.start();
    await run(50);
    assert.equal([a, b].filter((x) => x.elector.isLeader).length, 1);
    const loser = a.elector.isLeader ? b : a;
    assert.deepEqual(loser.failures.map((f) => `${f.operation} ${f.code}`), ['create 409']);
    await run(1000);
    assert.equal(loser.elector.leader, (a.elector.isLeader ? a : b).elector.identity);
  });

  it('makes one leader of two that take over an expired lease with the same resourceVersion', async () => {
    server.create('Lease', { metadata: { namespace: NS, name: LEASE }, spec: { holderIdentity: 'gone', leaseDurationSeconds: 5, leaseTransitions: 7 } });
    const a = candidate('node-a');
    const b = candidate('node-b');
    a.elector.start();
    b.elector.start();
    await run(8000);
    assert.equal([a, b].filter((x) => x.elector.isLeader).length, 1);
    const loser = a.elector.isLeader ? b : a;
    assert.deepEqual(loser.failures.map((f) => `${f.operation} ${f.code}`), ['update 409']);
    assert.equal(spec(server).leaseTransitions, 8, 'one transition, not two');
    assert.ok(!loser.events.some((e) => e.endsWith(' leading')));
  });

  it('falls back to a read when its renewal hits 409, and loses to a holder that wrote meanwhile', async () => {
    const a = candidate('node-a');
    a.elector.start();
    await run(1000);
    // Someone else takes the lease under A's feet (as a kube-vip with the same lease would).
    const current = server.get('Lease', { namespace: NS, name: LEASE })!;
    server.update('Lease', { ...current, spec: { ...(current as unknown as { spec: object }).spec, holderIdentity: 'intruder' } });
    await run(1000);
    assert.deepEqual(a.failures.map((f) => `${f.operation} ${f.code}`), ['update 409']);
    assert.equal(a.elector.leader, 'intruder');
    await run(3000);
    assert.equal(a.elector.isLeader, false);
    assert.deepEqual(a.events.map((e) => e.split(' ').slice(1).join(' ')), ['newLeader node-a', 'leading', 'newLeader intruder', 'stoppedLeading renew-deadline']);
    assert.equal(spec(server).holderIdentity, 'intruder');
  });

  it('steps down within renewDeadline once renewals fail (API server down), and comes back after', async () => {
    const a = candidate('node-a');
    a.elector.start();
    await run(2000);
    await server.setDown(true);
    await run(4000);
    // Renewed last at 1050; the round at 2050 is refused and retried at 3050, and the deadline
    // (renewDeadline, 3 s, from the last renewal: not from the round as client-go) passes at 4050,
    // a whole second before the lease (5 s) may pass to another node.
    assert.deepEqual(a.events, ['50 newLeader node-a', '50 leading', '4050 stoppedLeading renew-deadline']);
    assert.deepEqual(a.failures.map((f) => `${f.operation} ${f.code ?? 'no answer'}`).slice(0, 2), ['update no answer', 'get no answer']);
    await server.setDown(false);
    await run(3000);
    assert.equal(a.elector.isLeader, true, 'its own lease, taken again');
  });

  it('steps down at the deadline while a renewal hangs, and ignores the late answer', async () => {
    const a = candidate('node-a');
    a.elector.start();
    await run(1000);
    server.hold();
    // The fake clock runs on while the renewal that starts at 1050 gets no answer: the deadline
    // is 3000, renewDeadline after the acquire was sent at 0 (the last success; it was seen to
    // succeed at 50); the next candidate attempt would come a retry period later, at 4000 at the
    // earliest.
    clock.advance(100);
    const renewal = () => server.requests.find((r) => r.method === 'PUT' && r.code === undefined);
    await until('the renewal reaches the server', () => renewal() !== undefined);
    for (let t = 100; t < 2400; t += 50) clock.advance(50);
    assert.equal(a.elector.isLeader, false);
    assert.ok(a.events.some((e) => e.endsWith('stoppedLeading renew-deadline')));
    // The server still holds the renewal: settled() returns only because it was aborted.
    await a.elector.settled();
    await until('the server sees the renewal aborted', () => renewal()?.aborted === true);
    server.release();
    assert.equal(a.elector.isLeader, false, 'the renewal that answered late does not count');
    assert.deepEqual(a.events, ['50 newLeader node-a', '50 leading', '3000 stoppedLeading renew-deadline']);
  });

  describe('nudge', () => {
    /** A leads; B has read the lease once (held by A) and waits for its retry a second later. */
    async function aLeadsBWaits(bOptions: Partial<LeaderElectorOptions> = {}): Promise<{ a: Recorded; b: Recorded }> {
      const a = candidate('node-a');
      const b = candidate('node-b', bOptions);
      a.elector.start();
      await run(50);
      b.elector.start();
      await run(100);
      assert.equal(b.elector.leader, 'node-a');
      return { a, b };
    }

    it('makes a candidate try at once: B takes a released lease without waiting for its retry', async () => {
      const { a, b } = await aLeadsBWaits();
      await a.elector.stop();
      assert.equal(spec(server).holderIdentity, '');
      b.elector.nudge();
      await b.elector.settled();
      assert.deepEqual(b.events.slice(-2), ['150 newLeader node-b', '150 leading'], 'taken at once, the clock standing still');
    });

    it('replaces the pending retry rather than adding one', async () => {
      const counted = countedReads(server.kubeconfig());
      const { b } = await aLeadsBWaits({ api: counted.api });
      // B read at 100 and would retry at 1100 (random 0): the nudge at 600 moves it to 1600.
      await run(500);
      const before = counted.reads.count;
      b.elector.nudge();
      await b.elector.settled();
      assert.equal(counted.reads.count, before + 1);
      await run(950);
      assert.equal(counted.reads.count, before + 1, 'no read at 1100: the old retry is gone');
      await run(100);
      assert.equal(counted.reads.count, before + 2, 'the next retry, a retry period after the nudged attempt');
    });

    it('runs exactly one more attempt right after the one in flight, never two at once', async () => {
      const counted = countedReads(server.kubeconfig());
      const { a, b } = await aLeadsBWaits({ api: counted.api });
      // B's retry at 1100 reads the lease held by A, and is held there (A renews at 1050).
      counted.hold();
      await run(900);
      clock.advance(50);
      await until('B reads the lease', () => counted.reads.count === 2);
      const at = clock.now();
      // A releases behind B's back; three nudges come while B's attempt is in flight.
      await a.elector.stop();
      for (let i = 0; i < 3; i++) b.elector.nudge();
      counted.letGo();
      await b.elector.settled();
      assert.equal(b.elector.isLeader, true, 'the attempt after the one in flight saw the release');
      assert.equal(clock.now(), at, 'at once, not at the next retry');
      assert.equal(counted.reads.count, 3, 'one more read for the three nudges');
      assert.equal(counted.reads.maxInFlight, 1);
    });

    it('does nothing when idle, leading or stopped', async () => {
      const idle = candidate('node-idle');
      idle.elector.nudge();
      await idle.elector.settled();
      assert.equal(server.requests.length, 0, 'idle: no request');
      const a = candidate('node-a');
      a.elector.start();
      await run(50);
      const count = server.requests.length;
      a.elector.nudge();
      await a.elector.settled();
      assert.equal(server.requests.length, count, 'leading: no extra renewal');
      await a.elector.stop({ release: false });
      a.elector.nudge();
      await a.elector.settled();
      assert.equal(server.requests.length, count, 'stopped: no request');
      assert.equal(clock.pending, 0);
    });

    it('with watch, a candidate takes a released lease at once, the clock standing still', async () => {
      const { a, b } = await aLeadsBWaits({ watch: true });
      await until('B watches the lease', () => server.openWatches === 1);
      const watchQuery = server.requests.find((r) => r.query.watch === 'true')?.query;
      assert.equal(watchQuery?.fieldSelector, `metadata.name=${LEASE}`);
      await a.elector.stop();
      await until('B leads', () => b.elector.isLeader);
      assert.deepEqual(b.events.slice(-1), ['150 leading']);
      assert.equal(spec(server).leaseTransitions, 1);
    });

    it('with watch, a candidate creates a deleted lease again at once', async () => {
      const { b } = await aLeadsBWaits({ watch: true });
      await until('B watches the lease', () => server.openWatches === 1);
      server.delete('Lease', { namespace: NS, name: LEASE });
      await until('B leads', () => b.elector.isLeader);
      assert.equal(spec(server).holderIdentity, 'node-b');
      assert.equal(clock.now(), 150);
    });

    it('with watch, stop leaves no watch open and no timer set', async () => {
      const { b } = await aLeadsBWaits({ watch: true });
      await until('B watches the lease', () => server.openWatches === 1);
      await b.elector.stop();
      await until('the watch is closed', () => server.openWatches === 0);
      await electors[0]!.stop({ release: false });
      assert.equal(clock.pending, 0);
    });
  });

  describe('stop with beforeRelease', () => {
    async function leader(): Promise<Recorded> {
      const a = candidate('node-a');
      a.elector.start();
      await run(2000);
      assert.equal(a.elector.isLeader, true);
      return a;
    }

    it('emits stoppedLeading, awaits beforeRelease while the lease is still held, then releases', async () => {
      const a = await leader();
      const order: string[] = [];
      a.elector.on('stoppedLeading', () => order.push('stoppedLeading'));
      await a.elector.stop({
        beforeRelease: async () => {
          order.push(`beforeRelease: holder ${String(spec(server).holderIdentity)}`);
          // Clean-up that takes time on the clock (ARP mode's reconcile).
          await clock.advanceAsync(20);
          order.push(`beforeRelease done: holder ${String(spec(server).holderIdentity)}`);
        },
      });
      assert.deepEqual(order, ['stoppedLeading', 'beforeRelease: holder node-a', 'beforeRelease done: holder node-a']);
      assert.equal(spec(server).holderIdentity, '');
      assert.equal(clock.pending, 0);
    });

    it('releases after renewDeadline when beforeRelease hangs, leaving no timer', async () => {
      const a = await leader();
      let stopped = false;
      const stopping = a.elector.stop({ beforeRelease: () => new Promise<void>(() => undefined) }).then(() => (stopped = true));
      await until('stoppedLeading', () => a.events.some((e) => e.endsWith('stoppedLeading stopped')));
      clock.advance(2999);
      // The release can only follow the cutoff timer, which has not fired: nothing is in flight.
      await a.elector.settled();
      assert.equal(stopped, false);
      assert.equal(spec(server).holderIdentity, 'node-a', 'not released within renewDeadline');
      clock.advance(1);
      await stopping;
      assert.equal(spec(server).holderIdentity, '');
      assert.equal(clock.pending, 0);
    });

    it('releases all the same when beforeRelease rejects', async () => {
      const a = await leader();
      await a.elector.stop({ beforeRelease: () => Promise.reject(new Error('could not clear the VIPs')) });
      assert.equal(spec(server).holderIdentity, '');
      assert.deepEqual(a.failures, []);
    });

    it('does not call beforeRelease when nothing is to be released', async () => {
      const a = await leader();
      const b = candidate('node-b');
      b.elector.start();
      await run(100);
      let calls = 0;
      const beforeRelease = async () => void calls++;
      await a.elector.stop({ release: false, beforeRelease });
      await b.elector.stop({ beforeRelease });
      assert.equal(calls, 0);
      assert.equal(spec(server).holderIdentity, 'node-a');
    });
  });

  it('refuses the timings client-go refuses', () => {
    const base = { kubeConfig: server.kubeconfig(), namespace: NS, name: LEASE, identity: 'x' };
    assert.throws(() => new LeaderElector({ ...base, leaseDurationSeconds: 3, renewDeadlineSeconds: 3 }), ElectionOptionsError);
    assert.throws(() => new LeaderElector({ ...base, renewDeadlineSeconds: 1.2, retryPeriodSeconds: 1 }), /retryPeriodSeconds × 1.2/);
    assert.throws(() => new LeaderElector({ ...base, leaseDurationSeconds: 2.5 }), /whole number/);
    assert.throws(() => new LeaderElector({ ...base, identity: '' }), /identity/);
  });
});
