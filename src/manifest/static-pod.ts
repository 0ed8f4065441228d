// The static pod for control-plane nodes (/etc/kubernetes/manifests/vip-speaker.yaml), which the
// kubelet starts before the API server exists: kubeadm and Kubespray bootstrap through the VIP.
//
// Announcing the control-plane VIP over BGP needs nothing from the API (cp_enable=true with
// `address`; in BGP mode there is no leader election): no service account token and no Secret,
// which a static pod cannot have. At most the speaker asks the local kube-apiserver for /livez.
//
// The kubeconfig is mounted read-only for the API watchers that come later. It is kubeadm's
// admin.conf, not super-admin.conf: kube-vip needs super-admin.conf during `kubeadm init` on
// Kubernetes 1.29+ (kube-vip#684) because its ARP leader election must reach the API before
// kubeadm has bound admin.conf's group (kubeadm:cluster-admins) to cluster-admin. vip-speaker's
// announcement does not wait for API rights, so admin.conf's can arrive later; and
// super-admin.conf (system:masters, which bypasses RBAC) exists on the first node only. The
// hostPath type is File: a missing kubeconfig stops the pod rather than letting the kubelet create
// a directory in its place, which kubeadm would then trip over. The pod runs as uid 0, so it can
// read the root-owned, mode-0600 file without CAP_DAC_OVERRIDE.
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
