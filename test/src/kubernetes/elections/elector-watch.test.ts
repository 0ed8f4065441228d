// The handover after a clean stop with kube-vip's timings (5/3/1), on the fake clock: two
// electors against the fake API server; the leader releases the Lease right after the
// candidate's read (the worst moment for polling: a whole jittered retry to wait). With `watch`
// the candidate takes the Lease with no timer fired at all; without, only once its next retry
// (a retry period or more later) fires. ARP mode rests on this: the VIPs move at once on a clean
// stop. The lab (integration/arp) measures the same handover in real time.
import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { CoordinationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { type ElectionFailure, LeaderElector } from '../../../../src/kubernetes/elections/elector.js';
import { FakeApiServer, type KubeObject } from '../../../support/fake-apiserver/index.js';
import { TestClock } from '../../../support/clock.js';
import { until } from '../../../support/wait.js';

const NS = 'kube-system';
const LEASE = 'plndr-svcs-lock';

function holder(server: FakeApiServer): unknown {
  const lease = server.get('Lease', { namespace: NS, name: LEASE }) as (KubeObject & { spec?: { holderIdentity?: unknown } }) | undefined;
  return lease?.spec?.holderIdentity;
}

/** A client that calls `afterRead` (once armed) with each Lease read's answer, before the elector sees it. */
function hookedReads(kubeConfig: KubeConfig) {
  const api = kubeConfig.makeApiClient(CoordinationV1Api);
  const read = api.readNamespacedLease.bind(api);
  const hook: { afterRead: (() => void) | undefined } = { afterRead: undefined };
  api.readNamespacedLease = async (...args) => {
    const lease = await read(...args);
    const run = hook.afterRead;
    hook.afterRead = undefined;
    run?.();
    return lease;
  };
  return { api, hook };
}

describe('LeaderElector handover on a clean stop (5/3/1)', function () {
  this.timeout(20_000);
  let server: FakeApiServer;
  let electors: LeaderElector[];
  let clock: TestClock;

  beforeEach(async () => {
    server = new FakeApiServer();
    await server.start();
    electors = [];
    clock = new TestClock();
  });

  afterEach(async () => {
    await Promise.all(electors.map((e) => e.stop({ release: false })));
    await server.stop();
  });

  /** A leads; B, a candidate, has seen A as leader (and, with `watch`, both watch the lease). */
  async function pair(watch: boolean) {
    const kc = server.kubeconfig();
    const reads = hookedReads(kc);
    const a = new LeaderElector({ kubeConfig: kc, namespace: NS, name: LEASE, identity: 'node-a', watch, clock, random: () => 0.5 });
    const b = new LeaderElector({ kubeConfig: kc, namespace: NS, name: LEASE, identity: 'node-b', watch, clock, random: () => 0.5, api: reads.api });
    const failures: ElectionFailure[] = [];
    b.on('failure', (f) => failures.push(f));
    electors.push(a, b);
    const aLeads = once(a, 'leading');
    a.start();
    await clock.fireNext();
    await aLeads;
    b.start();
    await clock.fireNext();
    await until('B sees A as leader', () => b.leader === 'node-a');
    if (watch) await until('both watch the lease', () => server.openWatches === 2);
    return { a, b, hook: reads.hook, failures };
  }

  /**
   * Stops A with a release right after B's next read (its retry, fired on the fake clock), and
   * returns how far the clock then had to move for B to lead: 0 when no timer was needed.
   */
  async function handover(a: LeaderElector, b: LeaderElector, hook: { afterRead: (() => void) | undefined }): Promise<number> {
    let stopping: Promise<void> | undefined;
    hook.afterRead = () => {
      stopping = a.stop({ release: true });
    };
    // B's retry: its read, then A's release, on the fake clock's own time.
    while (!stopping) await clock.fireNext();
    await stopping;
    await b.settled();
    const releasedAt = clock.now();
    // Fire B's timers one at a time, each attempt answered before the next timer (its request's
    // cutoff among them) can fire.
    while (!b.isLeader) {
      await clock.fireNext();
      await b.settled();
    }
    assert.equal(holder(server), 'node-b');
    return clock.now() - releasedAt;
  }

  /** B leads with no timer fired after the release: the watch brought it the news. */
  async function handoverByWatch(a: LeaderElector, b: LeaderElector, hook: { afterRead: (() => void) | undefined }): Promise<void> {
    let stopping: Promise<void> | undefined;
    hook.afterRead = () => {
      stopping = a.stop({ release: true });
    };
    while (!stopping) await clock.fireNext();
    const releasedAt = clock.now();
    await stopping;
    await until('B leads, with no timer fired', () => b.isLeader);
    assert.equal(clock.now(), releasedAt);
    assert.equal(holder(server), 'node-b');
  }

  it('hands over at once with watch: no timer fires between the release and B leading', async () => {
    const { a, b, hook } = await pair(true);
    await handoverByWatch(a, b, hook);
  });

  it('takes a retry period or more without watch (what the watch saves)', async () => {
    const { a, b, hook } = await pair(false);
    assert.equal(b.isLeader, false);
    const waited = await handover(a, b, hook);
    // The next jittered retry: retryPeriod × (1 + 0.5 × 1.2).
    assert.equal(waited, 1600);
    assert.equal(server.openWatches, 0);
  });

  it('hands over at once after the server ended the watches cleanly, then by a reset', async () => {
    const { a, b, hook } = await pair(true);
    assert.equal(server.breakWatches(), 2);
    await until('the watches are back', () => server.openWatches === 2);
    assert.equal(server.breakWatches({ abrupt: true }), 2);
    // After a reset the informer waits its back-off, on the clock.
    while (server.openWatches < 2) await clock.fireNext();
    await until('the watches are back', () => server.openWatches === 2);
    await handoverByWatch(a, b, hook);
  });

  it('hands over at once after an API server outage, once the watch is back', async () => {
    const { a, b, hook, failures } = await pair(true);
    await server.setDown(true);
    await until('the cut watch is reported as a failure', () => failures.some((f) => f.operation === 'watch'));
    await server.setDown(false);
    while (server.openWatches < 2) await clock.fireNext();
    await until('the watches are back', () => server.openWatches === 2);
    assert.equal(a.isLeader, true, 'a short outage does not cost A the lease');
    await handoverByWatch(a, b, hook);
  });

  it('lets no one take the lease before beforeRelease has finished', async () => {
    const { a, b } = await pair(true);
    const seen: string[] = [];
    a.on('stoppedLeading', () => seen.push('A stoppedLeading'));
    b.on('leading', () => seen.push('B leading'));
    const reads = () => server.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/leases/${LEASE}`)).length;
    let readsDuring = 0;
    await a.stop({
      release: true,
      beforeRelease: async () => {
        seen.push(`beforeRelease: holder ${String(holder(server))}`);
        // Longer than B's retry (1 to 2.2 s): B reads the lease meanwhile and must find it held.
        const before = reads();
        await clock.advanceAsync(2500);
        await b.settled();
        readsDuring = reads() - before;
        seen.push(`beforeRelease done: holder ${String(holder(server))}`);
      },
    });
    await until('B leads', () => b.isLeader);
    assert.ok(readsDuring >= 1, `B read the lease while A cleaned up (${readsDuring} reads)`);
    assert.deepEqual(seen, ['A stoppedLeading', 'beforeRelease: holder node-a', 'beforeRelease done: holder node-a', 'B leading']);
  });
});
