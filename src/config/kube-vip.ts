// What vip-speaker does with each of kube-vip's environment variables: the one table that the
// start-up warnings, `vip-speaker validate`'s listing, the refusals and docs/configuration.md all
// follow. Names as kube-vip reads them (pkg/kubevip/config_envvar.go and config_environment.go,
// and cmd/kube-vip.go for vip_configmap), kube-vip v1.2.3-24-gbee5cfe.
//
// Each variable gets one of four decisions, which may depend on its value and on the mode:
// - used: honoured as kube-vip does, under the config key named;
// - differs: used, but not quite as kube-vip does: one warning line at start says how;
// - unused: not used: one warning line at start says why, and what happens instead;
// - refused: a configuration error, where running without it would lose traffic that kube-vip
//   would have carried (a VIP put nowhere, routes handed to another daemon, ...).
// The Service and Node annotations have their own table (kube-vip-annotations.ts).
import { configError } from './errors.js';
import type { ConfigError, HostAccess, Mode } from './types.js';
import { goParseBool } from './values.js';

export type KubeVipUse = 'used' | 'differs' | 'unused' | 'refused';

export interface KubeVipDecision {
  use: KubeVipUse;
  /** The config key it sets, when it sets one. */
  key?: string;
  /** used: an optional remark; differs: how; unused: why and what happens instead; refused: why. */
  text?: string;
}

export interface KubeVipContext {
  /** The variable's own value (set and, but for lb_class_name, not ""). */
  value: string;
  env: HostAccess['env'];
  mode: Mode;
}

type Rule = KubeVipDecision | ((context: KubeVipContext) => KubeVipDecision);

const used = (key?: string, text?: string): KubeVipDecision => ({ use: 'used', ...(key !== undefined ? { key } : {}), ...(text !== undefined ? { text } : {}) });
const differs = (text: string, key?: string): KubeVipDecision => ({ use: 'differs', text, ...(key !== undefined ? { key } : {}) });
const unused = (text: string): KubeVipDecision => ({ use: 'unused', text });
const refused = (text: string): KubeVipDecision => ({ use: 'refused', text });

const isTrue = (text: string | undefined): boolean => text !== undefined && goParseBool(text) === true;
const set = (env: HostAccess['env'], name: string): boolean => env[name] !== undefined && env[name] !== '';

/** A switch whose "true" asks for something vip-speaker does not do and whose absence would lose traffic. */
const refusedWhenTrue = (why: string, otherwise = 'false, kube-vip\'s default: nothing to do'): Rule => ({ value }) => (isTrue(value) ? refused(why) : unused(otherwise));
/** A switch whose "true" asks for something vip-speaker does not do, with no traffic lost for it. */
const unusedWhenTrue = (why: string): Rule => ({ value }) => unused(isTrue(value) ? why : 'false, kube-vip\'s default: nothing to do');
const arpOnly = (rule: Rule): Rule => (c) => (c.mode === 'arp' ? decide(rule, c) : unused('ARP mode only (vip_arp), as in kube-vip: this is BGP mode'));
/** kube-vip reads the Service variables only when svc_enable is set at all (config_environment.go). */
const servicesOnly = (rule: Rule): Rule => (c) => (set(c.env, 'svc_enable') ? decide(rule, c) : unused('read only when svc_enable is set, as kube-vip does'));
const controlPlaneOnly = (rule: Rule): Rule => (c) => (isTrue(c.env.cp_enable) ? decide(rule, c) : unused('for the control-plane VIP only, and cp_enable is not true'));

const EGRESS = 'egress SNAT (kube-vip.io/egress) is not done: pods leave with their node\'s address, not the Service VIP, so this has nothing to tune';
const ROUTING_TABLE = 'only for kube-vip\'s routing-table mode (vip_routingtable), which vip-speaker refuses';
const ZEBRA = 'only with zebra_enable, which vip-speaker refuses';
const DHCP = 'DHCP-assigned Service addresses (loadBalancerIP 0.0.0.0) are not supported: such a Service is skipped with a warning';
const IPVS = 'only for kube-vip\'s IPVS control-plane load balancer (lb_enable), which vip-speaker does not run';
const NO_ELECTION_SHORTCUT = 'vip-speaker always elects as vip_leaderelection says; a node alone wins its Lease at once';

