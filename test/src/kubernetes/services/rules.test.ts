// The Service rules as pure functions: a table of Services and the VIPs (or the reason for
// none) each one gives, then the endpoint rule per traffic policy. No server involved.
import { strict as assert } from 'node:assert';
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import { WellKnownCommunity } from '../../../../bgp/index.js';
import {
  type ServiceDecision, type ServiceRuleSettings,
  announcement, claimsOf, countEndpoints, decideService, isServing, serviceOwner, sliceService,
} from '../../../../src/kubernetes/services/rules.js';
import { endpointSlice, service, type ServiceFields } from '../fixtures.js';

const KUBE_VIP: ServiceRuleSettings = { loadBalancerClass: 'kube-vip.io/kube-vip-class', loadBalancerClassOnly: false, loadBalancerClassLegacyHandling: true };
const CLASS_ONLY: ServiceRuleSettings = { ...KUBE_VIP, loadBalancerClassOnly: true };
const NOT_LEGACY: ServiceRuleSettings = { ...KUBE_VIP, loadBalancerClassLegacyHandling: false };
const IPS = 'kube-vip.io/loadbalancerIPs';

const svc = (fields: ServiceFields) => service('default', 'web', fields) as V1Service;

/** The VIPs a Service gives, or the reason it is skipped. */
function outcome(fields: ServiceFields, settings = KUBE_VIP): string[] | string {
  const d = decideService(svc(fields), settings);
  return d.served ? d.vips : d.reason;
}

describe('service rules: which Services are served, and their VIPs', () => {
  const table: [string, ServiceFields, string[] | string, ServiceRuleSettings?][] = [
    ['spec.loadBalancerIP', { loadBalancerIP: '192.0.2.10' }, ['192.0.2.10/32']],
    ['the annotation', { annotations: { [IPS]: '192.0.2.11' } }, ['192.0.2.11/32']],
    ['the annotation over spec.loadBalancerIP', { loadBalancerIP: '192.0.2.10', annotations: { [IPS]: '192.0.2.11' } }, ['192.0.2.11/32']],
    ['an empty annotation over spec.loadBalancerIP (kube-vip: present wins)', { loadBalancerIP: '192.0.2.10', annotations: { [IPS]: '' } }, []],
    ['dual stack: IPv4 and IPv6, spaces trimmed', { annotations: { [IPS]: ' 192.0.2.12 , 2001:db8::12 ' } }, ['192.0.2.12/32', '2001:db8::12/128']],
    ['IPv6 in its canonical form', { annotations: { [IPS]: '2001:DB8:0:0::0012' } }, ['2001:db8::12/128']],
    ['repeats once', { annotations: { [IPS]: '192.0.2.13,192.0.2.13' } }, ['192.0.2.13/32']],
    ['invalid entries skipped, the rest kept', { annotations: { [IPS]: '192.0.2.14,not-an-ip,192.0.2.300,0.0.0.0,127.0.0.1' } }, ['192.0.2.14/32']],
    ['no address yet', {}, []],
    ['ClusterIP', { type: 'ClusterIP', loadBalancerIP: '192.0.2.10' }, 'NOT_LOAD_BALANCER'],
    ['NodePort', { type: 'NodePort', loadBalancerIP: '192.0.2.10' }, 'NOT_LOAD_BALANCER'],
    ['the ignore annotation', { loadBalancerIP: '192.0.2.10', annotations: { 'kube-vip.io/ignore': 'true' } }, 'IGNORE_ANNOTATION'],
    ['the ignore annotation other than "true"', { loadBalancerIP: '192.0.2.10', annotations: { 'kube-vip.io/ignore': 'yes' } }, ['192.0.2.10/32']],
    ['our class', { loadBalancerIP: '192.0.2.10', loadBalancerClass: 'kube-vip.io/kube-vip-class' }, ['192.0.2.10/32']],
    ['another class', { loadBalancerIP: '192.0.2.10', loadBalancerClass: 'metallb.io/metallb' }, 'OTHER_CLASS'],
    ['no class, lb_class_only false', { loadBalancerIP: '192.0.2.10' }, ['192.0.2.10/32'], KUBE_VIP],
    ['no class, lb_class_only true', { loadBalancerIP: '192.0.2.10' }, 'NO_CLASS', CLASS_ONLY],
    ['our class, lb_class_only true', { loadBalancerIP: '192.0.2.10', loadBalancerClass: 'kube-vip.io/kube-vip-class' }, ['192.0.2.10/32'], CLASS_ONLY],
    ['another class, lb_class_only true', { loadBalancerIP: '192.0.2.10', loadBalancerClass: 'other' }, 'OTHER_CLASS', CLASS_ONLY],
    ['a custom class', { loadBalancerIP: '192.0.2.10', loadBalancerClass: 'example.com/bgp' }, ['192.0.2.10/32'], { ...KUBE_VIP, loadBalancerClass: 'example.com/bgp' }],
    ['the default class when a custom one is set', { loadBalancerIP: '192.0.2.10', loadBalancerClass: 'kube-vip.io/kube-vip-class' }, 'OTHER_CLASS', { ...KUBE_VIP, loadBalancerClass: 'example.com/bgp' }],
    ['no class, legacy handling off', { loadBalancerIP: '192.0.2.10' }, 'NO_CLASS', NOT_LEGACY],
    ['our class, legacy handling off', { loadBalancerIP: '192.0.2.10', loadBalancerClass: 'kube-vip.io/kube-vip-class' }, ['192.0.2.10/32'], NOT_LEGACY],
    ['no class, legacy handling off, class ""', { loadBalancerIP: '192.0.2.10' }, ['192.0.2.10/32'], { ...NOT_LEGACY, loadBalancerClass: '' }],
  ];
  for (const [name, fields, expected, settings] of table) {
    it(`${name}: ${Array.isArray(expected) ? `[${expected.join(', ')}]` : expected}`, () => {
      assert.deepEqual(outcome(fields, settings), expected);
    });
  }
});

