// Shared by the manifest tests: flags to options, and an env block resolved as the kubelet would.
import type { V1Container, V1EnvVar } from '@kubernetes/client-node';
import { buildDaemonSet, buildMetricsService, buildPrometheusRule, buildRbac, buildServiceMonitor, buildStaticPod, parseManifestArgs, type ManifestKind, type ManifestOptions } from '../../../src/manifest/index.js';

/** kube-vip's flags for a BGP DaemonSet, with documentation addresses (RFC 5737, RFC 3849). */
export const PEERS = ['--localAS', '65010', '--bgppeers', '192.0.2.1:65001::false,192.0.2.2:65001::false'];
export const SERVICES = ['--services', ...PEERS];
export const CONTROL_PLANE = ['--controlplane', '--address', '192.0.2.10', ...PEERS];
/** kube-vip's flags for ARP mode: `manifest daemonset --arp --interface eth0 --leaderElection ...`. */
export const ARP = ['--arp', '--interface', 'eth0', '--leaderElection'];
export const ARP_CONTROL_PLANE = [...ARP, '--controlplane', '--address', '192.0.2.10'];

/** Parses the flags and expects success. */
export function options(args: string[], kind: ManifestKind = 'daemonset'): ManifestOptions {
  const parsed = parseManifestArgs(kind, args);
  if (!parsed.ok) throw new Error(`expected valid flags, got:\n${parsed.error.map((e) => `${e.flag}: ${e.message}`).join('\n')}`);
  return parsed.value;
}

/** Parses the flags and expects failure: "flag code" per problem. */
export function problems(args: string[], kind: ManifestKind = 'daemonset'): string[] {
  const parsed = parseManifestArgs(kind, args);
  if (parsed.ok) throw new Error('expected errors, got valid flags');
  return parsed.error.map((e) => `${e.flag} ${e.code}`);
}

export function container(args: string[], kind: 'daemonset' | 'pod' = 'daemonset'): V1Container {
  const spec = kind === 'daemonset' ? buildDaemonSet(options(args, kind)).spec!.template.spec! : buildStaticPod(options(args, kind)).spec!;
  return spec.containers[0]!;
}

/**
 * The variables the process sees: valueFrom resolved (the node's IP, a Secret's key) and $(NAME)
 * references to earlier variables expanded, as the kubelet does.
 */
export function resolveEnv(env: readonly V1EnvVar[], sources: { hostIP?: string; secrets?: Record<string, string> } = {}): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const v of env) {
    if (v.valueFrom?.fieldRef?.fieldPath === 'status.hostIP') resolved[v.name] = sources.hostIP ?? '198.51.100.7';
    else if (v.valueFrom?.fieldRef?.fieldPath === 'spec.nodeName') resolved[v.name] = 'node-1';
    else if (v.valueFrom?.secretKeyRef) {
      const ref = v.valueFrom.secretKeyRef;
      const value = sources.secrets?.[`${ref.name}/${ref.key}`];
      if (value === undefined) throw new Error(`no secret ${ref.name}/${ref.key} given`);
      resolved[v.name] = value;
    } else if (v.valueFrom) throw new Error(`unexpected valueFrom in ${v.name}`);
    else resolved[v.name] = (v.value ?? '').replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => resolved[name] ?? whole);
  }
  return resolved;
}

/** Every kind of object the generator makes, over the flag combinations that change their shape. */
export function everyObject(): Array<{ label: string; object: { kind?: string } }> {
  const combos: Array<[string, string[]]> = [
    ['services', SERVICES],
    ['control plane', CONTROL_PLANE],
    ['everything', [...CONTROL_PLANE, '--services', '--servicesElection', '--peerAddress', '2001:db8::1', '--peerAS', '65002', '--multihop', '--peer-password-secret', 'bgp-md5:tor', '--admin-address', 'node', '--admin-port', '9470', '--keep-routes-on-stop', '--interface', 'lo', '--sourceIF', 'eth0', '--bgpHoldTimer', '9', '--bgpKeepAliveInterval', '3', '-n', 'vip-speaker']],
    ['BGP with kube-vip\'s elections, K3s flags', [...CONTROL_PLANE, '--services', '--servicesElection', '--leaderElection', '--inCluster', '--taint', '--bgp', '--graceful-restart', '--leaseDuration', '10', '--leaseRenewDuration', '6']],
    ['ARP services', [...ARP, '--services']],
    ['ARP everything', [...ARP_CONTROL_PLANE, '--services', '--servicesElection', '--vipSubnet', '24,64', '--arp-rate', '3000', '--leaseDuration', '15', '--leaseRenewDuration', '10', '--leaseRetry', '2', '--admin-address', 'node', '-n', 'vip-speaker']],
  ];
  const all: Array<{ label: string; object: { kind?: string } }> = [];
  for (const [name, args] of combos) {
    all.push({ label: `DaemonSet (${name})`, object: buildDaemonSet(options(args)) });
    for (const o of buildRbac(options(args, 'rbac'))) all.push({ label: `${o.kind} ${o.metadata?.name} (${name})`, object: o });
    // A static pod cannot read a Secret; in BGP mode it may name its router ID.
    // A static pod has no service account: --inCluster is for the DaemonSet.
    const podArgs = (args.includes('--arp') ? args : [...withoutFlag(args, '--peer-password-secret'), '--bgpRouterID', '198.51.100.7']).filter((a) => a !== '--inCluster');
    all.push({ label: `static Pod (${name})`, object: buildStaticPod(options(podArgs, 'pod')) });
  }
  // The monitoring objects depend on the namespace, the admin port and the selectors' labels only.
  for (const [name, args] of [
    ['defaults', ['--admin-address', 'node']],
    ['everything', ['--admin-address', 'node', '--admin-port', '9470', '-n', 'monitoring', '--monitoring-label', 'release=kube-prometheus-stack', '--monitoring-label', 'example.com/team=network']],
  ] as Array<[string, string[]]>) {
    all.push({ label: `metrics Service (${name})`, object: buildMetricsService(options(args, 'servicemonitor')) });
    all.push({ label: `ServiceMonitor (${name})`, object: buildServiceMonitor(options(args, 'servicemonitor')) });
    all.push({ label: `PrometheusRule (${name})`, object: buildPrometheusRule(options(args, 'prometheusrule')) });
  }
  return all;
}

/** `args` less a flag and its value. */
export function withoutFlag(args: readonly string[], flag: string): string[] {
  const at = args.indexOf(flag);
  return at < 0 ? [...args] : [...args.slice(0, at), ...args.slice(at + 2)];
}
