// `vip-speaker manifest daemonset|rbac|pod|servicemonitor|prometheusrule [flags]`: prints the
// manifest as YAML; `manifest rules|dashboard`: the alerting rules as a Prometheus rule file, the
// Grafana dashboard as JSON.
import { buildDashboard } from '../monitoring/index.js';
import { VERSION } from '../version.js';
import { buildDaemonSet } from './daemonset.js';
import type { ManifestError } from './errors.js';
import { MANIFEST_KINDS, parseManifestArgs, type ManifestKind, type ManifestOptions } from './options.js';
import { buildMetricsService, buildPrometheusRule, buildServiceMonitor } from './monitoring.js';
import { buildRbac } from './rbac.js';
import { STATIC_POD_PATH, buildStaticPod } from './static-pod.js';
import { toYaml } from './yaml.js';

/** The line for the usage text of `vip-speaker`. */
export const MANIFEST_USAGE_LINE = 'manifest daemonset|rbac|pod|servicemonitor|prometheusrule|rules|dashboard [flags]';

export const MANIFEST_USAGE = `usage: vip-speaker manifest daemonset|rbac|pod|servicemonitor|prometheusrule [flags]
       vip-speaker manifest rules|dashboard

prints a Kubernetes manifest as YAML: the DaemonSet, its RBAC, or a static pod for
control-plane nodes (${STATIC_POD_PATH}); for the Prometheus operator, a
ServiceMonitor (with the headless Service it scrapes) or the alerting rules as a PrometheusRule.
Give the same flags to all of them. \`rules\` prints the alerting rules as a Prometheus rule
file, \`dashboard\` the Grafana dashboard (JSON); neither takes flags. docs/observability.md
explains the alerts and the panels.

features (at least one; not for servicemonitor and prometheusrule):
  --controlplane              announce the control-plane VIP given by --address
  --address IP[,IP...]        the control-plane VIPs (kube-vip's older --vip also works)
  --port N                    the API server port behind the control-plane VIP (6443)
  --services                  announce the VIPs of LoadBalancer Services
  --servicesElection          per-Service election (adds leases in every namespace to the RBAC)
  --taint                     run on control-plane nodes only (implied by --controlplane)
BGP, the default mode: every node announces its VIPs to its peers (kube-vip's names):
  --localAS N                 this node's AS (65000)
  --bgppeers ADDR:AS::MULTIHOP[,...]   peers, kube-vip's peer strings without passwords
  --peerAddress IP --peerAS N [--multihop]   one more peer
  --peer-password-secret NAME[:KEY]    that peer's TCP MD5 password, from a Secret (key "password")
  --bgpRouterID IP            static pod only: each DaemonSet pod takes its node's own
  --sourceIF NAME, --sourceIP IP, --bgpHoldTimer S, --bgpKeepAliveInterval S
  --annotations PREFIX        each node's AS, source and peers from its Node's annotations
                              (adds reading Nodes to the RBAC)
  --interface NAME            where the VIPs are bound (lo)
ARP mode: one node, elected on a Lease, holds each VIP on the segment (kube-vip's names):
  --arp [--leaderElection]    ARP mode; it always elects, so --leaderElection changes nothing
  --interface NAME            the interface on the VIPs' network (required; not lo)
  --vipSubnet LEN[,LEN6]      the prefix length the VIPs are put on with (32, 128)
  --arp-rate MS               between two gratuitous ARP / NA rounds (30000)
leases (ARP mode; in BGP mode, who writes the Services' status):
  --leaseDuration S, --leaseRenewDuration S, --leaseRetry S   (5, 3, 1)
pod and image:
  --image REF                 (ghcr.io/vip-speaker/vip-speaker:${VERSION})
  --namespace, -n NAME        (kube-system)
  --admin-address loopback|node|IP   where /metrics, /healthz, /readyz listen (loopback);
                              "node": the node's IP, for Prometheus to scrape
  --admin-port N              (9469)
  --keep-routes-on-stop       BGP: leave VIPs and routes in place on SIGTERM (graceful restart)
  --k8sConfigPath PATH        the static pod's kubeconfig on the host (/etc/kubernetes/admin.conf);
                              in ARP mode the first node needs super-admin.conf: see the pod's header
monitoring (servicemonitor, prometheusrule; the ServiceMonitor needs --admin-address node):
  --monitoring-label KEY=VALUE   a label for the Prometheus' selectors, e.g. release=kube-prometheus-stack
                              (repeatable)
  --inCluster, --bgp          accepted for kube-vip command lines (--bgp: the default mode)
`;

/**
 * Runs `vip-speaker manifest ARGS`: `out` gets the YAML one line at a time (without the newline,
 * as the other commands' line callbacks), `err` the problems. Exit code 0, or 2 for bad flags.
 */
