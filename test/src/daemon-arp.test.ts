// ARP mode: one elected node holds the VIPs on its interface and announces them; when it stops,
// another takes over, and at no moment do two nodes hold a VIP.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Announcer } from '../../src/arp/announcer.js';
import { parseConfig } from '../../src/config/index.js';
import { Daemon } from '../../src/daemon.js';
import { FakeApiServer } from '../support/fake-apiserver/index.js';
import { LivezServer, makeCertificate } from '../support/livez.js';
import { MemoryInterface } from '../support/memory-interface.js';
import { endpointSlice, service } from './kubernetes/fixtures.js';
import { until } from '../support/wait.js';

/** Records what would go on the wire. */
function recordingAnnouncer(sent: string[]): Announcer {
  return {
    interface: 'eth0',
    open: () => undefined,
    announce: async (vip) => {
      sent.push(vip);
    },
    refresh: () => ({ stop: () => undefined, lastError: undefined }) as unknown as ReturnType<Announcer['refresh']>,
    close: () => undefined,
  };
}

/** An ARP-mode config for one node, as parsed from a file (admin port 0: any free one). */
function config(kubeconfig: string, node: string, extra: { vips?: string; kubernetes?: string; arp?: string } = {}) {
  const lines = [
    'mode: arp',
    'routerId: 192.0.2.2',
    'vipInterface: eth0',
    `vips: ${extra.vips ?? '[192.0.2.50, 2001:db8::50]'}`,
    'admin: { address: 127.0.0.1, port: 9469 }',
    `kubernetes: { nodeName: ${node}, kubeconfig: ${kubeconfig}${extra.kubernetes ? `, ${extra.kubernetes}` : ''} }`,
    ...(extra.arp ? [`arp: ${extra.arp}`] : []),
  ];
  const r = parseConfig(lines.join('\n'), {
    env: {},
    readFile: (p) => readFileSync(p, 'utf8'),
    listInterfaces: () => ({ eth0: [{ address: '192.0.2.2', family: 'IPv4', internal: false }] }),
  });
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.error));
  r.value.admin.port = 0;
  return r.value;
}

