// The flags of `vip-speaker manifest KIND`, read into ManifestOptions, the one input
// of the pure builders. Flag names are kube-vip's where they mean the same thing (cmd/kube-vip.go
// and cmd/kube-vip-manifests.go: --address, --controlplane, --arp, --bgppeers, --localAS, ...), so
// that a kube-vip generator command line carries over; vip-speaker's own flags are kebab-case.
// Which flags belong to which mode, BGP or ARP, is mode.ts's concern; what the monitoring kinds
// need, monitoring-flags.ts's.
//
// Every problem is reported, each with a stable code and the flag it concerns; a password given on
// the command line is refused, since it would land in the manifest in plain text.
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { fail, ok, type Result } from '../result.js';
import { checkInterfaceName, parsePeerString, splitPeerList } from '../config/index.js';
import { VERSION } from '../version.js';
import type { ManifestError, Problem } from './errors.js';
import { checkMode, readArpRate, readLeaseTimings, readVipSubnet, type LeaseTimings, type SpeakerMode } from './mode.js';
import type { AdminAddress, ManifestKind } from './kinds.js';
import { checkMonitoring, isMonitoringKind, readMonitoringLabels } from './monitoring-flags.js';

export { MANIFEST_KINDS, type AdminAddress, type ManifestKind } from './kinds.js';

export interface ManifestOptions {
  image: string;
  namespace: string;
  /** kube-vip's --arp: one elected node holds each VIP on vipInterface; else every node announces over BGP. */
  mode: SpeakerMode;
  /** kube-vip's --controlplane: announce the control-plane VIPs of `address`. */
  controlPlane: boolean;
  /** kube-vip's --services: announce LoadBalancer Service VIPs. */
  services: boolean;
  /** kube-vip's --servicesElection: one leader per Service (leases in the Services' namespaces); in BGP mode it alone announces the Service's VIPs. */
  servicesElection: boolean;
  /** kube-vip's --leaderElection: ARP mode elects either way; in BGP mode only the elected node announces the control-plane VIP. */
  leaderElection: boolean;
  /** vip-speaker's --graceful-restart (implied by --keep-routes-on-stop): RFC 4724 in env mode. */
  gracefulRestart: boolean;
  /** --image was given: otherwise the manifest names an image that is not published. */
  imageGiven: boolean;
  /** kube-vip's --taint: run on control-plane nodes only. */
  controlPlaneNodesOnly: boolean;
  /** kube-vip's --leaseName and --servicesLeaseName (vip_leasename, svc_leasename): Lease names in `namespace`. */
  leaseName?: string;
  servicesLeaseName?: string;
  /** kube-vip's --enableNodeLabeling: kube-vip.io/has-ip on the node holding the control-plane VIP (patches its Node). */
  nodeLabeling: boolean;
  /** The control-plane VIPs, comma-separated, as kube-vip's `address` variable holds them. */
  address?: string;
  /** kube-vip's --interface: where the VIPs go (lo in BGP mode when unset; required in ARP mode). */
  vipInterface?: string;
  /** ARP mode: kube-vip's --vipSubnet, as vip_subnet ("24" or "24,64"). */
  vipSubnet?: string;
  /** ARP mode: milliseconds between two gratuitous ARP / NA rounds (vip_arpRate). */
  arpRateMs?: number;
  /** Lease timings in seconds, as given (kube-vip's --leaseDuration, --leaseRenewDuration, --leaseRetry). */
  lease: LeaseTimings;
  apiServerPort: number;
  localAs: number;
  routerId?: string;
  /** kube-vip peer strings (bgp_peers), never with a password. */
  peers: string[];
  peerAddress?: string;
  peerAs: number;
  multihop: boolean;
  /** The Secret holding the password of the --peerAddress peer. */
  peerPasswordSecret?: { name: string; key: string };
  sourceInterface?: string;
  sourceAddress?: string;
  holdTime?: number;
  keepaliveInterval?: number;
  admin: AdminAddress;
  adminPort: number;
  keepRoutesOnStop: boolean;
  /** The static pod's kubeconfig on the host (kube-vip's --k8sConfigPath). */
  kubeconfig: string;
  /** kube-vip's --annotations: read this node's BGP settings from its annotations under this prefix (the `annotation` variable). */
  nodeAnnotationPrefix?: string;
  /** Labels of the ServiceMonitor and PrometheusRule, for the Prometheus' selectors. */
  monitoringLabels: Record<string, string>;
}

