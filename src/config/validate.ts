// From a document (parsed YAML, or the one env.ts builds from kube-vip's variables) to the
// DaemonConfig: every key checked, every default filled in, every problem collected. Both
// sources come through here, so a rule holds the same whichever way the daemon is configured.
import { DEFAULT_RESTART_TIME } from '../../bgp/index.js';
import { fail, ok, type Result } from '../result.js';
import { readArp } from './arp.js';
import { readKubeClient } from './kube-client.js';
import { childPath } from './errors.js';
import { BFD_KEYS, checkBfd, checkInterfaceName, checkMpbgp, readPeers, MPBGP_KEYS, type PeerDefaults } from './peers.js';
import { Reader, type Locator, type Mapping } from './reader.js';
import { KUBERNETES_EXTRA_KEYS, readKubernetesExtra } from './kubernetes-extra.js';
import { keepaliveFor, timerPairProblem } from './timers.js';
import type { ConfigError, DaemonConfig, HostAccess, InterfaceTable, KubernetesDefaulted, KubernetesSettings, LogFormat, LogLevel, Mode, NodeIdentity, StaticVip, Timers, VipPlacement } from './types.js';
import { checkAsn, checkCommunity, checkDnsLabel, checkDnsSubdomain, checkHoldTime, checkInteger, checkIp, checkLargeCommunity, checkPort, checkRouterId, checkVip } from './values.js';

export const TOP_LEVEL_KEYS = [
  'mode', 'asn', 'routerId', 'routerInterface', 'listen', 'holdTime', 'keepaliveTime', 'connectRetryTime',
  'gracefulRestart', 'sourceAddress', 'sourceInterface', 'mpbgp', 'bfd', 'peers', 'vipInterface', 'vipPlacement', 'vips', 'admin',
  'log', 'kubernetes', 'arp',
] as const;

export const VIP_PLACEMENTS: readonly VipPlacement[] = ['auto', 'addresses', 'routes'];

export const DEFAULTS = {
  /** kube-vip's defaults (--bgpHoldTimer 30, --bgpKeepAliveInterval 10, ConnectRetry 10). */
  holdTime: 30,
  keepaliveTime: 10,
  connectRetryTime: 10,
  gracefulRestart: { enabled: true, restartTime: DEFAULT_RESTART_TIME },
  listen: { address: '::', port: 179 },
  vipInterface: 'lo',
  vipPlacement: 'auto' as VipPlacement,
  /**
   * 9469: loopback only, since the status endpoint shows the configuration; in the 9100-9999
   * range Prometheus exporters use, clear of the common ones (9100 node_exporter, 9090
   * Prometheus) and of kube-vip's 2112, so both can run side by side during a migration.
   */
  admin: { address: '127.0.0.1', port: 9469 },
  log: { level: 'info' as LogLevel, format: 'json' as LogFormat },
  apiServerPort: 6443,
  /** Unused in ARP mode but kept a valid AS: kube-vip's --localAS default. */
  arpModeAsn: 65000,
} as const;

export interface BuildOptions {
  host: HostAccess;
  /** How document paths are shown: env variable names, file lines. */
  locate?: Locator;
  /** env mode reproduces kube-vip, which has no graceful restart. */
  gracefulRestartByDefault?: boolean;
  /** env mode checks this in kube-vip's own terms (cp_enable, svc_enable) instead. */
  skipNothingToAnnounce?: boolean;
  /** env mode: the peer strings were cut from one comma-separated bgp_peers. */
  peersFromCommaList?: boolean;
}

