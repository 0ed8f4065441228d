// kube-vip's Kubernetes-side settings take effect: each configuration comes from kube-vip's
// environment variables (configFromEnv), and the cluster sources it starts run against the fake
// API server; what is asserted is what kube-vip would have done there (Leases, Service status and
// vipHost, the namespace watched, the drain).
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { systemClock } from '../../../bgp/index.js';
import { configFromEnv, formatErrors, type DaemonConfig } from '../../../src/config/index.js';
import { type Cluster, startCluster } from '../../../src/kubernetes/index.js';
import { VipRegistry } from '../../../src/registry/index.js';
import { FakeApiServer } from '../../support/fake-apiserver/index.js';
import { until } from '../../support/wait.js';
import { fakeHost } from '../config/helpers.js';
import { service } from './fixtures.js';

type ServiceObject = { metadata: { annotations?: Record<string, string> }; status?: { loadBalancer?: { ingress?: Array<{ ip: string }> } } };
type LeaseObject = { metadata: { labels?: Record<string, string> }; spec: { holderIdentity?: string } };

const ALWAYS = { 'kube-vip.io/allow-reconcile-without-endpoints': 'true' };

describe('kube-vip settings against the API server', function () {
  this.timeout(30_000);
  const dir = mkdtempSync(join(tmpdir(), 'vs-kvs-'));
  const log = pino({ level: 'silent' });
  let api: FakeApiServer;
  let cluster: Cluster | undefined;
  let registry: VipRegistry;

  after(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(async () => {
    api = new FakeApiServer();
    await api.start();
    registry = new VipRegistry();
  });
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
    await api.stop();
  });

  /** A kube-vip BGP DaemonSet's env block, plus `extra`, pointed at the fake API server. */
  function bgpEnv(extra: Record<string, string>): DaemonConfig {
    const kubeconfig = join(dir, `kubeconfig-${Date.now()}-${Math.random()}`);
    writeFileSync(kubeconfig, api.kubeconfigYaml());
    const env = { bgp_enable: 'true', bgp_as: '65010', bgp_routerid: '198.51.100.7', bgp_peers: '192.0.2.1:65001::false', svc_enable: 'true', vip_nodename: 'n1', k8s_config_file: kubeconfig, ...extra };
    const r = configFromEnv(fakeHost({ env }));
    if (!r.ok) throw new Error(formatErrors(r.error).join('\n'));
    return r.value;
  }

  async function start(config: DaemonConfig, leasesHoldVips = false): Promise<Cluster> {
    cluster = await startCluster({ config, registry, log, clock: systemClock, leasesHoldVips });
    return cluster;
  }

  const svc = (namespace: string, name: string) => api.get('Service', { namespace, name }) as ServiceObject | undefined;
  const lease = (namespace: string, name: string) => api.get('Lease', { namespace, name }) as LeaseObject | undefined;
  const ingress = (namespace: string, name: string) => svc(namespace, name)?.status?.loadBalancer?.ingress?.map((i) => i.ip) ?? [];

  it('writes the status with kube-vip.io/vipHost naming this node, and takes its name off when the status is cleared', async () => {
    await start(bgpEnv({}));
    api.create('Service', service('shop', 'web', { annotations: { ...ALWAYS, 'kube-vip.io/loadbalancerIPs': '203.0.113.10' } }));
    await until('status and vipHost written', () => ingress('shop', 'web').join() === '203.0.113.10' && svc('shop', 'web')?.metadata.annotations?.['kube-vip.io/vipHost'] === 'n1');
    // The VIP request goes: the status is cleared, and so is our name.
    api.patch('Service', { namespace: 'shop', name: 'web' }, { metadata: { annotations: { 'kube-vip.io/loadbalancerIPs': null } } });
    await until('status cleared and vipHost gone', () => ingress('shop', 'web').length === 0 && svc('shop', 'web')?.metadata.annotations?.['kube-vip.io/vipHost'] === undefined);
  });

  it('disable_service_updates: announces, stands for the lease, and writes neither status nor vipHost', async () => {
    const c = await start(bgpEnv({ disable_service_updates: 'true' }));
    api.create('Service', service('shop', 'web', { annotations: { ...ALWAYS, 'kube-vip.io/loadbalancerIPs': '203.0.113.11' } }));
    await until('the VIP claimed', () => registry.ownersOf('203.0.113.11').length === 1);
    await until('this node holds the services lease', () => lease('kube-system', 'plndr-svcs-lock')?.spec.holderIdentity === 'n1');
    // Every status sync has been queued by now (the claim follows it); let them all run out.
    await c.settled();
    assert.deepEqual(ingress('shop', 'web'), []);
    assert.equal(svc('shop', 'web')?.metadata.annotations?.['kube-vip.io/vipHost'], undefined);
    assert.deepEqual(api.requests.filter((r) => r.method === 'PATCH' && r.path.includes('/services/')), [], 'no write to any Service');
  });

  it('svc_namespace: watches that namespace only', async () => {
    await start(bgpEnv({ svc_namespace: 'shop' }));
    api.create('Service', service('other', 'web', { annotations: { ...ALWAYS, 'kube-vip.io/loadbalancerIPs': '203.0.113.12' } }));
    api.create('Service', service('shop', 'web', { annotations: { ...ALWAYS, 'kube-vip.io/loadbalancerIPs': '203.0.113.13' } }));
    await until('the shop VIP claimed', () => registry.ownersOf('203.0.113.13').length === 1);
    assert.deepEqual(registry.ownersOf('203.0.113.12'), [], 'the other namespace is not served');
    const paths = new Set(api.requests.filter((r) => r.method === 'GET').map((r) => r.path));
    assert.ok(paths.has('/api/v1/namespaces/shop/services') && paths.has('/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices'), [...paths].join('\n'));
    assert.ok(!paths.has('/api/v1/services'), 'no cluster-wide list or watch of Services');
  });

  it('svc_leasename: the status writer is elected on that Lease, in the namespace it names', async () => {
    await start(bgpEnv({ svc_leasename: 'ops/my-svcs-lock' }));
    await until('the named lease held', () => lease('ops', 'my-svcs-lock')?.spec.holderIdentity === 'n1');
    assert.equal(lease('kube-system', 'plndr-svcs-lock'), undefined);
  });

  it('vip_leasename: the control-plane VIP is held under that Lease (ARP mode, kubernetes_addr pointing at the API)', async () => {
    const kubeconfig = join(dir, 'unreachable.conf');
    // The kubeconfig's server answers nowhere: only kubernetes_addr leads to the API server.
    writeFileSync(kubeconfig, api.kubeconfigYaml().replace(api.url, 'http://127.0.0.2:1'));
    const env = { vip_arp: 'true', vip_leaderelection: 'true', vip_interface: 'eth0', cp_enable: 'true', address: '192.0.2.10', vip_nodename: 'n1', k8s_config_file: kubeconfig, kubernetes_addr: api.url, vip_leasename: 'ops/cp-lock' };
    const r = configFromEnv(fakeHost({ env, interfaces: { eth0: [{ address: '192.0.2.2', family: 'IPv4', internal: false }] } }));
    assert.ok(r.ok, r.ok ? '' : formatErrors(r.error).join('\n'));
    const c = await start(r.value, true);
    const candidate = c.elections!.candidate({ kind: 'control-plane' });
    candidate.start();
    try {
      await until('the named lease held through kubernetes_addr', () => lease('ops', 'cp-lock')?.spec.holderIdentity === 'n1');
      assert.equal(lease('kube-system', 'plndr-cp-lock'), undefined);
    } finally {
      await candidate.stop();
    }
  });

  it('kube-vip.io/leaseName: Services naming one Lease share it, and it goes with the last of them', async () => {
    await start(bgpEnv({ svc_election: 'true' }));
    for (const [name, ip] of [['a', '203.0.113.21'], ['b', '203.0.113.22']] as const) {
      api.create('Service', service('shop', name, { annotations: { ...ALWAYS, 'kube-vip.io/loadbalancerIPs': ip, 'kube-vip.io/leaseName': 'shared' } }));
    }
    await until('both statuses written by the holder of the shared lease', () => ingress('shop', 'a').length === 1 && ingress('shop', 'b').length === 1);
    assert.equal(lease('shop', 'shared')?.spec.holderIdentity, 'n1');
    assert.equal(lease('shop', 'shared')?.metadata.labels?.['app.kubernetes.io/managed-by'], 'vip-speaker');
    assert.equal(lease('shop', 'kubevip-a'), undefined);
    assert.equal(lease('shop', 'kubevip-b'), undefined);
    api.delete('Service', { namespace: 'shop', name: 'a' });
    await until('a released', () => registry.ownersOf('203.0.113.21').length === 0);
    // b still elects under it: kept, and still held.
    await cluster!.settled();
    assert.equal(lease('shop', 'shared')?.spec.holderIdentity, 'n1');
    api.delete('Service', { namespace: 'shop', name: 'b' });
    await until('the shared lease deleted with its last Service', () => lease('shop', 'shared') === undefined);
  });

  it('kube-vip.io/leaseName "namespace/name": the Lease lives in the namespace named', async () => {
    await start(bgpEnv({ svc_election: 'true' }));
    api.create('Service', service('shop', 'web', { annotations: { ...ALWAYS, 'kube-vip.io/loadbalancerIPs': '203.0.113.23', 'kube-vip.io/leaseName': 'leases/web-lock' } }));
    await until('held in the named namespace', () => lease('leases', 'web-lock')?.spec.holderIdentity === 'n1');
    await until('status written', () => ingress('shop', 'web').length === 1);
  });

  it('VIP_SPEAKER_WITHDRAW_WHEN_EXCLUDED=false: the exclude label changes nothing, as in kube-vip', async () => {
    api.create('Node', { metadata: { name: 'n1', labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': '' } }, spec: {} });
    const c = await start(bgpEnv({ VIP_SPEAKER_WITHDRAW_WHEN_EXCLUDED: 'false' }));
    api.create('Service', service('shop', 'web', { annotations: { ...ALWAYS, 'kube-vip.io/loadbalancerIPs': '203.0.113.31' } }));
    await until('announced', () => registry.ownersOf('203.0.113.31').length === 1);
    assert.equal(c.servicesDrained, undefined);
  });

  it('node drain: the exclude label withdraws the Service VIPs and taking it off brings them back; a cordon does so when asked', async () => {
    api.create('Node', { metadata: { name: 'n1', labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': '' } }, spec: {} });
    const c = await start(bgpEnv({ VIP_SPEAKER_WITHDRAW_WHEN_CORDONED: 'true' }));
    assert.match(c.servicesDrained ?? '', /exclude-from-external-load-balancers/, 'drained from the start');
    assert.match(c.status()?.servicesDrained ?? '', /exclude-from-external-load-balancers/, 'and the status says why');
    api.create('Service', service('shop', 'web', { annotations: { ...ALWAYS, 'kube-vip.io/loadbalancerIPs': '203.0.113.30' } }));
    // The Service is seen (its status is written by the lease holder) but not announced here.
    await until('status written', () => ingress('shop', 'web').length === 1);
    assert.deepEqual(registry.ownersOf('203.0.113.30'), [], 'a drained node announces no Service VIP');
    api.patch('Node', { namespace: '', name: 'n1' }, { metadata: { labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': null } } });
    await until('announced once the label is gone', () => registry.ownersOf('203.0.113.30').length === 1);
    assert.equal(c.servicesDrained, undefined);
    api.patch('Node', { namespace: '', name: 'n1' }, { spec: { unschedulable: true } });
    await until('withdrawn while cordoned', () => registry.ownersOf('203.0.113.30').length === 0);
    api.patch('Node', { namespace: '', name: 'n1' }, { spec: { unschedulable: null } });
    await until('back once uncordoned', () => registry.ownersOf('203.0.113.30').length === 1);
  });
});
