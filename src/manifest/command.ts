// `vip-speaker manifest daemonset|rbac|pod|servicemonitor|prometheusrule [flags]`: prints the
// manifest as YAML; `manifest rules|dashboard`: the alerting rules as a Prometheus rule file, the
// Grafana dashboard as JSON.
import { buildDashboard } from '../monitoring/index.js';
import { VERSION } from '../version.js';
import { buildDaemonSet } from './daemonset.js';
import type { ManifestError } from './errors.js';
import { MANIFEST_KINDS, UNPUBLISHED_IMAGE_NOTE, parseManifestArgs, type ManifestKind, type ManifestOptions } from './options.js';
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
  --servicesElection          per-Service election (adds leases in every namespace to the RBAC);
                              in BGP mode the elected node alone announces the Service's VIPs
  --taint                     run on control-plane nodes only (implied by --controlplane)
  --leaseName NAME            the control-plane Lease (plndr-cp-lock), in --namespace
  --servicesLeaseName NAME    the services Lease (plndr-svcs-lock), in --namespace
  --enableNodeLabeling        label the node holding the control-plane VIP kube-vip.io/has-ip
BGP, the default mode: every node announces its VIPs to its peers (kube-vip's names):
  --leaderElection            only the elected node announces the control-plane VIP (as kube-vip)
  --localAS N                 this node's AS (65000)
  --bgppeers ADDR:AS::MULTIHOP[,...]   peers, kube-vip's peer strings without passwords
  --peerAddress IP --peerAS N [--multihop]   one more peer
  --peer-password-secret NAME[:KEY]    that peer's TCP MD5 password, from a Secret (key "password")
  --bgpRouterID IP            static pod only: each DaemonSet pod takes its node's own
  --sourceIF NAME, --sourceIP IP, --bgpHoldTimer S, --bgpKeepAliveInterval S
  --graceful-restart          RFC 4724 (VIP_SPEAKER_GRACEFUL_RESTART; kube-vip has none)
  --annotations PREFIX        each node's AS, source and peers from its Node's annotations
                              (adds reading Nodes to the RBAC)
  --interface NAME            where the VIPs are bound (lo)
ARP mode: one node, elected on a Lease, holds each VIP on the segment (kube-vip's names):
  --arp [--leaderElection]    ARP mode; it always elects, so --leaderElection changes nothing
  --interface NAME            the interface on the VIPs' network (required; not lo)
  --vipSubnet LEN[,LEN6]      the prefix length the VIPs are put on with (32, 128)
  --arp-rate MS               between two gratuitous ARP / NA rounds (30000)
leases (ARP mode; BGP mode: who writes the Services' status, and with --leaderElection or
--servicesElection who announces):
  --leaseDuration S, --leaseRenewDuration S, --leaseRetry S   (5, 3, 1)
pod and image:
  --image REF                 give it: the default, ghcr.io/vip-speaker/vip-speaker:${VERSION},
                              is not published yet (build the image from the Dockerfile)
  --namespace, -n NAME        (kube-system)
  --admin-address loopback|node|IP   where /metrics, /healthz, /readyz listen (loopback);
                              "node": the node's IP, for Prometheus to scrape
  --admin-port N              (9469)
  --keep-routes-on-stop       BGP: leave VIPs and routes in place on SIGTERM (implies --graceful-restart)
  --k8sConfigPath PATH        the static pod's kubeconfig on the host (/etc/kubernetes/admin.conf),
                              mounted at /etc/kubernetes/admin.conf; with an election (ARP mode, or
                              --leaderElection) the first kubeadm 1.29+ node needs super-admin.conf
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
  if (runsImage(kind) && !parsed.value.imageGiven) err(`vip-speaker manifest ${kind}: note: ${UNPUBLISHED_IMAGE_NOTE}`);
  return 0;
}

/** The kinds that name the image. */
function runsImage(kind: ManifestKind): boolean {
  return kind === 'daemonset' || kind === 'pod';
}

/** The YAML of one kind of manifest, with a header naming the command that made it. */
export function renderManifest(kind: ManifestKind, o: ManifestOptions, args: readonly string[]): string {
  const header = [`Generated by vip-speaker ${VERSION}: vip-speaker manifest ${args.map(shellWord).join(' ')}`, 'Regenerate it rather than edit it.'];
  if (runsImage(kind) && !o.imageGiven) header.push(`The image: ${UNPUBLISHED_IMAGE_NOTE}.`);
  if (o.mode === 'bgp' && runsImage(kind)) header.push(...bgpElectionHeader(o));
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
      header.push(`It mounts the host's ${o.kubeconfig} at /etc/kubernetes/admin.conf, as kube-vip's static pod does.`);
      if (o.controlPlane && (o.mode === 'arp' || o.leaderElection)) {
        // static-pod.ts says why, at length.
        header.push(
          `The control-plane VIP is ${o.mode === 'arp' ? 'put on' : 'announced'} only once the Lease plndr-cp-lock is won, with the credentials of ${o.kubeconfig}`,
          'through this node\'s own API server (https://127.0.0.1:PORT), never through the VIP. On kubeadm 1.29+, during',
          'kubeadm init on the first node, only super-admin.conf (system:masters) may write the Lease: give',
          '--k8sConfigPath /etc/kubernetes/super-admin.conf there (kube-vip and Kubespray do the same); the other nodes',
          'use admin.conf, and so does the first once the cluster is up (regenerate this file there).',
        );
      } else if (o.controlPlane) {
        header.push('BGP mode without --leaderElection needs no rights for the control-plane VIP: admin.conf does, even on kubeadm 1.29+ during kubeadm init.');
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

/** Who announces what in BGP mode, so that active/standby is never a surprise. */
function bgpElectionHeader(o: ManifestOptions): string[] {
  const lines: string[] = [];
  if (o.leaderElection && o.controlPlane) {
    lines.push('--leaderElection: only the holder of the Lease plndr-cp-lock announces the control-plane VIP (active/standby, as kube-vip);',
      'drop it to have every control-plane node announce it and the routers spread the traffic (ECMP).');
  } else if (o.leaderElection) {
    lines.push('--leaderElection without --controlplane elects nothing in BGP mode (as in kube-vip): every node announces its VIPs.');
  }
  if (o.servicesElection) {
    lines.push('--servicesElection: each Service\'s VIPs are announced only by the holder of its Lease kubevip-<service> (as kube-vip);',
      'drop it to have every node announce them (ECMP).');
  }
  return lines;
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
