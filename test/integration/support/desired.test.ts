// The desired set the invariant checker expects, from config intents and cluster objects.
import { strict as assert } from 'node:assert';
import { type NodeIntent, apiDifferences, desiredVips, hostPrefix, serviceVips } from '../../../integration/support/desired.js';

const intent = (staticVips: string[], services = true): NodeIntent => ({ staticVips, vipInterface: 'lo', services });
const lb = (name: string, ips: string, extra: { policy?: 'Local' | 'Cluster'; withoutEndpoints?: boolean; type?: string } = {}) => ({
  metadata: {
    namespace: 'default',
    name,
    annotations: { 'kube-vip.io/loadbalancerIPs': ips, ...(extra.withoutEndpoints ? { 'kube-vip.io/allow-reconcile-without-endpoints': 'true' } : {}) },
  },
  spec: { type: extra.type ?? 'LoadBalancer', externalTrafficPolicy: extra.policy ?? 'Cluster' },
});
const slice = (service: string, nodeName: string, serving = true) => ({
  metadata: { namespace: 'default', labels: { 'kubernetes.io/service-name': service } },
  endpoints: [{ nodeName, conditions: { serving } }],
});

describe('invariant checker: the desired set', () => {
  it('writes every VIP as its canonical host prefix', () => {
    assert.equal(hostPrefix('203.0.113.5'), '203.0.113.5/32');
    assert.equal(hostPrefix('2001:DB8:0::5'), '2001:db8::5/128');
    assert.equal(hostPrefix('203.0.113.0/24'), undefined);
    assert.equal(hostPrefix('not an address'), undefined);
  });

  it('takes a Service\'s VIPs from the annotation, else from spec.loadBalancerIP, and ignores other types and classes', () => {
    assert.deepEqual(serviceVips(lb('a', '203.0.113.5, 2001:db8::5')), ['203.0.113.5/32', '2001:db8::5/128']);
    assert.deepEqual(serviceVips({ spec: { type: 'LoadBalancer', loadBalancerIP: '203.0.113.6' } }), ['203.0.113.6/32']);
    assert.equal(serviceVips(lb('b', '203.0.113.7', { type: 'ClusterIP' })), undefined);
    assert.equal(serviceVips({ spec: { type: 'LoadBalancer', loadBalancerClass: 'other', loadBalancerIP: '203.0.113.8' } }), undefined);
  });

  it('puts static VIPs on their node and a Cluster-policy Service on every node serving Services', () => {
    const nodes = new Map([['node1', intent(['203.0.113.10/32'])], ['node2', intent([], false)]]);
    const d = desiredVips(nodes, [lb('web', '203.0.113.20', { withoutEndpoints: true })], []);
    assert.deepEqual([...d.get('node1')!].sort(), ['203.0.113.10/32', '203.0.113.20/32']);
    assert.deepEqual([...d.get('node2')!], []);
  });

  it('announces a Cluster-policy Service only with a serving endpoint anywhere, a Local one only where one serves', () => {
    const nodes = new Map([['node1', intent([])], ['node2', intent([])]]);
    const services = [lb('cluster', '203.0.113.21'), lb('local', '203.0.113.22', { policy: 'Local' })];
    assert.deepEqual([...desiredVips(nodes, services, []).values()].map((s) => s.size), [0, 0]);
    const d = desiredVips(nodes, services, [slice('cluster', 'node2'), slice('local', 'node2'), slice('local', 'node1', false)]);
    assert.deepEqual([...d.get('node1')!], ['203.0.113.21/32']);
    assert.deepEqual([...d.get('node2')!].sort(), ['203.0.113.21/32', '203.0.113.22/32']);
  });

  it('keeps a node whose config could not be read out of every set', () => {
    assert.deepEqual([...desiredVips(new Map([['node1', undefined]]), [lb('web', '203.0.113.20', { withoutEndpoints: true })], []).get('node1')!], []);
  });

  it('finds an announced Service whose status lists other IPs, and a services Lease no node holds now', () => {
    const desired = new Map([['node1', new Set(['203.0.113.20/32'])]]);
    const written = { ...lb('web', '203.0.113.20'), status: { loadBalancer: { ingress: [{ ip: '203.0.113.20' }] } } };
    const stale = { ...lb('web', '203.0.113.20'), status: { loadBalancer: { ingress: [{ ip: '203.0.113.99' }] } } };
    const now = Date.parse('2026-01-01T00:00:10Z');
    const lease = (holder: string, renew: string) => ({ spec: { holderIdentity: holder, renewTime: renew, leaseDurationSeconds: 5 } });
    assert.deepEqual(apiDifferences(desired, [written], lease('node1', '2026-01-01T00:00:08Z'), ['node1'], now), []);
    assert.deepEqual(apiDifferences(desired, [stale], lease('node1', '2026-01-01T00:00:08Z'), ['node1'], now), [{ kind: 'status', subject: 'default/web' }]);
    assert.deepEqual(apiDifferences(desired, [written], lease('node1', '2026-01-01T00:00:01Z'), ['node1'], now), [{ kind: 'lease', subject: 'services' }]);
    assert.deepEqual(apiDifferences(desired, [written], lease('node9', '2026-01-01T00:00:08Z'), ['node1'], now), [{ kind: 'lease', subject: 'services' }]);
  });
});
