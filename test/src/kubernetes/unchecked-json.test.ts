// The readers of Kubernetes objects get a watch's JSON unchecked: a field of another type than
// the API's must read as absent, never throw. Each case here was found by the Kubernetes-objects
// fuzz target (fuzz/targets/kubernetes.ts), whose crashers are replayed in test/fuzz/.
import { strict as assert } from 'node:assert';
import type { V1EndpointSlice, V1LeaseSpec, V1Service } from '@kubernetes/client-node';
import { recordOf } from '../../../src/kubernetes/elections/lock.js';
import { nodeBgpOverrides } from '../../../src/kubernetes/node/annotations.js';
import { countEndpoints, decideService } from '../../../src/kubernetes/services/rules.js';

const SETTINGS = { loadBalancerClass: '', loadBalancerClassOnly: false, loadBalancerClassLegacyHandling: true };
const unchecked = <T>(value: unknown) => value as T;

describe('Kubernetes readers on unchecked JSON', () => {
  it('a Service whose loadBalancerIP or annotations are not strings is served with what is readable', () => {
    const d = decideService(unchecked<V1Service>({ metadata: { annotations: { 'vip-speaker.io/bgp-communities': 7 } }, spec: { type: 'LoadBalancer', loadBalancerIP: 42 } }), SETTINGS);
    assert.ok(d.served);
    assert.deepEqual([d.source, d.vips, d.communities], ['none', [], []]);
  });

  it('a Service community named after Object.prototype is a problem, not a function', () => {
    const d = decideService(unchecked<V1Service>({ metadata: { annotations: { 'vip-speaker.io/bgp-communities': 'constructor,65000:1' } }, spec: { type: 'LoadBalancer' } }), SETTINGS);
    assert.ok(d.served);
    assert.deepEqual(d.communities, [65000 * 65536 + 1]);
    assert.deepEqual(d.problems.map((p) => p.code), ['SERVICE_INVALID_COMMUNITY']);
  });

  it('EndpointSlices whose endpoints are not a list, or hold null, count nothing for those', () => {
    const slices = unchecked<V1EndpointSlice[]>([{ endpoints: 5 }, { endpoints: [null, { nodeName: 'node-a' }] }]);
    assert.deepEqual(countEndpoints(slices, 'node-a'), { serving: 1, servingHere: 1 });
  });

  it('node annotations that are not strings count as absent', () => {
    const o = nodeBgpOverrides(unchecked<Record<string, string>>({ 'kube-vip.io/node-asn': 65010, 'kube-vip.io/peer-ip': ['192.0.2.1'] }), 'kube-vip.io');
    assert.equal(o.present, true);
    assert.equal(o.complete, false);
    assert.deepEqual(o.errors.map((e) => e.annotation), ['kube-vip.io/node-asn', 'kube-vip.io/src-ip', 'kube-vip.io/peer-asn']);
  });

  it('a Lease whose fields have other types reads as unset', () => {
    assert.deepEqual(recordOf(unchecked<V1LeaseSpec>({ holderIdentity: 7, leaseDurationSeconds: '15', leaseTransitions: null })), {
      holderIdentity: '',
      leaseDurationSeconds: 0,
      acquireTime: '',
      renewTime: '',
      leaseTransitions: 0,
    });
  });
});