/** Every name kube-vip reads, with its rule. */
export const KUBE_VIP_VARIABLE_RULES: Readonly<Record<string, Rule>> = {
  // Mode and node.
  bgp_enable: ({ value }) => (isTrue(value) ? used('mode: bgp') : used(undefined, 'not true: not BGP mode')),
  vip_arp: ({ value, mode }) => (!isTrue(value) ? used(undefined, 'not true: not ARP mode') : mode === 'bgp' ? unused('bgp_enable is true as well: BGP mode, as kube-vip decides') : used('mode: arp')),
  vip_loglevel: used('log.level'),
  vip_nodename: used('kubernetes.nodeName'),
  k8s_config_file: used('kubernetes.kubeconfig', 'KUBECONFIG is read too when this is unset, as every Kubernetes client does'),
  annotation: used('kubernetes.nodeAnnotationPrefix', 'kube-vip\'s per-node BGP annotations under this prefix'),
  prometheus_server: used('admin', 'the admin endpoint (/metrics, /healthz, /readyz, /status) listens there'),
  health_check_port: used('admin.healthPort', 'GET /healthz answers "OK" on every address at this port'),
  instance_name: unused('names kube-vip\'s host-wide nftables and iptables objects; vip-speaker creates none'),
  INSTANCE_NAME: unused('names kube-vip\'s host-wide nftables and iptables objects; vip-speaker creates none'),
  config_file: refused('kube-vip\'s own configuration file is not read, so every setting in it would be lost: move them into environment variables, or write vip-speaker\'s file (--config)'),
  debounce_time: unused('kube-vip itself reads it from its flags only; vip-speaker applies each change of Services and endpoints as it arrives'),
  vip_configmap: unused('the ConfigMap of kube-vip\'s cloud provider (address ranges): vip-speaker assigns no addresses, so keep the cloud provider (or another IPAM) running'),

  // BGP.
  bgp_as: used('asn'),
  bgp_routerid: used('routerId'),
  bgp_routerinterface: ({ env }) => (set(env, 'bgp_routerid') ? unused('bgp_routerid is set too and wins, as in kube-vip') : used('routerInterface')),
  bgp_peers: used('peers'),
  bgp_peeraddress: used('peers'),
  bgp_peeras: used('peers[].asn'),
  bgp_peerpass: used('peers[].password'),
  bgp_multihop: used('peers[].multihop'),
  bgp_sourceip: used('sourceAddress'),
  bgp_sourceif: used('sourceInterface'),
  bgp_hold_time: used('holdTime'),
  bgp_keepalive_interval: used('keepaliveTime'),
  mpbgp_nexthop: used('mpbgp.nexthop'),
  mpbgp_ipv4: used('mpbgp.ipv4'),
  mpbgp_ipv6: used('mpbgp.ipv6'),
  bgp_attach_ip_to_interface: ({ value, mode }) => {
    if (mode === 'arp') return unused('ARP mode puts every Service VIP on its interface anyway');
    return isTrue(value) ? used('kubernetes.servicesInterface', 'Service VIPs go on vip_servicesinterface (else vip_interface), or on their kube-vip.io/serviceInterface') : used(undefined, 'false: Service VIPs stay on lo, where BGP mode binds every VIP');
  },
  zebra_enable: refusedWhenTrue('kube-vip hands its routes to FRR\'s zebra there, which vip-speaker cannot do: whatever FRR redistributed from them would be lost. Announce to FRR over BGP (bgp_peers) instead'),
  zebra_url: unused(ZEBRA),
  zebra_version: unused(ZEBRA),
  zebra_software_name: unused(ZEBRA),

  // Addresses and interfaces.
  address: ({ env }) => (isTrue(env.cp_enable) ? used('vips') : unused('cp_enable is not true: ignored, as kube-vip does')),
  vip_address: ({ env }) => (!isTrue(env.cp_enable) ? unused('cp_enable is not true: ignored, as kube-vip does') : set(env, 'address') ? unused('address is set and wins (vip_address is kube-vip\'s deprecated name)') : used('vips')),
  port: used('kubernetes.apiServerPort'),
  vip_interface: used('vipInterface'),
  vip_servicesinterface: ({ value, mode, env }) => {
    if (value === 'auto') return refused('"auto" (kube-vip finds each Service address\'s interface) is not supported: name the interface');
    if (mode === 'bgp' && !isTrue(env.bgp_attach_ip_to_interface)) return unused('BGP mode: Service VIPs stay on lo unless bgp_attach_ip_to_interface=true (kube-vip then adds them to no interface at all)');
    return used('kubernetes.servicesInterface');
  },
  vip_subnet: ({ mode }) => (mode === 'arp' ? used('arp.prefixLength') : used(undefined, 'BGP mode: 32 and 128 only, every VIP being a host route')),
  vip_cidr: ({ mode }) => (mode === 'arp' ? unused('ARP mode: ignored, as kube-vip ignores it there (it only set the prefix announced over BGP); vip_subnet sets the prefix length on the interface') : used(undefined, '32 and 128 only, every VIP being a host route')),
  vip_interfaceloglobal: ({ value }) => (isTrue(value) ? used(undefined, 'VIPs always have global scope') : differs('VIPs on lo get global scope, not host scope: replies leave from them as from any other address')),
  vip_skipdad: ({ value }) => (isTrue(value) ? used(undefined, 'IPv6 VIPs are always added without DAD') : differs('IPv6 VIPs are added without DAD (nodad) all the same: a VIP held by several nodes in turn must never be marked duplicate')),
  vip_allow_interface_not_up: ({ value }) => (isTrue(value) ? used(undefined, 'vip-speaker starts with the interface down, and reports it') : differs('vip-speaker starts with the interface down all the same, and reports the VIPs as not in place until it is up')),
  vip_ddns: refusedWhenTrue('dynamic DNS and DHCP for the control-plane address are not supported, so there would be no VIP at all: give the address in address'),
  vip_wireguard: refusedWhenTrue('the VIPs would be carried over WireGuard, which vip-speaker does not do: nothing would reach them'),
  vip_routingtable: refusedWhenTrue('kube-vip\'s routing-table mode leaves the VIP routes in a table for another routing daemon to announce, which would get none: announce over BGP (bgp_enable) instead'),
  vip_routingtableid: unused(ROUTING_TABLE),
  vip_routingtabletype: unused(ROUTING_TABLE),
  vip_routingprotocol: unused(ROUTING_TABLE),
  vip_cleanroutingtable: unused(ROUTING_TABLE),
  mirror_dest_interface: unused('traffic mirroring is not done'),
  enable_upnp: refusedWhenTrue('UPnP port forwarding at the gateway is not supported: what comes in through the gateway would not reach the Services'),

  // Leader election and ARP.
  vip_leaderelection: ({ value, mode, env }) => {
    if (mode === 'arp') return used('arp.leaderElection');
    if (!isTrue(value)) return used(undefined, 'BGP mode: every node announces, as kube-vip without leader election');
    return isTrue(env.cp_enable)
      ? used('kubernetes.leaderElection', 'BGP mode: only the holder of the control-plane Lease announces the control-plane VIP, as in kube-vip')
      : unused('cp_enable is not true: in BGP mode it elects only the control-plane VIP\'s announcer, as in kube-vip, so it changes nothing here (svc_election elects per Service)');
  },
  vip_leasename: used('kubernetes.controlPlaneLease'),
  vip_leaseduration: used('kubernetes.leaseDuration'),
  vip_renewdeadline: used('kubernetes.renewDeadline'),
  vip_retryperiod: used('kubernetes.retryPeriod'),
  vip_leaseannotations: unused('the Leases vip-speaker writes carry no extra annotations (nothing reads them to elect)'),
  vip_singlenode: unusedWhenTrue(NO_ELECTION_SHORTCUT),
  vip_startleader: unusedWhenTrue(NO_ELECTION_SHORTCUT),
  vip_arpRate: arpOnly(({ value }) => (/^[+-]?\d+$/.test(value) && Number(value) < 500 ? differs('under 500 ms: a round every 3000 ms instead, as kube-vip does', 'arp.refreshInterval') : used('arp.refreshInterval'))),
  vip_preserve_on_leadership_loss: arpOnly(({ value }) => (isTrue(value) ? differs('a node that loses the Lease always takes the VIPs off its interface (kube-vip\'s default), so that two nodes never answer for one VIP') : used(undefined, 'VIPs leave a node that loses the Lease'))),
  vip_loseleadership: ({ value, mode }) => {
    if (!isTrue(value)) return unused('false, kube-vip\'s default: nothing to do');
    if (mode === 'bgp') return unused('BGP mode: a node whose link is down loses its sessions, and with them its routes');
    return refused('vip-speaker does not give up the Lease when vip_interface goes down, so the VIPs would stay with a node that cannot answer for them: remove it only if that is acceptable');
  },
  vip_loseleadership_timeout_seconds: unused('only with vip_loseleadership, which vip-speaker does not support'),

  // Control plane.
  cp_enable: used('kubernetes.controlPlane'),
  cp_namespace: used('kubernetes.namespace', 'the Leases\' namespace where the pod\'s own cannot be read; in a pod they go in its namespace, as kube-vip puts them'),
  cp_detect: unused('the control-plane Lease is written through https://127.0.0.1:<port> (or kubernetes_addr), not an address found from the certificate'),
  kubernetes_addr: used('kubernetes.apiServerAddress'),
  control_plane_health_check_address: controlPlaneOnly(used('kubernetes.controlPlaneCheckUrl')),
  control_plane_health_check_period_seconds: controlPlaneOnly(used('kubernetes.controlPlaneCheckInterval')),
  control_plane_health_check_timeout_seconds: controlPlaneOnly(used('kubernetes.controlPlaneCheckTimeout')),
  control_plane_health_check_failure_threshold: controlPlaneOnly(used('kubernetes.controlPlaneCheckFailureThreshold')),
  control_plane_health_check_ca_path: controlPlaneOnly(used('kubernetes.controlPlaneCheckCaFile')),
  lb_enable: ({ value, env }) => {
    if (!isTrue(value)) return unused('false, kube-vip\'s default: nothing to do');
    const lbPort = env.lb_port || '6443';
    const apiPort = env.port || '6443';
    if (lbPort !== apiPort) return refused(`kube-vip's IPVS load balancer would listen on the VIP at lb_port ${lbPort}, where nothing answers without it: set lb_port to port (${apiPort}), or remove lb_enable`);
    return differs('no IPVS load balancer: the API server of the node holding the VIP answers on it (in BGP mode every control-plane node announces it, ECMP at the routers)');
  },
  lb_port: unused(IPVS),
  lb_fwdmethod: unused(IPVS),
  backend_health_check_interval: unused(IPVS),

  // Services.
  svc_enable: used('kubernetes.services'),
  svc_election: servicesOnly(used('kubernetes.servicesElection', 'each Service\'s VIPs are announced (BGP) or held (ARP) by its own Lease\'s holder only, as in kube-vip')),
  svc_namespace: servicesOnly(used('kubernetes.servicesNamespace', 'only the Services of this namespace are served')),
  svc_leasename: servicesOnly(used('kubernetes.servicesLease')),
  lb_class_name: servicesOnly(used('kubernetes.loadBalancerClass')),
  lb_class_only: servicesOnly(used('kubernetes.loadBalancerClassOnly')),
  lb_class_legacy_handling: servicesOnly(used('kubernetes.loadBalancerClassLegacyHandling')),
  disable_service_updates: ({ value }) => used('kubernetes.writeServiceStatus', isTrue(value) ? 'no Service status or kube-vip.io/vipHost is written' : undefined),
  enable_node_labeling: ({ value }) => (isTrue(value) ? differs('kube-vip.io/has-ip is set on the node holding the control-plane VIP; the per-Service service-provided.kube-vip.io labels are not written', 'kubernetes.labelNode') : used('kubernetes.labelNode')),
  enable_endpoints: unusedWhenTrue('vip-speaker reads EndpointSlices, which Kubernetes keeps for every Service since 1.21, not Endpoints'),
  enable_service_security: unusedWhenTrue('VIPs are not filtered down to their Services\' ports: filter with a host firewall if you relied on it'),
  per_service_election_on_demand: unusedWhenTrue('kube-vip.io/forcePerServiceElection is not read: a Service has a Lease of its own only with svc_election (or, in ARP mode, externalTrafficPolicy: Local)'),
  dns_mode: unused('vip-speaker takes IP addresses only and resolves no names'),
  dhcp_mode: unused(DHCP),
  dhcp_backoff_attempts: unused(DHCP),
  iptables_backend: unused('vip-speaker writes no iptables or nftables rules'),

  // Egress.
  egress_podcidr: unused(EGRESS),
  egress_servicecidr: unused(EGRESS),
  egress_withnftables: unused(EGRESS),
  egress_enableinternalsnat: unused(EGRESS),
  egress_clean: unused(EGRESS),
  EGRESS_CLEAN: unused(EGRESS),
};