export function buildConfig(document: unknown, options: BuildOptions): Result<DaemonConfig, ConfigError[]> {
  const reader = new Reader(options.locate);
  const top = reader.mapping(document ?? {}, '', TOP_LEVEL_KEYS);
  if (!top) return fail(reader.errors);

  const modeWritten = reader.oneOf(top.mode, 'mode', ['bgp', 'arp'] as const);
  const mode = modeWritten ?? 'bgp';
  let asn = reader.check(top.asn, 'asn', checkAsn);
  if (top.asn === undefined) {
    if (mode === 'bgp') reader.report('CONFIG_MISSING', 'asn', "missing: this node's AS number");
    asn = DEFAULTS.arpModeAsn;
  }
  const timers = readTimers(reader, top);
  const gracefulRestart = readGracefulRestart(reader, top.gracefulRestart, options.gracefulRestartByDefault ?? DEFAULTS.gracefulRestart.enabled);
  const listen = readListen(reader, top.listen);

  const vipInterface = reader.check(top.vipInterface, 'vipInterface', checkInterfaceName) ?? DEFAULTS.vipInterface;
  if (mode === 'arp' && vipInterface === 'lo') reader.report('CONFIG_INVALID_VALUE', 'vipInterface', 'arp mode answers ARP on the VIPs\' own network: name that interface, not lo');
  const placement = reader.oneOf(top.vipPlacement, 'vipPlacement', VIP_PLACEMENTS) ?? DEFAULTS.vipPlacement;
  if (mode === 'arp' && placement === 'routes') {
    reader.report('CONFIG_INVALID_VALUE', 'vipPlacement', 'arp mode puts each VIP on vipInterface as an address (with arp.prefixLength): "routes" is for bgp mode');
  }
  const vips = readVips(reader, top.vips);
  const node = readNodeIdentity(reader, top, options.host.listInterfaces, { vips, vipInterface, mode }, asn);

  const defaults: PeerDefaults = { timers };
  const sourceAddress = reader.check(top.sourceAddress, 'sourceAddress', checkIp);
  if (sourceAddress !== undefined) defaults.sourceAddress = sourceAddress;
  const sourceInterface = reader.check(top.sourceInterface, 'sourceInterface', checkInterfaceName);
  if (sourceInterface !== undefined) defaults.sourceInterface = sourceInterface;
  const mpbgp = reader.mapping(top.mpbgp, 'mpbgp', MPBGP_KEYS);
  if (mpbgp) defaults.mpbgp = checkMpbgp(reader, mpbgp, (key) => childPath('mpbgp', key));
  const bfd = reader.mapping(top.bfd, 'bfd', BFD_KEYS);
  if (bfd) defaults.bfd = checkBfd(reader, bfd, (key) => childPath('bfd', key));

  const errorsBeforePeers = reader.errors.length;
  const peers = readPeers(reader, top.peers, 'peers', defaults, options.host, options.peersFromCommaList);
  if (mode === 'bgp' && peers.length === 0 && reader.errors.length === errorsBeforePeers) {
    reader.report('CONFIG_MISSING', 'peers', 'missing: bgp mode needs at least one peer');
  }

  const admin: DaemonConfig['admin'] = readEndpoint(reader, top.admin, 'admin', DEFAULTS.admin, ['healthPort']);
  const healthPort = reader.check((top.admin as Mapping | undefined)?.healthPort, 'admin.healthPort', checkPort);
  if (healthPort !== undefined) admin.healthPort = healthPort;
  const logSection = reader.mapping(top.log, 'log', ['level', 'format']) ?? {};
  const log = {
    level: reader.oneOf(logSection.level, 'log.level', ['debug', 'info', 'warn', 'error'] as const) ?? DEFAULTS.log.level,
    format: reader.oneOf(logSection.format, 'log.format', ['json', 'pretty'] as const) ?? DEFAULTS.log.format,
  };
  const kubernetes = readKubernetes(reader, top.kubernetes);
  const arp = readArp(reader, top.arp, top.mode !== undefined && modeWritten === undefined ? undefined : mode);
  if (mode === 'arp' && kubernetes.leaderElection) {
    reader.report('CONFIG_CONFLICT', 'kubernetes.leaderElection', 'applies to mode: bgp only; ARP mode elects its VIP holders under arp.leaderElection (true by default)');
  }
  // An explicit `vips: []` says "none for now" (VIPs come with a reload); a missing key is a mistake.
  if (!options.skipNothingToAnnounce && top.vips === undefined && !kubernetes.services && !kubernetes.controlPlane) {
    reader.report('CONFIG_MISSING', 'vips', 'nothing to announce: no static VIPs, and neither Kubernetes services nor the control plane are enabled (write `vips: []` to start with none)');
  }

  if (reader.errors.length > 0 || !node) return fail(reader.errors);
  return ok({ mode, node, listen, timers, gracefulRestart, peers, vips: { interface: vipInterface, static: vips, placement }, admin, log, kubernetes, arp });
}


function readTimers(reader: Reader, top: Mapping): Timers {
  const hold = reader.check(top.holdTime, 'holdTime', checkHoldTime);
  const keepalive = reader.check(top.keepaliveTime, 'keepaliveTime', (v) => checkInteger(v, 0, 65535, 'a keepalive time in seconds'));
  const connectRetryTime = reader.check(top.connectRetryTime, 'connectRetryTime', (v) => checkInteger(v, 1, 65535, 'a connect retry time in seconds')) ?? DEFAULTS.connectRetryTime;
  const holdTime = hold ?? DEFAULTS.holdTime;
  const keepaliveTime = keepalive ?? (hold !== undefined ? keepaliveFor(hold) : DEFAULTS.keepaliveTime);
  const problem = (top.holdTime === undefined || hold !== undefined) && (top.keepaliveTime === undefined || keepalive !== undefined) ? timerPairProblem(holdTime, keepaliveTime) : undefined;
  if (problem) reader.report('CONFIG_INVALID_VALUE', 'keepaliveTime', problem);
  return { holdTime, keepaliveTime, connectRetryTime };
}