/** The image's name once published; none is yet (say so wherever it is printed). */
export const DEFAULT_IMAGE = `ghcr.io/vip-speaker/vip-speaker:${VERSION}`;
export const UNPUBLISHED_IMAGE_NOTE = `no --image given: ${DEFAULT_IMAGE} is not published yet; build the image from the Dockerfile, push it to your registry, and give --image REGISTRY/vip-speaker:TAG`;
export const DEFAULT_ADMIN_PORT = 9469;
export const DEFAULT_PEER_PASSWORD_KEY = 'password';
/** kube-vip's flag defaults (cmd/kube-vip.go). */
const KUBE_VIP = { localAs: 65000, peerAs: 65000, apiServerPort: 6443, namespace: 'kube-system', kubeconfig: '/etc/kubernetes/admin.conf' } as const;

export function defaultOptions(): ManifestOptions {
  return {
    image: DEFAULT_IMAGE,
    namespace: KUBE_VIP.namespace,
    mode: 'bgp',
    controlPlane: false,
    services: false,
    servicesElection: false,
    leaderElection: false,
    gracefulRestart: false,
    imageGiven: false,
    controlPlaneNodesOnly: false,
    nodeLabeling: false,
    lease: {},
    apiServerPort: KUBE_VIP.apiServerPort,
    localAs: KUBE_VIP.localAs,
    peers: [],
    peerAs: KUBE_VIP.peerAs,
    multihop: false,
    admin: { kind: 'loopback' },
    adminPort: DEFAULT_ADMIN_PORT,
    keepRoutesOnStop: false,
    kubeconfig: KUBE_VIP.kubeconfig,
    monitoringLabels: {},
  };
}

const FLAGS = {
  interface: { type: 'string' },
  address: { type: 'string' },
  vip: { type: 'string' },
  controlplane: { type: 'boolean' },
  services: { type: 'boolean' },
  servicesElection: { type: 'boolean' },
  'services-election': { type: 'boolean' },
  taint: { type: 'boolean' },
  inCluster: { type: 'boolean' },
  bgp: { type: 'boolean' },
  arp: { type: 'boolean' },
  leaderElection: { type: 'boolean' },
  vipSubnet: { type: 'string' },
  'arp-rate': { type: 'string' },
  leaseDuration: { type: 'string' },
  leaseRenewDuration: { type: 'string' },
  leaseRetry: { type: 'string' },
  localAS: { type: 'string' },
  bgpRouterID: { type: 'string' },
  bgppeers: { type: 'string', multiple: true },
  peerAddress: { type: 'string' },
  peerAS: { type: 'string' },
  multihop: { type: 'boolean' },
  sourceIF: { type: 'string' },
  sourceIP: { type: 'string' },
  bgpHoldTimer: { type: 'string' },
  bgpKeepAliveInterval: { type: 'string' },
  port: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  k8sConfigPath: { type: 'string' },
  image: { type: 'string' },
  'peer-password-secret': { type: 'string' },
  'admin-address': { type: 'string' },
  'admin-port': { type: 'string' },
  'keep-routes-on-stop': { type: 'boolean' },
  'graceful-restart': { type: 'boolean' },
  'monitoring-label': { type: 'string', multiple: true },
  leaseName: { type: 'string' },
  servicesLeaseName: { type: 'string' },
  enableNodeLabeling: { type: 'boolean' },
  annotations: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  // kube-vip flags that vip-speaker does not take, each refused with the reason.
  peerPass: { type: 'string' },
  enableLoadBalancer: { type: 'boolean' },
  prometheusHTTPServer: { type: 'string' },
} as const;

/** A Lease name (a DNS subdomain); a namespace before it would need RBAC the generator does not write. */
const LEASE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const REFUSED: Record<string, [ManifestError['code'], string]> = {
  peerPass: ['MANIFEST_PLAIN_PASSWORD', 'the password would be written into the manifest in plain text: put it in a Secret and give --peer-password-secret NAME[:KEY]'],
  enableLoadBalancer: ['MANIFEST_UNSUPPORTED', 'vip-speaker has no IPVS load balancer: in BGP mode the routers spread the traffic over the nodes (ECMP); in ARP mode kube-proxy spreads it from the elected node'],
  prometheusHTTPServer: ['MANIFEST_UNSUPPORTED', 'use --admin-address and --admin-port: the admin endpoint serves /metrics'],
};

