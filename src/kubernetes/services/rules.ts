// Which VIPs this node announces for a Service: pure functions of the Service, its
// EndpointSlices and the settings, following kube-vip (pkg/services/processor.go Reconcile,
// services_watcher.go lbClassFilter/lbClassFilterLegacy, pkg/instance FetchServiceAddresses,
// pkg/endpoints/endpoints.go AddOrModify, pkg/endpoints/providers/endpointslices.go):
//
// 1. only `spec.type: LoadBalancer`; `kube-vip.io/ignore: "true"` skips the Service;
// 2. the class filter (kube-vip's default, legacy handling): a Service naming a class is served
//    only if it names ours; one naming none is served unless `loadBalancerClassOnly`. Without
//    legacy handling, a Service naming none is served only when our class is '';
// 3. the addresses: the `kube-vip.io/loadbalancerIPs` annotation when present (comma-separated,
//    IPv4 and IPv6: dual stack), else `spec.loadBalancerIP`; anything not a usable host address
//    is skipped and reported;
// 4. `externalTrafficPolicy: Local`: announced while an endpoint on this node is serving;
//    `Cluster`: announced by every node while the Service has a serving endpoint anywhere, or
//    always with `kube-vip.io/allow-reconcile-without-endpoints: "true"`;
// 5. BGP communities from vip-speaker's own annotations; a bad entry is reported and skipped;
// 6. every other kube-vip.io annotation as kube-vip-annotations.ts (src/config) decides: a warned
//    one is reported once and the Service served; a refused one keeps the Service from being
//    served, with the reason; kube-vip.io/serviceInterface chooses the interface of its VIPs where
//    Service VIPs go on an interface (ARP mode, or BGP mode with kubernetes.servicesInterface).
import type { V1EndpointConditions, V1EndpointSlice, V1ObjectMeta, V1Service } from '@kubernetes/client-node';
import type { LargeCommunity } from '../../../bgp/index.js';
import { parseCommunity, parseLargeCommunity } from '../../communities.js';
import { checkInterfaceName, checkVip, parseLeaseName, SERVICE_ANNOTATION_PREFIX, serviceAnnotationDecision } from '../../config/index.js';
import type { VipClaim } from '../../registry/index.js';

export const SERVICE_ANNOTATIONS = {
  /** kube-vip: the Service's VIPs, comma-separated; wins over spec.loadBalancerIP. */
  loadBalancerIPs: 'kube-vip.io/loadbalancerIPs',
  /** kube-vip: "true" leaves the Service alone. */
  ignore: 'kube-vip.io/ignore',
  /** kube-vip: "true" (any case) announces a Cluster-policy Service that has no endpoints. */
  allowWithoutEndpoints: 'kube-vip.io/allow-reconcile-without-endpoints',
  /** vip-speaker: standard communities for this Service's routes, "65000:100,no-export". */
  communities: 'vip-speaker.io/bgp-communities',
  /** vip-speaker: large communities (RFC 8092), "4200000000:1:2,...". */
  largeCommunities: 'vip-speaker.io/bgp-large-communities',
  /** kube-vip: the interface the Service's VIPs go on (ARP mode; BGP mode with servicesInterface). */
  serviceInterface: 'kube-vip.io/serviceInterface',
  /** kube-vip: the Service's own Lease, "[namespace/]name". */
  leaseName: 'kube-vip.io/leaseName',
} as const;

/** The label that ties an EndpointSlice to its Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface ServiceRuleSettings {
  loadBalancerClass: string;
  loadBalancerClassOnly: boolean;
  loadBalancerClassLegacyHandling: boolean;
  /** Service VIPs go on an interface chosen per Service (ARP mode, or BGP mode with servicesInterface); absent: false. */
  placesOnInterface?: boolean;
  /** Where a Service's VIPs go when it names no interface (kubernetes.servicesInterface); absent: the VIP interface. */
  servicesInterface?: string;
}

/** Why a Service is not one of ours. */
export type SkipReason = 'NOT_LOAD_BALANCER' | 'IGNORE_ANNOTATION' | 'OTHER_CLASS' | 'NO_CLASS' | 'UNSUPPORTED_ANNOTATION';

export type ServiceProblemCode = 'SERVICE_INVALID_ADDRESS' | 'SERVICE_INVALID_COMMUNITY' | 'SERVICE_INVALID_LARGE_COMMUNITY' | 'SERVICE_UNSUPPORTED_ANNOTATION' | 'SERVICE_INVALID_LEASE_NAME';

/** Something in a Service that was skipped; the rest of the Service is still served. */
export interface ServiceProblem {
  code: ServiceProblemCode;
  /** "namespace/name". */
  service: string;
  /** The annotation or field the value came from. */
  field: string;
  value: string;
  message: string;
}

export type TrafficPolicy = 'Cluster' | 'Local';

