// A whole daemon configured by kube-vip's environment variables, against the fake API server:
// health_check_port answers, enable_node_labeling labels the node holding the control-plane VIP,
// Equinix Metal's annotations (link-local peers, multihop) become sessions, Service VIPs go on the
// interface kube-vip's settings name, and a drained node leaves its Service VIPs, and in ARP mode
// the services Lease, to the others.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { PeerConfig } from '../../bgp/index.js';
import type { Announcer } from '../../src/arp/announcer.js';
import { configFromEnv, formatErrors, parseConfig, type DaemonConfig } from '../../src/config/index.js';
import { Daemon } from '../../src/daemon.js';
import { InterfacePlacer } from '../../src/vip/index.js';
import { FakeApiServer } from '../support/fake-apiserver/index.js';
import { LivezServer, makeCertificate } from '../support/livez.js';
import { MemoryInterface, MemoryInterfaces } from '../support/memory-interface.js';
import { until } from '../support/wait.js';
import { fakeHost } from './config/helpers.js';
import { endpointSlice, service } from './kubernetes/fixtures.js';

const EXCLUDE = 'node.kubernetes.io/exclude-from-external-load-balancers';

function fromEnv(env: Record<string, string>, interfaces = {}): DaemonConfig {
  const r = configFromEnv(fakeHost({ env, interfaces }));
  if (!r.ok) throw new Error(formatErrors(r.error).join('\n'));
  r.value.admin.port = 0;
  return r.value;
}