/** Names older kube-vip releases read and the current one does not, still in old manifests. */
export const RETIRED_KUBE_VIP_VARIABLES: readonly string[] = ['vip_cidr'];

/** Every kube-vip variable name, as kube-vip spells it. */
export const KUBE_VIP_VARIABLE_NAMES: readonly string[] = Object.keys(KUBE_VIP_VARIABLE_RULES);

function decide(rule: Rule, context: KubeVipContext): KubeVipDecision {
  return typeof rule === 'function' ? rule(context) : rule;
}

export interface KubeVipVariableAccount extends KubeVipDecision {
  name: string;
}

/** Whether kube-vip would see this variable: set and not "" (lb_class_name counts when "", as kube-vip looks it up). */
export function kubeVipVariableSet(env: HostAccess['env'], name: string): boolean {
  return name === 'lb_class_name' ? env[name] !== undefined : set(env, name);
}

/** Each kube-vip variable set in `env`, in the table's order, with what vip-speaker does with it. */
export function accountKubeVipVariables(env: HostAccess['env'], mode: Mode): KubeVipVariableAccount[] {
  const accounts: KubeVipVariableAccount[] = [];
  for (const [name, rule] of Object.entries(KUBE_VIP_VARIABLE_RULES)) {
    if (!kubeVipVariableSet(env, name)) continue;
    accounts.push({ name, ...decide(rule, { value: env[name]!, env, mode }) });
  }
  return accounts;
}

