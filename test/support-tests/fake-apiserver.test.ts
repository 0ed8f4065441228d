// The fake API server answers @kubernetes/client-node's own typed calls as kube-apiserver would:
// lists, gets, create, replace, the /status subresource, the three patch types, optimistic
// concurrency on Leases, selectors, paging, deletes and discovery.
import { strict as assert } from 'node:assert';
import {
  ApiException,
  ApisApi,
  CoordinationV1Api,
  CoreApi,
  CoreV1Api,
  DiscoveryV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1Lease,
  type V1Service,
} from '@kubernetes/client-node';
import { FakeApiServer, makeKubeConfig } from '../support/fake-apiserver/index.js';
import { apiFailure, plain } from './helpers.js';

function service(namespace: string, name: string, labels: Record<string, string> = {}): V1Service {
  return { metadata: { namespace, name, labels }, spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] } };
}

describe('fake API server: client-node typed calls', () => {
  let server: FakeApiServer;
  let core: CoreV1Api;

  beforeEach(async () => {
    server = new FakeApiServer();
    await server.start();
    core = server.kubeconfig().makeApiClient(CoreV1Api);
  });

  afterEach(async () => {
    await server.stop();
  });

  it('lists services across namespaces with the list kind, the list resourceVersion and items without a kind', async () => {
    server.create('Service', service('a', 'web'));
    server.create('Service', service('b', 'db'));
    const list = await core.listServiceForAllNamespaces();
    assert.equal(list.kind, 'ServiceList');
    assert.equal(list.apiVersion, 'v1');
    assert.equal(list.metadata?.resourceVersion, '2');
    assert.deepEqual(list.items.map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`), ['a/web', 'b/db']);
    assert.equal(list.items[0]?.kind, undefined);
  });

  it('reads a service with uid, creationTimestamp, generation and resourceVersion set by the server', async () => {
    server.create('Service', service('default', 'web'));
    const svc = await core.readNamespacedService({ namespace: 'default', name: 'web' });
    assert.equal(svc.kind, 'Service');
    assert.match(svc.metadata?.uid ?? '', /^[0-9a-f-]{36}$/);
    assert.ok(svc.metadata?.creationTimestamp instanceof Date);
    assert.equal(svc.metadata?.generation, 1);
    assert.equal(svc.metadata?.resourceVersion, '1');
  });

  it('answers a missing service with 404 and a NotFound Status', async () => {
    const { code, status } = await apiFailure(core.readNamespacedService({ namespace: 'default', name: 'nope' }));
    assert.equal(code, 404);
    assert.equal(status.reason, 'NotFound');
    assert.equal(status.message, 'services "nope" not found');
  });

  it('creates a service, clearing the status a client sent, and refuses a second create with 409 AlreadyExists', async () => {
    const created = await core.createNamespacedService({
      namespace: 'default',
      body: { ...service('default', 'web'), status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } } },
    });
    assert.equal(created.metadata?.resourceVersion, '1');
    assert.equal(created.status, undefined);
    const { code, status } = await apiFailure(core.createNamespacedService({ namespace: 'default', body: service('default', 'web') }));
    assert.equal(code, 409);
    assert.equal(status.reason, 'AlreadyExists');
  });

  it('writes only the status through replaceNamespacedServiceStatus and keeps the generation', async () => {
    server.create('Service', service('default', 'web'));
    const current = await core.readNamespacedService({ namespace: 'default', name: 'web' });
    const body: V1Service = { ...current, spec: { ...current.spec, type: 'ClusterIP' }, status: { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } } };
    const written = await core.replaceNamespacedServiceStatus({ namespace: 'default', name: 'web', body });
    assert.deepEqual(plain(written.status?.loadBalancer?.ingress), [{ ip: '192.0.2.10' }]);
    assert.equal(written.spec?.type, 'LoadBalancer');
    assert.equal(written.metadata?.generation, 1);
    assert.equal(written.metadata?.resourceVersion, '2');
  });

  it('keeps the status on a replace of the main resource and bumps the generation when the spec changes', async () => {
    server.create('Service', { ...service('default', 'web'), status: { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } } });
    const current = await core.readNamespacedService({ namespace: 'default', name: 'web' });
    const body: V1Service = { ...current, spec: { ...current.spec, type: 'NodePort' }, status: {} };
    const written = await core.replaceNamespacedService({ namespace: 'default', name: 'web', body });
    assert.equal(written.spec?.type, 'NodePort');
    assert.deepEqual(plain(written.status?.loadBalancer?.ingress), [{ ip: '192.0.2.10' }]);
    assert.equal(written.metadata?.generation, 2);
  });

  it('does not write an update that changes nothing: same resourceVersion, no new event', async () => {
    server.create('Service', service('default', 'web'));
    const current = await core.readNamespacedService({ namespace: 'default', name: 'web' });
    const written = await core.replaceNamespacedService({ namespace: 'default', name: 'web', body: current });
    assert.equal(written.metadata?.resourceVersion, current.metadata?.resourceVersion);
    assert.equal(server.resourceVersion, 1);
  });

  it('patches the status with client-node default JSON Patch, a merge patch and a strategic merge patch', async () => {
    server.create('Service', service('default', 'web'));
    const ref = { namespace: 'default', name: 'web' };
    const jsonPatched = await core.patchNamespacedServiceStatus({
      ...ref,
      body: [{ op: 'add', path: '/status', value: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } } }],
    });
    assert.deepEqual(plain(jsonPatched.status?.loadBalancer?.ingress), [{ ip: '192.0.2.1' }]);
    const merged = await core.patchNamespacedServiceStatus(
      { ...ref, body: { status: { loadBalancer: { ingress: [{ ip: '192.0.2.2' }] } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.deepEqual(plain(merged.status?.loadBalancer?.ingress), [{ ip: '192.0.2.2' }]);
    const strategic = await core.patchNamespacedService(
      { ...ref, body: { metadata: { annotations: { owner: 'vip-speaker' } }, spec: { ports: [{ port: 443, protocol: 'TCP' }] } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    // spec.ports merges by `port`: 443 joins 80 instead of replacing it.
    assert.deepEqual(strategic.spec?.ports?.map((p) => p.port), [80, 443]);
    assert.equal(strategic.metadata?.annotations?.owner, 'vip-speaker');
    assert.deepEqual(plain(strategic.status?.loadBalancer?.ingress), [{ ip: '192.0.2.2' }]);
  });

  it('refuses a patch that names a stale resourceVersion with 409 Conflict', async () => {
    server.create('Service', service('default', 'web'));
    server.patch('Service', { namespace: 'default', name: 'web' }, { metadata: { labels: { touched: 'yes' } } });
    const { code, status } = await apiFailure(
      core.patchNamespacedService(
        { namespace: 'default', name: 'web', body: { metadata: { resourceVersion: '1', labels: { mine: 'yes' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    assert.equal(code, 409);
    assert.equal(status.reason, 'Conflict');
  });

  it('filters lists by label selector and by the metadata.name field selector', async () => {
    server.create('Service', service('default', 'web', { app: 'web', tier: 'front' }));
    server.create('Service', service('default', 'api', { app: 'api', tier: 'front' }));
    server.create('Service', service('other', 'db', { app: 'db' }));
    const names = (l: { items: V1Service[] }): string[] => l.items.map((s) => s.metadata?.name ?? '');
    assert.deepEqual(names(await core.listServiceForAllNamespaces({ labelSelector: 'tier=front,app!=api' })), ['web']);
    assert.deepEqual(names(await core.listServiceForAllNamespaces({ labelSelector: 'app in (api,db)' })), ['api', 'db']);
    assert.deepEqual(names(await core.listServiceForAllNamespaces({ labelSelector: '!tier' })), ['db']);
    assert.deepEqual(names(await core.listNamespacedService({ namespace: 'default', fieldSelector: 'metadata.name=api' })), ['api']);
    const { code } = await apiFailure(core.listServiceForAllNamespaces({ fieldSelector: 'spec.nope=1' }));
    assert.equal(code, 400);
  });

  it('pages a list with limit and continue at the first page resourceVersion, and answers 410 once that is compacted', async () => {
    for (const name of ['a', 'b', 'c']) server.create('Service', service('default', name));
    const first = await core.listNamespacedService({ namespace: 'default', limit: 2 });
    assert.deepEqual(first.items.map((s) => s.metadata?.name), ['a', 'b']);
    assert.equal(first.metadata?.remainingItemCount, 1);
    server.delete('Service', { namespace: 'default', name: 'c' });
    const second = await core.listNamespacedService({ namespace: 'default', limit: 2, _continue: first.metadata?._continue ?? '' });
    assert.deepEqual(second.items.map((s) => s.metadata?.name), ['c'], 'the page shows the snapshot, not the later delete');
    assert.equal(second.metadata?.resourceVersion, first.metadata?.resourceVersion);
    server.compactBefore();
    const { code, status } = await apiFailure(core.listNamespacedService({ namespace: 'default', limit: 2, _continue: first.metadata?._continue ?? '' }));
    assert.equal(code, 410);
    assert.equal(status.reason, 'Expired');
  });

  it('lists EndpointSlices across namespaces and in one namespace with DiscoveryV1Api', async () => {
    const discovery = server.kubeconfig().makeApiClient(DiscoveryV1Api);
    const slice = (ns: string, name: string) => ({
      metadata: { namespace: ns, name, labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true }, nodeName: 'node-1' }],
    });
    server.create('EndpointSlice', slice('default', 'web-abc'));
    server.create('EndpointSlice', slice('other', 'web-def'));
    const all = await discovery.listEndpointSliceForAllNamespaces({ labelSelector: 'kubernetes.io/service-name=web' });
    assert.equal(all.kind, 'EndpointSliceList');
    assert.equal(all.apiVersion, 'discovery.k8s.io/v1');
    assert.deepEqual(all.items.map((s) => s.metadata?.name), ['web-abc', 'web-def']);
    assert.equal(all.items[0]?.endpoints[0]?.conditions?.ready, true);
    const one = await discovery.listNamespacedEndpointSlice({ namespace: 'other' });
    assert.deepEqual(one.items.map((s) => s.metadata?.name), ['web-def']);
  });

  it('creates, reads and replaces a Lease, and refuses a replace with a stale resourceVersion with 409 Conflict', async () => {
    const leases = server.kubeconfig().makeApiClient(CoordinationV1Api);
    const body: V1Lease = {
      metadata: { namespace: 'kube-system', name: 'vip-speaker' },
      spec: { holderIdentity: 'node-1', leaseDurationSeconds: 15, renewTime: new Date('2024-01-01T00:00:00.000Z') },
    };
    const created = await leases.createNamespacedLease({ namespace: 'kube-system', body });
    assert.equal(created.metadata?.generation, undefined);
    const read = await leases.readNamespacedLease({ namespace: 'kube-system', name: 'vip-speaker' });
    assert.equal(read.spec?.holderIdentity, 'node-1');
    const renewed = await leases.replaceNamespacedLease({
      namespace: 'kube-system', name: 'vip-speaker', body: { ...read, spec: { ...read.spec, renewTime: new Date('2024-01-01T00:00:05.000Z') } },
    });
    assert.notEqual(renewed.metadata?.resourceVersion, read.metadata?.resourceVersion);
    const stale = { ...read, spec: { ...read.spec, holderIdentity: 'node-2' } };
    const { code, status } = await apiFailure(leases.replaceNamespacedLease({ namespace: 'kube-system', name: 'vip-speaker', body: stale }));
    assert.equal(code, 409);
    assert.equal(status.reason, 'Conflict');
    assert.match(status.message ?? '', /^Operation cannot be fulfilled on leases\.coordination\.k8s\.io "vip-speaker": the object has been modified/);
    assert.deepEqual(status.details, { kind: 'leases', group: 'coordination.k8s.io', name: 'vip-speaker' });
  });

  it('creates a Lease with a PUT to a missing name and refuses a PUT without a resourceVersion with 422, as the Lease registry does', async () => {
    const leases = server.kubeconfig().makeApiClient(CoordinationV1Api);
    const body: V1Lease = { metadata: { namespace: 'kube-system', name: 'new' }, spec: { holderIdentity: 'node-1' } };
    const created = await leases.replaceNamespacedLease({ namespace: 'kube-system', name: 'new', body });
    assert.equal(created.metadata?.resourceVersion, '1');
    assert.equal(server.requests[0]?.code, 201);
    const { code, status } = await apiFailure(leases.replaceNamespacedLease({ namespace: 'kube-system', name: 'new', body }));
    assert.equal(code, 422);
    assert.equal(status.reason, 'Invalid');
    assert.equal(status.message, 'leases.coordination.k8s.io "new" is invalid: metadata.resourceVersion: Invalid value: 0: must be specified for an update');
  });

  it('answers a replace of a missing Node with 404, as nodes are not created by PUT', async () => {
    const { code, status } = await apiFailure(core.replaceNode({ name: 'gone', body: { metadata: { name: 'gone' } } }));
    assert.equal(code, 404);
    assert.equal(status.message, 'nodes "gone" not found');
  });

  it('reads nodes and secrets, and patches a node status', async () => {
    server.create('Node', { metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1' } }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] } });
    server.create('Secret', { metadata: { namespace: 'kube-system', name: 'bgp-auth' }, type: 'Opaque', data: { password: Buffer.from('s3cret').toString('base64') } });
    const nodes = await core.listNode();
    assert.deepEqual(nodes.items.map((n) => n.metadata?.name), ['node-1']);
    assert.equal(nodes.items[0]?.metadata?.namespace, undefined);
    const node = await core.readNode({ name: 'node-1' });
    assert.deepEqual(plain(node.status?.addresses), [{ type: 'InternalIP', address: '10.0.0.1' }]);
    const patched = await core.patchNodeStatus(
      { name: 'node-1', body: { status: { conditions: [{ type: 'Ready', status: 'True' }] } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    assert.deepEqual(patched.status?.conditions?.map((c) => c.type), ['Ready']);
    const secret = await core.readNamespacedSecret({ namespace: 'kube-system', name: 'bgp-auth' });
    assert.equal(Buffer.from(secret.data?.password ?? '', 'base64').toString(), 's3cret');
  });

  it('returns the deleted Service but a Success Status for a deleted Lease, as the registries differ', async () => {
    server.create('Service', service('default', 'web'));
    server.create('Lease', { metadata: { namespace: 'default', name: 'l' }, spec: {} });
    const svc = await core.deleteNamespacedService({ namespace: 'default', name: 'web' });
    assert.equal(svc.metadata?.name, 'web');
    const leases = server.kubeconfig().makeApiClient(CoordinationV1Api);
    const status = await leases.deleteNamespacedLease({ namespace: 'default', name: 'l' });
    assert.equal(status.status, 'Success');
    assert.equal(status.details?.name, 'l');
    assert.equal(server.get('Lease', { namespace: 'default', name: 'l' }), undefined);
  });

  it('serves /api and /apis discovery to client-node', async () => {
    const versions = await server.kubeconfig().makeApiClient(CoreApi).getAPIVersions();
    assert.deepEqual(versions.versions, ['v1']);
    const groups = await server.kubeconfig().makeApiClient(ApisApi).getAPIVersions();
    assert.deepEqual(groups.groups.map((g) => g.name).sort(), ['coordination.k8s.io', 'discovery.k8s.io', 'events.k8s.io']);
  });

  it('refuses a client with the wrong token with 401', async () => {
    const kc = makeKubeConfig({ server: server.url, token: 'wrong' });
    await assert.rejects(kc.makeApiClient(CoreV1Api).listServiceForAllNamespaces(), (err: ApiException<unknown>) => {
      // client-node drops the body of a 401 (its generated code passes `undefined`).
      assert.equal(err.code, 401);
      assert.equal(err.body, undefined);
      return true;
    });
    assert.equal(server.requests[0]?.code, 401);
  });

  it('logs every request with its method, path, query and answer', async () => {
    await core.listServiceForAllNamespaces({ labelSelector: 'a=b' });
    await apiFailure(core.readNamespacedService({ namespace: 'default', name: 'x' }));
    assert.deepEqual(server.requests.map(({ at: _at, connection: _c, ...r }) => r), [
      { method: 'GET', path: '/api/v1/services', query: { labelSelector: 'a=b' }, code: 200 },
      { method: 'GET', path: '/api/v1/namespaces/default/services/x', query: {}, code: 404 },
    ]);
    // Arrival times in order; client-node opens a connection per call.
    assert.ok(server.requests[0]!.at <= server.requests[1]!.at);
    assert.ok(server.requests.every((r) => r.connection > 0));
  });
});