/** A port no one listens on now (the kernel's pick), for settings that refuse 0. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text() };
}

describe('kube-vip variables running a daemon', function () {
  this.timeout(30_000);
  const dir = mkdtempSync(join(tmpdir(), 'vs-kvd-'));
  const daemons: Daemon[] = [];
  let api: FakeApiServer | undefined;
  let livez: LivezServer | undefined;

  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    for (const d of daemons.splice(0)) await d.stop();
    await livez?.close();
    livez = undefined;
    await api?.stop();
    api = undefined;
  });

  it('health_check_port: GET /healthz answers "OK" there, and nothing else does', async () => {
    const port = await freePort();
    const config = fromEnv({ bgp_enable: 'true', bgp_as: '65010', bgp_routerid: '198.51.100.7', bgp_peers: '192.0.2.1:65001::false', cp_enable: 'true', address: '192.0.2.10', health_check_port: String(port) });
    config.peers = [];
    const d = new Daemon(config, { log: pino({ level: 'silent' }), addresses: new MemoryInterface() });
    daemons.push(d);
    await d.start();
    assert.equal(d.healthPort, port);
    assert.deepEqual(await get(port, '/healthz'), { status: 200, body: 'OK' });
    assert.equal((await get(port, '/metrics')).status, 404, 'the metrics stay on the admin endpoint only');
  });

  it('enable_node_labeling: kube-vip.io/has-ip on the node while it holds the control-plane VIP, off when it stops', async () => {
    api = new FakeApiServer({ token: 'vip-speaker-test' });
    await api.start();
    api.create('Node', { metadata: { name: 'cp1', labels: { 'kubernetes.io/os': 'linux' } }, spec: {} });
    // This node's API server over TLS, in front of the fake: /livez for the VIP, the API for the label.
    const tls = makeCertificate(dir, 'apiserver');
    livez = new LivezServer(tls, api.url);
    await livez.listen();
    const kubeconfig = join(dir, 'admin.conf');
    writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config', 'current-context: c',
      `clusters: [{ name: k, cluster: { server: "https://127.0.0.1:${livez.port}", certificate-authority-data: ${Buffer.from(readFileSync(tls.cert)).toString('base64')} } }]`,
      'users: [{ name: u, user: { token: vip-speaker-test } }]',
      'contexts: [{ name: c, context: { cluster: k, user: u } }]',
    ].join('\n'));
    const config = fromEnv({
      bgp_enable: 'true', bgp_as: '65010', bgp_routerid: '198.51.100.7', bgp_peers: '192.0.2.1:65001::false',
      cp_enable: 'true', address: '203.0.113.1', port: String(livez.port), k8s_config_file: kubeconfig, vip_nodename: 'cp1', enable_node_labeling: 'true',
      control_plane_health_check_period_seconds: '1',
    });
    config.peers = [];
    const iface = new MemoryInterface();
    const d = new Daemon(config, { log: pino({ level: 'silent' }), addresses: iface });
    daemons.push(d);
    await d.start();
    const labels = () => (api!.get('Node', { namespace: '', name: 'cp1' }) as { metadata: { labels: Record<string, string> } }).metadata.labels;
    await until('the VIP in place and the node labelled', () => iface.owned.has('203.0.113.1/32') && labels()['kube-vip.io/has-ip'] === '203.0.113.1', 15_000, 50);
    assert.equal(labels()['kubernetes.io/os'], 'linux', 'the other labels are left as they were');
    livez.mode = 500;
    await until('the VIP gone and the label with it', () => !iface.owned.has('203.0.113.1/32') && labels()['kube-vip.io/has-ip'] === undefined, 15_000, 50);
    livez.mode = 200;
    await until('labelled again', () => labels()['kube-vip.io/has-ip'] === '203.0.113.1', 15_000, 50);
    await daemons.splice(0)[0]!.stop();
    assert.equal(labels()['kube-vip.io/has-ip'], undefined, 'a stopped node holds nothing');
  });

  it("Equinix Metal's annotations: link-local peers 169.254.255.1 and .2, multihop with kube-vip's TTL", async () => {
    api = new FakeApiServer();
    await api.start();
    const kubeconfig = join(dir, 'kubeconfig-em');
    writeFileSync(kubeconfig, api.kubeconfigYaml());
    const P = 'metal.equinix.com';
    api.create('Node', {
      metadata: {
        name: 'n1',
        annotations: {
          [`${P}/bgp-peers-0-node-asn`]: '65000', [`${P}/bgp-peers-0-src-ip`]: '10.65.1.3', [`${P}/bgp-peers-0-peer-asn`]: '65530',
          [`${P}/bgp-peers-0-peer-ip`]: '169.254.255.1', [`${P}/bgp-peers-1-peer-ip`]: '169.254.255.2', [`${P}/bgp-peers-0-peer-multi-hop`]: 'true',
        },
      },
    });
    const config = fromEnv({ bgp_enable: 'true', bgp_as: '65010', bgp_peers: '192.0.2.1:65001::false', cp_enable: 'true', address: '192.0.2.10', annotation: P, vip_nodename: 'n1', k8s_config_file: kubeconfig }, { eth0: [{ address: '10.65.1.3', family: 'IPv4', internal: false }] });
    // The sessions are never connected: the peer configs the speaker is handed are what is checked.
    const handed: PeerConfig[] = [];
    const d = new Daemon(config, {
      log: pino({ level: 'silent' }),
      addresses: new MemoryInterface(),
      speakerOptions: { connector: (peer) => { handed.push(peer); return () => new Promise((_, reject) => { const s = connect({ host: '127.0.0.1', port: 1 }); s.once('error', reject); }); } },
    });
    daemons.push(d);
    await d.start();
    assert.deepEqual(d.peers().map((p) => [p.address, p.peerAs]).sort(), [['169.254.255.1', 65530], ['169.254.255.2', 65530]]);
    const equinix = handed.filter((p) => p.address.startsWith('169.254.'));
    assert.deepEqual(equinix.map((p) => [p.address, p.multihop, p.localAddress]).sort(), [['169.254.255.1', 50, '10.65.1.3'], ['169.254.255.2', 50, '10.65.1.3']]);
  });
});

describe('Service VIPs on their own interface', function () {
  this.timeout(30_000);
  const dir = mkdtempSync(join(tmpdir(), 'vs-iface-'));
  let api: FakeApiServer;
  let daemon: Daemon | undefined;

  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
    await api?.stop();
  });

  async function run(env: Record<string, string>) {
    api = new FakeApiServer();
    await api.start();
    const kubeconfig = join(dir, `kubeconfig-${Date.now()}`);
    writeFileSync(kubeconfig, api.kubeconfigYaml());
    const host = new MemoryInterfaces();
    const config = fromEnv({ svc_enable: 'true', vip_nodename: 'n1', k8s_config_file: kubeconfig, ...env }, { eth0: [{ address: '192.0.2.2', family: 'IPv4', internal: false }] });
    config.peers = [];
    const addresses = new InterfacePlacer({ defaultInterface: config.vips.interface, manager: (iface) => host.manager(iface), interfaceNames: () => [...host.owned.keys()] });
    daemon = new Daemon(config, { log: pino({ level: 'silent' }), addresses, announcer: recordingAnnouncer() });
    await daemon.start();
    const web = (annotations: Record<string, string> = {}) => service('shop', 'web', { annotations: { 'kube-vip.io/loadbalancerIPs': '192.0.2.60', 'kube-vip.io/allow-reconcile-without-endpoints': 'true', ...annotations } });
    return { host, web };
  }

  it('ARP mode: vip_servicesinterface for every Service, kube-vip.io/serviceInterface for one, and a change of it moves the VIP', async () => {
    const { host, web } = await run({ vip_arp: 'true', vip_leaderelection: 'true', vip_interface: 'eth0', vip_servicesinterface: 'eth1' });
    api.create('Service', service('shop', 'api', { annotations: { 'kube-vip.io/loadbalancerIPs': '192.0.2.61', 'kube-vip.io/allow-reconcile-without-endpoints': 'true', 'kube-vip.io/serviceInterface': 'eth2' } }));
    api.create('Service', web());
    await until('both held, each on its interface', () => host.where('192.0.2.60/32').join() === 'eth1' && host.where('192.0.2.61/32').join() === 'eth2');
    api.patch('Service', { namespace: 'shop', name: 'api' }, { metadata: { annotations: { 'kube-vip.io/serviceInterface': 'eth3' } } });
    await until('moved to eth3', () => host.where('192.0.2.61/32').join() === 'eth3');
  });

  it('BGP mode: on lo without bgp_attach_ip_to_interface, on vip_servicesinterface with it', async () => {
    const bgp = { bgp_enable: 'true', bgp_as: '65010', bgp_routerid: '198.51.100.7', bgp_peers: '192.0.2.1:65001::false', vip_servicesinterface: 'eth1' };
    const first = await run(bgp);
    api.create('Service', first.web());
    await until('on lo', () => first.host.where('192.0.2.60/32').join() === 'lo');
    await daemon!.stop();
    daemon = undefined;
    await api.stop();
    const second = await run({ ...bgp, bgp_attach_ip_to_interface: 'true' });
    api.create('Service', second.web());
    await until('on eth1', () => second.host.where('192.0.2.60/32').join() === 'eth1');
  });
});

/** Records what would go on the wire (ARP mode's link side). */
function recordingAnnouncer(): Announcer {
  return {
    interface: 'eth0',
    open: () => undefined,
    announce: async () => undefined,
    refresh: () => ({ stop: () => undefined, lastError: undefined }) as unknown as ReturnType<Announcer['refresh']>,
    close: () => undefined,
  };
}