describe('service rules: what is reported', () => {
  const served = (fields: ServiceFields): Extract<ServiceDecision, { served: true }> => {
    const d = decideService(svc(fields), KUBE_VIP);
    assert.ok(d.served);
    return d;
  };

  it('names the Service, the field and the bad value of each skipped address', () => {
    const d = served({ annotations: { [IPS]: '192.0.2.14,not-an-ip,224.0.0.1' } });
    assert.deepEqual(d.problems.map((p) => [p.code, p.service, p.field, p.value]), [
      ['SERVICE_INVALID_ADDRESS', 'default/web', IPS, 'not-an-ip'],
      ['SERVICE_INVALID_ADDRESS', 'default/web', IPS, '224.0.0.1'],
    ]);
    assert.match(d.problems[1]!.message, /multicast/);
  });

  it('reports a bad spec.loadBalancerIP by its field', () => {
    assert.deepEqual(served({ loadBalancerIP: '0.0.0.0' }).problems.map((p) => [p.field, p.value]), [['spec.loadBalancerIP', '0.0.0.0']]);
  });

  it('reads the communities annotations, skipping a bad entry and keeping the rest', () => {
    const d = served({
      loadBalancerIP: '192.0.2.10',
      annotations: { 'vip-speaker.io/bgp-communities': '65000:100, no-export, 70000:1', 'vip-speaker.io/bgp-large-communities': '4200000000:1:2,1:2' },
    });
    assert.deepEqual(d.communities, [65000 * 65536 + 100, WellKnownCommunity.NoExport]);
    assert.deepEqual(d.largeCommunities, [{ globalAdmin: 4200000000, localData1: 1, localData2: 2 }]);
    assert.deepEqual(d.problems.map((p) => [p.code, p.value]), [['SERVICE_INVALID_COMMUNITY', '70000:1'], ['SERVICE_INVALID_LARGE_COMMUNITY', '1:2']]);
    assert.deepEqual(claimsOf(d), [{ address: '192.0.2.10/32', attributes: { communities: d.communities, largeCommunities: d.largeCommunities } }]);
  });

  it('reads the traffic policy, Cluster unless Local', () => {
    assert.equal(served({ loadBalancerIP: '192.0.2.10' }).trafficPolicy, 'Cluster');
    assert.equal(served({ loadBalancerIP: '192.0.2.10', externalTrafficPolicy: 'Local' }).trafficPolicy, 'Local');
  });

  it('names the owner service:<namespace>/<name>', () => {
    assert.equal(serviceOwner('team-a/web'), 'service:team-a/web');
  });
});

describe('service rules: endpoints', () => {
  const slices = (...endpoints: Parameters<typeof endpointSlice>[3]) => [endpointSlice('default', 'web-abc', 'web', endpoints) as V1EndpointSlice];

  it('counts an endpoint serving when serving is true, else when ready is, and when neither is set', () => {
    assert.equal(isServing(undefined), true);
    assert.equal(isServing({}), true);
    assert.equal(isServing({ ready: true }), true);
    assert.equal(isServing({ ready: false }), false);
    // Terminating but still serving: kube-vip (and kube-proxy, when nothing else is left) keep sending to it.
    assert.equal(isServing({ ready: false, serving: true }), true);
    assert.equal(isServing({ ready: true, serving: false }), false);
  });

  it('counts serving endpoints here and everywhere', () => {
    const counts = countEndpoints(slices({ nodeName: 'node-a' }, { nodeName: 'node-a', ready: false }, { nodeName: 'node-b' }, {}), 'node-a');
    assert.deepEqual(counts, { serving: 3, servingHere: 1 });
  });

  it('finds the Service of a slice by its label', () => {
    assert.equal(sliceService(slices()[0]!), 'default/web');
    assert.equal(sliceService({ metadata: { namespace: 'default', name: 'x' }, addressType: 'IPv4', endpoints: [] }), undefined);
  });

  const local = decideService(svc({ loadBalancerIP: '192.0.2.10', externalTrafficPolicy: 'Local' }), KUBE_VIP);
  const cluster = decideService(svc({ loadBalancerIP: '192.0.2.10' }), KUBE_VIP);
  const allowed = decideService(svc({ loadBalancerIP: '192.0.2.10', annotations: { 'kube-vip.io/allow-reconcile-without-endpoints': 'TRUE' } }), KUBE_VIP);
  const table: [string, ServiceDecision, { serving: number; servingHere: number }, boolean][] = [
    ['Local with a serving endpoint here', local, { serving: 1, servingHere: 1 }, true],
    ['Local with endpoints elsewhere only', local, { serving: 3, servingHere: 0 }, false],
    ['Cluster with endpoints elsewhere only', cluster, { serving: 3, servingHere: 0 }, true],
    ['Cluster with no endpoint anywhere', cluster, { serving: 0, servingHere: 0 }, false],
    ['Cluster with no endpoint, allowed by annotation', allowed, { serving: 0, servingHere: 0 }, true],
  ];
  for (const [name, decision, counts, expected] of table) {
    it(`${name}: ${expected ? 'announced' : 'not announced'}`, () => {
      assert.ok(decision.served);
      assert.equal(announcement(decision, counts).announce, expected);
    });
  }
});