describe('ARP mode', function () {
  this.timeout(30_000);
  const dir = mkdtempSync(join(tmpdir(), 'vs-arp-'));
  let api: FakeApiServer;
  const daemons: Daemon[] = [];

  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    for (const d of daemons.splice(0)) await d.stop();
    await api?.stop();
  });

  /** Starts the fake API server and one daemon per node name, each with its own interface. */
  async function cluster(nodes: string[], extra: Parameters<typeof config>[2] = {}) {
    api = new FakeApiServer();
    await api.start();
    const kubeconfig = join(dir, `kubeconfig-${nodes.join('-')}-${Date.now()}`);
    writeFileSync(kubeconfig, api.kubeconfigYaml());
    const ifaces = nodes.map(() => new MemoryInterface());
    const sent: string[][] = nodes.map(() => []);
    const own: Daemon[] = [];
    for (const [i, node] of nodes.entries()) {
      const d = new Daemon(config(kubeconfig, node, extra), { log: pino({ level: 'silent' }), addresses: ifaces[i]!, announcer: recordingAnnouncer(sent[i]!) });
      daemons.push(d);
      own.push(d);
      await d.start();
    }
    const holdersOf = (vip: string) => nodes.filter((_, i) => ifaces[i]!.owned.has(vip));
    return { ifaces, sent, daemons: own, holdersOf };
  }

  /** Samples every few milliseconds; `overlap` is set if two nodes ever hold the VIP at once. */
  function sampleOverlap(holdersOf: (vip: string) => string[], vip: string) {
    const seen = { overlap: false, samples: 0 };
    const timer = setInterval(() => {
      seen.samples++;
      if (holdersOf(vip).length > 1) seen.overlap = true;
    }, 2);
    return { seen, stop: () => clearInterval(timer) };
  }

  const lease = (namespace: string, name: string) => api.get('Lease', { namespace, name }) as { spec: { holderIdentity?: string; leaseTransitions?: number } } | undefined;

  it('holds the VIPs on the elected node only, and hands them over through the Lease watch on a clean stop', async () => {
    // A 20 s retry: the successor's polling cannot take the Lease within the wait below, only the
    // watch that sees the release can (the lab measures the handover in real time with 5/3/1).
    const { ifaces, sent, daemons: [d0, d1], holdersOf } = await cluster(['n1', 'n2'], { kubernetes: 'leaseDuration: 60, renewDeadline: 40, retryPeriod: 20' });
    await until('one holder', () => holdersOf('192.0.2.50/32').length === 1);
    const leader = ifaces[0]!.owned.size ? 0 : 1;
    assert.deepEqual([...ifaces[leader]!.owned].sort(), ['192.0.2.50/32', '2001:db8::50/128']);
    assert.deepEqual(sent[leader]!.sort(), ['192.0.2.50', '2001:db8::50'], 'a takeover burst for each VIP');
    assert.equal(lease('kube-system', 'plndr-cp-lock')?.spec.holderIdentity, ['n1', 'n2'][leader], "static VIPs are held under kube-vip's plndr-cp-lock");
    const sampler = sampleOverlap(holdersOf, '192.0.2.50/32');
    await [d0, d1][leader]!.stop();
    await until('the other node holds the VIPs', () => ifaces[1 - leader]!.owned.has('192.0.2.50/32'), 15_000, 2);
    sampler.stop();
    assert.equal(sampler.seen.overlap, false, 'two nodes held the VIP at once');
    assert.ok(sampler.seen.samples > 0, 'sampled during the handover');
    assert.equal(ifaces[leader]!.owned.size, 0, 'the stopped node left nothing on its interface');
    assert.ok(sent[1 - leader]!.includes('192.0.2.50'));
  });

  it('shows per VIP the mode, the holder and the time of the last takeover, in the status and the metrics', async () => {
    const before = Date.now();
    const { daemons: [d0, d1], holdersOf } = await cluster(['n1', 'n2'], { vips: '[192.0.2.50]' });
    await until('one holder', () => holdersOf('192.0.2.50/32').length === 1);
    const holder = holdersOf('192.0.2.50/32')[0]!;
    const other = holder === 'n1' ? d1! : d0!;
    // The node that does not hold the VIP knows who does.
    await until('the follower saw the holder', () => ((other.status() as { vips: Array<{ leader: string | null }> }).vips[0]?.leader ?? null) === holder);
    const vip = (other.status() as { vips: Array<Record<string, unknown>> }).vips[0]!;
    assert.equal(vip.mode, 'arp');
    assert.equal(vip.inPlace, false);
    const takeover = typeof vip.lastTakeover === 'string' ? Date.parse(vip.lastTakeover) : NaN;
    assert.ok(takeover >= before && takeover <= Date.now(), `lastTakeover ${String(vip.lastTakeover)} falls during the test`);
    const text = await other.metrics.registry.metrics();
    assert.match(text, new RegExp(`vip_speaker_vip_info\\{vip="192.0.2.50/32",mode="arp",leader="${holder}"\\} 1`));
    assert.match(text, /vip_speaker_vip_held\{vip="192.0.2.50\/32"\} 0/);
    assert.match(text, /vip_speaker_vip_last_takeover_timestamp_seconds\{vip="192.0.2.50\/32"\} \d+/);
    const leaderDaemon = holder === 'n1' ? d0! : d1!;
    const leaderMetrics = await leaderDaemon.metrics.registry.metrics();
    assert.match(leaderMetrics, /vip_speaker_arp_takeovers_total\{group="control-plane"\} 1/);
    assert.match(leaderMetrics, /vip_speaker_arp_bursts_total 1/);
    assert.match(leaderMetrics, /vip_speaker_vip_held\{vip="192.0.2.50\/32"\} 1/);
    assert.equal((leaderDaemon.status() as { ready: { ok: boolean } }).ready.ok, true, 'ready on the holder');
    assert.equal((other.status() as { ready: { ok: boolean; reasons: string[] } }).ready.ok, true, 'a follower is ready too: it holds nothing by design');
  });

  it("holds static and Service VIPs under kube-vip's two leases", async () => {
    const { holdersOf } = await cluster(['n1', 'n2'], { vips: '[192.0.2.50]', kubernetes: 'services: true' });
    api.create('Service', service('shop', 'web', { annotations: { 'kube-vip.io/loadbalancerIPs': '192.0.2.60' } }));
    api.create('EndpointSlice', endpointSlice('shop', 'web-1', 'web', [{ nodeName: 'n1', ready: true, serving: true }]));
    await until('both VIPs held', () => holdersOf('192.0.2.50/32').length === 1 && holdersOf('192.0.2.60/32').length === 1);
    assert.deepEqual(holdersOf('192.0.2.50/32'), [lease('kube-system', 'plndr-cp-lock')!.spec.holderIdentity]);
    assert.deepEqual(holdersOf('192.0.2.60/32'), [lease('kube-system', 'plndr-svcs-lock')!.spec.holderIdentity]);
    // The services lease's holder also writes the Service's status.
    await until('status written', () => (api.get('Service', { namespace: 'shop', name: 'web' }) as { status?: { loadBalancer?: { ingress?: Array<{ ip: string }> } } }).status?.loadBalancer?.ingress?.[0]?.ip === '192.0.2.60');
  });

  it('with externalTrafficPolicy Local, only a node with a ready local endpoint stands, and the VIP follows the endpoint', async () => {
    const { holdersOf } = await cluster(['n1', 'n2'], { vips: '[]', kubernetes: 'services: true' });
    const sampler = sampleOverlap(holdersOf, '192.0.2.70/32');
    api.create('Service', service('shop', 'local', { externalTrafficPolicy: 'Local', annotations: { 'kube-vip.io/loadbalancerIPs': '192.0.2.70' } }));
    api.create('EndpointSlice', endpointSlice('shop', 'local-1', 'local', [{ nodeName: 'n2', ready: true, serving: true }]));
    await until('n2 holds the VIP', () => holdersOf('192.0.2.70/32').join() === 'n2');
    assert.equal(lease('shop', 'kubevip-local')?.spec.holderIdentity, 'n2');
    assert.equal(lease('shop', 'kubevip-local')?.spec.leaseTransitions, 0, 'n1 never stood for the lease');
    // The pod moves to n1: n2 lets go (VIP off, lease released), n1 stands and takes it at once.
    api.update('EndpointSlice', endpointSlice('shop', 'local-1', 'local', [{ nodeName: 'n1', ready: true, serving: true }]));
    await until('n1 holds the VIP', () => holdersOf('192.0.2.70/32').join() === 'n1', 5_000, 2);
    assert.equal(lease('shop', 'kubevip-local')?.spec.holderIdentity, 'n1');
    // An endpoint that is no longer ready: nobody stands, nobody holds.
    api.update('EndpointSlice', endpointSlice('shop', 'local-1', 'local', [{ nodeName: 'n1', ready: false, serving: false }]));
    await until('nobody holds the VIP', () => holdersOf('192.0.2.70/32').length === 0);
    sampler.stop();
    assert.equal(sampler.seen.overlap, false, 'two nodes held the VIP at once');
  });

  it('with per-Service election, each Service VIP is on its own lease holder only', async () => {
    const { holdersOf } = await cluster(['n1', 'n2'], { vips: '[]', kubernetes: 'services: true, servicesElection: true' });
    for (const [name, ip] of [['a', '192.0.2.81'], ['b', '192.0.2.82'], ['c', '192.0.2.83']] as const) {
      api.create('Service', service('shop', name, { annotations: { 'kube-vip.io/loadbalancerIPs': ip } }));
      api.create('EndpointSlice', endpointSlice('shop', `${name}-1`, name, [{ nodeName: 'n1', ready: true, serving: true }]));
    }
    for (const [name, ip] of [['a', '192.0.2.81'], ['b', '192.0.2.82'], ['c', '192.0.2.83']] as const) {
      await until(`${name} held`, () => holdersOf(`${ip}/32`).length === 1);
      assert.deepEqual(holdersOf(`${ip}/32`), [lease('shop', `kubevip-${name}`)!.spec.holderIdentity]);
    }
    assert.equal(lease('kube-system', 'plndr-svcs-lock'), undefined, 'no global services lease with per-Service election');
  });

  it('without leader election (vip_leaderelection=false) holds the VIPs alone and writes no Lease', async () => {
    const { holdersOf } = await cluster(['n1'], { vips: '[192.0.2.50]', arp: '{ leaderElection: false }' });
    await until('held', () => holdersOf('192.0.2.50/32').join() === 'n1');
    assert.equal(api.list('Lease').length, 0);
  });
});

