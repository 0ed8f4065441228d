// BGP mode with kube-vip's election settings, two daemons against one fake API server: the
// configured VIP (kubernetes.leaderElection, kube-vip's vip_leaderelection) and a Service's VIP
// (servicesElection, svc_election) are each placed, and so announced, by exactly one node, the
// holder of the Lease; when it stops, it releases the Lease and the other node takes over.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { parseConfig } from '../../src/config/index.js';
import { Daemon } from '../../src/daemon.js';
import { FakeApiServer } from '../support/fake-apiserver/index.js';
import { MemoryInterface } from '../support/memory-interface.js';
import { until } from '../support/wait.js';

const VIP = '192.0.2.50/32';
const SERVICE_VIP = '203.0.113.40/32';

interface Node {
  name: string;
  daemon: Daemon;
  iface: MemoryInterface;
}

describe('BGP mode with kube-vip\'s leader election (two daemons, one API server)', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'vs-bgp-el-'));
  let api: FakeApiServer;
  let nodes: Node[] = [];

  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    for (const n of nodes) await n.daemon.stop();
    nodes = [];
    await api?.stop();
  });

  async function startNodes(kubernetes: string): Promise<void> {
    api = new FakeApiServer();
    await api.start();
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, api.kubeconfigYaml());
    for (const name of ['node1', 'node2']) {
      const r = parseConfig(
        ['asn: 65100', 'routerId: 192.0.2.2', 'peers: ["198.51.100.1:65000::false"]', `vips: [${VIP}]`, `kubernetes: { ${kubernetes}, nodeName: ${name}, kubeconfig: ${kubeconfig} }`].join('\n'),
        { env: {}, readFile: (p) => readFileSync(p, 'utf8'), listInterfaces: () => ({}) },
      );
      assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.error));
      r.value.admin.port = 0;
      r.value.peers = [];
      const iface = new MemoryInterface();
      const daemon = new Daemon(r.value, { log: pino({ level: 'silent' }), addresses: iface });
      nodes.push({ name, daemon, iface });
      await daemon.start();
    }
  }

  const holders = (vip: string) => nodes.filter((n) => n.iface.owned.has(vip)).map((n) => n.name);
  const lease = (namespace: string, name: string) => (api.get('Lease', { namespace, name }) as { spec: { holderIdentity?: string } } | undefined)?.spec.holderIdentity;

  it('places the configured VIP on the holder of plndr-cp-lock only, and on the other node once the holder stops', async () => {
    await startNodes('leaderElection: true');
    await until('one node holding the VIP', () => holders(VIP).length === 1);
    const [leader] = holders(VIP);
    assert.equal(lease('kube-system', 'plndr-cp-lock'), leader);
    const status = nodes.find((n) => n.name === leader)!.daemon.status() as { vips: Array<{ address: string; leader: string | null }> };
    assert.deepEqual(status.vips.map((v) => [v.address, v.leader]), [[VIP, leader]]);
    const other = nodes.find((n) => n.name !== leader)!;
    assert.deepEqual(other.daemon.ready().reasons, [], 'a standby is ready: it places nothing it should');
    await nodes.find((n) => n.name === leader)!.daemon.stop();
    await until('the other node holding the VIP', () => other.iface.owned.has(VIP), 15_000);
    assert.equal(lease('kube-system', 'plndr-cp-lock'), other.name);
  });

  it('with leaderElection alone, announces Service VIPs from every node and touches no Lease outside its namespace', async () => {
    await startNodes('leaderElection: true, services: true');
    api.create('Service', {
      metadata: { namespace: 'shop', name: 'local', annotations: { 'kube-vip.io/loadbalancerIPs': SERVICE_VIP.split('/')[0]!, 'kube-vip.io/allow-reconcile-without-endpoints': 'true' } },
      spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Cluster', ports: [{ port: 80 }] },
    });
    await until('both nodes holding the Service VIP', () => holders(SERVICE_VIP).length === 2);
    api.delete('Service', { namespace: 'shop', name: 'local' });
    await until('the Service VIP gone from both nodes', () => holders(SERVICE_VIP).length === 0);
    // The RBAC of BGP mode without svc_election grants leases in the speaker's namespace only.
    const outside = api.requests.filter((r) => r.path.includes('/leases') && !r.path.includes('/namespaces/kube-system/'));
    assert.deepEqual(outside.map((r) => `${r.method} ${r.path}`), []);
  });

  it('places a Service\'s VIP on the holder of its own Lease only, the configured VIP on both', async () => {
    await startNodes('services: true, servicesElection: true');
    api.create('Service', {
      metadata: { namespace: 'shop', name: 'web', annotations: { 'kube-vip.io/loadbalancerIPs': SERVICE_VIP.split('/')[0]!, 'kube-vip.io/allow-reconcile-without-endpoints': 'true' } },
      spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
    });
    await until('one node holding the Service VIP', () => holders(SERVICE_VIP).length === 1);
    const [leader] = holders(SERVICE_VIP);
    assert.equal(lease('shop', 'kubevip-web'), leader);
    assert.deepEqual(holders(VIP), ['node1', 'node2'], 'without leaderElection the configured VIP stays with every node');
    const other = nodes.find((n) => n.name !== leader)!;
    await nodes.find((n) => n.name === leader)!.daemon.stop();
    await until('the other node holding the Service VIP', () => other.iface.owned.has(SERVICE_VIP), 15_000);
    assert.equal(lease('shop', 'kubevip-web'), other.name);
  });
});
