// What the labs' invariant checker expects, worked out afresh from the sources a node's
// vip-speaker serves, not from anything the daemon says about itself:
//
// - the node's config file: its static VIPs, and whether it serves Services (the last content
//   the daemon would accept: a broken file is refused and the one before stays in force);
// - the API server's Services and EndpointSlices, by the documented rules (docs/kubernetes.md):
//   type LoadBalancer, not ignored, of our class (none), addresses from the kube-vip annotation
//   or spec.loadBalancerIP; Cluster policy on every node while an endpoint serves anywhere (or
//   always, with the allow-without-endpoints annotation), Local policy on the nodes with one;
// - the services Lease: held, unexpired, and each announced Service's status lists its VIPs.
//
// Only the subset of the rules the labs use is modelled; anything else in a Service makes it
// unknown here, and the checker says so rather than guess.
import { Prefix } from '../../bgp/index.js';

/** The node's part of the config file, as the checker needs it. */
export interface NodeIntent {
  /** Canonical host prefixes. */
  staticVips: string[];
  /** The interface the VIPs go on. */
  vipInterface: string;
  services: boolean;
}

export interface ServiceLike {
  metadata?: { namespace?: string; name?: string; annotations?: Record<string, string> };
  spec?: { type?: string; loadBalancerIP?: string; loadBalancerClass?: string; externalTrafficPolicy?: string };
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string }> } };
}

export interface EndpointSliceLike {
  metadata?: { namespace?: string; labels?: Record<string, string> };
  endpoints?: Array<{ nodeName?: string; conditions?: { ready?: boolean; serving?: boolean } }>;
}

export interface LeaseLike {
  spec?: { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number };
}

export const ANNOTATION_IPS = 'kube-vip.io/loadbalancerIPs';
export const ANNOTATION_IGNORE = 'kube-vip.io/ignore';
export const ANNOTATION_WITHOUT_ENDPOINTS = 'kube-vip.io/allow-reconcile-without-endpoints';
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** '203.0.113.5', '203.0.113.5/32', '2001:DB8::5' → the canonical host prefix; undefined when not one. */
export function hostPrefix(text: string): string | undefined {
  const t = text.trim();
  const withLength = t.includes('/') ? t : `${t}/${t.includes(':') ? 128 : 32}`;
  try {
    const p = Prefix.parse(withLength);
    return p.length === (p.afi === 1 ? 32 : 128) ? p.toString() : undefined;
  } catch {
    return undefined;
  }
}

const serviceKey = (s: { metadata?: { namespace?: string; name?: string } }) => `${s.metadata?.namespace ?? ''}/${s.metadata?.name ?? ''}`;

/** The VIPs of a Service the nodes serve, or undefined when it is none of ours. */
export function serviceVips(s: ServiceLike): string[] | undefined {
  const annotations = s.metadata?.annotations ?? {};
  if (s.spec?.type !== 'LoadBalancer' || annotations[ANNOTATION_IGNORE] === 'true' || s.spec.loadBalancerClass) return undefined;
  const texts = annotations[ANNOTATION_IPS] !== undefined ? annotations[ANNOTATION_IPS].split(',') : s.spec.loadBalancerIP ? [s.spec.loadBalancerIP] : [];
  return [...new Set(texts.map(hostPrefix).filter((v): v is string => v !== undefined))];
}

/** Per node, the VIPs it should have on its interface and announce. */
export function desiredVips(
  nodes: ReadonlyMap<string, NodeIntent | undefined>,
  services: readonly ServiceLike[],
  slices: readonly EndpointSliceLike[],
): Map<string, Set<string>> {
  const serving = new Map<string, string[]>(); // service key → nodes of its serving endpoints
  for (const slice of slices) {
    const name = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!name) continue;
    const key = `${slice.metadata?.namespace ?? ''}/${name}`;
    for (const e of slice.endpoints ?? []) {
      if ((e.conditions?.serving ?? e.conditions?.ready ?? true) === false) continue;
      serving.set(key, [...(serving.get(key) ?? []), e.nodeName ?? '']);
    }
  }
  const out = new Map<string, Set<string>>();
  for (const [node, intent] of nodes) {
    const set = new Set(intent?.staticVips ?? []);
    if (intent?.services) {
      for (const s of services) {
        const vips = serviceVips(s);
        if (!vips) continue;
        const here = serving.get(serviceKey(s)) ?? [];
        const local = s.spec?.externalTrafficPolicy === 'Local';
        const withoutEndpoints = (s.metadata?.annotations?.[ANNOTATION_WITHOUT_ENDPOINTS] ?? '').toLowerCase() === 'true';
        const announce = local ? here.includes(node) : here.length > 0 || withoutEndpoints;
        if (announce) for (const v of vips) set.add(v);
      }
    }
    out.set(node, set);
  }
  return out;
}

/**
 * Problems on the API side: a Service announced somewhere whose status does not list exactly
 * its VIPs, and a services Lease that no node holds now. Keyed for the checker.
 */
export function apiDifferences(
  desired: ReadonlyMap<string, ReadonlySet<string>>,
  services: readonly ServiceLike[],
  lease: LeaseLike | undefined,
  nodeNames: readonly string[],
  nowMs: number,
): Array<{ kind: 'status' | 'lease'; subject: string }> {
  const out: Array<{ kind: 'status' | 'lease'; subject: string }> = [];
  const announced = new Set([...desired.values()].flatMap((s) => [...s]));
  for (const s of services) {
    const vips = serviceVips(s);
    if (!vips || !vips.some((v) => announced.has(v))) continue;
    const ingress = (s.status?.loadBalancer?.ingress ?? []).map((i) => hostPrefix(i.ip ?? '') ?? `?${i.ip}`).sort();
    const want = vips.filter((v) => announced.has(v)).sort();
    if (ingress.join(',') !== want.join(',')) out.push({ kind: 'status', subject: serviceKey(s) });
  }
  const holder = lease?.spec?.holderIdentity;
  const renewed = Date.parse(lease?.spec?.renewTime ?? '');
  const durationMs = (lease?.spec?.leaseDurationSeconds ?? 0) * 1000;
  if (!holder || !nodeNames.includes(holder) || !(renewed + durationMs >= nowMs)) out.push({ kind: 'lease', subject: 'services' });
  return out;
}
