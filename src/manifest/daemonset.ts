// The DaemonSet: one speaker per node, in the host's network namespace, run from kube-vip's
// environment variables, with the service account of rbac.ts.
//
// Placement. A control-plane VIP must only ever lead to a node with an API server, so with
// --controlplane (or kube-vip's --taint) the pods go to control-plane nodes only, and tolerate
// every NoSchedule and NoExecute taint there, as kube-vip's --taint does: the role taints
// (`control-plane`, the older `master`), K3s's and RKE2's CriticalAddonsOnly on dedicated servers,
// an external cloud provider's `uninitialized` (the provider needs the API VIP to clear it). The
// modes differ in who answers for the VIP, not in where the pods run:
// - BGP mode: every speaker with cp_enable announces the control-plane VIP, and the routers spread
//   the traffic over all of them (ECMP), unless --leaderElection elects one, as in kube-vip; on a
//   worker it would lead to a node without an API server.
// - ARP mode: one node at a time holds it, the one elected on the Lease plndr-cp-lock; only
//   control-plane nodes may stand, since the winner receives all the API traffic. A Service VIP is
//   held by the node elected on plndr-svcs-lock (or on the Service's own Lease: --servicesElection,
//   or externalTrafficPolicy: Local), and kube-proxy forwards from there; any node may hold one,
//   provided it has --interface on the VIPs' network, since the holder answers ARP there.
// To hold Service VIPs on every node as well, run a second DaemonSet with --services alone, or the
// control-plane VIP from static pods.
import type { V1Affinity, V1DaemonSet, V1Toleration } from '@kubernetes/client-node';
import { APP_NAME, TERMINATION_GRACE_SECONDS, labels, selectorLabels, speakerContainer } from './container.js';
import type { ManifestOptions } from './options.js';

/** The node-role labels of control-plane nodes: kubeadm's since 1.20, and the older one. */
export const CONTROL_PLANE_ROLES = ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master'] as const;

export function onControlPlaneOnly(o: ManifestOptions): boolean {
  return o.controlPlane || o.controlPlaneNodesOnly;
}

/** Every NoSchedule and NoExecute taint (kube-vip's --taint): the affinity keeps the pods on control-plane nodes. */
export function controlPlaneTolerations(): V1Toleration[] {
  return [
    { operator: 'Exists', effect: 'NoSchedule' },
    { operator: 'Exists', effect: 'NoExecute' },
  ];
}

/** Either role label (the terms of a node selector are ORed). */
export function controlPlaneAffinity(): V1Affinity {
  return {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: CONTROL_PLANE_ROLES.map((key) => ({ matchExpressions: [{ key, operator: 'Exists' }] })),
      },
    },
  };
}

export function buildDaemonSet(o: ManifestOptions): V1DaemonSet {
  const cpOnly = onControlPlaneOnly(o);
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: APP_NAME, namespace: o.namespace, labels: labels() },
    spec: {
      selector: { matchLabels: selectorLabels() },
      // One node at a time, never two speakers on a node (they would share the interface and the
      // admin port): the next node's pod is replaced once this one is Ready again. In ARP mode a
      // holder that stops takes its VIPs off and releases its Leases, so another node takes over
      // at once rather than at the Lease's expiry.
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      template: {
        metadata: { labels: labels() },
        spec: {
          serviceAccountName: APP_NAME,
          hostNetwork: true,
          // With hostNetwork, ClusterFirst would fall back to the node's resolver.
          dnsPolicy: 'ClusterFirstWithHostNet',
          priorityClassName: 'system-node-critical',
          // No preStop hook: SIGTERM itself withdraws every route and removes the VIPs, bounded
          // to 10 s, well inside this grace period.
          terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          ...(cpOnly ? { affinity: controlPlaneAffinity(), tolerations: controlPlaneTolerations() } : {}),
          containers: [speakerContainer(o, 'daemonset')],
        },
      },
    },
  };
}
