// client-node 1.4's informer (makeInformer / ListWatch) against the fake: list then watch, the
// events it fires, what it does when the server closes a watch, answers 410, cuts a connection
// or goes away. What these tests observe is what the Kubernetes watchers must be written for:
// - a watch the server ends cleanly is re-opened from the last resourceVersion, silently;
// - an ERROR 410 in the stream makes it relist (firing delete for what vanished), silently;
// - a cut connection, a refused connection or a 503 fires 'error' and the informer STOPS:
//   nothing restarts it but a call to start() (back-off is the caller's job);
// - stop() itself fires 'error' with an AbortError while a watch is open.
import { strict as assert } from 'node:assert';
import { CoordinationV1Api, CoreV1Api, ListWatch, type V1Service, Watch, makeInformer } from '@kubernetes/client-node';
import { FakeApiServer } from '../support/fake-apiserver/index.js';
import { type InformerLog, eventually, listRequests, recordInformer, sleep, watchRequests } from './helpers.js';

const svc = (name: string, labels: Record<string, string> = {}) => ({ metadata: { namespace: 'default', name, labels }, spec: { type: 'LoadBalancer' } });
const ref = (name: string) => ({ namespace: 'default', name });
const names = (list: readonly V1Service[]): string[] => list.map((s) => s.metadata?.name ?? '').sort();
const errorCode = (err: unknown): unknown => (err as { code?: unknown; statusCode?: unknown }).statusCode ?? (err as { code?: unknown }).code;

