// The static pod for control-plane nodes (/etc/kubernetes/manifests/vip-speaker.yaml), which the
// kubelet starts before the API server exists: kubeadm and Kubespray bootstrap through the VIP.
// No service account token and no Secret, which a static pod cannot have: the API, where it is
// needed, is reached with the kubeconfig mounted read-only from the host (kube-vip's
// --k8sConfigPath, kubeadm's admin.conf by default), at /etc/kubernetes/admin.conf in the pod
// whichever file it is, as kube-vip's static pod mounts it.
//
// BGP mode without --leaderElection needs nothing from the API to announce the control-plane VIP
// (cp_enable=true with `address`; every node announces, nothing is elected); at most the speaker
// asks the local kube-apiserver for /livez. So admin.conf will do even during `kubeadm init`, when
// its rights come late: vip-speaker's announcement does not wait for them.
//
// ARP mode, and BGP mode with --leaderElection (kube-vip's active/standby), elect: only the holder
// of the Lease plndr-cp-lock puts the VIP on --interface or announces it, so the speaker must write
// that Lease before the VIP exists, through the kubeconfig. It does so through
// this node's own API server (https://127.0.0.1:<port>, the certificate checked against
// `kubernetes`), never through the kubeconfig's server, which for admin.conf and super-admin.conf
// is the control-plane endpoint, the VIP itself (kube-vip does the same with `kubernetes:<port>`
// mapped to 127.0.0.1). One thing admin.conf lacks on the first node of a kubeadm cluster:
// - Rights. On Kubernetes 1.29+ kubeadm binds admin.conf's group (kubeadm:cluster-admins) to
//   cluster-admin only after the control plane is up; until then only super-admin.conf
//   (system:masters) can write the Lease. As for kube-vip (kube-vip#684), give
//   --k8sConfigPath /etc/kubernetes/super-admin.conf on the first node for `kubeadm init`, and
//   admin.conf on the others and afterwards: super-admin.conf exists on the first node only, and
//   bypasses RBAC.
//
// The hostPath type is File: a missing kubeconfig stops the pod rather than letting the kubelet
// create a directory in its place, which kubeadm would then trip over. The pod runs as uid 0, so
// it can read the root-owned, mode-0600 file without CAP_DAC_OVERRIDE.
import type { V1Pod } from '@kubernetes/client-node';
import { APP_NAME, KUBECONFIG_VOLUME, TERMINATION_GRACE_SECONDS, labels, speakerContainer } from './container.js';
import type { ManifestOptions } from './options.js';

/** The value of system-node-critical; kubeadm writes it into its static pods too. */
export const SYSTEM_NODE_CRITICAL_PRIORITY = 2000001000;
export const STATIC_POD_PATH = '/etc/kubernetes/manifests/vip-speaker.yaml';

export function buildStaticPod(o: ManifestOptions): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: APP_NAME, namespace: o.namespace, labels: labels() },
    spec: {
      hostNetwork: true,
      priorityClassName: 'system-node-critical',
      priority: SYSTEM_NODE_CRITICAL_PRIORITY,
      terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
      containers: [speakerContainer(o, 'pod')],
      volumes: [{ name: KUBECONFIG_VOLUME, hostPath: { path: o.kubeconfig, type: 'File' } }],
    },
  };
}
