// The end-to-end lab with the cluster: a fake API server runs in the tor namespace, and the
// nodes' vip-speakers watch it. Creating a LoadBalancer Service with a VIP makes the VIP
// reachable through FRR; deleting the Service withdraws it.
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LabApiServer } from '../support/apiserver-client.js';
import { frrSkipReason } from '../support/frr.js';
import { labSkipReason, waitFor } from '../support/lab.js';
import { request } from '../support/probe.js';
import { VipSpeakerNode } from '../support/vip-speaker-node.js';
import { nodeConfig } from './configs.js';
import { CLIENT, type E2eLab, NODES, buildE2eLab } from './topology.js';

const VIP = '203.0.113.20';
const PORT = 8080;

describe('end to end with Kubernetes: a LoadBalancer Service becomes a route at the tor', function () {
  this.timeout(120_000);
  let e: E2eLab | undefined;
  let api: LabApiServer;
  const nodes: VipSpeakerNode[] = [];

  async function paths(prefix: string): Promise<number> {
    const r = await e!.tor.route('ipv4', prefix);
    return (r?.paths ?? []).length;
  }

  before(async function () {
    const reason = labSkipReason() ?? frrSkipReason();
    if (reason) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
    e = await buildE2eLab('k8s');
    api = new LabApiServer(e.lab, 'tor', CLIENT.torIpv4, 6443);
    await api.start();
    const kubeconfig = join(e.lab.dir, 'kubeconfig.yaml');
    writeFileSync(kubeconfig, api.kubeconfig);
    for (const n of NODES) {
      await api.create('Node', { metadata: { name: n.name } });
      e.lab.spawn(n.name, process.execPath, [new URL('../support/echo-server.js', import.meta.url).pathname, n.name, String(PORT)]);
      const extra = ['kubernetes:', '  services: true', `  kubeconfig: ${kubeconfig}`, `  nodeName: ${n.name}`].join('\n');
      const node = new VipSpeakerNode(e.lab, n.name, nodeConfig(n, [], extra));
      nodes.push(node);
      await node.start();
    }
  });

  after(async () => {
    for (const n of nodes) await n.kill();
    e?.lab.destroySync();
  });

  it('announces the VIP of a new LoadBalancer Service from every node and the client reaches it', async () => {
    await api.create('Service', {
      metadata: { namespace: 'default', name: 'web', annotations: { 'kube-vip.io/loadbalancerIPs': VIP } },
      spec: { type: 'LoadBalancer', ports: [{ port: PORT, protocol: 'TCP' }], externalTrafficPolicy: 'Cluster' },
    });
    await api.create('EndpointSlice', {
      metadata: { namespace: 'default', name: 'web-1', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['192.0.2.2'], nodeName: 'node1', conditions: { ready: true, serving: true } }],
      ports: [{ port: PORT, protocol: 'TCP' }],
    });
    await waitFor('two paths for the Service VIP at the tor', async () => ((await paths(`${VIP}/32`)) === 2 ? true : undefined), 30_000);
    const status = await nodes[0]!.status();
    assert.deepEqual(status.vips.map((v) => [v.address, v.owners]), [[`${VIP}/32`, ['service:default/web']]]);
    assert.match((await waitFor('an answer', () => request(e!.lab, 'client', VIP, PORT))) ?? '', /^hello from node[12] via 203\.0\.113\.20$/);
  });

  it('has one elected node write the VIP into the Service\'s status, once', async () => {
    type Svc = { status?: { loadBalancer?: { ingress?: Array<{ ip: string; ipMode?: string }> } } };
    const svc = await waitFor('the status written', async () => {
      const s = await api.get<Svc>('Service', 'default', 'web');
      return s.status?.loadBalancer?.ingress?.length ? s : undefined;
    }, 20_000);
    assert.deepEqual(svc.status!.loadBalancer!.ingress, [{ ip: VIP, ipMode: 'VIP' }]);
    const lease = await api.get<{ spec: { holderIdentity: string } }>('Lease', 'kube-system', 'plndr-svcs-lock');
    assert.ok(['node1', 'node2'].includes(lease.spec.holderIdentity), `lease held by ${lease.spec.holderIdentity}`);
    await new Promise((r) => setTimeout(r, 1500));
    const writes = (await api.requests()).filter((r) => r.path.endsWith('/services/web/status') && (r.method === 'PATCH' || r.method === 'PUT'));
    assert.equal(writes.length, 1, `status written ${writes.length} times`);
  });

  it('withdraws the VIP and removes it from every lo when the Service is deleted', async () => {
    await api.delete('Service', 'default', 'web');
    await waitFor('the route gone from the tor', async () => ((await paths(`${VIP}/32`)) === 0 ? true : undefined), 30_000);
    for (const n of nodes) await waitFor(`${n.nsName}'s lo empty`, async () => ((await n.loAddresses()).length === 0 ? true : undefined), 10_000);
    assert.equal(await request(e!.lab, 'client', VIP, PORT, 1), undefined);
  });
});
