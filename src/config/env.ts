// kube-vip's environment variables, so that `vip-speaker run` replaces kube-vip in a manifest
// with its env block unchanged. Names, defaults and parsing follow kube-vip's
// pkg/kubevip/config_envvar.go, config_environment.go and cmd/kube-vip.go: a variable set to ""
// counts as unset, booleans are Go's strconv.ParseBool, numbers strconv.ParseUint.
//
// The variables become a document shaped like the config file, checked by the same code;
// errors are then named by the variable they came from (`bgp_peers[1]`, `bgp_as`).
import { isIP } from 'node:net';
import { fail, ok, type Result } from '../result.js';
import { MAX_REFRESH_INTERVAL_MS, MIN_REFRESH_INTERVAL_MS } from './arp.js';
import { readKubernetesVariables } from './env-kubernetes.js';
import { configError } from './errors.js';
import { KUBE_VIP_VARIABLE_NAMES, kubeVipRefusals } from './kube-vip.js';
import { splitPeerList } from './peer-string.js';
import type { Locator } from './reader.js';
import type { ConfigError, DaemonConfig, HostAccess, Mode } from './types.js';
import { buildConfig } from './validate.js';
import { goParseBool, goParseUint } from './values.js';

/** The kube-vip variables vip-speaker reads; any of them set means "configured by environment". */
export const KUBE_VIP_VARIABLES = [
  'bgp_enable', 'vip_arp', 'bgp_routerid', 'bgp_routerinterface', 'bgp_as', 'bgp_peers', 'bgp_peeraddress',
  'bgp_peeras', 'bgp_peerpass', 'bgp_multihop', 'bgp_sourceip', 'bgp_sourceif', 'bgp_hold_time',
  'bgp_keepalive_interval', 'mpbgp_nexthop', 'mpbgp_ipv4', 'mpbgp_ipv6', 'vip_interface', 'address', 'vip_address',
  'vip_cidr', 'vip_subnet', 'prometheus_server', 'vip_loglevel', 'cp_enable', 'svc_enable', 'k8s_config_file', 'port',
  'vip_nodename', 'cp_namespace', 'annotation', 'lb_class_name', 'lb_class_only', 'lb_class_legacy_handling', 'svc_election', 'vip_leaseduration', 'vip_renewdeadline', 'vip_retryperiod',
  'vip_leaderelection', 'vip_arpRate',
] as const;

/**
 * vip-speaker's own variables for what kube-vip has no variable for, read in env mode only:
 * graceful restart (RFC 4724), off unless asked for, as kube-vip has none.
 */
export const GRACEFUL_RESTART_VARIABLE = 'VIP_SPEAKER_GRACEFUL_RESTART';
export const GRACEFUL_RESTART_TIME_VARIABLE = 'VIP_SPEAKER_GRACEFUL_RESTART_TIME';

/** kube-vip's flag defaults (cmd/kube-vip.go) that its env-only deployments run with. */
export const KUBE_VIP_DEFAULTS = { localAs: '65000', peerAs: '65000', holdTime: '30', keepaliveInterval: '10', apiServerPort: '6443' } as const;

/** kube-vip's vip_arpRate when unset, and what it uses instead of a rate under 500 ms. */
const KUBE_VIP_ARP_RATE_MS = 3000;

