// The vip-speaker container, shared by the DaemonSet and the static pod: kube-vip's environment
// variables (docs/configuration.md), the security context, the probes and the resources.
//
// Security context. The process needs CAP_NET_ADMIN in the host's network namespace to add the
// VIPs through rtnetlink (to `lo` in BGP mode, to --interface in ARP mode), and CAP_NET_RAW: in
// ARP mode for the AF_PACKET socket that sends gratuitous ARP and unsolicited NA, in BGP mode for
// SO_BINDTODEVICE (bgp_sourceif) on kernels before 5.7. It runs as **uid 0** with those two and
// nothing else, because a non-root process cannot hold them under Kubernetes today:
// capabilities.add fills the bounding and inheritable sets, never the ambient one
// (kubernetes/kubernetes#56374; containerd#5668 was closed unmerged), so execve as uid 65532
// leaves the effective set empty; file capabilities would need allowPrivilegeEscalation: true,
// since no_new_privs disables them. Root here is bounded: every other capability is dropped,
// no_new_privs is set, the root filesystem is read-only, and in the host network namespace
// CAP_NET_ADMIN is the power that matters either way. The image itself
// runs as 65532 (Dockerfile), so that its other commands never run as root.
//
// Probes. The admin endpoint listens on 127.0.0.1 by default, since /status shows the node's
// sessions and configuration. With hostNetwork the pod's loopback is the node's, where the kubelet
// runs its probes, so httpGet with host 127.0.0.1 reaches it: kubeadm probes its own static
// control-plane pods (etcd, kube-scheduler) the same way. No exec probe (a Node.js start every
// period) and nothing exposed on the network. With --admin-address node the endpoint listens on
// the node's IP (for Prometheus) and the probes use the pod IP, which is the node's.
import type { V1Container, V1EnvVar, V1Probe, V1SecurityContext } from '@kubernetes/client-node';
import { GRACEFUL_RESTART_VARIABLE } from '../config/index.js';
import { VERSION } from '../version.js';
import { LEASE_FLAGS, type LeaseFlag } from './mode.js';
import type { ManifestOptions } from './options.js';

export const APP_NAME = 'vip-speaker';
export const ADMIN_LOOPBACK = '127.0.0.1';
/** The variable that carries the node's IP (downward API) into prometheus_server. */
export const NODE_IP_VARIABLE = 'VIP_SPEAKER_NODE_IP';
export const KUBECONFIG_VOLUME = 'kubeconfig';
/**
 * Where a static pod sees its kubeconfig, whichever host file it is (--k8sConfigPath): kube-vip's
 * own mount path, so that kube-vip's instructions for its manifest (on kubeadm 1.29+, point the
 * hostPath at super-admin.conf on the first node) apply to this one word for word.
 */
export const KUBECONFIG_MOUNT_PATH = '/etc/kubernetes/admin.conf';
/** Enough for the daemon's bounded stop (withdraw, NOTIFICATION, remove VIPs: at most 10 s). */
export const TERMINATION_GRACE_SECONDS = 30;

type SetVariable = (name: string, value: string | number | undefined) => void;

/** kube-vip's variables, in the order kube-vip's generator writes them where it has one. */
export function speakerEnv(o: ManifestOptions, kind: 'daemonset' | 'pod'): V1EnvVar[] {
  const env: V1EnvVar[] = [];
  const set: SetVariable = (name, value) => {
    if (value !== undefined) env.push({ name, value: String(value) });
  };
  // The node's name in the API (for its endpoints and leases): the kubelet fills it in itself,
  // for a static pod too, where the hostname need not be the node's name.
  env.push({ name: 'vip_nodename', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } });
  // Where the speaker keeps its leases: the namespace of rbac.ts's Role.
  set('cp_namespace', o.namespace);
  set('vip_interface', o.vipInterface);
  if (o.controlPlane) {
    set('cp_enable', 'true');
    set('address', o.address);
    set('port', o.apiServerPort);
  }
  if (o.services) set('svc_enable', 'true');
  if (o.servicesElection) set('svc_election', 'true');
  set('vip_leasename', o.leaseName);
  if (o.services) set('svc_leasename', o.servicesLeaseName);
  if (o.nodeLabeling) set('enable_node_labeling', 'true');
  // Only those given: the daemon's defaults are kube-vip's (5, 3, 1 s).
  for (const flag of Object.keys(LEASE_FLAGS) as LeaseFlag[]) set(LEASE_FLAGS[flag], o.lease[flag]);
  if (o.mode === 'arp') arpEnv(o, set);
  else bgpEnv(o, env, set);
  if (o.admin.kind === 'node') {
    // Must come before the variable that refers to it; brackets suit both families.
    env.push({ name: NODE_IP_VARIABLE, valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } });
    set('prometheus_server', `[$(${NODE_IP_VARIABLE})]:${o.adminPort}`);
  } else {
    const host = o.admin.kind === 'loopback' ? ADMIN_LOOPBACK : o.admin.address;
    set('prometheus_server', `${host.includes(':') ? `[${host}]` : host}:${o.adminPort}`);
  }
  if (kind === 'pod') set('k8s_config_file', KUBECONFIG_MOUNT_PATH);
  return env;
}