export type ServiceDecision =
  | { served: false; reason: SkipReason; detail: string }
  | {
      served: true;
      /** Where the addresses came from. */
      source: 'annotation' | 'spec' | 'none';
      /** Canonical host prefixes, '192.0.2.10/32' or '2001:db8::10/128', no repeats. */
      vips: string[];
      communities: number[];
      largeCommunities: LargeCommunity[];
      trafficPolicy: TrafficPolicy;
      allowWithoutEndpoints: boolean;
      /** The interface its VIPs go on; absent: the VIP interface. */
      interface?: string;
      problems: ServiceProblem[];
    };

/** "namespace/name". */
export function serviceKey(metadata: V1ObjectMeta | undefined): string {
  return `${metadata?.namespace ?? ''}/${metadata?.name ?? ''}`;
}

/** The registry owner for a Service: 'service:namespace/name'. */
export function serviceOwner(key: string): string {
  return `service:${key}`;
}

export function decideService(service: V1Service, settings: ServiceRuleSettings): ServiceDecision {
  const annotations = service.metadata?.annotations ?? {};
  const spec = service.spec ?? {};
  if (spec.type !== 'LoadBalancer') return { served: false, reason: 'NOT_LOAD_BALANCER', detail: `type ${spec.type ?? 'ClusterIP'}` };
  if (annotations[SERVICE_ANNOTATIONS.ignore] === 'true') return { served: false, reason: 'IGNORE_ANNOTATION', detail: `${SERVICE_ANNOTATIONS.ignore}: "true"` };
  const skipped = classFilter(spec.loadBalancerClass, settings);
  if (skipped) return skipped;

  const key = serviceKey(service.metadata);
  const problems: ServiceProblem[] = [];
  const placesOnInterface = settings.placesOnInterface === true;
  for (const [name, raw] of Object.entries(annotations)) {
    const value = textOf(raw);
    if (!name.startsWith(SERVICE_ANNOTATION_PREFIX) || value === undefined) continue;
    const decision = serviceAnnotationDecision(name, { value, placesOnInterface });
    if (decision?.use === 'refused') return { served: false, reason: 'UNSUPPORTED_ANNOTATION', detail: `${name}: ${JSON.stringify(value)}: ${decision.text}` };
    if (decision?.use === 'warned') problems.push({ code: 'SERVICE_UNSUPPORTED_ANNOTATION', service: key, field: name, value, message: `${name}: ${decision.text}` });
  }
  let iface = settings.servicesInterface;
  const named = textOf(annotations[SERVICE_ANNOTATIONS.serviceInterface])?.trim();
  if (placesOnInterface && named) {
    const checked = checkInterfaceName(named);
    // Put on the wrong interface, a VIP would answer on the wrong segment: not served instead.
    if (!checked.ok) return { served: false, reason: 'UNSUPPORTED_ANNOTATION', detail: `${SERVICE_ANNOTATIONS.serviceInterface}: ${checked.error.message}` };
    iface = checked.value;
  }
  const lease = textOf(annotations[SERVICE_ANNOTATIONS.leaseName]);
  if (lease !== undefined && lease.trim() !== '') {
    const checked = parseLeaseName(lease);
    if (!checked.ok) problems.push({ code: 'SERVICE_INVALID_LEASE_NAME', service: key, field: SERVICE_ANNOTATIONS.leaseName, value: lease, message: `${SERVICE_ANNOTATIONS.leaseName}: ${checked.error.message}; kubevip-<service> is used instead` });
  }
  const fromAnnotation = textOf(annotations[SERVICE_ANNOTATIONS.loadBalancerIPs]);
  const fromSpec = textOf(spec.loadBalancerIP);
  const source = fromAnnotation !== undefined ? 'annotation' : fromSpec ? 'spec' : 'none';
  const field = source === 'annotation' ? SERVICE_ANNOTATIONS.loadBalancerIPs : 'spec.loadBalancerIP';
  const texts = source === 'annotation' ? splitList(fromAnnotation ?? '') : source === 'spec' ? [fromSpec!.trim()] : [];
  const vips: string[] = [];
  for (const text of texts) {
    const vip = checkVip(text);
    if (!vip.ok) problems.push({ code: 'SERVICE_INVALID_ADDRESS', service: key, field, value: text, message: `${field}: ${vip.error.message}` });
    else if (!vips.includes(vip.value)) vips.push(vip.value);
  }

  const communities: number[] = [];
  for (const text of splitList(textOf(annotations[SERVICE_ANNOTATIONS.communities]) ?? '')) {
    const c = parseCommunity(text);
    if (c instanceof Error) problems.push({ code: 'SERVICE_INVALID_COMMUNITY', service: key, field: SERVICE_ANNOTATIONS.communities, value: text, message: `${SERVICE_ANNOTATIONS.communities}: ${c.message}` });
    else if (!communities.includes(c)) communities.push(c);
  }
  const largeCommunities: LargeCommunity[] = [];
  for (const text of splitList(textOf(annotations[SERVICE_ANNOTATIONS.largeCommunities]) ?? '')) {
    const l = parseLargeCommunity(text);
    if (l instanceof Error) problems.push({ code: 'SERVICE_INVALID_LARGE_COMMUNITY', service: key, field: SERVICE_ANNOTATIONS.largeCommunities, value: text, message: `${SERVICE_ANNOTATIONS.largeCommunities}: ${l.message}` });
    else if (!largeCommunities.some((x) => x.globalAdmin === l.globalAdmin && x.localData1 === l.localData1 && x.localData2 === l.localData2)) largeCommunities.push(l);
  }

  return {
    served: true,
    source,
    vips,
    communities,
    largeCommunities,
    trafficPolicy: spec.externalTrafficPolicy === 'Local' ? 'Local' : 'Cluster',
    allowWithoutEndpoints: (textOf(annotations[SERVICE_ANNOTATIONS.allowWithoutEndpoints]) ?? '').toLowerCase() === 'true',
    ...(iface !== undefined ? { interface: iface } : {}),
    problems,
  };
}