function readGracefulRestart(reader: Reader, value: unknown, enabledByDefault: boolean): DaemonConfig['gracefulRestart'] {
  const section = reader.mapping(value, 'gracefulRestart', ['enabled', 'restartTime']) ?? {};
  return {
    enabled: reader.boolean(section.enabled, 'gracefulRestart.enabled') ?? enabledByDefault,
    // RFC 4724 §3: the Restart Time field is 12 bits.
    restartTime: reader.check(section.restartTime, 'gracefulRestart.restartTime', (v) => checkInteger(v, 0, 4095, 'a restart time in seconds')) ?? DEFAULTS.gracefulRestart.restartTime,
  };
}

function readListen(reader: Reader, value: unknown): DaemonConfig['listen'] {
  if (value === undefined || value === null) return null;
  return readEndpoint(reader, value, 'listen', DEFAULTS.listen);
}

function readEndpoint(reader: Reader, value: unknown, path: string, defaults: { address: string; port: number }, otherKeys: readonly string[] = []): { address: string; port: number } {
  const section = reader.mapping(value, path, ['address', 'port', ...otherKeys]) ?? {};
  return {
    address: reader.check(section.address, childPath(path, 'address'), checkIp) ?? defaults.address,
    port: reader.check(section.port, childPath(path, 'port'), checkPort) ?? defaults.port,
  };
}

/** Communities of a VIP that has none: one shared list, since a config may hold 100,000 VIPs. */
const NONE: string[] = Object.freeze([]) as unknown as string[];

function readVips(reader: Reader, value: unknown): StaticVip[] {
  const vips: StaticVip[] = [];
  /** Each address's first index, to name it when it comes again. */
  const seen = new Map<string, number>();
  (reader.list(value, 'vips') ?? []).forEach((item, i) => {
    let address: string | undefined;
    let communities = NONE;
    let largeCommunities = NONE;
    if (typeof item === 'string') {
      // A bare address, the usual item: no mapping to read, no path built unless it is wrong.
      const checked = checkVip(item);
      if (checked.ok) address = checked.value;
      else reader.problem(childPath('vips', i), checked.error);
    } else {
      const path = childPath('vips', i);
      const fields = reader.mapping(item, path, ['address', 'communities', 'largeCommunities']);
      if (!fields) return;
      const addressPath = childPath(path, 'address');
      if (fields.address === undefined) reader.report('CONFIG_MISSING', addressPath, 'missing: the VIP address');
      address = reader.check(fields.address, addressPath, checkVip);
      communities = reader.checkedList(fields.communities, childPath(path, 'communities'), checkCommunity);
      largeCommunities = reader.checkedList(fields.largeCommunities, childPath(path, 'largeCommunities'), checkLargeCommunity);
      if (communities.length === 0) communities = NONE;
      if (largeCommunities.length === 0) largeCommunities = NONE;
    }
    if (address === undefined) return;
    const first = seen.get(address);
    if (first !== undefined) return reader.report('CONFIG_DUPLICATE', childPath('vips', i), `VIP ${address} is listed twice (also ${reader.name(childPath('vips', first))})`);
    seen.set(address, i);
    vips.push({ address, communities, largeCommunities });
  });
  return vips;
}

/**
 * routerId as written; else the first IPv4 address of routerInterface (kube-vip's
 * bgp_routerinterface: the first non-loopback IPv4); else the first IPv4 address of the first
 * interface that is neither loopback nor the VIP interface and is not a VIP, so that no two
 * nodes share an id.
 */