/** Document paths → variable names; exact entries first, then the longest prefix. */
const FIXED_NAMES: Record<string, string> = {
  mode: 'bgp_enable', asn: 'bgp_as', routerId: 'bgp_routerid', routerInterface: 'bgp_routerinterface',
  holdTime: 'bgp_hold_time', keepaliveTime: 'bgp_keepalive_interval', sourceAddress: 'bgp_sourceip',
  sourceInterface: 'bgp_sourceif', mpbgp: 'mpbgp_nexthop', 'mpbgp.nexthop': 'mpbgp_nexthop', 'mpbgp.ipv4': 'mpbgp_ipv4',
  'mpbgp.ipv6': 'mpbgp_ipv6', peers: 'bgp_peers', vipInterface: 'vip_interface', vips: 'address', admin: 'prometheus_server',
  'admin.address': 'prometheus_server', 'admin.port': 'prometheus_server', 'log.level': 'vip_loglevel',
  'kubernetes.controlPlane': 'cp_enable', 'kubernetes.services': 'svc_enable', 'kubernetes.kubeconfig': 'k8s_config_file',
  'kubernetes.apiServerPort': 'port', 'kubernetes.nodeName': 'vip_nodename', 'kubernetes.namespace': 'cp_namespace',
  'kubernetes.nodeAnnotationPrefix': 'annotation', 'kubernetes.loadBalancerClass': 'lb_class_name',
  'kubernetes.loadBalancerClassOnly': 'lb_class_only', 'kubernetes.loadBalancerClassLegacyHandling': 'lb_class_legacy_handling',
  'kubernetes.servicesElection': 'svc_election', 'kubernetes.leaseDuration': 'vip_leaseduration',
  'kubernetes.renewDeadline': 'vip_renewdeadline', 'kubernetes.retryPeriod': 'vip_retryperiod',
  arp: 'vip_arp', 'arp.prefixLength': 'vip_subnet', 'arp.prefixLength.ipv4': 'vip_subnet', 'arp.prefixLength.ipv6': 'vip_subnet',
  'arp.refreshInterval': 'vip_arpRate', 'arp.leaderElection': 'vip_leaderelection',
  'kubernetes.leaderElection': 'vip_leaderelection',
  gracefulRestart: GRACEFUL_RESTART_VARIABLE, 'gracefulRestart.enabled': GRACEFUL_RESTART_VARIABLE,
  'gracefulRestart.restartTime': GRACEFUL_RESTART_TIME_VARIABLE,
};

/** Messages name file keys; in env mode they name the variables instead. */
const MESSAGE_NAMES: [RegExp, string][] = [
  [/\brouterId\b/g, 'bgp_routerid'], [/\brouterInterface\b/g, 'bgp_routerinterface'],
  [/\bsourceAddress\b/g, 'bgp_sourceip'], [/\bsourceInterface\b/g, 'bgp_sourceif'],
];

type Env = HostAccess['env'];

/** A variable's value; "" counts as unset, as in kube-vip (`if env != ""`). */
const read = (env: Env, name: string): string | undefined => (env[name] === '' ? undefined : env[name]);

/** Whether any kube-vip variable is set. */
export function hasKubeVipEnvironment(env: Env): boolean {
  return KUBE_VIP_VARIABLES.some((name) => read(env, name) !== undefined) || KUBE_VIP_VARIABLE_NAMES.some((name) => read(env, name) !== undefined);
}