/** The configuration errors of the refused variables. */
export function kubeVipRefusals(env: HostAccess['env'], mode: Mode): ConfigError[] {
  return accountKubeVipVariables(env, mode)
    .filter((a) => a.use === 'refused')
    .map((a) => configError('CONFIG_UNSUPPORTED', a.name, `not supported: ${a.text}`));
}

/** The warning line of a variable that vip-speaker uses otherwise than kube-vip, or not at all; undefined for the others. */
export function kubeVipWarning(a: KubeVipVariableAccount): string | undefined {
  if (a.use !== 'differs' && a.use !== 'unused') return undefined;
  return `kube-vip's ${a.name} ${a.use === 'differs' ? 'is used differently' : 'is not used'}: ${a.text}`;
}

/** One line of `validate`'s listing; never the value (bgp_peers and bgp_peerpass carry passwords). */
export function describeKubeVipAccount(a: KubeVipVariableAccount): string {
  const key = a.key !== undefined ? ` → ${a.key}` : '';
  switch (a.use) {
    case 'used':
      return `used: ${a.name}${key}${a.text !== undefined ? ` (${a.text})` : ''}`;
    case 'differs':
      return `used differently: ${a.name}${key}: ${a.text}`;
    case 'unused':
      return `not used: ${a.name}: ${a.text}`;
    case 'refused':
      return `refused: ${a.name}: ${a.text}`;
  }
}