function readNodeIdentity(reader: Reader, top: Mapping, listInterfaces: () => InterfaceTable, placed: { vips: StaticVip[]; vipInterface: string; mode: Mode }, asn: number | undefined): NodeIdentity | undefined {
  if (top.routerId !== undefined && top.routerInterface !== undefined) {
    reader.report('CONFIG_CONFLICT', 'routerInterface', 'set routerId or routerInterface, not both');
    return undefined;
  }
  if (top.routerId !== undefined) {
    const routerId = reader.check(top.routerId, 'routerId', checkRouterId);
    return routerId && asn !== undefined ? { asn, routerId, routerIdSource: 'config' } : undefined;
  }
  const table = listInterfaces();
  const isIpv4 = (family: string | number) => family === 'IPv4' || family === 4;
  if (top.routerInterface !== undefined) {
    const name = reader.check(top.routerInterface, 'routerInterface', checkInterfaceName);
    if (name === undefined) return undefined;
    // Own keys only: "constructor" is a valid interface name, and no interface here (found by fuzzing).
    const addresses = Object.hasOwn(table, name) ? table[name] : undefined;
    if (!addresses) {
      reader.report('CONFIG_INVALID_VALUE', 'routerInterface', `no interface named ${JSON.stringify(name)} on this host (found: ${Object.keys(table).join(', ') || 'none'})`);
      return undefined;
    }
    const found = addresses.find((a) => isIpv4(a.family) && !a.address.startsWith('127.'));
    if (!found) {
      reader.report('CONFIG_INVALID_VALUE', 'routerInterface', `interface ${name} has no IPv4 address (other than loopback) to use as the router id: set routerId`);
      return undefined;
    }
    return asn === undefined ? undefined : { asn, routerId: found.address, routerIdSource: 'interface', routerInterface: name };
  }
  const vipAddresses = new Set(placed.vips.map((v) => v.address.split('/')[0]));
  for (const [name, addresses] of Object.entries(table)) {
    // BGP mode's VIP interface is lo, holding only VIPs; ARP mode's is the node's own NIC.
    if (name === placed.vipInterface && placed.mode === 'bgp') continue;
    const found = (addresses ?? []).find((a) => isIpv4(a.family) && !a.internal && !a.address.startsWith('127.') && !vipAddresses.has(a.address));
    if (found) return asn === undefined ? undefined : { asn, routerId: found.address, routerIdSource: 'auto', routerInterface: name };
  }
  // ARP mode has no BGP session: the id is only shown, and an IPv6-only node needs none.
  if (placed.mode === 'arp') return asn === undefined ? undefined : { asn, routerId: ARP_MODE_UNUSED_ROUTER_ID, routerIdSource: 'auto' };
  reader.report('CONFIG_MISSING', 'routerId', 'missing: no interface has an IPv4 address to take the router id from (an IPv6-only node needs one written): set routerId or routerInterface');
  return undefined;
}

/** ARP mode's router id when no interface has an IPv4 address: never sent, as no session runs. */
export const ARP_MODE_UNUSED_ROUTER_ID = '0.0.0.0';

const KUBERNETES_KEYS = [
  'enabled', 'controlPlane', 'services', 'kubeconfig', 'apiServerPort', 'nodeName', 'namespace',
  'loadBalancerClass', 'loadBalancerClassOnly', 'loadBalancerClassLegacyHandling', 'nodeAnnotationPrefix', 'servicesElection', 'controlPlaneCheckInterval', 'leaseDuration', 'renewDeadline', 'retryPeriod', 'client',
  'leaderElection',
  ...KUBERNETES_EXTRA_KEYS,
] as const;

/** kube-vip's defaults (cmd/kube-vip.go flags --namespace, --lbClassName, --lbClassOnly, --lbClassNameLegacyHandling). */
export const KUBERNETES_DEFAULTS: Readonly<KubernetesDefaulted> = {
  namespace: 'kube-system',
  loadBalancerClass: 'kube-vip.io/kube-vip-class',
  loadBalancerClassOnly: false,
  loadBalancerClassLegacyHandling: true,
};

/** The keys a config leaves out when they hold kube-vip's default, filled in. */
export function kubernetesDefaults(settings: KubernetesSettings): KubernetesDefaulted {
  return {
    namespace: settings.namespace ?? KUBERNETES_DEFAULTS.namespace,
    loadBalancerClass: settings.loadBalancerClass ?? KUBERNETES_DEFAULTS.loadBalancerClass,
    loadBalancerClassOnly: settings.loadBalancerClassOnly ?? KUBERNETES_DEFAULTS.loadBalancerClassOnly,
    loadBalancerClassLegacyHandling: settings.loadBalancerClassLegacyHandling ?? KUBERNETES_DEFAULTS.loadBalancerClassLegacyHandling,
  };
}

