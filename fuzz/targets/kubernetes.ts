// Fuzz target: the readers of Kubernetes objects, fed a Service, EndpointSlice, Node or Lease
// of any shape. A watch hands these objects over as the API server's JSON, unchecked, so a
// reader must never throw and must answer in the types it declares. The input is either JSON
// text (seeds, and whatever the engine makes of them) or bytes that build a JSON value.
import { strict as assert } from 'node:assert';
import { isIPv4, isIPv6 } from 'node:net';
import type { V1EndpointSlice, V1Lease, V1LoadBalancerIngress, V1Node, V1Service } from '@kubernetes/client-node';
import { announcement, claimsOf, countEndpoints, decideService, sliceService } from '../../src/kubernetes/services/rules.js';
import { nodeBgpOverrides } from '../../src/kubernetes/node/annotations.js';
import { drainReason } from '../../src/kubernetes/node/drain.js';
import { isReleased } from '../../src/kubernetes/elections/lease-watch.js';
import { recordOf } from '../../src/kubernetes/elections/lock.js';
import { sameIngress } from '../../src/kubernetes/services/status.js';
import { FuzzInput } from '../support/input.js';
import { jsonValue, type Json } from '../support/json-shapes.js';

export const name = 'kubernetes';

const PREFIX = 'kube-vip.io';
const SECRET = 'FUZZSECRET-annotation';
const SECRET_BASE64 = Buffer.from(SECRET).toString('base64');
const HOST_PREFIX = /^(.+)\/(32|128)$/;
const MAX_U32 = 0xffffffff;
const MAX_SLICES = 4;
const PROBLEM_CODES = new Set(['SERVICE_INVALID_ADDRESS', 'SERVICE_INVALID_COMMUNITY', 'SERVICE_INVALID_LARGE_COMMUNITY', 'SERVICE_UNSUPPORTED_ANNOTATION', 'SERVICE_INVALID_LEASE_NAME']);

const WORDS = {
  keys: [
    'metadata', 'spec', 'status', 'annotations', 'labels', 'name', 'namespace', 'type', 'loadBalancerIP', 'loadBalancerClass',
    'externalTrafficPolicy', 'ports', 'loadBalancer', 'ingress', 'ip', 'hostname', 'ipMode', 'endpoints', 'conditions', 'serving',
    'ready', 'terminating', 'nodeName', 'addresses', 'holderIdentity', 'leaseDurationSeconds', 'acquireTime', 'renewTime',
    'leaseTransitions', 'kube-vip.io/loadbalancerIPs', 'kube-vip.io/ignore', 'kube-vip.io/allow-reconcile-without-endpoints',
    'vip-speaker.io/bgp-communities', 'vip-speaker.io/bgp-large-communities', 'kubernetes.io/service-name',
    `${PREFIX}/node-asn`, `${PREFIX}/src-ip`, `${PREFIX}/peer-asn`, `${PREFIX}/peer-ip`, `${PREFIX}/bgp-pass`,
    `${PREFIX}/bgp-peers-0-node-asn`, `${PREFIX}/bgp-peers-0-src-ip`, `${PREFIX}/bgp-peers-0-peer-asn`, `${PREFIX}/bgp-peers-1-peer-ip`,
    `${PREFIX}/peer-multi-hop`, 'kube-vip.io/serviceInterface', 'kube-vip.io/serviceVLAN', 'kube-vip.io/leaseName', 'kube-vip.io/egress',
    'kube-vip.io/rp_filter', 'unschedulable', 'node.kubernetes.io/exclude-from-external-load-balancers',
    '__proto__', 'constructor', 'toString', 'length',
  ],
  strings: [
    'LoadBalancer', 'ClusterIP', 'NodePort', 'Local', 'Cluster', 'true', 'TRUE', 'false', '', ' ', 'kube-vip.io/kube-vip-class',
    '192.0.2.10', '192.0.2.10,2001:db8::10', ' 192.0.2.11 , ,198.51.100.300', '2001:db8::10', '0.0.0.0', '127.0.0.1', '224.0.0.1',
    'fe80::1', '192.0.2.10/32', '65000:100', 'no-export', '65000:100,no-export', '4200000000:1:2', '1:2:3,x', '65536:1',
    '65001', '4200000000', '0', '23456', '4294967296', '198.51.100.7', '2001:db8:1::7', '192.0.2.1,192.0.2.2', SECRET_BASE64, 'bm90IGJhc2U2NA',
    'node-a', 'node-b', 'web', 'default', '2024-01-01T00:00:00.000000Z', 'VIP', 'Proxy', 'holder', '__proto__',
    'eth1', 'auto', 'eth0.200', 'ops/lease', 'a/b/c', '169.254.255.1',
  ],
};

export function fuzz(data: Uint8Array): void {
  const input = new FuzzInput(data);
  const kind = input.int(3);
  const objects = input.boolean() ? parsed(input) : built(input);
  switch (kind) {
    case 0:
      for (const o of objects) checkService(o);
      break;
    case 1:
      checkSlices(objects);
      break;
    case 2:
      for (const o of objects) checkNode(o);
      break;
    default:
      for (const o of objects) checkLease(o);
  }
}