export function manifestCommand(args: string[], out: (line: string) => void, err: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): number {
  const [kind, ...rest] = args;
  const help = (word: string | undefined) => word === '--help' || word === '-h' || word === 'help';
  if (help(kind) || (isKind(kind) && rest.some(help))) {
    MANIFEST_USAGE.trimEnd().split('\n').forEach((line) => out(line));
    return 0;
  }
  if (!isKind(kind)) {
    err(`vip-speaker manifest: ${kind === undefined ? 'missing' : `unknown kind ${JSON.stringify(kind)}:`} expected one of ${MANIFEST_KINDS.join(', ')}`);
    MANIFEST_USAGE.trimEnd().split('\n').forEach((line) => err(line));
    return 2;
  }
  const parsed = parseManifestArgs(kind, rest);
  if (!parsed.ok) {
    for (const line of formatManifestErrors(parsed.error)) err(`vip-speaker manifest ${kind}: ${line}`);
    err('(vip-speaker manifest --help lists the flags)');
    return 2;
  }
  const text = renderManifest(kind, parsed.value, [kind, ...rest]);
  text.replace(/\n$/, '').split('\n').forEach((line) => out(line));
  return 0;
}

/** The YAML of one kind of manifest, with a header naming the command that made it. */
export function renderManifest(kind: ManifestKind, o: ManifestOptions, args: readonly string[]): string {
  const header = [`Generated by vip-speaker ${VERSION}: vip-speaker manifest ${args.map(shellWord).join(' ')}`, 'Regenerate it rather than edit it.'];
  switch (kind) {
    case 'daemonset':
      if (o.peerPasswordSecret) {
        header.push(`The peer password comes from Secret ${o.peerPasswordSecret.name}, key ${o.peerPasswordSecret.key}, in namespace ${o.namespace}:`);
        header.push(`  kubectl -n ${o.namespace} create secret generic ${o.peerPasswordSecret.name} --from-file=${o.peerPasswordSecret.key}=PASSWORD_FILE`);
      }
      if (o.mode === 'arp') header.push(...arpHeader(o));
      return toYaml([buildDaemonSet(o)], header);
    case 'rbac':
      if (o.peerPasswordSecret) header.push('No access to Secrets is granted: the kubelet resolves the peer password\'s secretKeyRef itself.');
      return toYaml(buildRbac(o), header);
    case 'pod':
      header.push(`A static pod: install it as ${STATIC_POD_PATH} on every control-plane node.`);
      if (o.mode === 'arp') header.push(...arpHeader(o));
      if (o.mode === 'arp' && o.controlPlane) {
        // static-pod.ts says why, at length.
        header.push(
          `The control-plane VIP is put on only once the Lease plndr-cp-lock is won, with the credentials of ${o.kubeconfig}`,
          'through this node\'s own API server (https://127.0.0.1:PORT), never through the VIP. On kubeadm 1.29+, during',
          'kubeadm init on the first node, only super-admin.conf (system:masters) may write the Lease: give',
          '--k8sConfigPath /etc/kubernetes/super-admin.conf there; the other nodes can use admin.conf.',
        );
      }
      return toYaml([buildStaticPod(o)], header);
    case 'servicemonitor':
      header.push(`Prometheus scrapes every node's admin endpoint on port ${o.adminPort} through the headless Service; the series' instance is the node's name.`);
      return toYaml([buildMetricsService(o), buildServiceMonitor(o)], header);
    case 'prometheusrule':
      header.push('The alerts\' runbooks: docs/observability.md, under each alert\'s name.');
      return toYaml([buildPrometheusRule(o)], header);
    case 'rules':
      header.push('A Prometheus rule file (rule_files:); the runbooks are in docs/observability.md, under each alert\'s name.');
      return toYaml([{ groups: buildPrometheusRule(o).spec.groups }], header);
    case 'dashboard':
      // JSON has no comments: the dashboard's description names the version.
      return `${JSON.stringify(buildDashboard(VERSION), null, 2)}\n`;
  }
}

function arpHeader(o: ManifestOptions): string[] {
  return [`ARP mode: the elected node puts the VIPs on ${o.vipInterface ?? ''}; every node this runs on needs ${o.vipInterface ?? ''} on the VIPs' network.`];
}

export function formatManifestErrors(errors: readonly ManifestError[]): string[] {
  return errors.map((e) => `${e.flag === '' ? '' : `${e.flag}: `}${e.message} [${e.code}]`);
}

function isKind(kind: string | undefined): kind is ManifestKind {
  return (MANIFEST_KINDS as readonly string[]).includes(kind ?? '');
}

/** An argument as a POSIX shell would need it written. */
function shellWord(arg: string): string {
  return /^[-\w.,:/=@[\]]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