/** Reads the flags of `vip-speaker manifest KIND`; every problem is reported, not just the first. */
export function parseManifestArgs(kind: ManifestKind, args: string[]): Result<ManifestOptions, ManifestError[]> {
  let values: ReturnType<typeof parseFlags>;
  try {
    values = parseFlags(args);
  } catch (err) {
    const e = err as Error & { code?: string };
    if (e.code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return fail([{ code: 'MANIFEST_INVALID_VALUE', flag: '', message: e.message.split('. ')[0]! }]);
    const unknown = /'(-[^']*)'/.exec(e.message)?.[1] ?? '';
    const near = similarFlag(unknown);
    return fail([{ code: 'MANIFEST_UNKNOWN_FLAG', flag: unknown, message: `unknown flag${near ? ` (did you mean --${near}?)` : ''}` }]);
  }
  const errors: ManifestError[] = [];
  const problem: Problem = (code, flag, message) => errors.push({ code, flag: `--${flag}`, message });
  for (const [flag, [code, message]] of Object.entries(REFUSED)) {
    if (values[flag as keyof typeof values] !== undefined) problem(code, flag, message);
  }

  const o = defaultOptions();
  o.mode = values.arp === true ? 'arp' : 'bgp';
  o.controlPlane = values.controlplane === true;
  o.services = values.services === true;
  o.servicesElection = values.servicesElection === true || values['services-election'] === true;
  o.controlPlaneNodesOnly = values.taint === true;
  o.nodeLabeling = values.enableNodeLabeling === true;
  for (const flag of ['leaseName', 'servicesLeaseName'] as const) {
    const name = values[flag];
    if (name === undefined) continue;
    if (name.length <= 253 && LEASE_NAME.test(name)) o[flag] = name;
    else problem('MANIFEST_INVALID_VALUE', flag, `expected a Lease name in --namespace (lower-case letters, digits, '-' and '.'; the RBAC written covers that namespace only), got ${JSON.stringify(name)}`);
  }
  o.multihop = values.multihop === true;
  o.keepRoutesOnStop = values['keep-routes-on-stop'] === true;
  o.leaderElection = values.leaderElection === true;
  // Keeping the routes on a stop is worth nothing unless the routers keep them: graceful restart.
  o.gracefulRestart = values['graceful-restart'] === true || o.keepRoutesOnStop;
  if (values.image !== undefined) {
    o.image = nonEmpty(values.image, 'image', problem) ?? o.image;
    o.imageGiven = true;
  }
  if (values.namespace !== undefined) {
    if (/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(values.namespace)) o.namespace = values.namespace;
    else problem('MANIFEST_INVALID_VALUE', 'namespace', `expected a namespace name (lower-case letters, digits and '-', at most 63), got ${JSON.stringify(values.namespace)}`);
  }
  if (values.interface !== undefined) o.vipInterface = interfaceName(values.interface, problem);
  if (values.vipSubnet !== undefined) o.vipSubnet = readVipSubnet(values.vipSubnet, problem);
  if (values['arp-rate'] !== undefined) o.arpRateMs = readArpRate(values['arp-rate'], problem);
  o.lease = readLeaseTimings(values, problem);
  if (values.sourceIF !== undefined) o.sourceInterface = nonEmpty(values.sourceIF, 'sourceIF', problem);
  if (values.sourceIP !== undefined) o.sourceAddress = ipAddress(values.sourceIP, 'sourceIP', problem);
  if (values.peerAddress !== undefined) o.peerAddress = ipAddress(values.peerAddress, 'peerAddress', problem);
  if (values.bgpRouterID !== undefined) {
    if (isIP(values.bgpRouterID) === 4 && values.bgpRouterID !== '0.0.0.0') o.routerId = values.bgpRouterID;
    else problem('MANIFEST_INVALID_VALUE', 'bgpRouterID', `expected a non-zero dotted quad (RFC 6286), got ${JSON.stringify(values.bgpRouterID)}`);
  }
  o.localAs = asNumber(values.localAS, 'localAS', problem) ?? o.localAs;
  o.peerAs = asNumber(values.peerAS, 'peerAS', problem) ?? o.peerAs;
  o.apiServerPort = integer(values.port, 'port', 1, 65535, problem) ?? o.apiServerPort;
  o.adminPort = integer(values['admin-port'], 'admin-port', 1, 65535, problem) ?? o.adminPort;
  o.holdTime = integer(values.bgpHoldTimer, 'bgpHoldTimer', 0, 65535, problem);
  o.keepaliveInterval = integer(values.bgpKeepAliveInterval, 'bgpKeepAliveInterval', 0, 65535, problem);
  if (values['admin-address'] !== undefined) o.admin = adminAddress(values['admin-address'], problem) ?? o.admin;
  if (values.k8sConfigPath !== undefined) {
    if (values.k8sConfigPath.startsWith('/')) o.kubeconfig = values.k8sConfigPath;
    else problem('MANIFEST_INVALID_VALUE', 'k8sConfigPath', `expected an absolute path on the host, got ${JSON.stringify(values.k8sConfigPath)}`);
  }
  readAddress(values.address, values.vip, o, problem);
  readPeers(values.bgppeers ?? [], o, problem);
  if (values['peer-password-secret'] !== undefined) o.peerPasswordSecret = secretRef(values['peer-password-secret'], problem);
  o.monitoringLabels = readMonitoringLabels(values['monitoring-label'] ?? [], problem);
  if (values.annotations !== undefined) {
    // The daemon takes a DNS subdomain (config/validate.ts kubernetes.nodeAnnotationPrefix).
    if (/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(values.annotations) && values.annotations.length <= 253) o.nodeAnnotationPrefix = values.annotations;
    else problem('MANIFEST_INVALID_VALUE', 'annotations', `expected an annotation prefix (a DNS subdomain such as metal.equinix.com), got ${JSON.stringify(values.annotations)}`);
  }

  const given = new Set(Object.entries(values).filter(([, v]) => v !== undefined && v !== false).map(([flag]) => flag));
  checkMode(o.mode, given, { kind, services: o.services, controlPlane: o.controlPlane, vipInterface: o.vipInterface }, problem);
  const addressGiven = values.address !== undefined || values.vip !== undefined;
  if (isMonitoringKind(kind)) checkMonitoring(kind, given, o.admin, problem);
  else checkCombination(kind, o, { inCluster: values.inCluster === true, addressGiven }, problem);
  return errors.length > 0 ? fail(errors) : ok(o);
}

