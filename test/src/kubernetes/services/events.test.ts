// What the Service Events say, without a network: the rules' outcomes in, EventSpecs out. One
// per change, the cluster-wide ones only from the reporter (and on becoming it), this node's own
// only in BGP mode.
import { strict as assert } from 'node:assert';
import { EventEmitter } from 'node:events';
import type { V1ObjectReference, V1Service } from '@kubernetes/client-node';
import type { EventSpec } from '../../../../src/kubernetes/events/recorder.js';
import { ServiceEvents, type ServiceEventsOptions, clusterFindings, withdrawReason } from '../../../../src/kubernetes/services/events.js';
import type { ServiceOutcome } from '../../../../src/kubernetes/services/watcher.js';

const served = (fields: Partial<Extract<ServiceOutcome, { kind: 'served' }>> = {}): ServiceOutcome => ({
  kind: 'served',
  vips: ['203.0.113.10/32'],
  source: 'annotation',
  problems: [],
  policy: 'Cluster',
  counts: { serving: 1, servingHere: 1 },
  announce: true,
  why: 'Cluster policy: 1 serving endpoint(s)',
  ...fields,
});

function setUp(options: Partial<Pick<ServiceEventsOptions, 'perNode'>> & { leading?: () => boolean } = {}) {
  const watcher = Object.assign(new EventEmitter(), { services: { get: (name: string, namespace?: string) => ({ metadata: { name, namespace, uid: `uid-${name}` } }) as V1Service } });
  const statusWriter = new EventEmitter();
  const recorded: Array<{ regarding: V1ObjectReference; event: EventSpec }> = [];
  const events = new ServiceEvents({
    watcher: watcher as unknown as ServiceEventsOptions['watcher'],
    statusWriter: statusWriter as unknown as ServiceEventsOptions['statusWriter'],
    recorder: { record: (regarding, event) => recorded.push({ regarding, event }) },
    nodeName: 'n1',
    perNode: options.perNode ?? true,
    reportsFor: options.leading ?? (() => true),
  });
  const reasons = () => recorded.map((r) => `${r.regarding.name} ${r.event.action} ${r.event.reason}`);
  return { watcher, statusWriter, events, recorded, reasons };
}

describe('Service Events', () => {
  it('finds a class not ours, each invalid value, no address, and no serving endpoint anywhere', () => {
    assert.deepEqual(clusterFindings({ kind: 'skipped', reason: 'OTHER_CLASS', detail: 'loadBalancerClass "x"' }).map((e) => e.reason), ['LoadBalancerClassNotServed']);
    assert.deepEqual(clusterFindings({ kind: 'skipped', reason: 'NOT_LOAD_BALANCER', detail: 'type ClusterIP' }), [], 'not a LoadBalancer: nothing to tell');
    const problems = [
      { code: 'SERVICE_INVALID_ADDRESS' as const, service: 's/a', field: 'f', value: 'nope', message: 'f: not an address' },
      { code: 'SERVICE_INVALID_COMMUNITY' as const, service: 's/a', field: 'c', value: '1:x', message: 'c: bad' },
    ];
    assert.deepEqual(clusterFindings(served({ problems })).map((e) => `${e.type} ${e.reason}`), ['Warning InvalidAddress', 'Warning InvalidCommunity']);
    assert.deepEqual(clusterFindings(served({ vips: [], source: 'none', announce: false })).map((e) => `${e.type} ${e.reason}`), ['Normal NoAddress']);
    assert.deepEqual(clusterFindings(served({ vips: [], source: 'spec', announce: false })).map((e) => `${e.type} ${e.reason}`), ['Warning NoAddress']);
    assert.deepEqual(clusterFindings(served({ counts: { serving: 0, servingHere: 0 }, announce: false })).map((e) => e.reason), ['NoServingEndpoint']);
    assert.deepEqual(clusterFindings(served({ counts: { serving: 0, servingHere: 0 }, announce: true })), [], 'announced without endpoints, as the annotation asks');
  });

  it('says why this node stopped announcing', () => {
    assert.equal(withdrawReason(served({ policy: 'Local', counts: { serving: 2, servingHere: 0 }, announce: false })), 'NoEndpointOnNode');
    assert.equal(withdrawReason(served({ policy: 'Local', counts: { serving: 0, servingHere: 0 }, announce: false })), 'NoServingEndpoint');
    assert.equal(withdrawReason({ kind: 'skipped', reason: 'NO_CLASS', detail: '' }), 'LoadBalancerClassNotServed');
    assert.equal(withdrawReason({ kind: 'skipped', reason: 'IGNORE_ANNOTATION', detail: '' }), 'Ignored');
    assert.equal(withdrawReason(served({ vips: [] })), 'NoAddress');
  });

  it('records a finding once while it holds, again when it comes back, and not for a Service that is gone', () => {
    const { watcher, reasons, recorded } = setUp();
    const other: ServiceOutcome = { kind: 'skipped', reason: 'OTHER_CLASS', detail: 'loadBalancerClass "x"' };
    watcher.emit('evaluated', 'shop/web', other);
    watcher.emit('evaluated', 'shop/web', other);
    assert.deepEqual(reasons(), ['web Skip LoadBalancerClassNotServed']);
    assert.deepEqual(recorded[0]!.regarding, { apiVersion: 'v1', kind: 'Service', namespace: 'shop', name: 'web', uid: 'uid-web' });
    watcher.emit('evaluated', 'shop/web', served());
    watcher.emit('evaluated', 'shop/web', other);
    assert.equal(reasons().length, 2);
    watcher.emit('evaluated', 'shop/web', { kind: 'gone' });
    watcher.emit('announced', 'shop/web', [], 'the Service is gone');
    assert.equal(reasons().length, 2);
  });

  it('leaves what holds everywhere to the reporter, who records it on becoming one, once', () => {
    let leading = false;
    const { watcher, events, reasons } = setUp({ leading: () => leading });
    watcher.emit('evaluated', 'shop/web', served({ counts: { serving: 0, servingHere: 0 }, announce: false }));
    assert.deepEqual(reasons(), []);
    leading = true;
    events.becameReporter();
    events.becameReporter();
    assert.deepEqual(reasons(), ['web Skip NoServingEndpoint']);
  });

  it('tells this node\'s announcements and withdrawals in BGP mode only, and the status written', () => {
    const bgp = setUp();
    bgp.watcher.emit('evaluated', 'shop/web', served());
    bgp.watcher.emit('announced', 'shop/web', ['203.0.113.10/32'], 'Cluster policy: 1 serving endpoint(s)');
    bgp.watcher.emit('evaluated', 'shop/web', served({ counts: { serving: 0, servingHere: 0 }, announce: false }));
    bgp.watcher.emit('announced', 'shop/web', [], 'Cluster policy: no serving endpoint anywhere');
    bgp.statusWriter.emit('written', 'shop', 'web', ['203.0.113.10']);
    assert.deepEqual(bgp.reasons(), ['web Announce Announced', 'web Skip NoServingEndpoint', 'web Withdraw NoServingEndpoint', 'web WriteStatus StatusWritten']);
    assert.equal(bgp.recorded[2]!.event.note, 'node n1 stopped announcing 203.0.113.10/32: Cluster policy: no serving endpoint anywhere');
    const arp = setUp({ perNode: false });
    arp.watcher.emit('evaluated', 'shop/web', served());
    arp.watcher.emit('announced', 'shop/web', ['203.0.113.10/32'], 'Cluster policy: 1 serving endpoint(s)');
    assert.deepEqual(arp.reasons(), []);
  });
});