/** JSON text: one object, or a list of them. Text that is not JSON is not an object at all. */
function parsed(input: FuzzInput): Json[] {
  let value: Json;
  try {
    value = JSON.parse(Buffer.from(input.rest()).toString('utf8')) as Json;
  } catch {
    return [];
  }
  return Array.isArray(value) ? value : [value];
}

function built(input: FuzzInput): Json[] {
  const out: Json[] = [];
  for (let i = 1 + input.int(MAX_SLICES - 1); i > 0; i--) out.push(jsonValue(input, WORDS));
  return out;
}

/** Objects the readers are handed are objects; anything else in the list stands in as {}. */
function asObject<T>(value: Json): T {
  return (value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {}) as T;
}

function checkService(value: Json): void {
  const service = asObject<V1Service>(value);
  for (const settings of [
    { loadBalancerClass: '', loadBalancerClassOnly: false, loadBalancerClassLegacyHandling: true },
    { loadBalancerClass: 'kube-vip.io/kube-vip-class', loadBalancerClassOnly: true, loadBalancerClassLegacyHandling: false, placesOnInterface: true, servicesInterface: 'eth1' },
  ]) {
    const d = decideService(service, settings);
    if (!d.served) {
      assert.ok(typeof d.detail === 'string', 'a skip without a detail');
      continue;
    }
    for (const vip of d.vips) {
      const m = HOST_PREFIX.exec(vip);
      assert.ok(m && (m[2] === '32' ? isIPv4(m[1]!) : isIPv6(m[1]!)), `VIP ${vip}`);
    }
    assert.equal(new Set(d.vips).size, d.vips.length, 'a VIP twice');
    for (const c of d.communities) assert.ok(Number.isInteger(c) && c >= 0 && c <= MAX_U32, `community ${c}`);
    for (const l of d.largeCommunities) for (const n of [l.globalAdmin, l.localData1, l.localData2]) assert.ok(Number.isInteger(n) && n >= 0 && n <= MAX_U32, `large community part ${n}`);
    for (const p of d.problems) {
      assert.ok(PROBLEM_CODES.has(p.code), `problem code ${p.code}`);
      assert.ok(typeof p.value === 'string' && typeof p.message === 'string' && p.message.length > 0, 'a problem without value or message');
    }
    assert.ok(d.trafficPolicy === 'Local' || d.trafficPolicy === 'Cluster', `traffic policy ${d.trafficPolicy}`);
    assert.equal(typeof d.allowWithoutEndpoints, 'boolean');
    assert.equal(claimsOf(d).length, d.vips.length);
    assert.ok(d.interface === undefined || (typeof d.interface === 'string' && /^[^\s/]{1,15}$/.test(d.interface)), `interface ${String(d.interface)}`);
    assert.equal(typeof announcement(d, { serving: 0, servingHere: 0 }).announce, 'boolean');
  }
  const ingress = (service.status as { loadBalancer?: { ingress?: unknown } } | undefined)?.loadBalancer?.ingress;
  if (Array.isArray(ingress)) assert.equal(typeof sameIngress(ingress as V1LoadBalancerIngress[], ['192.0.2.10'], 'VIP'), 'boolean');
}

function checkSlices(values: Json[]): void {
  const slices = values.map((v) => asObject<V1EndpointSlice>(v));
  for (const slice of slices) {
    const owner = sliceService(slice);
    assert.ok(owner === undefined || typeof owner === 'string', `slice owner ${String(owner)}`);
  }
  const counts = countEndpoints(slices, 'node-a');
  assert.ok(Number.isInteger(counts.serving) && Number.isInteger(counts.servingHere), `counts ${JSON.stringify(counts)}`);
  assert.ok(counts.servingHere >= 0 && counts.servingHere <= counts.serving, `counts ${JSON.stringify(counts)}`);
}

function checkNode(value: Json): void {
  const node = asObject<{ metadata?: { annotations?: Record<string, string> } }>(value);
  const o = nodeBgpOverrides(node.metadata?.annotations, PREFIX);
  assert.equal(typeof o.present, 'boolean');
  if (o.complete) assert.ok(o.asn !== undefined && o.sourceAddress !== undefined, 'complete without AS or source');
  for (const p of o.peers ?? []) assert.ok(isIPv4(p.address) || isIPv6(p.address), `peer ${p.address}`);
  for (const e of o.errors) {
    assert.ok(typeof e.message === 'string' && e.message.length > 0, 'an annotation problem without a message');
    assert.ok(!e.message.includes(SECRET), `an annotation problem shows the password: ${e.message}`);
  }
  const reason = drainReason(asObject<V1Node>(value), { excluded: true, cordoned: true });
  assert.ok(reason === undefined || typeof reason === 'string', `drain reason ${String(reason)}`);
}

function checkLease(value: Json): void {
  const lease = asObject<V1Lease>(value);
  const r = recordOf(lease.spec);
  assert.equal(typeof r.holderIdentity, 'string', 'holderIdentity');
  assert.ok(Number.isFinite(r.leaseDurationSeconds), `leaseDurationSeconds ${String(r.leaseDurationSeconds)}`);
  assert.ok(Number.isFinite(r.leaseTransitions), `leaseTransitions ${String(r.leaseTransitions)}`);
  assert.equal(typeof r.acquireTime, 'string', 'acquireTime');
  assert.equal(typeof r.renewTime, 'string', 'renewTime');
  assert.equal(typeof isReleased(lease), 'boolean');
}