function parseFlags(args: string[]) {
  return parseArgs({ args, options: FLAGS, strict: true, allowPositionals: false }).values;
}

/** kube-vip's flags are camelCase: a flag that differs only in case or dashes is likely meant. */
function similarFlag(flag: string): string | undefined {
  const squash = (name: string) => name.replace(/-/g, '').toLowerCase();
  return Object.keys(FLAGS).find((name) => squash(name) === squash(flag));
}


/** What only makes sense together, or not for this kind of manifest. */
function checkCombination(kind: ManifestKind, o: ManifestOptions, given: { inCluster: boolean; addressGiven: boolean }, problem: Problem): void {
  if (!o.controlPlane && !o.services) {
    problem('MANIFEST_MISSING', 'controlplane', 'nothing to announce: give --controlplane (with --address) and/or --services, the same flags for every manifest so that the RBAC matches the DaemonSet');
  }
  if (o.servicesElection && !o.services) problem('MANIFEST_CONFLICT', 'servicesElection', 'per-Service election needs --services');
  // ARP mode: mode.ts has refused every BGP flag already.
  const bgp = o.mode === 'bgp';
  if (bgp && o.peerPasswordSecret && o.peerAddress === undefined) {
    problem('MANIFEST_MISSING', 'peerAddress', '--peer-password-secret sets bgp_peerpass, which applies to the --peerAddress peer only (as in kube-vip): give --peerAddress');
  }
  if (kind === 'rbac') return;
  if (o.controlPlane && !given.addressGiven) problem('MANIFEST_MISSING', 'address', '--controlplane needs the control-plane VIP: --address 192.0.2.10 (comma-separated for several)');
  if (bgp && o.peers.length === 0 && o.peerAddress === undefined) problem('MANIFEST_MISSING', 'bgppeers', 'no BGP peer: give --bgppeers ADDRESS:AS::MULTIHOP[,...] and/or --peerAddress with --peerAS');
  if (bgp && kind === 'daemonset' && o.routerId !== undefined) {
    problem('MANIFEST_CONFLICT', 'bgpRouterID', 'a DaemonSet runs on many nodes, and one router ID for all of them would clash: leave it unset and each node takes its own first IPv4 address');
  }
  if (kind === 'pod') {
    if (bgp && o.peerPasswordSecret) {
      problem('MANIFEST_UNSUPPORTED', 'peer-password-secret', 'a static pod cannot read a Secret: it starts before the API server, and its mirror Pod may not reference Secrets');
    }
    if (given.inCluster) problem('MANIFEST_UNSUPPORTED', 'inCluster', 'a static pod has no service account: it reads the kubeconfig given by --k8sConfigPath');
  }
}

/** As the daemon takes vip_interface: 1 to 15 characters (IFNAMSIZ), no "/" or spaces. */
function interfaceName(text: string, problem: Problem): string | undefined {
  const checked = checkInterfaceName(text);
  if (checked.ok) return checked.value;
  problem('MANIFEST_INVALID_VALUE', 'interface', checked.error.message);
  return undefined;
}