describe("service rules: kube-vip's other annotations, as the table in src/config decides", () => {
  const ARP: ServiceRuleSettings = { ...KUBE_VIP, placesOnInterface: true };
  const served = (d: ServiceDecision) => {
    assert.ok(d.served, d.served ? '' : d.detail);
    return d;
  };

  it('a warned annotation is reported once per Service, and the Service is served', () => {
    const d = served(decideService(svc({ annotations: { [IPS]: '192.0.2.10', 'kube-vip.io/egress': 'true', 'kube-vip.io/egress-ipv6': 'true' } }), KUBE_VIP));
    assert.deepEqual(d.problems.map((p) => [p.code, p.field]), [['SERVICE_UNSUPPORTED_ANNOTATION', 'kube-vip.io/egress']], 'egress-ipv6 only tunes egress: no second line');
    assert.match(d.problems[0]!.message, /egress SNAT is not done/);
    assert.deepEqual(served(decideService(svc({ annotations: { [IPS]: '192.0.2.10', 'kube-vip.io/egress': 'false' } }), KUBE_VIP)).problems, []);
  });

  it('kube-vip.io/serviceInterface puts the VIPs on that interface where Service VIPs go on an interface', () => {
    assert.equal(served(decideService(svc({ annotations: { [IPS]: '192.0.2.10', 'kube-vip.io/serviceInterface': 'eth1' } }), ARP)).interface, 'eth1');
    assert.equal(served(decideService(svc({ annotations: { [IPS]: '192.0.2.10' } }), { ...ARP, servicesInterface: 'eth2' })).interface, 'eth2', 'vip_servicesinterface by default');
    assert.equal(served(decideService(svc({ annotations: { [IPS]: '192.0.2.10' } }), ARP)).interface, undefined, 'else the VIP interface');
    assert.equal(served(decideService(svc({ annotations: { [IPS]: '192.0.2.10', 'kube-vip.io/serviceInterface': 'eth1' } }), KUBE_VIP)).interface, undefined, 'BGP mode on lo: not read');
    const claims = claimsOf(served(decideService(svc({ annotations: { [IPS]: '192.0.2.10', 'kube-vip.io/serviceInterface': 'eth1' } }), ARP)));
    assert.equal(claims[0]!.attributes?.interface, 'eth1');
  });

  it('refuses to serve where the VIP would land off its segment: serviceVLAN, serviceInterface "auto" or a bad name', () => {
    const refused: Record<string, string>[] = [{ 'kube-vip.io/serviceVLAN': 'eth0.200' }, { 'kube-vip.io/serviceInterface': 'auto' }, { 'kube-vip.io/serviceInterface': 'has space' }];
    for (const annotations of refused) {
      const d = decideService(svc({ annotations: { [IPS]: '192.0.2.10', ...annotations } }), ARP);
      assert.equal(d.served ? 'served' : d.reason, 'UNSUPPORTED_ANNOTATION', JSON.stringify(annotations));
    }
    // In BGP mode on lo, serviceVLAN asks nothing of vip-speaker (nor of kube-vip).
    assert.equal(decideService(svc({ annotations: { [IPS]: '192.0.2.10', 'kube-vip.io/serviceVLAN': 'eth0.200' } }), KUBE_VIP).served, true);
  });

  it('a kube-vip.io/leaseName that is no Lease name is reported', () => {
    const d = served(decideService(svc({ annotations: { [IPS]: '192.0.2.10', 'kube-vip.io/leaseName': 'a/b/c' } }), KUBE_VIP));
    assert.deepEqual(d.problems.map((p) => p.code), ['SERVICE_INVALID_LEASE_NAME']);
  });
});
