// The Lease watch against the fake API server: what it reports (a release, a deletion, and
// nothing else), and that it stays connected through the server ending its streams, a reset
// and an outage, with nothing left behind by stop().
import { strict as assert } from 'node:assert';
import { type LeaseFreeReason, LeaseWatch } from '../../../../src/kubernetes/elections/lease-watch.js';
import { TestClock } from '../../../support/clock.js';
import { FakeApiServer } from '../../../support/fake-apiserver/index.js';
import { FAST, eventually } from '../fixtures.js';

const NS = 'kube-system';
const LEASE = 'plndr-cp-lock';
const KEY = { namespace: NS, name: LEASE };

describe('LeaseWatch', () => {
  let server: FakeApiServer;
  let watch: LeaseWatch | undefined;
  let reports: LeaseFreeReason[];
  let errors: string[];
  /** Retries happen only when a test fires them. */
  let clock: TestClock;

  function make(): LeaseWatch {
    watch = new LeaseWatch({
      ...FAST,
      clock,
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
    clock = new TestClock();
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
    await clock.fireNext();
    await eventually(() => assert.equal(server.openWatches, 1));
    setHolder('');
    await eventually(() => assert.deepEqual(reports, ['released', 'released']));
    assert.equal(w.connected, true);
  });

  it('reports a release made during an outage once the server is back', async () => {
    server.create('Lease', { metadata: KEY, spec: { holderIdentity: 'node-a' } });
    const w = await started();
    await server.setDown(true);
    await eventually(() => assert.ok(errors.length >= 1, 'the cut'));
    await clock.fireNext();
    await eventually(() => assert.ok(errors.length >= 2, 'then a refused reconnect'));
    assert.equal(w.connected, false);
    // Written behind the API's back, as another node's release would land while this one is cut off.
    setHolder('');
    // Nothing reaches the watch while the server is down: the next attempt waits on the clock.
    assert.equal(clock.waiting, 1);
    assert.deepEqual(reports, []);
    await server.setDown(false);
    await clock.fireNext();
    await eventually(() => assert.deepEqual(reports, ['released']));
    await eventually(() => assert.equal(server.openWatches, 1));
    assert.equal(w.connected, true);
  });

  it('makes no request before start, and leaves no watch or timer after stop', async () => {
    server.create('Lease', { metadata: KEY, spec: { holderIdentity: 'node-a' } });
    const w = make();
    await clock.advanceAsync(60_000);
    assert.equal(server.requests.length, 0);
    await w.start();
    await eventually(() => assert.equal(server.openWatches, 1));
    await w.stop();
    await eventually(() => assert.equal(server.openWatches, 0));
    assert.equal(clock.waiting, 0);
  });

  it('leaves no retry pending when stopped during an outage', async () => {
    const w = await started();
    await server.setDown(true);
    await eventually(() => assert.ok(errors.length >= 1));
    await w.stop();
    assert.equal(clock.waiting, 0);
    const count = server.requests.length;
    await server.setDown(false);
    await clock.advanceAsync(60_000);
    assert.equal(server.requests.length, count, 'no retry after stop');
  });
});
