// The informer's retry policy: the back-off table, then the real client-node informer against
// the fake API server with the clock and the timers in the test's hands.
import { strict as assert } from 'node:assert';
import { CoreV1Api, type V1Service } from '@kubernetes/client-node';
import { DEFAULT_BACKOFF, backoffDelay } from '../../../../src/kubernetes/informers/backoff.js';
import { abortable } from '../../../../src/kubernetes/client.js';
import { ResilientInformer } from '../../../../src/kubernetes/informers/informer.js';
import { TestClock } from '../../../support/clock.js';
import { FakeApiServer, makeKubeConfig } from '../../../support/fake-apiserver/index.js';
import { eventually, service } from '../fixtures.js';

describe('informer back-off: the delays', () => {
  const policy = { ...DEFAULT_BACKOFF, initialMs: 800, maxMs: 30_000, factor: 2, jitter: 0.5 };

  it('doubles from 800 ms to the 30 s cap without jitter', () => {
    const delays = [0, 1, 2, 3, 4, 5, 6, 10, 100, 5000].map((n) => backoffDelay(n, { ...policy, jitter: 0 }, () => 0.99));
    assert.deepEqual(delays, [800, 1600, 3200, 6400, 12800, 25600, 30000, 30000, 30000, 30000]);
  });

  it('draws each delay from [d × (1 − jitter), d], never above the cap', () => {
    assert.equal(backoffDelay(0, policy, () => 0), 800);
    assert.equal(backoffDelay(0, policy, () => 0.5), 600);
    assert.equal(backoffDelay(0, policy, () => 0.999999), 400);
    assert.equal(backoffDelay(9, policy, () => 0), 30000);
    assert.equal(backoffDelay(9, policy, () => 0.5), 22500);
  });
});

describe('informer back-off: restarts against the API server', () => {
  let server: FakeApiServer;
  let clock: TestClock;
  let informer: ResilientInformer<V1Service>;
  const failures: { retryInMs: number; failures: number; outageStart: boolean }[] = [];
  const restored: { downForMs: number; failures: number }[] = [];

  beforeEach(async () => {
    server = new FakeApiServer();
    await server.start();
    clock = new TestClock();
    failures.length = 0;
    restored.length = 0;
    const core = server.kubeconfig().makeApiClient(CoreV1Api);
    informer = new ResilientInformer<V1Service>({
      name: 'services',
      kubeConfig: server.kubeconfig(),
      path: '/api/v1/services',
      list: (signal) => core.listServiceForAllNamespaces({}, abortable(signal)),
      backoff: { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.5, resetAfterMs: 60_000 },
      random: () => 0.5,
      clock,
      watchTimeoutSeconds: 0,
      stallTimeoutMs: 0,
    });
    informer.on('error', (_err, info) => failures.push(info));
    informer.on('restored', (info) => restored.push(info));
  });

  afterEach(async () => {
    await informer.stop();
    await server.stop();
  });

  it('retries with growing, capped, jittered delays while the server is down, and reports the way back', async () => {
    server.create('Service', service('default', 'web'));
    await server.setDown(true);
    await informer.start();
    assert.equal(informer.connected, false);
    assert.equal(informer.synced, false);
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) delays.push(await clock.fireNext());
    // 100 × 2^n, capped at 1000, each drawn at 3/4 of it (random 0.5, jitter 0.5).
    assert.deepEqual(delays, [75, 150, 300, 600, 750, 750]);
    await eventually(() => assert.deepEqual(failures.map((f) => f.failures), [1, 2, 3, 4, 5, 6, 7]));
    assert.deepEqual(failures.map((f) => f.outageStart), [true, false, false, false, false, false, false]);
    assert.match(informer.lastError?.message ?? '', /ECONNREFUSED/);
    assert.equal(informer.lastError?.code, 'ECONNREFUSED');

    await server.setDown(false);
    await clock.fireNext();
    await eventually(() => assert.equal(informer.connected, true));
    await informer.whenSynced();
    assert.deepEqual(restored, [{ downForMs: delays.reduce((a, b) => a + b) + 750, failures: 7 }]);
    assert.deepEqual(informer.list().map((s) => s.metadata?.name), ['web']);
    assert.equal(informer.lastSync?.getTime(), clock.wallNow());
    assert.equal(clock.waiting, 0, 'no retry pending once connected');
  });

  it('keeps backing off for a connection that fails soon after it was made, and starts over after one that held', async () => {
    await informer.start();
    await eventually(() => assert.equal(server.openWatches, 1));
    server.breakWatches({ abrupt: true });
    assert.equal(await clock.fireNext(), 75);
    await eventually(() => assert.equal(informer.connected, true));
    // Cut again at once: the connection did not hold, so the back-off goes on.
    await eventually(() => assert.equal(server.openWatches, 1));
    server.breakWatches({ abrupt: true });
    assert.equal(await clock.fireNext(), 150);
    await eventually(() => assert.equal(informer.connected, true));
    assert.deepEqual(failures.map((f) => f.outageStart), [true, true], 'each cut after a connection starts an outage');
    // Held for longer than resetAfterMs: the next failure retries at the first delay.
    assert.equal(clock.waiting, 0);
    clock.advance(60_000);
    await eventually(() => assert.equal(server.openWatches, 1));
    server.breakWatches({ abrupt: true });
    assert.equal(await clock.fireNext(), 75);
    await eventually(() => assert.equal(informer.connected, true));
  });

  it('does not retry what the library handles itself: a watch the server ends, a 410', async () => {
    server.create('Service', service('default', 'a'));
    await informer.start();
    await eventually(() => assert.equal(server.openWatches, 1));
    server.breakWatches();
    server.delete('Service', { namespace: 'default', name: 'a' });
    server.compactBefore();
    await eventually(() => assert.deepEqual(informer.list(), []));
    assert.deepEqual(failures, []);
    assert.equal(clock.waiting, 0);
    assert.equal(informer.connected, true);
  });

  it('stops without an error, a retry or an open watch', async () => {
    await informer.start();
    await eventually(() => assert.equal(server.openWatches, 1));
    await informer.stop();
    // The server sees the watch closed: whatever the close could raise has been raised.
    await eventually(() => assert.equal(server.openWatches, 0));
    assert.deepEqual(failures, []);
    assert.equal(clock.waiting, 0);
    assert.equal(informer.status().connected, false);
  });

  it('keeps what the API server said when it refuses the credentials', async () => {
    const kubeConfig = makeKubeConfig({ server: server.url, token: 'wrong' });
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const refused = new ResilientInformer<V1Service>({
      name: 'services', kubeConfig, path: '/api/v1/services', list: (signal) => core.listServiceForAllNamespaces({}, abortable(signal)),
      clock, watchTimeoutSeconds: 0, stallTimeoutMs: 0,
    });
    try {
      await refused.start();
      assert.deepEqual(refused.status().lastError, { message: '401 Unauthorized', code: 401, at: new Date(clock.wallNow()).toISOString() });
      assert.equal(clock.waiting, 1, 'and retries: credentials can be fixed while it runs');
    } finally {
      await refused.stop();
    }
  });

  it('stops while down: the pending retry is cancelled', async () => {
    await server.setDown(true);
    await informer.start();
    assert.equal(clock.waiting, 1);
    await informer.stop();
    assert.equal(clock.waiting, 0);
  });
});