/** The configuration from kube-vip's environment variables alone. */
export function configFromEnv(host: HostAccess): Result<DaemonConfig, ConfigError[]> {
  const env = host.env;
  const errors: ConfigError[] = [];
  const names = new Map(Object.entries(FIXED_NAMES));
  const bool = (name: string): boolean | undefined => {
    const text = read(env, name);
    if (text === undefined) return undefined;
    const value = goParseBool(text);
    if (value === undefined) errors.push(configError('CONFIG_INVALID_VALUE', name, `expected a boolean as Go's strconv.ParseBool reads it (true, false, 1, 0, t, f, TRUE, FALSE, ...), got ${JSON.stringify(text)}`));
    return value;
  };

  if (!hasKubeVipEnvironment(env)) {
    return fail([configError('CONFIG_MISSING', '', 'no configuration: give a config file, or kube-vip\'s environment variables (bgp_enable=true, bgp_as, bgp_peers, address, ...)')]);
  }
  const bgp = bool('bgp_enable');
  const arp = bool('vip_arp');
  // kube-vip decides ARP first and BGP after, so BGP wins when both are on.
  const doc: Record<string, unknown> = { mode: !bgp && arp ? 'arp' : 'bgp' };
  if (!bgp && !arp && !errors.some((e) => e.path === 'bgp_enable' || e.path === 'vip_arp')) {
    errors.push(configError('CONFIG_MISSING', 'bgp_enable', 'neither bgp_enable nor vip_arp is true: set bgp_enable=true (or give a config file)'));
  }

  doc.asn = read(env, 'bgp_as') ?? KUBE_VIP_DEFAULTS.localAs;
  // kube-vip reads bgp_routerinterface first and lets bgp_routerid overwrite it.
  const routerId = read(env, 'bgp_routerid');
  if (routerId !== undefined) doc.routerId = routerId;
  else if (read(env, 'bgp_routerinterface') !== undefined) doc.routerInterface = read(env, 'bgp_routerinterface');
  doc.holdTime = read(env, 'bgp_hold_time') ?? KUBE_VIP_DEFAULTS.holdTime;
  const keepalive = read(env, 'bgp_keepalive_interval');
  const hold = goParseUint(String(doc.holdTime), 32);
  // kube-vip's keepalive is 10 whatever the hold time; kept where it fits in a third of it.
  if (keepalive !== undefined) doc.keepaliveTime = keepalive;
  else if (hold !== undefined) doc.keepaliveTime = String(Math.min(Number(KUBE_VIP_DEFAULTS.keepaliveInterval), Math.floor(hold / 3)));
  copy(env, doc, 'bgp_sourceip', 'sourceAddress');
  copy(env, doc, 'bgp_sourceif', 'sourceInterface');
  const mpbgp: Record<string, unknown> = {};
  copy(env, mpbgp, 'mpbgp_nexthop', 'nexthop');
  copy(env, mpbgp, 'mpbgp_ipv4', 'ipv4');
  copy(env, mpbgp, 'mpbgp_ipv6', 'ipv6');
  if (Object.keys(mpbgp).length > 0) doc.mpbgp = mpbgp;

  const peers: unknown[] = [];
  for (const entry of splitPeerList(read(env, 'bgp_peers') ?? '')) {
    names.set(`peers[${peers.length}]`, `bgp_peers[${entry.index}]`);
    peers.push(entry.text);
  }
  const peerAddress = read(env, 'bgp_peeraddress');
  // kube-vip parses these even when bgp_peeraddress is unset, and stops on a bad value.
  const multihop = bool('bgp_multihop');
  const peerAs = read(env, 'bgp_peeras');
  if (peerAddress === undefined && peerAs !== undefined && goParseUint(peerAs, 32) === undefined) {
    errors.push(configError('CONFIG_INVALID_VALUE', 'bgp_peeras', `expected an AS number 1..4294967295, got ${JSON.stringify(peerAs)}`));
  }
  if (peerAddress !== undefined) {
    // kube-vip appends this one peer after those of bgp_peers (config_environment.go).
    const at = `peers[${peers.length}]`;
    for (const [field, name] of [['', 'bgp_peeraddress'], ['.address', 'bgp_peeraddress'], ['.asn', 'bgp_peeras'], ['.password', 'bgp_peerpass'], ['.multihop', 'bgp_multihop']]) {
      names.set(at + field, name!);
    }
    const peer: Record<string, unknown> = { address: peerAddress, asn: peerAs ?? KUBE_VIP_DEFAULTS.peerAs };
    const password = read(env, 'bgp_peerpass');
    if (password !== undefined) peer.password = password;
    if (multihop !== undefined) peer.multihop = multihop;
    peers.push(peer);
  }
  doc.peers = peers;

  copy(env, doc, 'vip_interface', 'vipInterface');
  const controlPlane = bool('cp_enable') ?? false;
  const services = bool('svc_enable') ?? false;
  const kubernetes: Record<string, unknown> = { controlPlane, services, apiServerPort: read(env, 'port') ?? KUBE_VIP_DEFAULTS.apiServerPort };
  copy(env, kubernetes, 'k8s_config_file', 'kubeconfig');
  copy(env, kubernetes, 'vip_nodename', 'nodeName');
  copy(env, kubernetes, 'cp_namespace', 'namespace');
  copy(env, kubernetes, 'annotation', 'nodeAnnotationPrefix');
  for (const [variable, key] of [['vip_leaseduration', 'leaseDuration'], ['vip_renewdeadline', 'renewDeadline'], ['vip_retryperiod', 'retryPeriod']] as const) {
    const v = read(env, variable);
    if (v !== undefined) kubernetes[key] = /^\d+$/.test(v) ? Number(v) : v;
  }
  // kube-vip reads the class settings only when svc_enable is set at all, and lb_class_name even
  // when it is empty (os.LookupEnv): "" then serves only Services that name no class.
  if (read(env, 'svc_enable') !== undefined) {
    if (env.lb_class_name !== undefined) kubernetes.loadBalancerClass = env.lb_class_name;
    const classOnly = bool('lb_class_only');
    if (classOnly !== undefined) kubernetes.loadBalancerClassOnly = classOnly;
    const legacy = bool('lb_class_legacy_handling');
    if (legacy !== undefined) kubernetes.loadBalancerClassLegacyHandling = legacy;
    if (bool('svc_election') === true) kubernetes.servicesElection = true;
  }
  doc.kubernetes = kubernetes;
  if (!controlPlane && !services) {
    errors.push(configError('CONFIG_MISSING', 'cp_enable', 'neither cp_enable nor svc_enable is true: nothing to announce (kube-vip stops with "no features are enabled" the same way)'));
  }
  doc.vips = controlPlane ? controlPlaneVips(env, errors, names) : [];
  // kube-vip parses these in every mode and stops on a bad one; only ARP mode uses them.
  const leaderElection = bool('vip_leaderelection');
  const arpRate = arpRateMs(env, errors);
  if (doc.mode === 'arp') {
    const arp: Record<string, unknown> = {};
    const prefixLength = subnetPrefixLengths(env, errors);
    if (prefixLength) arp.prefixLength = prefixLength;
    if (arpRate !== undefined) arp.refreshInterval = arpRate / 1000;
    if (leaderElection !== undefined) arp.leaderElection = leaderElection;
    if (Object.keys(arp).length > 0) doc.arp = arp;
  } else {
    checkHostSubnets(env, errors);
    // BGP mode as kube-vip runs it: with vip_leaderelection only the holder of plndr-cp-lock
    // announces the control-plane VIP (kube-vip's StartCluster); without cp_enable it elects nothing.
    if (leaderElection === true && controlPlane) kubernetes.leaderElection = true;
  }
  const gracefulRestart = gracefulRestartFromEnv(env, bool, errors);
  if (gracefulRestart) doc.gracefulRestart = gracefulRestart;

  const prometheus = read(env, 'prometheus_server');
  if (prometheus !== undefined) {
    const admin = listenAddress(prometheus);
    if (admin) doc.admin = admin;
    else errors.push(configError('CONFIG_INVALID_VALUE', 'prometheus_server', `expected host:port with an IP address or an empty host (":2112"), got ${JSON.stringify(prometheus)}`));
  }
  const logLevel = read(env, 'vip_loglevel');
  if (logLevel !== undefined) {
    const level = slogLevel(logLevel);
    if (level) doc.log = { level };
    else errors.push(configError('CONFIG_INVALID_VALUE', 'vip_loglevel', `expected an integer log level as kube-vip's log/slog uses (-4 debug, 0 info, 4 warn, 8 error), got ${JSON.stringify(logLevel)}`));
  }

  // The Kubernetes-side variables of kube-vip.ts's table, and the refusals it decides.
  readKubernetesVariables(env, doc.mode as Mode, doc, kubernetes, errors, names);
  errors.push(...kubeVipRefusals(env, doc.mode as Mode));

  const built = buildConfig(doc, { host, locate: envLocator(names), gracefulRestartByDefault: false, skipNothingToAnnounce: true, peersFromCommaList: true });
  const all = [...errors, ...(built.ok ? [] : built.error.map(renameInMessage))];
  return all.length > 0 ? fail(all) : ok((built as { ok: true; value: DaemonConfig }).value);
}

