// The Lease watch against the fake API server: what it reports (a release, a deletion, and
// nothing else), and that it stays connected through the server ending its streams, a reset
// and an outage, with nothing left behind by stop().
import { strict as assert } from 'node:assert';
import type { Cancel, Scheduler } from '../../../../src/kubernetes/informers/backoff.js';
import { realScheduler } from '../../../../src/kubernetes/informers/backoff.js';
import { type LeaseFreeReason, LeaseWatch } from '../../../../src/kubernetes/elections/lease-watch.js';
import { FakeApiServer } from '../../../support/fake-apiserver/index.js';
import { FAST, eventually, sleep } from '../fixtures.js';

const NS = 'kube-system';
const LEASE = 'plndr-cp-lock';
const KEY = { namespace: NS, name: LEASE };

/** Real timers, counting those neither fired nor cancelled. */
function countingScheduler(): Scheduler & { readonly pending: number } {
  const live = new Set<object>();
  return {
    schedule(ms: number, run: () => void): Cancel {
      const timer = {};
      live.add(timer);
      const cancel = realScheduler.schedule(ms, () => {
        live.delete(timer);
        run();
      });
      return () => {
        live.delete(timer);
        cancel();
      };
    },
    get pending() {
      return live.size;
    },
  };
}

describe('LeaseWatch', () => {
  let server: FakeApiServer;
  let watch: LeaseWatch | undefined;
  let reports: LeaseFreeReason[];
  let errors: string[];
  let scheduler: ReturnType<typeof countingScheduler>;

  function make(): LeaseWatch {
    watch = new LeaseWatch({
      ...FAST,
      scheduler,
      kubeConfig: server.kubeconfig(),
      namespace: NS,
      name: LEASE,
      onFree: (reason) => reports.push(reason),
      onError: (err) => errors.push(err.message),
    });
    return watch;
  }

  async function started(): Promise<LeaseWatch> {
    const w = make();
    await w.start();
    await eventually(() => assert.equal(server.openWatches, 1));
    return w;
  }

  const setHolder = (holderIdentity: string | null) => server.patch('Lease', KEY, { spec: { holderIdentity } });

  beforeEach(async () => {
    server = new FakeApiServer();
    await server.start();
    reports = [];
    errors = [];
    scheduler = countingScheduler();
    watch = undefined;
  });

  afterEach(async () => {
    await watch?.stop();
    await server.stop();
  });

  it('reports a release, an absent holder and a deletion, and no renewal, new holder or other lease', async () => {
    server.create('Lease', { metadata: KEY, spec: { holderIdentity: 'node-a', leaseDurationSeconds: 5 } });
    server.create('Lease', { metadata: { namespace: NS, name: 'other' }, spec: { holderIdentity: 'node-a' } });
    await started();
    server.patch('Lease', KEY, { spec: { renewTime: '2024-01-01T00:00:01.000000Z' } });
    setHolder('node-b');
    setHolder('');
    setHolder('node-c');
    setHolder(null);
    server.patch('Lease', { namespace: NS, name: 'other' }, { spec: { holderIdentity: '' } });
    server.delete('Lease', KEY);
    await eventually(() => assert.deepEqual(reports, ['released', 'released', 'deleted']));
    const leaseRequests = server.requests.filter((r) => r.path === `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`);
    assert.deepEqual(leaseRequests.map((r) => `${r.query.watch ?? 'list'} ${r.query.fieldSelector}`), [`list metadata.name=${LEASE}`, `true metadata.name=${LEASE}`]);
    assert.deepEqual(errors, []);
  });

  it('reports a lease that is released already when it starts', async () => {
    server.create('Lease', { metadata: KEY, spec: { holderIdentity: '', leaseDurationSeconds: 1 } });
    await started();
    await eventually(() => assert.deepEqual(reports, ['released']));
  });

  it('watches again after the server ends the stream, and reconnects after a reset', async () => {
    server.create('Lease', { metadata: KEY, spec: { holderIdentity: 'node-a' } });
    const w = await started();
    assert.equal(server.breakWatches(), 1);
    await eventually(() => assert.equal(server.openWatches, 1));
    setHolder('');
    await eventually(() => assert.deepEqual(reports, ['released']));
    assert.deepEqual(errors, [], 'a clean end is no failure');
    setHolder('node-a');
    assert.equal(server.breakWatches({ abrupt: true }), 1);
    await eventually(() => assert.equal(errors.length, 1));
    await eventually(() => assert.equal(server.openWatches, 1));
    setHolder('');
    await eventually(() => assert.deepEqual(reports, ['released', 'released']));
    assert.equal(w.connected, true);
  });

  it('reports a release made during an outage once the server is back', async () => {
    server.create('Lease', { metadata: KEY, spec: { holderIdentity: 'node-a' } });
    const w = await started();
    await server.setDown(true);
    await eventually(() => assert.ok(errors.length >= 2, 'the cut, then a refused reconnect'));
    assert.equal(w.connected, false);
    // Written behind the API's back, as another node's release would land while this one is cut off.
    setHolder('');
    await sleep(50);
    assert.deepEqual(reports, []);
    await server.setDown(false);
    await eventually(() => assert.deepEqual(reports, ['released']));
    await eventually(() => assert.equal(server.openWatches, 1));
    assert.equal(w.connected, true);
  });

  it('makes no request before start, and leaves no watch or timer after stop', async () => {
    server.create('Lease', { metadata: KEY, spec: { holderIdentity: 'node-a' } });
    const w = make();
    await sleep(50);
    assert.equal(server.requests.length, 0);
    await w.start();
    await eventually(() => assert.equal(server.openWatches, 1));
    await w.stop();
    await eventually(() => assert.equal(server.openWatches, 0));
    assert.equal(scheduler.pending, 0);
  });

  it('leaves no retry pending when stopped during an outage', async () => {
    const w = await started();
    await server.setDown(true);
    await eventually(() => assert.ok(errors.length >= 1));
    await w.stop();
    assert.equal(scheduler.pending, 0);
    const count = server.requests.length;
    await server.setDown(false);
    await sleep(100);
    assert.equal(server.requests.length, count, 'no retry after stop');
  });
});
