// Issue 14, "a slow or overloaded API server": vip-speaker as an operator runs it (the CLI, a
// config file), elected to write the status of 1,000 LoadBalancer Services, against a fake API
// server that answers every request after 200 ms, as a busy control plane does. Both run in a
// network namespace of their own (the VIPs go on its lo, never the host's).
//
// The fake also works on at most CAPACITY requests at once and queues the rest, as
// kube-apiserver's max-requests-inflight does.
//
// What must hold: the requests per second and the connections stay within the configured client
// limits, every status is written, the services Lease is kept through it all (its renewals go
// ahead of the status writes), and SIGTERM ends the process within 10 s, the Lease released and
// the VIPs removed, whether it comes once everything is written or in the middle of the writes.
// The figures are printed; the bounds asserted are the configured limits and the 10 s,
// nothing tighter (the machine is shared).
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LabApiServer } from '../support/apiserver-client.js';
import { Lab, labSkipReason, waitFor } from '../support/lab.js';
import { VipSpeakerNode } from '../support/vip-speaker-node.js';

const SERVICES = 1000;
const LATENCY_MS = 200;
const CAPACITY = 50;
const NAMESPACES = 10;
/** The client limits under test (kubernetes.client). */
const LIMITS = { qps: 50, burst: 100, maxConnections: 16 };
/**
 * BGP mode with Services: one watch on Services, one on EndpointSlices and one on this Node (the
 * drain: node.kubernetes.io/exclude-from-external-load-balancers, on by default), each on a
 * connection of its own outside the client's limit.
 */
const WATCHES = 3;
/** The bound on SIGTERM to exit. */
const EXIT_BOUND_MS = 10_000;
const API_PORT = 6443;

function service(i: number): object {
  return {
    metadata: {
      namespace: `team-${i % NAMESPACES}`,
      name: `web-${i}`,
      annotations: { 'kube-vip.io/loadbalancerIPs': `2001:db8:14::${(i + 1).toString(16)}`, 'kube-vip.io/allow-reconcile-without-endpoints': 'true' },
    },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
  };
}

interface Setup {
  lab: Lab;
  api: LabApiServer;
  node: VipSpeakerNode;
  started: number;
  /** How many Services list a VIP in their status now. */
  withIngress(): Promise<number>;
}

async function setUp(lab: Lab): Promise<Setup> {
  await lab.addNamespace('node');
  const api = new LabApiServer(lab, 'node', '127.0.0.1', API_PORT, LATENCY_MS, CAPACITY);
  await api.start();
  await api.createMany('Service', Array.from({ length: SERVICES }, (_, i) => service(i)));
  const kubeconfig = join(lab.dir, 'kubeconfig');
  writeFileSync(kubeconfig, api.kubeconfig);
  const config = [
    'asn: 65100',
    'routerId: 192.0.2.2',
    // Unreachable from the namespace: the BGP side is not what this lab is about.
    'peers: ["192.0.2.1:65000::false"]',
    'admin: { address: 127.0.0.1, port: 9469 }',
    'log: { level: info }',
    `kubernetes: { services: true, nodeName: n1, kubeconfig: ${kubeconfig}, client: { qps: ${LIMITS.qps}, burst: ${LIMITS.burst}, maxConnections: ${LIMITS.maxConnections} } }`,
  ].join('\n');
  const node = new VipSpeakerNode(lab, 'node', config);
  const started = Date.now();
  await node.start();
  return { lab, api, node, started, withIngress: () => withIngressOf(api) };
}

/** SIGTERM, then how long until the process is gone (it is killed after 30 s and 'hung' returned). */
async function terminate(node: VipSpeakerNode): Promise<{ code: number | null | 'hung'; exitMs: number }> {
  const signalled = Date.now();
  const code = await Promise.race([node.stop(), new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30_000))]);
  const exitMs = Date.now() - signalled;
  if (code === 'hung') await node.kill();
  return { code, exitMs };
}

async function servicesLeaseHolder(api: LabApiServer): Promise<string | null> {
  const lease = await api.get<{ spec?: { holderIdentity?: string } }>('Lease', 'kube-system', 'plndr-svcs-lock');
  return lease.spec?.holderIdentity ?? null;
}

