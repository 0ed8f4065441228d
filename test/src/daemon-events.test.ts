// Issue 15, Events on a Service: the daemon (BGP mode, Services, the real client against the fake
// API server) records which node announces a Service's VIPs and when it stops, why a VIP is not
// announced (no endpoint on this node, a class not ours, an invalid address), and when the status
// is written; read back from the fake, no more than one per change. Every wait is for an Event or
// a state, never a sleep: a change that must not make an Event is followed by one that must, and
// the Events come in order.
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
import { endpointSlice, service } from './kubernetes/fixtures.js';

interface StoredEvent {
  type: string;
  action: string;
  reason: string;
  note: string;
  reportingInstance: string;
  regarding: { name: string };
  series?: { count: number };
}

describe('Events on Services (issue 15)', function () {
  this.timeout(30_000);
  const dir = mkdtempSync(join(tmpdir(), 'vs-events-'));
  let api: FakeApiServer;
  let daemon: Daemon | undefined;

  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    await daemon?.stop();
    await api?.stop();
  });

  const events = () => api.list('Event') as unknown as StoredEvent[];
  const about = (name: string) => events().filter((e) => e.regarding.name === name).map((e) => `${e.type} ${e.action} ${e.reason}${e.series ? ` x${e.series.count}` : ''}`).sort();
  const has = (name: string, reason: string) => events().some((e) => e.regarding.name === name && e.reason === reason);

  it('tells announce, withdraw, each skip reason and the status written, once per change', async () => {
    api = new FakeApiServer();
    await api.start();
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, api.kubeconfigYaml());
    const r = parseConfig(['asn: 65100', 'routerId: 192.0.2.2', 'peers: ["198.51.100.1:65000::false"]', `kubernetes: { services: true, nodeName: n1, kubeconfig: ${kubeconfig} }`].join('\n'), {
      env: {},
      readFile: (p) => readFileSync(p, 'utf8'),
      listInterfaces: () => ({}),
    });
    assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.error));
    r.value.admin.port = 0;
    r.value.peers = [];
    // Local policy, its endpoint on this node.
    api.create('Service', service('shop', 'local', { externalTrafficPolicy: 'Local', annotations: { 'kube-vip.io/loadbalancerIPs': '203.0.113.20' } }));
    api.create('EndpointSlice', endpointSlice('shop', 'local-1', 'local', [{ nodeName: 'n1', ready: true }]));
    // Another load balancer's class.
    api.create('Service', service('shop', 'other', { loadBalancerClass: 'example.com/other-lb', annotations: { 'kube-vip.io/loadbalancerIPs': '203.0.113.21' } }));
    // One good address, one not an address.
    api.create('Service', service('shop', 'bad', { annotations: { 'kube-vip.io/loadbalancerIPs': '203.0.113.22,not-an-address', 'kube-vip.io/allow-reconcile-without-endpoints': 'true' } }));
    const iface = new MemoryInterface();
    daemon = new Daemon(r.value, { log: pino({ level: 'silent' }), addresses: iface });
    await daemon.start();

    await until('the first Events', () => has('local', 'StatusWritten') && has('bad', 'StatusWritten') && has('bad', 'InvalidAddress') && has('other', 'LoadBalancerClassNotServed'), 15_000);
    const announced = events().find((e) => e.regarding.name === 'local' && e.reason === 'Announced')!;
    assert.equal(announced.reportingInstance, 'vip-speaker-n1');
    assert.match(announced.note, /^node n1 announces 203\.0\.113\.20\/32: Local policy: 1 serving endpoint\(s\) on this node$/);
    assert.match(events().find((e) => e.reason === 'InvalidAddress')!.note, /"not-an-address" skipped/);
    assert.match(events().find((e) => e.reason === 'LoadBalancerClassNotServed')!.note, /example\.com\/other-lb/);

    // The endpoint moves to another node: this node withdraws, and says why.
    api.update('EndpointSlice', endpointSlice('shop', 'local-1', 'local', [{ nodeName: 'n2', ready: true }]));
    await until('the withdrawal', () => has('local', 'NoEndpointOnNode'));
    assert.ok(!iface.owned.has('203.0.113.20/32'));
    assert.match(events().find((e) => e.reason === 'NoEndpointOnNode')!.note, /^node n1 stopped announcing 203\.0\.113\.20\/32: Local policy: no serving endpoint on this node$/);

    // And back: the same Event as the first time, counted in its series.
    api.update('EndpointSlice', endpointSlice('shop', 'local-1', 'local', [{ nodeName: 'n1', ready: true }]));
    await until('the second announcement counted', () => events().some((e) => e.regarding.name === 'local' && e.reason === 'Announced' && e.series?.count === 2));

    // Changes that change nothing the Events tell: no Event. Then one that does, to know they were seen.
    for (const name of ['local', 'other', 'bad']) api.patch('Service', { namespace: 'shop', name }, { metadata: { labels: { touched: 'yes' } } });
    api.create('Service', service('shop', 'last', { loadBalancerClass: 'example.com/other-lb' }));
    await until('the sentinel Event', () => has('last', 'LoadBalancerClassNotServed'));

    assert.deepEqual(about('local'), ['Normal Announce Announced x2', 'Normal Withdraw NoEndpointOnNode', 'Normal WriteStatus StatusWritten']);
    assert.deepEqual(about('bad'), ['Normal Announce Announced', 'Normal WriteStatus StatusWritten', 'Warning Skip InvalidAddress']);
    assert.deepEqual(about('other'), ['Normal Skip LoadBalancerClassNotServed']);
    assert.deepEqual(about('last'), ['Normal Skip LoadBalancerClassNotServed']);
    assert.equal(events().length, 8);
  });
});