/** VIP_SPEAKER_GRACEFUL_RESTART (a Go boolean) and VIP_SPEAKER_GRACEFUL_RESTART_TIME (seconds), as the file's gracefulRestart. */
function gracefulRestartFromEnv(env: Env, bool: (name: string) => boolean | undefined, errors: ConfigError[]): Record<string, unknown> | undefined {
  const enabled = bool(GRACEFUL_RESTART_VARIABLE);
  const restartTime = read(env, GRACEFUL_RESTART_TIME_VARIABLE);
  if (restartTime !== undefined && enabled !== true) {
    errors.push(configError('CONFIG_CONFLICT', GRACEFUL_RESTART_TIME_VARIABLE, `is set, but ${GRACEFUL_RESTART_VARIABLE} is not true: graceful restart is off in env mode unless ${GRACEFUL_RESTART_VARIABLE}=true`));
    return undefined;
  }
  if (enabled === undefined) return undefined;
  return { enabled, ...(restartTime !== undefined ? { restartTime } : {}) };
}

function copy(env: Env, target: Record<string, unknown>, name: string, key: string): void {
  const value = read(env, name);
  if (value !== undefined) target[key] = value;
}

/** `address` (or the deprecated `vip_address`): comma-separated, spaces trimmed, as pkg/vip's Split. */
function controlPlaneVips(env: Env, errors: ConfigError[], names: Map<string, string>): string[] {
  const address = read(env, 'address');
  const vipAddress = read(env, 'vip_address');
  const split = (text: string) => text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (address !== undefined && vipAddress !== undefined && split(address).join(',') !== split(vipAddress).join(',')) {
    errors.push(configError('CONFIG_CONFLICT', 'address', 'address and vip_address are both set and differ: set address only (kube-vip deprecates vip_address)'));
    return [];
  }
  const source = address !== undefined ? 'address' : 'vip_address';
  const text = address ?? vipAddress;
  if (text === undefined) {
    errors.push(configError('CONFIG_MISSING', 'address', 'missing: cp_enable is true, but neither address nor vip_address gives the control-plane VIP'));
    return [];
  }
  const vips: string[] = [];
  split(text).forEach((entry, i) => {
    const bare = entry.replace(/\/\d+$/, '');
    if (isIP(bare) === 0 && /^[a-z0-9.-]+$/i.test(bare) && /[a-z]/i.test(bare)) {
      errors.push(configError('CONFIG_UNSUPPORTED', `${source}[${i}]`, `${JSON.stringify(entry)} is a DNS name: kube-vip resolves it, vip-speaker takes IP addresses only`));
      return;
    }
    names.set(`vips[${vips.length}]`, `${source}[${i}]`);
    vips.push(entry);
  });
  return vips;
}