describe('a slow API server (issue 14)', function () {
  this.timeout(240_000);
  const skip = labSkipReason();
  let lab: Lab | undefined;

  before(function () {
    if (skip) this.skip();
  });

  afterEach(async () => {
    await lab?.destroy();
    lab = undefined;
  });

  it(`writes ${SERVICES} statuses within the client limits at ${LATENCY_MS} ms a request, keeps its Lease, and exits within 10 s of SIGTERM`, async () => {
    lab = new Lab('slowapi');
    const { api, node, started, withIngress } = await setUp(lab);
    await waitFor(`every status written (log: ${node.logPath})`, async () => ((await withIngress()) === SERVICES ? true : undefined), 180_000, 500);
    const writtenMs = Date.now() - started;
    const stats = await api.stats();
    const requests = await api.requests();

    const patches = requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/status'));
    const singleGets = requests.filter((r) => r.method === 'GET' && /^\/api\/v1\/namespaces\/[^/]+\/services\/[^/]+$/.test(r.path));
    const leaseWrites = requests.filter((r) => r.path.includes('/leases/') && r.method === 'PUT');
    const eventWrites = requests.filter((r) => r.path.includes('/events'));
    const writing = patches.length > 1 ? (patches[patches.length - 1]!.at - patches[0]!.at) / 1000 : 0;
    assert.equal(singleGets.length, 0, 'no GET of a single Service: the cache is read');
    assert.ok(patches.length >= SERVICES && patches.length <= SERVICES * 1.05, `${patches.length} status PATCHes for ${SERVICES} Services`);
    assert.ok(stats.maxPerSecond <= LIMITS.burst + LIMITS.qps, `${stats.maxPerSecond} requests within one second, over burst + qps ${LIMITS.burst + LIMITS.qps}`);
    const watched = new Set(requests.filter((r) => r.query.watch === 'true' || r.query.watch === '1').map((r) => r.path));
    assert.equal(watched.size, WATCHES, `watches on ${[...watched].join(', ')}`);
    assert.ok(stats.connections.peak <= LIMITS.maxConnections + WATCHES, `${stats.connections.peak} connections at once, over ${LIMITS.maxConnections} + ${WATCHES} watches`);
    assert.ok(stats.inFlight.peak <= LIMITS.maxConnections + WATCHES, `${stats.inFlight.peak} requests in flight at once`);
    assert.ok(!/no longer writes Service status/.test(node.log()), 'the services Lease was lost while writing: its renewals waited behind the writes');
    assert.equal((await node.loAddresses()).length, SERVICES, 'every Service VIP on lo');

    const { code, exitMs } = await terminate(node);
    const holder = await servicesLeaseHolder(api);
    const left = await node.loAddresses();
    console.log(
      `      slow API: ${SERVICES} Services, ${LATENCY_MS} ms per answer, ${CAPACITY} worked on at once; client qps ${LIMITS.qps} burst ${LIMITS.burst} maxConnections ${LIMITS.maxConnections}\n` +
        `        every status written ${(writtenMs / 1000).toFixed(1)} s after start (the PATCHes over ${writing.toFixed(1)} s, ${(patches.length / Math.max(writing, 0.001)).toFixed(1)}/s)\n` +
        `        ${stats.requests} requests: ${patches.length} status PATCHes, ${singleGets.length} GETs of a single Service, ${leaseWrites.length} Lease writes, ${eventWrites.length} Event writes (they go last)\n` +
        `        at most ${stats.maxPerSecond} requests within one second (limit ${LIMITS.burst + LIMITS.qps} = burst + qps)\n` +
        `        connections: at most ${stats.connections.peak} open at once, ${stats.connections.total} in all (limit ${LIMITS.maxConnections} + ${WATCHES} watches); at most ${stats.inFlight.peak} requests in flight\n` +
        `        SIGTERM once idle to exit: ${exitMs} ms (exit code ${String(code)}); services Lease holder after: ${JSON.stringify(holder)}; VIPs left on lo: ${left.length}`,
    );
    assert.notEqual(code, 'hung', `no exit 30 s after SIGTERM (log: ${node.logPath})`);
    assert.equal(code, 0);
    assert.ok(exitMs < EXIT_BOUND_MS, `exited ${exitMs} ms after SIGTERM`);
    assert.equal(holder, '', 'the services Lease is released');
    assert.deepEqual(left, [], 'the VIPs are removed');
  });

  it('exits within 10 s of a SIGTERM that comes in the middle of the writes, the Lease released and the VIPs removed', async () => {
    lab = new Lab('slowapi');
    const { api, node } = await setUp(lab);
    const written = await waitFor(`a third of the statuses written (log: ${node.logPath})`, async () => {
      const n = await withIngressOf(api);
      return n >= SERVICES / 3 ? n : undefined;
    }, 120_000, 250);
    const { code, exitMs } = await terminate(node);
    const holder = await servicesLeaseHolder(api);
    const left = await node.loAddresses();
    console.log(`      slow API: SIGTERM with ${written} of ${SERVICES} statuses written: exit after ${exitMs} ms (exit code ${String(code)}); services Lease holder after: ${JSON.stringify(holder)}; VIPs left on lo: ${left.length}`);
    assert.notEqual(code, 'hung', `no exit 30 s after SIGTERM (log: ${node.logPath})`);
    assert.equal(code, 0);
    assert.ok(exitMs < EXIT_BOUND_MS, `exited ${exitMs} ms after SIGTERM`);
    assert.equal(holder, '', 'the services Lease is released');
    assert.deepEqual(left, [], 'the VIPs are removed');
  });
});

async function withIngressOf(api: LabApiServer): Promise<number> {
  return (await api.list<{ status?: { loadBalancer?: { ingress?: unknown[] } } }>('Service')).filter((s) => (s.status?.loadBalancer?.ingress ?? []).length > 0).length;
}