describe('ARP mode when the API server goes away', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'vs-arp-outage-'));
  const daemons: Daemon[] = [];
  let api: FakeApiServer | undefined;
  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    for (const d of daemons.splice(0)) await d.stop();
    await api?.stop();
  });

  it('takes the VIP off the leader within the renew deadline, before the lease can pass, and a node takes it back once the API returns', async () => {
    api = new FakeApiServer();
    await api.start();
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, api.kubeconfigYaml());
    const ifaces = [new MemoryInterface(), new MemoryInterface()];
    for (const [i, node] of ['n1', 'n2'].entries()) {
      // A 30 s lease, a 2 s renew deadline: the leader must let go long before the lease may pass.
      const settings = config(kubeconfig, node, { vips: '[192.0.2.50]', kubernetes: 'leaseDuration: 30, renewDeadline: 2, retryPeriod: 1' });
      const d = new Daemon(settings, { log: pino({ level: 'silent' }), addresses: ifaces[i]!, announcer: recordingAnnouncer([]) });
      daemons.push(d);
      await d.start();
    }
    const holders = () => ifaces.filter((f) => f.owned.has('192.0.2.50/32')).length;
    await until('one holder', () => holders() === 1);
    const leader = ifaces[0]!.owned.size ? 0 : 1;
    await api.setDown(true);
    // Renew deadline 2 s: the VIP goes well within the 30 s another node would wait for the lease.
    await until('the leader let go within the lease', () => !ifaces[leader]!.owned.has('192.0.2.50/32'), 25_000);
    assert.equal(holders(), 0, 'no node can take it while the API is down');
    await api.setDown(false);
    await until('a node holds the VIP again', () => holders() === 1, 15_000);
  });
});

