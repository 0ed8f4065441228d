// The Service status writer against the fake API server with client-node's real calls: one
// write per change, by the leader only, reads from the cache and never from the API server,
// conflicts answered once the cache has caught up.
import { strict as assert } from 'node:assert';
import { CoreV1Api, type V1Service } from '@kubernetes/client-node';
import { ManualClock } from '../../../../bgp/index.js';
import { ServiceStatusWriter, type ServiceStatusWriterOptions, sameIngress } from '../../../../src/kubernetes/services/status.js';
import { FakeApiServer } from '../../../support/fake-apiserver/index.js';
import { eventually } from '../../../support-tests/helpers.js';

const STATUS_PATH = '/api/v1/namespaces/shop/services/web/status';

describe('ServiceStatusWriter', () => {
  let server: FakeApiServer;
  let clock: ManualClock;
  let writers: ServiceStatusWriter[];
  /** The informer's cache as the test lets it be: refreshed only when the test says the watch delivered. */
  let cached: Map<string, V1Service>;
  const refresh = () => {
    cached.clear();
    for (const o of server.list('Service')) cached.set(`${o.metadata.namespace}/${o.metadata.name}`, o as unknown as V1Service);
  };

  function writer(options: Partial<ServiceStatusWriterOptions> = {}): ServiceStatusWriter {
    const cache = { get: (name: string, namespace?: string) => cached.get(`${namespace}/${name}`) };
    const w = new ServiceStatusWriter({ kubeConfig: server.kubeconfig(), isLeader: () => true, clock, cache, ...options });
    writers.push(w);
    return w;
  }

  const ingress = () => (server.get('Service', { namespace: 'shop', name: 'web' }) as { status?: { loadBalancer?: { ingress?: unknown } } } | undefined)?.status?.loadBalancer?.ingress;
  const statusWrites = () => server.requests.filter((r) => (r.method === 'PATCH' || r.method === 'PUT') && r.path === STATUS_PATH);

  beforeEach(async () => {
    server = new FakeApiServer();
    await server.start();
    clock = new ManualClock();
    writers = [];
    cached = new Map();
    server.create('Service', { metadata: { namespace: 'shop', name: 'web' }, spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] } });
    refresh();
  });

  afterEach(async () => {
    await Promise.all(writers.map((w) => w.stop()));
    await server.stop();
  });

  it('writes the VIPs as ingress with ipMode VIP once, and nothing for a repeat, before and after the watch brings the write back', async () => {
    const w = writer();
    assert.equal(await w.sync('shop', 'web', ['192.0.2.10']), 'written');
    assert.deepEqual(ingress(), [{ ip: '192.0.2.10', ipMode: 'VIP' }]);
    // The cache still holds the version before the write: the writer knows what it wrote over it.
    assert.equal(await w.sync('shop', 'web', ['192.0.2.10/32']), 'unchanged');
    refresh();
    assert.equal(await w.sync('shop', 'web', ['192.0.2.10']), 'unchanged');
    // Never a GET: the one request is the PATCH.
    assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path} ${r.code}`), [`PATCH ${STATUS_PATH} 200`]);
    // client-node 1.4's model keeps ipMode on the way back in.
    const read = await server.kubeconfig().makeApiClient(CoreV1Api).readNamespacedService({ namespace: 'shop', name: 'web' });
    assert.equal(read.status?.loadBalancer?.ingress?.[0]?.ipMode, 'VIP');
  });

  it('rewrites an ingress another writer left with ipMode Proxy or a hostname', async () => {
    server.updateStatus('Service', { metadata: { namespace: 'shop', name: 'web' }, status: { loadBalancer: { ingress: [{ ip: '192.0.2.10', ipMode: 'Proxy' }, { hostname: 'lb.example' }] } } });
    refresh();
    assert.equal(await writer().sync('shop', 'web', ['192.0.2.10']), 'written');
    assert.deepEqual(ingress(), [{ ip: '192.0.2.10', ipMode: 'VIP' }]);
  });

  it('is written by the leader only: a second node never writes', async () => {
    const leader = writer({ isLeader: () => true });
    const follower = writer({ isLeader: () => false });
    const results = await Promise.all([leader.sync('shop', 'web', ['192.0.2.10']), follower.sync('shop', 'web', ['192.0.2.10'])]);
    assert.deepEqual(results, ['written', 'not-leader']);
    // The follower sends nothing: one PATCH in all.
    assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), [`PATCH ${STATUS_PATH}`]);
  });

  it('writes what it was told on becoming leader (resync)', async () => {
    let leading = false;
    const w = writer({ isLeader: () => leading });
    assert.equal(await w.sync('shop', 'web', ['192.0.2.10', '2001:DB8::10']), 'not-leader');
    assert.equal(server.requests.length, 0);
    leading = true;
    await w.resync();
    assert.deepEqual(ingress(), [{ ip: '192.0.2.10', ipMode: 'VIP' }, { ip: '2001:db8::10', ipMode: 'VIP' }]);
    assert.equal(statusWrites().length, 1);
  });

  it('writes once per change: a VIP added, one removed, then none', async () => {
    const w = writer();
    for (const vips of [['192.0.2.10'], ['192.0.2.10', '2001:db8::10'], ['2001:db8::10']]) {
      assert.equal(await w.sync('shop', 'web', vips), 'written');
      refresh();
    }
    assert.deepEqual(ingress(), [{ ip: '2001:db8::10', ipMode: 'VIP' }]);
    assert.equal(await w.sync('shop', 'web', []), 'written');
    assert.equal(ingress(), undefined);
    refresh();
    assert.equal(await w.sync('shop', 'web', []), 'unchanged');
    assert.equal(statusWrites().length, 4);
  });

  it('folds calls made while a write runs into one follow-up with the latest VIPs', async () => {
    const w = writer();
    const before = w.sync('shop', 'web', ['192.0.2.9']);
    assert.equal(w.sync('shop', 'web', ['192.0.2.10']), before, 'calls before the run starts share it');
    server.latencyMs = 50;
    await eventually(() => assert.equal(server.requests.length, 1), 1000);
    const second = w.sync('shop', 'web', ['192.0.2.11']);
    const third = w.sync('shop', 'web', ['192.0.2.12']);
    assert.equal(second, third, 'the queued run is shared');
    assert.notEqual(second, before);
    assert.deepEqual(await Promise.all([before, second]), ['written', 'written']);
    assert.deepEqual(ingress(), [{ ip: '192.0.2.12', ipMode: 'VIP' }]);
    assert.equal(statusWrites().length, 2);
  });

  it('answers a 409 by waiting for the cache to hold the newer version, then writing once more', async () => {
    const w = writer({ retryDelayMs: 60_000 });
    // Someone else changes the Service; the watch has not brought it to the cache yet.
    server.patch('Service', { namespace: 'shop', name: 'web' }, { metadata: { labels: { touched: 'yes' } } });
    assert.equal(await w.sync('shop', 'web', ['192.0.2.10']), 'conflict');
    assert.deepEqual(statusWrites().map((r) => r.code), [409]);
    // The same stale version again changes nothing; the newer one retries at once.
    w.observed('shop', 'web');
    await w.settled();
    assert.equal(statusWrites().length, 1);
    refresh();
    w.observed('shop', 'web');
    await w.settled();
    assert.deepEqual(statusWrites().map((r) => r.code), [409, 200]);
    assert.deepEqual(ingress(), [{ ip: '192.0.2.10', ipMode: 'VIP' }]);
    assert.equal((server.get('Service', { namespace: 'shop', name: 'web' }) as { metadata: { labels?: Record<string, string> } }).metadata.labels?.touched, 'yes', 'the other change is kept');
  });

  it('tries a refused write again after the retry delay even when the cache never says', async () => {
    const w = writer({ retryDelayMs: 3000 });
    server.patch('Service', { namespace: 'shop', name: 'web' }, { metadata: { labels: { touched: 'yes' } } });
    assert.equal(await w.sync('shop', 'web', ['192.0.2.10']), 'conflict');
    refresh();
    clock.advance(2999);
    await w.settled();
    assert.equal(statusWrites().length, 1);
    clock.advance(1);
    await w.settled();
    assert.deepEqual(statusWrites().map((r) => r.code), [409, 200]);
  });

  it('aborts a write in flight on stop, and writes nothing afterwards', async () => {
    const w = writer();
    server.hold();
    const pending = w.sync('shop', 'web', ['192.0.2.10']);
    await eventually(() => assert.equal(server.heldRequests, 1));
    await w.stop();
    assert.equal(await pending, 'forgotten');
    assert.equal(await w.sync('shop', 'web', ['192.0.2.11']), 'forgotten');
    // The server sees the connection go before it answers.
    await eventually(() => assert.equal(statusWrites()[0]?.aborted, true));
    server.release();
    assert.equal(statusWrites().length, 1);
  });

  it('keeps the rest of the status and the spec as they are', async () => {
    server.updateStatus('Service', { metadata: { namespace: 'shop', name: 'web' }, status: { conditions: [{ type: 'Ready', status: 'True', reason: 'x', message: 'y', lastTransitionTime: '2024-01-01T00:00:00Z' }] } });
    refresh();
    await writer().sync('shop', 'web', ['192.0.2.10']);
    const svc = server.get('Service', { namespace: 'shop', name: 'web' }) as unknown as { spec: { ports: unknown[] }; status: { conditions: unknown[] } };
    assert.equal(svc.status.conditions.length, 1);
    assert.equal(svc.spec.ports.length, 1);
  });

  it('says not-found for a Service that is not in the cache, and for one the API server no longer has', async () => {
    const w = writer();
    assert.equal(await w.sync('shop', 'nope', ['192.0.2.10']), 'not-found');
    assert.equal(server.requests.length, 0);
    server.delete('Service', { namespace: 'shop', name: 'web' });
    assert.equal(await w.sync('shop', 'web', ['192.0.2.10']), 'not-found');
  });

  it('tries again after retryDelayMs when the API server is down, unless forgotten', async () => {
    const failures: string[] = [];
    const w = writer({ retryDelayMs: 2000 });
    w.on('failed', (_ns, _name, message) => failures.push(message));
    await server.setDown(true);
    assert.equal(await w.sync('shop', 'web', ['192.0.2.10']), 'failed');
    assert.equal(failures.length, 1);
    await server.setDown(false);
    clock.advance(1999);
    await w.settled();
    assert.equal(ingress(), undefined);
    clock.advance(1);
    await w.settled();
    assert.deepEqual(ingress(), [{ ip: '192.0.2.10', ipMode: 'VIP' }]);
    // A forgotten Service is not retried.
    await server.setDown(true);
    await w.sync('shop', 'web', ['192.0.2.11']);
    w.forget('shop', 'web');
    await server.setDown(false);
    assert.equal(clock.pending, 0);
  });

  it('compares only what it writes: a missing ipMode (API server before 1.29) counts as the same', () => {
    assert.equal(sameIngress([{ ip: '192.0.2.10' }], ['192.0.2.10'], 'VIP'), true);
    assert.equal(sameIngress([{ ip: '192.0.2.10', ipMode: 'Proxy' }], ['192.0.2.10'], 'VIP'), false);
    assert.equal(sameIngress([{ ip: '192.0.2.10', hostname: 'lb.example' }], ['192.0.2.10'], 'VIP'), false);
    assert.equal(sameIngress([{ ip: '192.0.2.11' }, { ip: '192.0.2.10' }], ['192.0.2.10', '192.0.2.11'], 'VIP'), false);
    assert.equal(sameIngress([], [], 'VIP'), true);
  });
});