function nonEmpty(text: string, flag: string, problem: Problem): string | undefined {
  if (text.trim() !== '') return text.trim();
  problem('MANIFEST_INVALID_VALUE', flag, 'expected a value, got an empty string');
  return undefined;
}

function ipAddress(text: string, flag: string, problem: Problem): string | undefined {
  if (isIP(text) !== 0) return text;
  problem('MANIFEST_INVALID_VALUE', flag, `expected an IPv4 or IPv6 address, got ${JSON.stringify(text)}`);
  return undefined;
}

function integer(text: string | undefined, flag: string, min: number, max: number, problem: Problem): number | undefined {
  if (text === undefined) return undefined;
  if (/^\d+$/.test(text) && Number(text) >= min && Number(text) <= max) return Number(text);
  problem('MANIFEST_INVALID_VALUE', flag, `expected an integer ${min}..${max}, got ${JSON.stringify(text)}`);
  return undefined;
}

/** AS 0 (RFC 7607) and AS_TRANS 23456 (RFC 6793) are refused, as the daemon refuses them. */
function asNumber(text: string | undefined, flag: string, problem: Problem): number | undefined {
  const asn = integer(text, flag, 1, 4294967295, problem);
  if (asn !== 23456) return asn;
  problem('MANIFEST_INVALID_VALUE', flag, 'AS_TRANS 23456 is not an AS of its own (RFC 6793)');
  return undefined;
}

/** `--address` (or kube-vip's older `--vip`): IP addresses, optionally as host routes. */
function readAddress(address: string | undefined, vip: string | undefined, o: ManifestOptions, problem: Problem): void {
  if (address !== undefined && vip !== undefined && address !== vip) {
    problem('MANIFEST_CONFLICT', 'vip', '--vip and --address are both given and differ: give --address only');
    return;
  }
  const text = address ?? vip;
  if (text === undefined) return;
  const entries = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const wrong = entries.filter((entry) => {
    const [ip, length, ...rest] = entry.split('/');
    const family = isIP(ip ?? '');
    return family === 0 || rest.length > 0 || (length !== undefined && length !== (family === 4 ? '32' : '128'));
  });
  if (entries.length === 0) problem('MANIFEST_INVALID_VALUE', 'address', 'expected at least one IP address');
  for (const entry of wrong) problem('MANIFEST_INVALID_VALUE', 'address', `expected an IP address (a /32 or /128 at most), got ${JSON.stringify(entry)}`);
  if (entries.length > 0 && wrong.length === 0) o.address = entries.join(',');
}

/** kube-vip peer strings, checked by the daemon's own parser; a password in one is refused. */
function readPeers(values: string[], o: ManifestOptions, problem: Problem): void {
  for (const entry of values.flatMap((v) => splitPeerList(v))) {
    const parsed = parsePeerString(entry.text);
    if (!parsed.ok) {
      problem('MANIFEST_INVALID_VALUE', 'bgppeers', `peer ${o.peers.length + 1}: ${parsed.error.message}`);
    } else if (parsed.value.password !== '') {
      problem('MANIFEST_PLAIN_PASSWORD', 'bgppeers', `peer ${parsed.value.address} carries a password, which would be written into the manifest in plain text: give that peer as --peerAddress with --peer-password-secret NAME[:KEY]`);
    }
    o.peers.push(entry.text);
  }
}

function secretRef(text: string, problem: Problem): { name: string; key: string } | undefined {
  const m = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?)(?::([-._a-zA-Z0-9]+))?$/.exec(text);
  if (m) return { name: m[1]!, key: m[3] ?? DEFAULT_PEER_PASSWORD_KEY };
  problem('MANIFEST_INVALID_VALUE', 'peer-password-secret', `expected NAME[:KEY], a Secret's name and a key in it (default "${DEFAULT_PEER_PASSWORD_KEY}"), got ${JSON.stringify(text)}`);
  return undefined;
}

function adminAddress(text: string, problem: Problem): AdminAddress | undefined {
  if (text === 'node') return { kind: 'node' };
  if (text === '127.0.0.1' || text === 'localhost' || text === 'loopback') return { kind: 'loopback' };
  if (isIP(text) !== 0) return { kind: 'address', address: text };
  problem('MANIFEST_INVALID_VALUE', 'admin-address', `expected "loopback" (the default), "node" (the node's IP, for Prometheus to scrape) or an IP address, got ${JSON.stringify(text)}`);
  return undefined;
}
