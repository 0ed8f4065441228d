// What vip-speaker does with each of kube-vip's `kube-vip.io/*` Service annotations, its per-node
// BGP annotations and its node labels: the table the Service rules (src/kubernetes/services) and
// docs/configuration.md follow. Names from kube-vip's pkg/kubevip/annotations.go and labels.go, and
// pkg/manager/watch_annotations.go for the node annotations (kube-vip v1.2.3-24-gbee5cfe).
//
// - used: read, and honoured as kube-vip does;
// - written: vip-speaker writes it as kube-vip does;
// - warned: not done; each Service carrying it gets one warning, and is served all the same;
// - refused: the Service is not served, with a warning, where serving it without the annotation
//   would put its VIP where it cannot be reached;
// - unused: neither read nor warned about: kube-vip's own output (written by it for DHCP or egress),
//   or a setting of a feature that is itself warned about or refused.
import { goParseBool } from './values.js';

export type AnnotationUse = 'used' | 'written' | 'warned' | 'refused' | 'unused';

export interface AnnotationDecision {
  use: AnnotationUse;
  text: string;
}

export interface ServiceAnnotationContext {
  value: string;
  /** Service VIPs go on an interface chosen per Service: ARP mode, or BGP mode with kubernetes.servicesInterface. */
  placesOnInterface: boolean;
}

type ServiceRule = AnnotationDecision | ((context: ServiceAnnotationContext) => AnnotationDecision);

const of = (use: AnnotationUse, text: string): AnnotationDecision => ({ use, text });
const truthy = (value: string): boolean => goParseBool(value) === true;
/** Warned only when switched on ("true"): "false" asks for nothing. */
const warnedWhenTrue = (text: string): ServiceRule => ({ value }) => (truthy(value) ? of('warned', text) : of('unused', 'not "true": nothing to do'));

const EGRESS_TUNING = 'tunes kube-vip.io/egress, which is warned about';
const DHCP = 'for DHCP-assigned addresses, which are not supported (loadBalancerIP 0.0.0.0 is skipped with a warning)';
const KUBE_VIP_OUTPUT = 'written by kube-vip; left as it is';

export const SERVICE_ANNOTATION_PREFIX = 'kube-vip.io/';

