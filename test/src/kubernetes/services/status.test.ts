// The Service status writer against the fake API server with client-node's real calls: one
// write per change, by the leader only, conflicts answered by reading again.
import { strict as assert } from 'node:assert';
import { CoreV1Api } from '@kubernetes/client-node';
import { ManualClock } from '../../../../bgp/index.js';
import { ServiceStatusWriter, type ServiceStatusWriterOptions, sameIngress } from '../../../../src/kubernetes/services/status.js';
import { FakeApiServer } from '../../../support/fake-apiserver/index.js';
import { eventually } from '../../../support-tests/helpers.js';

const STATUS_PATH = '/api/v1/namespaces/shop/services/web/status';

describe('ServiceStatusWriter', () => {
  let server: FakeApiServer;
  let clock: ManualClock;
  let writers: ServiceStatusWriter[];

  function writer(options: Partial<ServiceStatusWriterOptions> = {}): ServiceStatusWriter {
    const w = new ServiceStatusWriter({ kubeConfig: server.kubeconfig(), isLeader: () => true, clock, ...options });
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
    server.create('Service', { metadata: { namespace: 'shop', name: 'web' }, spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] } });
  });

  afterEach(async () => {
    await Promise.all(writers.map((w) => w.stop()));
    await server.stop();
  });

  it('writes the VIPs as ingress with ipMode VIP once, and nothing for a repeat', async () => {
    const w = writer();
    assert.equal(await w.sync('shop', 'web', ['192.0.2.10']), 'written');
    assert.deepEqual(ingress(), [{ ip: '192.0.2.10', ipMode: 'VIP' }]);
    assert.equal(await w.sync('shop', 'web', ['192.0.2.10/32']), 'unchanged');
    assert.deepEqual(statusWrites().map((r) => `${r.method} ${r.code}`), ['PATCH 200']);
    // client-node 1.4's model keeps ipMode on the way back in.
    const read = await server.kubeconfig().makeApiClient(CoreV1Api).readNamespacedService({ namespace: 'shop', name: 'web' });
    assert.equal(read.status?.loadBalancer?.ingress?.[0]?.ipMode, 'VIP');
  });

  it('rewrites an ingress another writer left with ipMode Proxy or a hostname', async () => {
    server.updateStatus('Service', { metadata: { namespace: 'shop', name: 'web' }, status: { loadBalancer: { ingress: [{ ip: '192.0.2.10', ipMode: 'Proxy' }, { hostname: 'lb.example' }] } } });
    assert.equal(await writer().sync('shop', 'web', ['192.0.2.10']), 'written');
    assert.deepEqual(ingress(), [{ ip: '192.0.2.10', ipMode: 'VIP' }]);
  });

  it('is written by the leader only: a second node never writes', async () => {
    const leader = writer({ isLeader: () => true });
    const follower = writer({ isLeader: () => false });
    const results = await Promise.all([leader.sync('shop', 'web', ['192.0.2.10']), follower.sync('shop', 'web', ['192.0.2.10'])]);
    assert.deepEqual(results, ['written', 'not-leader']);
    assert.equal(statusWrites().length, 1);
    // The follower does not even read: one GET and one PATCH in all.
    assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), ['GET /api/v1/namespaces/shop/services/web', `PATCH ${STATUS_PATH}`]);
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
    await w.sync('shop', 'web', ['192.0.2.10']);
    await w.sync('shop', 'web', ['192.0.2.10', '2001:db8::10']);
    await w.sync('shop', 'web', ['2001:db8::10']);
    assert.deepEqual(ingress(), [{ ip: '2001:db8::10', ipMode: 'VIP' }]);
    assert.equal(await w.sync('shop', 'web', []), 'written');
    assert.equal(ingress(), undefined);
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

  it('answers a 409 by reading again and writing once more', async () => {
    const w = writer();
    server.latencyMs = 100;
    const done = w.sync('shop', 'web', ['192.0.2.10']);
    // While the PATCH waits in the server, someone else changes the Service.
    await eventually(() => assert.equal(statusWrites().length, 1));
    server.patch('Service', { namespace: 'shop', name: 'web' }, { metadata: { labels: { touched: 'yes' } } });
    assert.equal(await done, 'written');
    assert.deepEqual(statusWrites().map((r) => r.code), [409, 200]);
    assert.deepEqual(ingress(), [{ ip: '192.0.2.10', ipMode: 'VIP' }]);
  });

  it('keeps the rest of the status and the spec as they are', async () => {
    server.updateStatus('Service', { metadata: { namespace: 'shop', name: 'web' }, status: { conditions: [{ type: 'Ready', status: 'True', reason: 'x', message: 'y', lastTransitionTime: '2024-01-01T00:00:00Z' }] } });
    await writer().sync('shop', 'web', ['192.0.2.10']);
    const svc = server.get('Service', { namespace: 'shop', name: 'web' }) as unknown as { spec: { ports: unknown[] }; status: { conditions: unknown[] } };
    assert.equal(svc.status.conditions.length, 1);
    assert.equal(svc.spec.ports.length, 1);
  });

  it('says not-found for a Service that is gone', async () => {
    assert.equal(await writer().sync('shop', 'nope', ['192.0.2.10']), 'not-found');
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
