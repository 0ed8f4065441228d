// Per-Service election (kube-vip's svc_election): each Service gets its own Lease, labelled as
// ours, whose holder writes that Service's status; the Lease goes with the Service.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { parseConfig } from '../../src/config/index.js';
import { Daemon } from '../../src/daemon.js';
import { FakeApiServer } from '../support/fake-apiserver/index.js';
import { until } from '../support/wait.js';
import { MemoryInterface } from '../support/memory-interface.js';


describe('per-Service election', function () {
  this.timeout(30_000);
  const dir = mkdtempSync(join(tmpdir(), 'vs-se-'));
  let api: FakeApiServer;
  let daemon: Daemon | undefined;

  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    await daemon?.stop();
    await api?.stop();
  });

  it('gives a Service its own lease, writes its status from the holder, and deletes the lease with the Service', async () => {
    api = new FakeApiServer();
    await api.start();
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, api.kubeconfigYaml());
    const r = parseConfig(
      ['asn: 65100', 'routerId: 192.0.2.2', 'peers: ["198.51.100.1:65000::false"]', 'admin: { address: 127.0.0.1, port: 9469 }', `kubernetes: { services: true, servicesElection: true, nodeName: n1, kubeconfig: ${kubeconfig} }`].join('\n'),
      { env: {}, readFile: (p) => readFileSync(p, 'utf8'), listInterfaces: () => ({}) },
    );
    assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.error));
    r.value.admin.port = 0;
    r.value.peers = [];
    r.value.mode = 'bgp';
    const iface = new MemoryInterface();
    daemon = new Daemon(r.value, { log: pino({ level: 'silent' }), addresses: iface });
    await daemon.start();
    api.create('Service', {
      metadata: { namespace: 'shop', name: 'web', annotations: { 'kube-vip.io/loadbalancerIPs': '203.0.113.30', 'kube-vip.io/allow-reconcile-without-endpoints': 'true' } },
      spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
    });
    await until('the VIP placed', () => iface.owned.has('203.0.113.30/32'));
    const lease = () => api.get('Lease', { namespace: 'shop', name: 'kubevip-web' }) as { metadata: { labels?: Record<string, string> }; spec: { holderIdentity?: string } } | undefined;
    await until('the Service lease held by this node', () => lease()?.spec.holderIdentity === 'n1');
    assert.equal(lease()!.metadata.labels?.['app.kubernetes.io/managed-by'], 'vip-speaker');
    await until('the status written', () => {
      const svc = api.get('Service', { namespace: 'shop', name: 'web' }) as { status?: { loadBalancer?: { ingress?: Array<{ ip: string }> } } };
      return svc.status?.loadBalancer?.ingress?.[0]?.ip === '203.0.113.30';
    });
    assert.equal(api.get('Lease', { namespace: 'kube-system', name: 'plndr-svcs-lock' }), undefined, 'no global services lease with per-Service election');
    api.delete('Service', { namespace: 'shop', name: 'web' });
    await until('the Service lease deleted', () => lease() === undefined);
    await until('the VIP removed', () => !iface.owned.has('203.0.113.30/32'));
  });

  it('keeps the VIPs through an API outage, and shows the outage in /readyz and the metrics', async () => {
    api = new FakeApiServer();
    await api.start();
    const kubeconfig = join(dir, 'kubeconfig-outage');
    writeFileSync(kubeconfig, api.kubeconfigYaml());
    const r = parseConfig(
      ['asn: 65100', 'routerId: 192.0.2.2', 'peers: ["198.51.100.1:65000::false"]', 'admin: { address: 127.0.0.1, port: 9469 }', `kubernetes: { services: true, nodeName: n1, kubeconfig: ${kubeconfig} }`].join('\n'),
      { env: {}, readFile: (p) => readFileSync(p, 'utf8'), listInterfaces: () => ({}) },
    );
    assert.ok(r.ok);
    r.value.admin.port = 0;
    r.value.peers = [];
    const iface = new MemoryInterface();
    daemon = new Daemon(r.value, { log: pino({ level: 'silent' }), addresses: iface });
    api.create('Service', {
      metadata: { namespace: 'shop', name: 'web', annotations: { 'kube-vip.io/loadbalancerIPs': '203.0.113.31', 'kube-vip.io/allow-reconcile-without-endpoints': 'true' } },
      spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
    });
    await daemon.start();
    await until('the VIP placed', () => iface.owned.has('203.0.113.31/32'));
    assert.equal(daemon.ready().ok, true, daemon.ready().reasons.join('; '));
    const metric = async () => /^vip_speaker_kubernetes_api_connected (\d)/m.exec(await daemon!.metrics.registry.metrics())?.[1];
    assert.equal(await metric(), '1');
    await api.setDown(true);
    await until('the outage seen', () => daemon!.ready().reasons.some((x) => /Kubernetes API unreachable/.test(x)), 15_000);
    let seen = '';
    const deadline = Date.now() + 15_000;
    while (seen !== '0' && Date.now() < deadline) {
      seen = (await metric()) ?? '';
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(seen, '0', 'the metric shows the outage');
    assert.ok(iface.owned.has('203.0.113.31/32'), 'nothing withdrawn because the control plane blinked');
    await api.setDown(false);
    await until('ready again', () => daemon!.ready().ok, 20_000);
    assert.equal(await metric(), '1');
    assert.ok(iface.owned.has('203.0.113.31/32'));
  });
});