/**
 * A string field as the API defines it; any other type counts as absent. A watch hands objects
 * over as the API server's JSON, unchecked, and a reader must not throw on one (found by the
 * Kubernetes-objects fuzz target: a non-string loadBalancerIP threw a TypeError).
 */
function textOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** kube-vip's lbClassFilterLegacy (the default) and lbClassFilter; undefined: served. */
function classFilter(serviceClass: string | undefined, settings: ServiceRuleSettings): ServiceDecision | undefined {
  const ours = settings.loadBalancerClass;
  if (serviceClass !== undefined && serviceClass !== null) {
    if (serviceClass === ours) return undefined;
    return { served: false, reason: 'OTHER_CLASS', detail: `loadBalancerClass ${JSON.stringify(serviceClass)}, not ${JSON.stringify(ours)}` };
  }
  const served = settings.loadBalancerClassLegacyHandling ? !settings.loadBalancerClassOnly : ours === '';
  if (served) return undefined;
  return { served: false, reason: 'NO_CLASS', detail: `no loadBalancerClass, and only ${JSON.stringify(ours)} is served` };
}

/** Comma-separated entries, trimmed, empty ones dropped. */
function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * Whether an endpoint takes traffic: `serving`, else `ready`, and unset means yes (the
 * EndpointConditions API: "nil should be interpreted as ready"). A terminating pod that still
 * serves counts, as in kube-vip and as kube-proxy still sends it traffic when nothing else is left.
 */
export function isServing(conditions: V1EndpointConditions | undefined): boolean {
  const serving = conditions?.serving ?? conditions?.ready;
  return serving === undefined || serving === null || serving;
}

export interface EndpointCounts {
  /** Serving endpoints of the Service on any node. */
  serving: number;
  /** Serving endpoints on this node. */
  servingHere: number;
}

export function countEndpoints(slices: Iterable<V1EndpointSlice>, nodeName: string): EndpointCounts {
  const counts: EndpointCounts = { serving: 0, servingHere: 0 };
  for (const slice of slices) {
    // Unchecked JSON (see textOf): a non-list of endpoints, or a null entry, holds none.
    for (const endpoint of Array.isArray(slice.endpoints) ? slice.endpoints : []) {
      if (!endpoint || !isServing(endpoint.conditions)) continue;
      counts.serving++;
      if (endpoint.nodeName === nodeName) counts.servingHere++;
    }
  }
  return counts;
}

/** Whether this node announces a served Service's VIPs now, and why, in words for the logs. */
export function announcement(decision: Extract<ServiceDecision, { served: true }>, counts: EndpointCounts): { announce: boolean; why: string } {
  if (decision.trafficPolicy === 'Local') {
    return counts.servingHere > 0
      ? { announce: true, why: `Local policy: ${counts.servingHere} serving endpoint(s) on this node` }
      : { announce: false, why: 'Local policy: no serving endpoint on this node' };
  }
  if (counts.serving > 0) return { announce: true, why: `Cluster policy: ${counts.serving} serving endpoint(s)` };
  if (decision.allowWithoutEndpoints) return { announce: true, why: `Cluster policy: no endpoints, announced as ${SERVICE_ANNOTATIONS.allowWithoutEndpoints} asks` };
  return { announce: false, why: 'Cluster policy: no serving endpoint anywhere' };
}

/** The registry claims for a served Service that is announced. */
export function claimsOf(decision: Extract<ServiceDecision, { served: true }>): VipClaim[] {
  const where = decision.interface !== undefined ? { interface: decision.interface } : {};
  return decision.vips.map((address) => ({ address, attributes: { communities: [...decision.communities], largeCommunities: [...decision.largeCommunities], ...where } }));
}

/** The name of the Service an EndpointSlice belongs to, or undefined. */
export function sliceService(slice: V1EndpointSlice): string | undefined {
  const name = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
  return name ? `${slice.metadata?.namespace ?? ''}/${name}` : undefined;
}