/** Every `kube-vip.io/*` Service annotation kube-vip knows, with its rule. */
export const KUBE_VIP_SERVICE_ANNOTATION_RULES: Readonly<Record<string, ServiceRule>> = {
  'kube-vip.io/loadbalancerIPs': of('used', 'the Service\'s VIPs, comma-separated; wins over spec.loadBalancerIP'),
  'kube-vip.io/ignore': of('used', '"true" leaves the Service alone'),
  'kube-vip.io/allow-reconcile-without-endpoints': of('used', '"true" announces a Cluster-policy Service that has no endpoint'),
  'kube-vip.io/leaseName': of('used', 'the Service\'s own Lease, "[namespace/]name", instead of kubevip-<service>'),
  'kube-vip.io/serviceInterface': ({ value, placesOnInterface }) => {
    if (!placesOnInterface) return of('unused', 'BGP mode without bgp_attach_ip_to_interface: Service VIPs stay on lo (kube-vip puts them on no interface then)');
    if (value.trim() === 'auto') return of('refused', '"auto" (kube-vip finds the interface from the address) is not supported: name the interface');
    return of('used', 'the interface the Service\'s VIPs go on');
  },
  'kube-vip.io/serviceVLAN': ({ placesOnInterface }) =>
    placesOnInterface
      ? of('refused', 'VLAN sub-interfaces are not created: the VIP would sit on the parent interface, off the VLAN\'s segment. Create the VLAN interface on the node and name it in kube-vip.io/serviceInterface instead')
      : of('unused', 'BGP mode: Service VIPs stay on lo, and kube-vip puts them on no interface either'),
  'kube-vip.io/vipHost': of('written', 'the node that writes the Service\'s status, with the status (not with disable_service_updates)'),
  'kube-vip.io/egress': warnedWhenTrue('egress SNAT is not done: the Service\'s pods leave with their node\'s address, not the VIP'),
  'kube-vip.io/egress-internal': of('unused', EGRESS_TUNING),
  'kube-vip.io/egress-ipv6': of('unused', EGRESS_TUNING),
  'kube-vip.io/egress-destination-ports': of('unused', EGRESS_TUNING),
  'kube-vip.io/egress-source-ports': of('unused', EGRESS_TUNING),
  'kube-vip.io/egress-allowed-networks': of('unused', EGRESS_TUNING),
  'kube-vip.io/egress-denied-networks': of('unused', EGRESS_TUNING),
  'kube-vip.io/egress-no-internal-traffic': of('unused', EGRESS_TUNING),
  'kube-vip.io/egress-detect-api-server': of('unused', EGRESS_TUNING),
  'kube-vip.io/active-endpoint': of('unused', KUBE_VIP_OUTPUT),
  'kube-vip.io/active-endpoint-ipv6': of('unused', KUBE_VIP_OUTPUT),
  'kube-vip.io/egress-nftables-table': of('unused', KUBE_VIP_OUTPUT),
  'kube-vip.io/hwaddr': of('unused', KUBE_VIP_OUTPUT),
  'kube-vip.io/requestedIP': of('unused', KUBE_VIP_OUTPUT),
  'kube-vip.io/flush-conntrack': warnedWhenTrue('conntrack entries of the VIPs are not flushed when the Service is set up'),
  'kube-vip.io/rp_filter': ({ value }) => (value.trim() === '' ? of('unused', 'empty: nothing to do') : of('warned', 'rp_filter is not set on the Service\'s interface: set it with sysctl on the node if you relied on it')),
  'kube-vip.io/forcePerServiceElection': warnedWhenTrue('not read: the Service has a Lease of its own only with svc_election (or, in ARP mode, externalTrafficPolicy: Local)'),
  'kube-vip.io/ddns': warnedWhenTrue('dynamic DNS is not done; ' + DHCP),
  'kube-vip.io/loadbalancerHostname': of('unused', DHCP),
  'kube-vip.io/macvlanName': of('unused', DHCP),
  'kube-vip.io/dhcp-broadcast': of('unused', DHCP),
  'kube-vip.io/ignore-service-security': of('unused', 'only with enable_service_security, which is not done (warned at start)'),
  'kube-vip.io/forwardUPNP': of('unused', 'only with enable_upnp, which is refused at start'),
  'kube-vip.io/upnp-lease-duration': of('unused', 'only with enable_upnp, which is refused at start'),
};

/** The decision for one annotation of a Service; undefined for an annotation kube-vip does not know. */
export function serviceAnnotationDecision(name: string, context: ServiceAnnotationContext): AnnotationDecision | undefined {
  if (!Object.hasOwn(KUBE_VIP_SERVICE_ANNOTATION_RULES, name)) return undefined;
  const rule = KUBE_VIP_SERVICE_ANNOTATION_RULES[name]!;
  return typeof rule === 'function' ? rule(context) : rule;
}

/** kube-vip's per-node BGP annotations, `<prefix>/<key>` (or `<prefix>/bgp-peers-0-<key>`); all used. */
export const KUBE_VIP_NODE_ANNOTATION_RULES: Readonly<Record<string, AnnotationDecision>> = {
  'node-asn': of('used', 'this node\'s AS'),
  'src-ip': of('used', 'the source address of the sessions, and the router id when IPv4'),
  'peer-asn': of('used', 'the peers\' AS'),
  'peer-ip': of('used', 'the peers, comma-separated; also `bgp-peers-<n>-peer-ip`'),
  'bgp-pass': of('used', 'the TCP MD5 password, base64'),
  'peer-multi-hop': of('used', '"true" or "false": eBGP multihop for every annotated peer'),
};

/** kube-vip's node labels (pkg/kubevip/labels.go), and the Kubernetes label vip-speaker honours as MetalLB does. */
export const NODE_LABEL_RULES: Readonly<Record<string, AnnotationDecision>> = {
  'kube-vip.io/has-ip': of('written', 'with enable_node_labeling: set to the control-plane VIP on the node that holds it, removed when it no longer does'),
  'service-provided.kube-vip.io': of('unused', 'the per-Service labels kube-vip writes with enable_node_labeling are not written'),
  'node.kubernetes.io/exclude-from-external-load-balancers': of('used', 'a node carrying it announces no Service VIP (kube-vip ignores it; MetalLB honours it)'),
};