describe('node drain in ARP mode', function () {
  this.timeout(30_000);
  const dir = mkdtempSync(join(tmpdir(), 'vs-drain-'));
  const daemons: Daemon[] = [];
  let api: FakeApiServer;

  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    for (const d of daemons.splice(0)) await d.stop();
    await api?.stop();
  });

  it('a drained node leaves the services Lease, and so the Service VIPs, to a node that can hold them', async () => {
    api = new FakeApiServer();
    await api.start();
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, api.kubeconfigYaml());
    api.create('Node', { metadata: { name: 'n1', labels: { [EXCLUDE]: 'true' } }, spec: {} });
    api.create('Node', { metadata: { name: 'n2' }, spec: {} });
    const ifaces = [new MemoryInterface(), new MemoryInterface()];
    for (const [i, node] of ['n1', 'n2'].entries()) {
      const r = parseConfig(['mode: arp', 'routerId: 192.0.2.2', 'vipInterface: eth0', 'vips: []', 'admin: { address: 127.0.0.1, port: 9469 }', `kubernetes: { services: true, nodeName: ${node}, kubeconfig: ${kubeconfig} }`].join('\n'), {
        env: {}, readFile: (p) => readFileSync(p, 'utf8'), listInterfaces: () => ({ eth0: [{ address: '192.0.2.2', family: 'IPv4', internal: false }] }),
      });
      assert.ok(r.ok, r.ok ? '' : formatErrors(r.error).join('\n'));
      r.value.admin.port = 0;
      const d = new Daemon(r.value, { log: pino({ level: 'silent' }), addresses: ifaces[i]!, announcer: recordingAnnouncer() });
      daemons.push(d);
      // n1 first: drained from its start, it must not take the services Lease even though it could first.
      await d.start();
    }
    api.create('Service', service('shop', 'web', { annotations: { 'kube-vip.io/loadbalancerIPs': '192.0.2.60' } }));
    api.create('EndpointSlice', endpointSlice('shop', 'web-1', 'web', [{ nodeName: 'n2', ready: true, serving: true }]));
    const holders = () => ['n1', 'n2'].filter((_, i) => ifaces[i]!.owned.has('192.0.2.60/32'));
    const lease = () => (api.get('Lease', { namespace: 'kube-system', name: 'plndr-svcs-lock' }) as { spec: { holderIdentity?: string } } | undefined)?.spec.holderIdentity;
    const vipHost = () => (api.get('Service', { namespace: 'shop', name: 'web' }) as { metadata: { annotations?: Record<string, string> } }).metadata.annotations?.['kube-vip.io/vipHost'];
    await until('n2 holds the Service VIP', () => holders().join() === 'n2');
    assert.equal(lease(), 'n2');
    // The holder writes the status, and names itself in kube-vip.io/vipHost, as kube-vip's ARP mode does.
    await until('vipHost names the holder', () => vipHost() === 'n2');
    // The drain moves: n1 comes back, n2 is excluded; n2 lets go, n1 takes over.
    api.patch('Node', { namespace: '', name: 'n1' }, { metadata: { labels: { [EXCLUDE]: null } } });
    api.patch('Node', { namespace: '', name: 'n2' }, { metadata: { labels: { [EXCLUDE]: 'true' } } });
    await until('n1 holds the Service VIP', () => holders().join() === 'n1', 15_000);
    assert.equal(lease(), 'n1');
    await until('vipHost follows', () => vipHost() === 'n1');
  });
});