function arpEnv(o: ManifestOptions, set: SetVariable): void {
  set('vip_arp', 'true');
  // kube-vip elects only with --leaderElection; vip-speaker's ARP mode elects unless told not to
  // (vip_leaderelection defaults to true), so there the flag changes nothing. Written out all the
  // same, so that the manifest says that one node holds each VIP.
  set('vip_leaderelection', 'true');
  set('vip_subnet', o.vipSubnet);
  set('vip_arpRate', o.arpRateMs);
}

function bgpEnv(o: ManifestOptions, env: V1EnvVar[], set: SetVariable): void {
  set('bgp_enable', 'true');
  // kube-vip's --leaderElection: with cp_enable, only the holder of the control-plane Lease
  // announces the control-plane VIP (active/standby), as in kube-vip.
  if (o.leaderElection) set('vip_leaderelection', 'true');
  set('bgp_routerid', o.routerId);
  set('bgp_as', o.localAs);
  if (o.peerAddress !== undefined) {
    set('bgp_peeraddress', o.peerAddress);
    set('bgp_peeras', o.peerAs);
    if (o.peerPasswordSecret) {
      // Resolved by the kubelet when the container starts: no RBAC on Secrets is needed.
      env.push({ name: 'bgp_peerpass', valueFrom: { secretKeyRef: { name: o.peerPasswordSecret.name, key: o.peerPasswordSecret.key } } });
    }
    if (o.multihop) set('bgp_multihop', 'true');
  }
  if (o.peers.length > 0) set('bgp_peers', o.peers.join(','));
  set('bgp_sourceif', o.sourceInterface);
  set('bgp_sourceip', o.sourceAddress);
  set('bgp_hold_time', o.holdTime);
  set('bgp_keepalive_interval', o.keepaliveInterval);
  // kube-vip has no graceful restart, so env mode has it off unless asked.
  if (o.gracefulRestart) set(GRACEFUL_RESTART_VARIABLE, 'true');
  // Per-node BGP settings from the Node's annotations (kube-vip's `annotation`).
  set('annotation', o.nodeAnnotationPrefix);
}

/** Root with NET_ADMIN and NET_RAW only: see the comment at the top of this file. */
export function speakerSecurityContext(): V1SecurityContext {
  return {
    runAsUser: 0,
    runAsGroup: 0,
    runAsNonRoot: false,
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'], add: ['NET_ADMIN', 'NET_RAW'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** The host the kubelet probes: loopback, unless the endpoint listens elsewhere. */
export function probeHost(o: ManifestOptions): string | undefined {
  if (o.admin.kind === 'loopback') return ADMIN_LOOPBACK;
  if (o.admin.kind === 'node') return undefined; // the pod IP, which is the node's with hostNetwork
  const unspecified = o.admin.address === '0.0.0.0' || o.admin.address === '::';
  return unspecified ? ADMIN_LOOPBACK : o.admin.address;
}

function probe(o: ManifestOptions, path: string, timing: Omit<V1Probe, 'httpGet'>): V1Probe {
  const host = probeHost(o);
  return { httpGet: { ...(host === undefined ? {} : { host }), path, port: o.adminPort, scheme: 'HTTP' }, ...timing };
}

export function speakerContainer(o: ManifestOptions, kind: 'daemonset' | 'pod'): V1Container {
  return {
    name: APP_NAME,
    image: o.image,
    imagePullPolicy: 'IfNotPresent',
    args: o.keepRoutesOnStop ? ['run', '--keep-routes-on-stop'] : ['run'],
    env: speakerEnv(o, kind),
    securityContext: speakerSecurityContext(),
    // /healthz: the process runs and is not stopping. /readyz: every peer tried, every VIP in
    // place; a rolling update waits for it on each node before moving to the next.
    livenessProbe: probe(o, '/healthz', { initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 }),
    readinessProbe: probe(o, '/readyz', { periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 }),
    // Memory: 5,000 VIPs take about 115 MiB. No CPU limit: CFS throttling would delay
    // KEEPALIVEs and hold-timer work, and the request already guarantees the share.
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    terminationMessagePolicy: 'FallbackToLogsOnError',
    ...(kind === 'pod' ? { volumeMounts: [{ name: KUBECONFIG_VOLUME, mountPath: KUBECONFIG_MOUNT_PATH, readOnly: true }] } : {}),
  };
}

/** The selector's labels: fixed, since a DaemonSet's selector cannot change. */
export function selectorLabels(): Record<string, string> {
  return { 'app.kubernetes.io/name': APP_NAME, 'app.kubernetes.io/component': 'speaker' };
}

export function labels(): Record<string, string> {
  return { ...selectorLabels(), 'app.kubernetes.io/version': VERSION };
}