describe('fake API server: client-node informer', () => {
  let server: FakeApiServer;
  let core: CoreV1Api;
  let informer: ReturnType<typeof makeInformer<V1Service>>;
  let log: InformerLog;

  beforeEach(async () => {
    server = new FakeApiServer();
    await server.start();
    core = server.kubeconfig().makeApiClient(CoreV1Api);
    informer = makeInformer(server.kubeconfig(), '/api/v1/services', () => core.listServiceForAllNamespaces());
    log = recordInformer(informer);
  });

  afterEach(async () => {
    await informer.stop();
    await server.stop();
  });

  /** Starts the informer and waits until its watch is open on the server. */
  async function startAndWatch(): Promise<void> {
    await informer.start();
    await eventually(() => assert.equal(server.openWatches, 1));
  }

  it('lists, then watches from the list resourceVersion, and fires add, update and delete', async () => {
    server.create('Service', svc('a'));
    server.create('Service', svc('b'));
    await startAndWatch();
    server.patch('Service', ref('a'), { metadata: { labels: { changed: 'yes' } } });
    server.delete('Service', ref('b'));
    server.create('Service', svc('c'));
    await eventually(() => assert.equal(log.events.length, 5));
    assert.deepEqual(log.events, ['add default/a 1', 'add default/b 2', 'update default/a 3', 'delete default/b 4', 'add default/c 5']);
    assert.deepEqual(names(informer.list()), ['a', 'c']);
    assert.equal(listRequests(server, '/api/v1/services'), 1);
    assert.deepEqual(watchRequests(server), ['2']);
    assert.deepEqual(log.errors, []);
  });

  it('re-opens a watch the server ends from the last resourceVersion, without a relist or an error', async () => {
    server.create('Service', svc('a'));
    await startAndWatch();
    server.create('Service', svc('b'));
    await eventually(() => assert.equal(log.events.length, 2));
    server.breakWatches();
    await eventually(() => assert.deepEqual(watchRequests(server), ['1', '2']));
    server.create('Service', svc('c'));
    await eventually(() => assert.deepEqual(names(informer.list()), ['a', 'b', 'c']));
    assert.equal(listRequests(server, '/api/v1/services'), 1);
    assert.equal(log.connects, 2);
    assert.deepEqual(log.errors, []);
  });

  it('relists after a 410 in the watch stream and fires delete for objects that vanished meanwhile', async () => {
    server.create('Service', svc('a'));
    server.create('Service', svc('b'));
    await startAndWatch();
    // The watch closes; before the informer comes back, history moves on and is compacted.
    server.breakWatches();
    server.delete('Service', ref('a'));
    server.create('Service', svc('c'));
    server.compactBefore();
    await eventually(() => assert.deepEqual(names(informer.list()), ['b', 'c']));
    assert.deepEqual(log.events.slice(2), ['delete default/a 1', 'add default/c 4']);
    assert.equal(listRequests(server, '/api/v1/services'), 2);
    await eventually(() => assert.deepEqual(watchRequests(server), ['2', '2', '4']));
    assert.deepEqual(log.errors, [], 'a 410 is handled inside the informer, never reported');
  });

  it('reports a cut watch connection as an error and stops until start() is called again', async () => {
    server.create('Service', svc('a'));
    await startAndWatch();
    server.breakWatches({ abrupt: true });
    await eventually(() => assert.equal(log.errors.length, 1));
    assert.equal(errorCode(log.errors[0]), 'ERR_STREAM_PREMATURE_CLOSE');
    server.create('Service', svc('b'));
    await sleep(50);
    assert.equal(server.requests.length, 2, 'no request after the error: the informer is stopped');
    await startAndWatch();
    // It resumes from the resourceVersion it had: the missed event is replayed, no relist.
    await eventually(() => assert.deepEqual(names(informer.list()), ['a', 'b']));
    assert.deepEqual(watchRequests(server), ['1', '1']);
    assert.equal(listRequests(server, '/api/v1/services'), 1);
  });

  it('reports an outage as an error, fails a start() during it, and recovers with start() after setDown(false)', async () => {
    server.create('Service', svc('a'));
    await startAndWatch();
    await server.setDown(true);
    await eventually(() => assert.equal(log.errors.length, 1));
    await informer.start(); // resolves: the failure comes out as an 'error' event
    await eventually(() => assert.equal(log.errors.length, 2));
    assert.equal(errorCode(log.errors[1]), 'ECONNREFUSED');
    server.create('Service', svc('b'));
    await server.setDown(false);
    await startAndWatch();
    await eventually(() => assert.deepEqual(names(informer.list()), ['a', 'b']));
  });

  it('comes back from a 503 outage that outlived the history by relisting', async () => {
    server.create('Service', svc('a'));
    await startAndWatch();
    await server.setDown(true, 'unavailable');
    await eventually(() => assert.equal(log.errors.length, 1));
    await informer.start();
    await eventually(() => assert.equal(log.errors.length, 2));
    assert.equal(errorCode(log.errors[1]), 503);
    server.delete('Service', ref('a'));
    server.create('Service', svc('b'));
    server.compactBefore();
    await server.setDown(false);
    await startAndWatch();
    await eventually(() => assert.deepEqual(names(informer.list()), ['b']));
    assert.ok(log.events.includes('delete default/a 1'));
    assert.equal(listRequests(server, '/api/v1/services'), 2);
  });

  it('fires an AbortError on error when stopped with a watch open', async () => {
    await startAndWatch();
    await informer.stop();
    await eventually(() => assert.equal(log.errors.length, 1));
    assert.equal((log.errors[0] as Error).name, 'AbortError');
    await eventually(() => assert.equal(server.openWatches, 0));
  });

  it('passes its label selector to the watch only: the list function must apply the same one', async () => {
    await informer.stop();
    const labelSelector = 'vip=yes';
    informer = makeInformer(server.kubeconfig(), '/api/v1/services', () => core.listServiceForAllNamespaces({ labelSelector }), labelSelector);
    log = recordInformer(informer);
    server.create('Service', svc('in', { vip: 'yes' }));
    server.create('Service', svc('out'));
    await startAndWatch();
    server.create('Service', svc('in-too', { vip: 'yes' }));
    server.create('Service', svc('out-too'));
    await eventually(() => assert.deepEqual(names(informer.list()), ['in', 'in-too']));
    const watchQuery = server.requests.find((r) => r.query.watch === 'true')?.query;
    assert.equal(watchQuery?.labelSelector, labelSelector);
  });

  it('follows one Lease with a ListWatch and a metadata.name field selector', async () => {
    const kc = server.kubeconfig();
    const coordination = kc.makeApiClient(CoordinationV1Api);
    const fieldSelector = 'metadata.name=vip-speaker';
    const leases = new ListWatch(
      '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases',
      new Watch(kc),
      () => coordination.listNamespacedLease({ namespace: 'kube-system', fieldSelector }),
      false,
      undefined,
      fieldSelector,
    );
    const leaseLog = recordInformer(leases);
    try {
      await leases.start();
      await eventually(() => assert.equal(server.openWatches, 1));
      server.create('Lease', { metadata: { namespace: 'kube-system', name: 'vip-speaker' }, spec: { holderIdentity: 'node-1' } });
      server.create('Lease', { metadata: { namespace: 'kube-system', name: 'someone-else' }, spec: {} });
      await eventually(() => assert.deepEqual(leaseLog.events.map((e) => e.split(' ')[1]), ['kube-system/vip-speaker']));
    } finally {
      await leases.stop();
    }
  });
});
