// The cluster sources as one: what starts for which settings, what happens without credentials,
// and the Lease candidates handed to a mode that holds VIPs by lease.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { systemClock } from '../../../bgp/index.js';
import { parseConfig } from '../../../src/config/index.js';
import { KubeClientError } from '../../../src/kubernetes/client.js';
import { LeaderElector } from '../../../src/kubernetes/elections/elector.js';
import { type Cluster, STATIC_OWNER, startCluster } from '../../../src/kubernetes/index.js';
import { livezCredentials } from '../../../src/kubernetes/cluster.js';
import { KubeConfig } from '@kubernetes/client-node';
import { VipRegistry } from '../../../src/registry/index.js';
import { TestClock } from '../../support/clock.js';
import { FakeApiServer } from '../../support/fake-apiserver/index.js';
import { until } from '../../support/wait.js';

function config(lines: string[]) {
  // ARP mode: no AS or peers to give.
  const r = parseConfig(['mode: arp', 'vipInterface: eth0', 'vips: [192.0.2.50]', ...lines].join('\n'), {
    env: {},
    readFile: (p) => readFileSync(p, 'utf8'),
    listInterfaces: () => ({ eth0: [{ address: '192.0.2.2', family: 'IPv4', internal: false }] }),
  });
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.error));
  return r.value;
}

describe('cluster sources', function () {
  this.timeout(30_000);
  const dir = mkdtempSync(join(tmpdir(), 'vs-cluster-'));
  const log = pino({ level: 'silent' });
  let cluster: Cluster | undefined;
  let api: FakeApiServer | undefined;

  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
    await api?.stop();
    api = undefined;
  });

  async function withApi(): Promise<string> {
    api = new FakeApiServer();
    await api.start();
    const path = join(dir, `kubeconfig-${Date.now()}`);
    writeFileSync(path, api.kubeconfigYaml());
    return path;
  }

  it('asks nothing of the cluster when the configuration asks nothing: the configured VIPs are claimed at once', async () => {
    const registry = new VipRegistry();
    cluster = await startCluster({ config: config([]), registry, log, clock: systemClock, leasesHoldVips: false });
    assert.equal(cluster.claimStatic([{ address: '192.0.2.50', communities: [], largeCommunities: [] }]), true);
    assert.deepEqual(registry.ownersOf('192.0.2.50'), [STATIC_OWNER]);
    assert.equal(cluster.elections, undefined);
    assert.equal(cluster.status(), null);
    assert.equal(cluster.connected(), undefined);
    assert.deepEqual(cluster.readiness(), []);
  });

  it('elects nobody without credentials: a mode that holds VIPs by lease then holds them alone', async () => {
    cluster = await startCluster({ config: config(['kubernetes: { kubeconfig: /nonexistent/kubeconfig }']), registry: new VipRegistry(), log, clock: systemClock, leasesHoldVips: true });
    assert.equal(cluster.elections, undefined);
  });

  it('refuses to start Services without credentials, naming the setting and what to set', async () => {
    await assert.rejects(
      startCluster({ config: config(['kubernetes: { services: true, kubeconfig: /nonexistent/kubeconfig }']), registry: new VipRegistry(), log, clock: systemClock, leasesHoldVips: false }),
      (err: unknown) => err instanceof KubeClientError && err.code === 'KUBE_KUBECONFIG_UNREADABLE' && /^kubernetes\.services needs the Kubernetes API: cannot read the kubeconfig/.test(err.message),
    );
  });

  it('makes a new elector for plndr-cp-lock and shares the services Lease with the status writer', async () => {
    const kubeconfig = await withApi();
    cluster = await startCluster({
      config: config([`kubernetes: { services: true, nodeName: node1, kubeconfig: ${kubeconfig}, leaseDuration: 15, renewDeadline: 10, retryPeriod: 2 }`]),
      registry: new VipRegistry(),
      log,
      clock: systemClock,
      leasesHoldVips: true,
    });
    const elections = cluster.elections!;
    const cp = elections.candidate({ kind: 'control-plane' });
    assert.ok(cp instanceof LeaderElector);
    assert.equal(cp.lease, 'kube-system/plndr-cp-lock');
    assert.equal(cp.leaseDurationMs, 15_000);
    const services = elections.candidate({ kind: 'services' });
    assert.ok(services instanceof LeaderElector);
    assert.equal(services.lease, 'kube-system/plndr-svcs-lock');
    assert.equal(elections.candidate({ kind: 'services' }), services, 'one services elector, the status writer\'s');
    const own = elections.candidate({ kind: 'service', namespace: 'shop', name: 'web' });
    const holder = () => (api!.get('Lease', { namespace: 'shop', name: 'kubevip-web' }) as { spec?: { holderIdentity?: string } } | undefined)?.spec?.holderIdentity;
    const leading = new Promise<void>((resolve) => own.on('leading', () => resolve()));
    own.start();
    await leading;
    assert.equal(holder(), 'node1');
    await own.stop({ release: true });
    assert.equal(holder(), '');
  });

  it('makes its own services elector when Services are not watched', async () => {
    const kubeconfig = await withApi();
    cluster = await startCluster({ config: config([`kubernetes: { nodeName: node1, kubeconfig: ${kubeconfig} }`]), registry: new VipRegistry(), log, clock: systemClock, leasesHoldVips: true });
    const services = cluster.elections!.candidate({ kind: 'services' });
    assert.ok(services instanceof LeaderElector);
    assert.equal(services.lease, 'kube-system/plndr-svcs-lock');
    assert.throws(() => cluster!.elections!.candidate({ kind: 'service', namespace: 'shop', name: 'web' }), /Services are not watched/);
  });
});