function readKubernetes(reader: Reader, value: unknown): KubernetesSettings {
  const section = reader.mapping(value, 'kubernetes', KUBERNETES_KEYS) ?? {};
  const controlPlane = reader.boolean(section.controlPlane, 'kubernetes.controlPlane') ?? false;
  const services = reader.boolean(section.services, 'kubernetes.services') ?? false;
  const enabled = reader.boolean(section.enabled, 'kubernetes.enabled');
  if (enabled === false && (controlPlane || services)) {
    reader.report('CONFIG_CONFLICT', 'kubernetes.enabled', `is false, but ${controlPlane ? 'controlPlane' : 'services'} needs the Kubernetes API`);
  }
  const settings: KubernetesSettings = {
    enabled: enabled ?? (controlPlane || services),
    controlPlane,
    services,
    apiServerPort: reader.check(section.apiServerPort, 'kubernetes.apiServerPort', checkPort) ?? DEFAULTS.apiServerPort,
  };
  const kubeconfig = reader.string(section.kubeconfig, 'kubernetes.kubeconfig', { nonEmpty: true });
  if (kubeconfig !== undefined) settings.kubeconfig = kubeconfig;
  const nodeName = reader.check(section.nodeName, 'kubernetes.nodeName', (v) => checkDnsSubdomain(v, 'a node name'));
  if (nodeName !== undefined) settings.nodeName = nodeName;
  const prefix = reader.check(section.nodeAnnotationPrefix, 'kubernetes.nodeAnnotationPrefix', (v) => checkDnsSubdomain(v, 'an annotation prefix'));
  if (prefix !== undefined) settings.nodeAnnotationPrefix = prefix;
  // Stored only when they differ from kube-vip's default: kubernetesDefaults() fills them in.
  const namespace = reader.check(section.namespace, 'kubernetes.namespace', checkDnsLabel);
  if (namespace !== undefined && namespace !== KUBERNETES_DEFAULTS.namespace) settings.namespace = namespace;
  const lbClass = reader.string(section.loadBalancerClass, 'kubernetes.loadBalancerClass');
  if (lbClass !== undefined && lbClass.trim() !== KUBERNETES_DEFAULTS.loadBalancerClass) settings.loadBalancerClass = lbClass.trim();
  const classOnly = reader.boolean(section.loadBalancerClassOnly, 'kubernetes.loadBalancerClassOnly');
  if (classOnly !== undefined && classOnly !== KUBERNETES_DEFAULTS.loadBalancerClassOnly) settings.loadBalancerClassOnly = classOnly;
  const legacy = reader.boolean(section.loadBalancerClassLegacyHandling, 'kubernetes.loadBalancerClassLegacyHandling');
  if (legacy !== undefined && legacy !== KUBERNETES_DEFAULTS.loadBalancerClassLegacyHandling) settings.loadBalancerClassLegacyHandling = legacy;
  if (reader.boolean(section.servicesElection, 'kubernetes.servicesElection') === true) settings.servicesElection = true;
  if (reader.boolean(section.leaderElection, 'kubernetes.leaderElection') === true) settings.leaderElection = true;
  readKubernetesExtra(reader, section, settings);
  readElectionTimings(reader, section, settings);
  const client = readKubeClient(reader, section.client);
  if (client !== undefined) settings.client = client;
  return settings;
}

/**
 * Lease timings as client-go requires them: leaseDuration > renewDeadline > 1.2 x retryPeriod
 * (its jitter factor), whole seconds as kube-vip takes them; 5/3/1 when absent.
 */
function readElectionTimings(reader: Reader, section: Record<string, unknown>, settings: KubernetesSettings): void {
  const read = (key: 'leaseDuration' | 'renewDeadline' | 'retryPeriod') => {
    const v = section[key];
    if (v === undefined) return undefined;
    if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 3600) return v;
    reader.report('CONFIG_INVALID_VALUE', `kubernetes.${key}`, `expected whole seconds 1..3600, got ${JSON.stringify(v)}`);
    return undefined;
  };
  const lease = read('leaseDuration');
  const renew = read('renewDeadline');
  const retry = read('retryPeriod');
  const l = lease ?? 5;
  const r = renew ?? 3;
  const p = retry ?? 1;
  if (l <= r) reader.report('CONFIG_CONFLICT', 'kubernetes.leaseDuration', `must be longer than renewDeadline (${l} s is not more than ${r} s): a leader must give up before its lease can pass on`);
  else if (r <= 1.2 * p) reader.report('CONFIG_CONFLICT', 'kubernetes.renewDeadline', `must be longer than 1.2 x retryPeriod (${r} s, retryPeriod ${p} s), as client-go requires`);
  if (lease !== undefined) settings.leaseDuration = lease;
  if (renew !== undefined) settings.renewDeadline = renew;
  if (retry !== undefined) settings.retryPeriod = retry;
}
