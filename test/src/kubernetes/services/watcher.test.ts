// The Service watcher with the real client-node informers against the fake API server and a
// real VipRegistry: Services and EndpointSlices changed as a user and the EndpointSlice
// controller would, and the registry's owners checked after each step.
import { strict as assert } from 'node:assert';
import { ServiceWatcher } from '../../../../src/kubernetes/services/watcher.js';
import type { ServiceRuleSettings } from '../../../../src/kubernetes/services/rules.js';
import { VipRegistry } from '../../../../src/registry/registry.js';
import { FakeApiServer, type KubeObject } from '../../../support/fake-apiserver/index.js';
import { type CapturedLog, FAST, captureLog, endpointSlice, eventually, service } from '../fixtures.js';

const KUBE_VIP: ServiceRuleSettings = { loadBalancerClass: 'kube-vip.io/kube-vip-class', loadBalancerClassOnly: false, loadBalancerClassLegacyHandling: true };
const IPS = 'kube-vip.io/loadbalancerIPs';
const ref = (name: string, namespace = 'default') => ({ namespace, name });
const versionOf = (o: { metadata?: { resourceVersion?: string } } | undefined) => o?.metadata?.resourceVersion;

describe('services: the watcher against the API server', () => {
  let server: FakeApiServer;
  let registry: VipRegistry;
  let watcher: ServiceWatcher | undefined;
  let captured: CapturedLog;

  beforeEach(async () => {
    server = new FakeApiServer();
    await server.start();
    registry = new VipRegistry();
    captured = captureLog();
  });

  afterEach(async () => {
    await watcher?.stop();
    watcher = undefined;
    await server.stop();
  });

  /** Resolves once the watcher's cache holds this version of the EndpointSlice: it has been recomputed on it. */
  async function sliceSeen(slice: KubeObject): Promise<void> {
    const { name, namespace, resourceVersion } = slice.metadata;
    await eventually(() => assert.equal(versionOf(watcher!.endpointSlices.get(name ?? '', namespace)), resourceVersion));
  }

  async function startWatcher(rules: ServiceRuleSettings = KUBE_VIP): Promise<ServiceWatcher> {
    watcher = new ServiceWatcher({ kubeConfig: server.kubeconfig(), registry, nodeName: 'node-a', rules, log: captured.log, informer: FAST });
    await watcher.start();
    await watcher.whenSynced();
    return watcher;
  }

  /** address → owners, as the registry has them. */
  const owners = (): Record<string, string[]> => Object.fromEntries(registry.desired().map((v) => [v.address, v.owners]));

  /** A Service with one serving endpoint on another node: announced by every node under Cluster policy. */
  function webService(name: string, annotations: Record<string, string>, namespace = 'default'): void {
    server.create('Service', service(namespace, name, { annotations }));
    server.create('EndpointSlice', endpointSlice(namespace, `${name}-1`, name, [{ nodeName: 'node-b' }]));
  }

  it('claims the VIPs of Services that exist at start, as service:<namespace>/<name>', async () => {
    webService('web', { [IPS]: '192.0.2.10,2001:db8::10' });
    webService('api', { [IPS]: '192.0.2.20' }, 'team-a');
    await startWatcher();
    assert.deepEqual(owners(), {
      '192.0.2.10/32': ['service:default/web'],
      '192.0.2.20/32': ['service:team-a/api'],
      '2001:db8::10/128': ['service:default/web'],
    });
    assert.deepEqual(watcher!.readiness(), { ok: true, reasons: [] });
  });

  it('follows a Service created, re-addressed and deleted', async () => {
    await startWatcher();
    webService('web', { [IPS]: '192.0.2.10' });
    await eventually(() => assert.deepEqual(owners(), { '192.0.2.10/32': ['service:default/web'] }));
    server.patch('Service', ref('web'), { metadata: { annotations: { [IPS]: '192.0.2.11,2001:db8::11' } } });
    await eventually(() => assert.deepEqual(owners(), { '192.0.2.11/32': ['service:default/web'], '2001:db8::11/128': ['service:default/web'] }));
    server.delete('Service', ref('web'));
    await eventually(() => assert.deepEqual(owners(), {}));
    assert.ok(captured.messages().includes('Service VIPs withdrawn'));
  });

  it('takes spec.loadBalancerIP when there is no annotation, and gives it up when it goes', async () => {
    server.create('Service', service('default', 'web', { loadBalancerIP: '192.0.2.30' }));
    server.create('EndpointSlice', endpointSlice('default', 'web-1', 'web', [{ nodeName: 'node-b' }]));
    await startWatcher();
    assert.deepEqual(owners(), { '192.0.2.30/32': ['service:default/web'] });
    server.patch('Service', ref('web'), { spec: { loadBalancerIP: null } });
    await eventually(() => assert.deepEqual(owners(), {}));
  });

  it('gives the VIP up when the Service stops being a LoadBalancer, and claims it again when it is one', async () => {
    webService('web', { [IPS]: '192.0.2.10' });
    await startWatcher();
    server.patch('Service', ref('web'), { spec: { type: 'ClusterIP' } });
    await eventually(() => assert.deepEqual(owners(), {}));
    server.patch('Service', ref('web'), { spec: { type: 'LoadBalancer' } });
    await eventually(() => assert.deepEqual(owners(), { '192.0.2.10/32': ['service:default/web'] }));
  });

  it('keeps a VIP two Services share until the last one lets go', async () => {
    webService('web', { [IPS]: '192.0.2.10' });
    webService('web-udp', { [IPS]: '192.0.2.10' });
    await startWatcher();
    assert.deepEqual(owners(), { '192.0.2.10/32': ['service:default/web', 'service:default/web-udp'] });
    server.delete('Service', ref('web'));
    await eventually(() => assert.deepEqual(owners(), { '192.0.2.10/32': ['service:default/web-udp'] }));
    server.patch('Service', ref('web-udp'), { metadata: { annotations: { 'kube-vip.io/ignore': 'true' } } });
    await eventually(() => assert.deepEqual(owners(), {}));
  });

  it('serves only its class, and Services with none unless lb_class_only', async () => {
    server.create('Service', service('default', 'ours', { loadBalancerClass: 'kube-vip.io/kube-vip-class', annotations: { [IPS]: '192.0.2.1' } }));
    server.create('Service', service('default', 'classless', { annotations: { [IPS]: '192.0.2.2' } }));
    server.create('Service', service('default', 'theirs', { loadBalancerClass: 'metallb.io/metallb', annotations: { [IPS]: '192.0.2.3' } }));
    for (const name of ['ours', 'classless', 'theirs']) server.create('EndpointSlice', endpointSlice('default', `${name}-1`, name, [{ nodeName: 'node-b' }]));
    await startWatcher({ ...KUBE_VIP, loadBalancerClassOnly: true });
    assert.deepEqual(Object.keys(owners()), ['192.0.2.1/32']);
  });

  it('puts the communities of the annotations on the claim', async () => {
    webService('web', { [IPS]: '192.0.2.10', 'vip-speaker.io/bgp-communities': '65000:100,no-export' });
    await startWatcher();
    assert.deepEqual(registry.desired()[0]?.attributes.communities, [0xffffff01, 65000 * 65536 + 100].sort((a, b) => a - b));
  });

  it('logs a skipped address once, naming the Service and the value', async () => {
    webService('web', { [IPS]: '192.0.2.10,192.0.2.999' });
    await startWatcher();
    const problems: string[] = [];
    watcher!.on('problem', (p) => problems.push(p.value));
    // An endpoint change recomputes the Service: the same problem is not logged again.
    await sliceSeen(server.patch('EndpointSlice', ref('web-1'), { endpoints: [{ addresses: ['10.0.0.9'], nodeName: 'node-c' }] }));
    const skipped = captured.lines.filter((l) => l.msg === 'Service value skipped');
    assert.equal(skipped.length, 1);
    assert.deepEqual([skipped[0]!.service, skipped[0]!.value, skipped[0]!.field], ['default/web', '192.0.2.999', IPS]);
    assert.deepEqual(problems, []);
    assert.deepEqual(owners(), { '192.0.2.10/32': ['service:default/web'] });
  });

  it('Cluster policy: announced while the Service has a serving endpoint on any node', async () => {
    server.create('Service', service('default', 'web', { annotations: { [IPS]: '192.0.2.10' } }));
    await startWatcher();
    assert.deepEqual(owners(), {}, 'no endpoint anywhere: nothing to send traffic to');
    await sliceSeen(server.create('EndpointSlice', endpointSlice('default', 'web-1', 'web', [{ nodeName: 'node-c', ready: false }])));
    assert.deepEqual(owners(), {});
    server.patch('EndpointSlice', ref('web-1'), { endpoints: [{ addresses: ['10.0.0.1'], nodeName: 'node-c', conditions: { ready: true } }] });
    await eventually(() => assert.deepEqual(owners(), { '192.0.2.10/32': ['service:default/web'] }));
    server.delete('EndpointSlice', ref('web-1'));
    await eventually(() => assert.deepEqual(owners(), {}));
    server.patch('Service', ref('web'), { metadata: { annotations: { 'kube-vip.io/allow-reconcile-without-endpoints': 'true' } } });
    await eventually(() => assert.deepEqual(owners(), { '192.0.2.10/32': ['service:default/web'] }));
  });

  it('Local policy: announced only while a serving endpoint runs on this node', async () => {
    server.create('Service', service('default', 'web', { externalTrafficPolicy: 'Local', annotations: { [IPS]: '192.0.2.10' } }));
    server.create('EndpointSlice', endpointSlice('default', 'web-1', 'web', [{ nodeName: 'node-b' }]));
    await startWatcher();
    assert.deepEqual(owners(), {}, 'the endpoint is on another node');
    const endpoints = (...list: { node: string; ready?: boolean; serving?: boolean }[]) => ({
      endpoints: list.map((e, i) => ({ addresses: [`10.0.0.${i + 1}`], nodeName: e.node, conditions: { ready: e.ready ?? true, ...(e.serving !== undefined ? { serving: e.serving } : {}) } })),
    });
    // A pod starts here, not ready yet; then ready.
    await sliceSeen(server.patch('EndpointSlice', ref('web-1'), endpoints({ node: 'node-b' }, { node: 'node-a', ready: false, serving: false })));
    assert.deepEqual(owners(), {});
    server.patch('EndpointSlice', ref('web-1'), endpoints({ node: 'node-b' }, { node: 'node-a' }));
    await eventually(() => assert.deepEqual(owners(), { '192.0.2.10/32': ['service:default/web'] }));
    // It fails its readiness probe: withdrawn.
    server.patch('EndpointSlice', ref('web-1'), endpoints({ node: 'node-b' }, { node: 'node-a', ready: false, serving: false }));
    await eventually(() => assert.deepEqual(owners(), {}));
    // Ready again, in a second slice; then the pod moves to another node.
    server.patch('EndpointSlice', ref('web-1'), endpoints({ node: 'node-b' }));
    server.create('EndpointSlice', endpointSlice('default', 'web-2', 'web', [{ nodeName: 'node-a' }]));
    await eventually(() => assert.deepEqual(owners(), { '192.0.2.10/32': ['service:default/web'] }));
    server.patch('EndpointSlice', ref('web-2'), endpoints({ node: 'node-c' }));
    await eventually(() => assert.deepEqual(owners(), {}));
    // A slice whose label moves it to another Service no longer counts for this one.
    server.patch('EndpointSlice', ref('web-2'), endpoints({ node: 'node-a' }));
    await eventually(() => assert.deepEqual(owners(), { '192.0.2.10/32': ['service:default/web'] }));
    server.patch('EndpointSlice', ref('web-2'), { metadata: { labels: { 'kubernetes.io/service-name': 'other' } } });
    await eventually(() => assert.deepEqual(owners(), {}));
  });

  it('claims nothing before both lists are in, and reports why it is not ready', async () => {
    webService('web', { [IPS]: '192.0.2.10' });
    await server.setDown(true);
    watcher = new ServiceWatcher({ kubeConfig: server.kubeconfig(), registry, nodeName: 'node-a', rules: KUBE_VIP, log: captured.log, informer: FAST });
    await watcher.start();
    await eventually(() => assert.match(watcher!.readiness().reasons.join('\n'), /services not listed yet \(.*ECONNREFUSED/));
    assert.equal(registry.size, 0);
    assert.equal(watcher.readiness().ok, false);
    await server.setDown(false);
    await watcher.whenSynced();
    assert.deepEqual(owners(), { '192.0.2.10/32': ['service:default/web'] });
  });

  it('keeps its claims when stopped, and releaseAll() gives them up', async () => {
    webService('web', { [IPS]: '192.0.2.10' });
    await startWatcher();
    await watcher!.stop();
    assert.equal(registry.size, 1);
    assert.deepEqual(watcher!.status().announced, [{ service: 'default/web', vips: ['192.0.2.10/32'], why: 'Cluster policy: 1 serving endpoint(s)' }]);
    watcher!.releaseAll();
    assert.equal(registry.size, 0);
  });
});