describe('cluster sources: the credentials of the control-plane /livez probe', () => {
  const kubeconfig = (user: Record<string, string>) => {
    const k = new KubeConfig();
    k.loadFromOptions({ clusters: [{ name: 'c', server: 'https://192.0.2.10:6443' }], users: [{ name: 'u', ...user }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' });
    return k;
  };
  const loaded = (user: Record<string, string>, source: 'kubeconfig' | 'in-cluster' = 'kubeconfig') => ({ kubeConfig: kubeconfig(user), source, server: 'https://192.0.2.10:6443' });

  it('are the service account\'s token in a pod (K3s refuses anonymous /livez)', () => {
    assert.deepEqual(livezCredentials(loaded({}, 'in-cluster'), '/var/run/secrets/kubernetes.io/serviceaccount'), { tokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token' });
  });

  it('are the kubeconfig user\'s: a token, or a client certificate inline or in files', () => {
    assert.deepEqual(livezCredentials(loaded({ token: 't0ken' }), ''), { token: 't0ken' });
    const pem = (text: string) => Buffer.from(text).toString('base64');
    assert.deepEqual(livezCredentials(loaded({ certData: pem('CERT'), keyData: pem('KEY') }), ''), { clientCertificate: { cert: 'CERT', key: 'KEY' } });
    assert.deepEqual(livezCredentials(loaded({ certFile: '/etc/rancher/k3s/client.crt', keyFile: '/etc/rancher/k3s/client.key' }), ''), { clientCertificate: { certFile: '/etc/rancher/k3s/client.crt', keyFile: '/etc/rancher/k3s/client.key' } });
    assert.deepEqual(livezCredentials(loaded({}), ''), {}, 'none: anonymous, as kubeadm allows');
  });
});

describe('cluster sources: a first watch that never starts answering', function () {
  this.timeout(20_000);
  const dir = mkdtempSync(join(tmpdir(), 'vs-cluster-hold-'));
  let api: FakeApiServer | undefined;
  let proxy: Server | undefined;
  let cluster: Cluster | undefined;

  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    await cluster?.stop();
    proxy?.closeAllConnections();
    await new Promise((r) => proxy?.close(r) ?? r(undefined));
    await api?.stop();
  });

  it('does not hold the start: it goes on with the lists once the sync timeout has passed', async () => {
    api = new FakeApiServer();
    const { url } = await api.start();
    api.create('Service', { metadata: { namespace: 'shop', name: 'web', annotations: { 'kube-vip.io/loadbalancerIPs': '203.0.113.50', 'kube-vip.io/allow-reconcile-without-endpoints': 'true' } }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } });
    // A proxy that holds a watch's answer back (no headers until an event that never comes).
    proxy = createServer((req, res) => {
      if (/[?&]watch=(true|1)/.test(req.url ?? '')) return;
      const forward = httpRequest(new URL(req.url ?? '/', url), { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(forward);
    });
    await new Promise<void>((r) => proxy!.listen(0, '127.0.0.1', () => r()));
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, api.kubeconfigYaml().replace(url, `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`));
    const registry = new VipRegistry();
    // On the fake clock: the start returns once the clock passes the sync timeout, and only then.
    const clock = new TestClock();
    let done = false;
    const starting = startCluster({ config: config([`kubernetes: { services: true, nodeName: node1, kubeconfig: ${kubeconfig} }`]), registry, log: pino({ level: 'silent' }), clock, leasesHoldVips: false, syncTimeoutMs: 500 }).then((c) => {
      done = true;
      return c;
    });
    await clock.fireUntil('the start to return', () => done);
    cluster = await starting;
    assert.ok(clock.now() >= 500, `the start returned once the sync timeout had passed (${clock.now()} ms on the clock)`);
    await until('the Services listed', () => registry.ownersOf('203.0.113.50/32').length > 0);
    assert.deepEqual(registry.ownersOf('203.0.113.50/32'), ['service:shop/web'], 'the listed Service is announced');
  });
});