/** bgp mode: vip_cidr (older kube-vip) and vip_subnet give the announced prefix; host routes are all vip-speaker announces. */
function checkHostSubnets(env: Env, errors: ConfigError[]): void {
  for (const name of ['vip_cidr', 'vip_subnet']) {
    const text = read(env, name);
    if (text === undefined) continue;
    const wrong = text.split(',').map((s) => s.trim().replace(/^\//, '')).find((s) => s !== '32' && s !== '128');
    if (wrong !== undefined) {
      errors.push(configError('CONFIG_UNSUPPORTED', name, `vip-speaker announces host routes only (32 for IPv4, 128 for IPv6), got ${JSON.stringify(wrong)}`));
    }
  }
}

/**
 * arp mode: vip_subnet as kube-vip's SelectSubnet (pkg/vip/address.go) reads it: "24", or
 * "24,64" with IPv4's first and IPv6's second. kube-vip gives a single value to both families;
 * here it goes to the one it fits best (up to 32 IPv4's, above IPv6's), so that the common "32"
 * does not put an IPv6 VIP on as a /32 with an on-link route for the whole /32. vip_cidr is not
 * read: kube-vip only ever used it for the prefix announced over BGP.
 */
function subnetPrefixLengths(env: Env, errors: ConfigError[]): { ipv4?: number; ipv6?: number } | undefined {
  const text = read(env, 'vip_subnet');
  if (text === undefined) return undefined;
  // Lenient where kube-vip is strict: spaces, and the "/24" its flag help shows.
  const parts = text.split(',').map((s) => s.trim().replace(/^\//, ''));
  if (parts.includes('auto')) {
    errors.push(configError('CONFIG_UNSUPPORTED', 'vip_subnet', `"auto" (kube-vip finds each Service's subnet on the interface) is not supported: write the prefix lengths, e.g. "24" or "24,64", got ${JSON.stringify(text)}`));
    return undefined;
  }
  if (parts.length > 2 || parts.some((p) => !/^\d{1,3}$/.test(p))) {
    errors.push(configError('CONFIG_INVALID_VALUE', 'vip_subnet', `expected one prefix length ("24") or two, IPv4's then IPv6's ("24,64"), got ${JSON.stringify(text)}`));
    return undefined;
  }
  const [first, second] = parts.map(Number) as [number, number | undefined];
  if (second !== undefined) return { ipv4: first, ipv6: second };
  return first <= 32 ? { ipv4: first } : { ipv6: first };
}

/**
 * vip_arpRate: kube-vip's milliseconds between two ARP / NA rounds (strconv.ParseInt, 32 bits).
 * kube-vip replaces a rate under 500 ms with 3,000 ms and carries on; so does vip-speaker.
 */
function arpRateMs(env: Env, errors: ConfigError[]): number | undefined {
  const text = read(env, 'vip_arpRate');
  if (text === undefined) return undefined;
  const n = /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < -(2 ** 31) || n >= 2 ** 31) {
    errors.push(configError('CONFIG_INVALID_VALUE', 'vip_arpRate', `expected whole milliseconds as kube-vip's strconv.ParseInt reads them (e.g. 3000), got ${JSON.stringify(text)}`));
    return undefined;
  }
  if (n < MIN_REFRESH_INTERVAL_MS) return KUBE_VIP_ARP_RATE_MS;
  if (n > MAX_REFRESH_INTERVAL_MS) {
    errors.push(configError('CONFIG_INVALID_VALUE', 'vip_arpRate', `expected at most ${MAX_REFRESH_INTERVAL_MS} ms (an hour) between two rounds, got ${JSON.stringify(text)}`));
    return undefined;
  }
  return n;
}

/** Go's listen address "host:port"; an empty host means every address. */
function listenAddress(text: string): { address: string; port: string } | undefined {
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d+)$/.exec(text.trim());
  if (!m) return undefined;
  const host = m[1] ?? m[2] ?? '';
  const address = host === '' ? '::' : host === 'localhost' ? '127.0.0.1' : host;
  return isIP(address) ? { address, port: m[3]! } : undefined;
}

/** kube-vip's vip_loglevel is a log/slog level: -4 debug, 0 info, 4 warn, 8 error. */
function slogLevel(text: string): 'debug' | 'info' | 'warn' | 'error' | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n <= -4 ? 'debug' : n < 4 ? 'info' : n < 8 ? 'warn' : 'error';
}

function envLocator(names: Map<string, string>): Locator {
  return (path) => {
    const exact = names.get(path);
    if (exact !== undefined) return { path: exact };
    let best = '';
    for (const key of names.keys()) {
      if (key.length > best.length && (path.startsWith(`${key}.`) || path.startsWith(`${key}[`))) best = key;
    }
    return { path: best === '' ? path : names.get(best)! + path.slice(best.length) };
  };
}

function renameInMessage(error: ConfigError): ConfigError {
  let message = error.message;
  for (const [pattern, name] of MESSAGE_NAMES) message = message.replace(pattern, name);
  return { ...error, message };
}