describe('ARP mode for the control-plane VIP', function () {
  this.timeout(30_000);
  const dir = mkdtempSync(join(tmpdir(), 'vs-arp-cp-'));
  let api: FakeApiServer | undefined;
  let local: LivezServer | undefined;
  let daemon: Daemon | undefined;
  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    await daemon?.stop();
    await local?.close();
    await api?.stop();
  });

  it('elects through the local API server, not through the VIP it elects for, and stands only while /livez is healthy', async () => {
    api = new FakeApiServer({ token: 'vip-speaker-test' });
    await api.start();
    // This node's API server over TLS with kubeadm's certificate names, in front of the fake.
    const tls = makeCertificate(dir, 'apiserver');
    local = new LivezServer(tls, api.url);
    await local.listen();
    // As kubeadm's admin.conf: the server is the control-plane VIP, which nobody holds yet
    // (here a loopback address where nothing listens).
    const kubeconfig = join(dir, 'admin.conf');
    writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config', 'current-context: c',
      `clusters: [{ name: k, cluster: { server: "https://127.0.0.2:1", certificate-authority-data: ${Buffer.from(readFileSync(tls.cert)).toString('base64')} } }]`,
      'users: [{ name: u, user: { token: vip-speaker-test } }]',
      'contexts: [{ name: c, context: { cluster: k, user: u } }]',
    ].join('\n'));
    const settings = config(kubeconfig, 'cp1', { vips: '[192.0.2.10]', kubernetes: `controlPlane: true, apiServerPort: ${local.port}, controlPlaneCheckInterval: 0.2` });
    const iface = new MemoryInterface();
    daemon = new Daemon(settings, { log: pino({ level: 'silent' }), addresses: iface, announcer: recordingAnnouncer([]) });
    await daemon.start();
    await until('the VIP held', () => iface.owned.has('192.0.2.10/32'), 15_000);
    const lease = () => api!.get('Lease', { namespace: 'kube-system', name: 'plndr-cp-lock' }) as { spec: { holderIdentity?: string } } | undefined;
    assert.equal(lease()?.spec.holderIdentity, 'cp1');
    // The local API server fails its health check: the VIP goes and the lease is released.
    local.mode = 500;
    await until('the VIP gone', () => !iface.owned.has('192.0.2.10/32'), 15_000);
    await until('the lease released', () => lease()?.spec.holderIdentity === '', 15_000);
    local.mode = 200;
    await until('the VIP back', () => iface.owned.has('192.0.2.10/32'), 15_000);
  });
});
