// ApiClientConfig against the fake API server, with client-node's own calls: a few keep-alive
// connections however many calls are made, the calls in flight bounded, watches on their own
// connections, and close() ending everything. The bounds asserted hold by construction (a slot
// per connection), not by timing; the fake's latency only makes the calls overlap.
import { strict as assert } from 'node:assert';
import { CoreV1Api, type V1Service } from '@kubernetes/client-node';
import { ManualClock, systemClock } from '../../../../bgp/index.js';
import { ResilientInformer } from '../../../../src/kubernetes/informers/informer.js';
import { abortable } from '../../../../src/kubernetes/client.js';
import { KubeRequestTimeoutError, REQUEST_TIMEOUT_MS } from '../../../../src/kubernetes/transport/http.js';
import { ApiClientConfig } from '../../../../src/kubernetes/transport/kubeconfig.js';
import { TestClock } from '../../../support/clock.js';
import { FakeApiServer } from '../../../support/fake-apiserver/index.js';
import { eventually } from '../../../support-tests/helpers.js';

describe('ApiClientConfig', () => {
  let server: FakeApiServer;
  let clients: ApiClientConfig[];

  beforeEach(async () => {
    server = new FakeApiServer({ latencyMs: 20 });
    await server.start();
    clients = [];
    for (let i = 0; i < 5; i++) server.create('Service', { metadata: { namespace: 'shop', name: `web-${i}` }, spec: { type: 'ClusterIP' } });
  });

  afterEach(async () => {
    for (const c of clients) c.close();
    await server.stop();
  });

  function client(limits = { qps: 1000, burst: 1000, maxConnections: 3 }): ApiClientConfig {
    const c = new ApiClientConfig(server.kubeconfig(), limits, systemClock);
    clients.push(c);
    return c;
  }

  it('makes 60 calls over at most maxConnections keep-alive connections, never more in flight', async () => {
    const core = client().makeApiClient(CoreV1Api);
    const names = await Promise.all(Array.from({ length: 60 }, (_, i) => core.readNamespacedService({ namespace: 'shop', name: `web-${i % 5}` }).then((s) => s.metadata?.name)));
    assert.equal(names.length, 60);
    assert.equal(names[7], 'web-2');
    const used = new Set(server.requests.map((r) => r.connection));
    assert.ok(used.size <= 3, `${used.size} connections used`);
    assert.ok(server.connectionStats().peak <= 3, `peak ${server.connectionStats().peak} connections`);
    assert.ok(server.inFlightStats().peak <= 3, `peak ${server.inFlightStats().peak} in flight`);
    assert.ok(used.size < 60, 'connections are reused');
  });

  it('keeps a watch on a connection of its own, so the calls still have their slots', async () => {
    const c = client({ qps: 1000, burst: 1000, maxConnections: 1 });
    const core = c.makeApiClient(CoreV1Api);
    const informer = new ResilientInformer<V1Service>({
      name: 'services',
      kubeConfig: c,
      path: '/api/v1/services',
      list: (signal) => core.listServiceForAllNamespaces({}, abortable(signal)),
      clock: new ManualClock(),
    });
    await informer.start();
    await informer.whenSynced();
    await eventually(() => assert.equal(server.openWatches, 1));
    // The one slot is free: a call goes through while the watch stays open.
    const read = await core.readNamespacedService({ namespace: 'shop', name: 'web-1' });
    assert.equal(read.metadata?.name, 'web-1');
    assert.equal(server.openWatches, 1);
    await informer.stop();
  });

  it('close() aborts the calls in flight and refuses the next ones', async () => {
    const c = client();
    const core = c.makeApiClient(CoreV1Api);
    server.hold();
    const pending = core.readNamespacedService({ namespace: 'shop', name: 'web-1' });
    await eventually(() => assert.equal(server.heldRequests, 1));
    c.close('stopping');
    await assert.rejects(pending, { name: 'AbortError' });
    await assert.rejects(core.readNamespacedService({ namespace: 'shop', name: 'web-1' }), { code: 'KUBE_CLIENT_CLOSED' });
    server.release();
    await eventually(() => assert.equal(server.connectionStats().open, 0));
    assert.equal(c.openConnections, 0);
  });

  it('aborts a call the server does not answer within 30 s of leaving the gate, and frees its slot', async () => {
    const clock = new TestClock();
    const c = new ApiClientConfig(server.kubeconfig(), { qps: 100, burst: 100, maxConnections: 1 }, clock);
    clients.push(c);
    const core = c.makeApiClient(CoreV1Api);
    server.hold();
    const hung = core.readNamespacedService({ namespace: 'shop', name: 'web-1' });
    await eventually(() => assert.equal(server.heldRequests, 1));
    await clock.advanceAsync(REQUEST_TIMEOUT_MS - 1);
    assert.equal(c.gate.stats().inFlight, 1);
    await clock.advanceAsync(1);
    await assert.rejects(hung, (err: Error) => err instanceof KubeRequestTimeoutError && /within 30000 ms: GET \/api\/v1\/namespaces\/shop\/services\/web-1$/.test(err.message));
    assert.equal(c.gate.stats().inFlight, 0);
    server.release();
    assert.equal((await core.readNamespacedService({ namespace: 'shop', name: 'web-2' })).metadata?.name, 'web-2');
  });

  it('holds the calls to qps once the burst is spent', async () => {
    const clock = new ManualClock();
    const c = new ApiClientConfig(server.kubeconfig(), { qps: 1, burst: 2, maxConnections: 5 }, clock);
    clients.push(c);
    server.latencyMs = 0;
    const core = c.makeApiClient(CoreV1Api);
    const calls = Array.from({ length: 4 }, () => core.readNamespacedService({ namespace: 'shop', name: 'web-0' }));
    await eventually(() => assert.equal(server.requests.length, 2));
    await clock.advanceAsync(999);
    assert.equal(server.requests.length, 2);
    await clock.advanceAsync(1);
    await eventually(() => assert.equal(server.requests.length, 3));
    await clock.advanceAsync(1000);
    await Promise.all(calls);
    assert.equal(server.requests.length, 4);
  });
});
