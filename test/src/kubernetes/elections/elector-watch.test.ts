// The handover after a clean stop, in real time with kube-vip's timings (5/3/1): two electors
// against the fake API server; the leader releases the Lease right after the candidate's read
// (the worst moment for polling: a whole jittered retry to wait). With `watch` the candidate
// takes the Lease well under a second later; without, a retry period or more. ARP mode rests on
// this: the VIPs move in under a second on a clean stop.
import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { CoordinationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { type ElectionFailure, LeaderElector } from '../../../../src/kubernetes/elections/elector.js';
import { FakeApiServer, type KubeObject } from '../../../support/fake-apiserver/index.js';
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

describe('LeaderElector handover in real time (5/3/1)', function () {
  this.timeout(20_000);
  let server: FakeApiServer;
  let electors: LeaderElector[];

  beforeEach(async () => {
    server = new FakeApiServer();
    await server.start();
    electors = [];
  });

  afterEach(async () => {
    await Promise.all(electors.map((e) => e.stop({ release: false })));
    await server.stop();
  });

  /** A leads; B, a candidate, has seen A as leader (and, with `watch`, both watch the lease). */
  async function pair(watch: boolean) {
    const kc = server.kubeconfig();
    const reads = hookedReads(kc);
    const a = new LeaderElector({ kubeConfig: kc, namespace: NS, name: LEASE, identity: 'node-a', watch });
    const b = new LeaderElector({ kubeConfig: kc, namespace: NS, name: LEASE, identity: 'node-b', watch, api: reads.api });
    const failures: ElectionFailure[] = [];
    b.on('failure', (f) => failures.push(f));
    electors.push(a, b);
    a.start();
    await once(a, 'leading');
    b.start();
    await until('B sees A as leader', () => b.leader === 'node-a');
    if (watch) await until('both watch the lease', () => server.openWatches === 2);
    return { a, b, hook: reads.hook, failures };
  }

  /**
   * Stops A with a release right after B's next read, and returns the milliseconds from the
   * stop to B leading.
   */
  async function handover(a: LeaderElector, b: LeaderElector, hook: { afterRead: (() => void) | undefined }): Promise<number> {
    let started = 0;
    let stopping: Promise<void> | undefined;
    const leading = once(b, 'leading');
    hook.afterRead = () => {
      started = performance.now();
      stopping = a.stop({ release: true });
    };
    await leading;
    const ms = performance.now() - started;
    await stopping;
    assert.equal(holder(server), 'node-b');
    return ms;
  }

  it('hands over in well under a second with watch', async () => {
    const { a, b, hook } = await pair(true);
    const ms = await handover(a, b, hook);
    assert.ok(ms < 1000, `handover took ${ms.toFixed(0)} ms`);
  });

  it('takes a retry period or more without watch (what the watch saves)', async () => {
    const { a, b, hook } = await pair(false);
    const ms = await handover(a, b, hook);
    assert.ok(ms >= 1000, `handover took ${ms.toFixed(0)} ms`);
    assert.equal(server.openWatches, 0);
  });

  it('hands over in under a second after the server ended the watches cleanly, then by a reset', async () => {
    const { a, b, hook } = await pair(true);
    assert.equal(server.breakWatches(), 2);
    await until('the watches are back', () => server.openWatches === 2);
    assert.equal(server.breakWatches({ abrupt: true }), 2);
    // After a reset the informer waits its back-off (400 to 800 ms for a first failure).
    await until('the watches are back', () => server.openWatches === 2);
    const ms = await handover(a, b, hook);
    assert.ok(ms < 1000, `handover took ${ms.toFixed(0)} ms`);
  });

  it('hands over in under a second after an API server outage, once the watch is back', async () => {
    const { a, b, hook, failures } = await pair(true);
    await server.setDown(true);
    await new Promise((r) => setTimeout(r, 200));
    await server.setDown(false);
    await until('the watches are back', () => server.openWatches === 2);
    assert.ok(failures.some((f) => f.operation === 'watch'), 'the cut watch is reported as a failure');
    assert.equal(a.isLeader, true, 'a short outage does not cost A the lease');
    const ms = await handover(a, b, hook);
    assert.ok(ms < 1000, `handover took ${ms.toFixed(0)} ms`);
  });

  it('lets no one take the lease before beforeRelease has finished', async () => {
    const { a, b } = await pair(true);
    const seen: string[] = [];
    a.on('stoppedLeading', () => seen.push('A stoppedLeading'));
    b.on('leading', () => seen.push('B leading'));
    await a.stop({
      release: true,
      beforeRelease: async () => {
        seen.push(`beforeRelease: holder ${String(holder(server))}`);
        // Longer than B's retry (1 to 2.2 s): B reads the lease meanwhile and must find it held.
        await new Promise((r) => setTimeout(r, 2500));
        seen.push(`beforeRelease done: holder ${String(holder(server))}`);
      },
    });
    await until('B leads', () => b.isLeader);
    assert.deepEqual(seen, ['A stoppedLeading', 'beforeRelease: holder node-a', 'beforeRelease done: holder node-a', 'B leading']);
  });
});
