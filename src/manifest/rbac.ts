// RBAC with the least rights the speaker needs, each grant for a reason:
//
// - ClusterRole: read nodes (the node's own addresses and labels); with --services, read Services
//   and EndpointSlices (which VIPs to announce, and whether this node has endpoints), write
//   services/status (the VIP in status.loadBalancer.ingress), and create events.k8s.io Events on
//   the Services (patch: a repeat counted in the first one's series).
// - Role in the speaker's namespace: leases, for the speaker's own elections: plndr-svcs-lock
//   (who writes Services' status; in ARP mode also who holds their VIPs) and, in ARP mode,
//   plndr-cp-lock (who holds the control-plane VIP).
// - A ClusterRole for leases in every namespace when a Service can have a Lease of its own, which
//   kube-vip keeps beside the Service (kubevip-<service>): with --servicesElection, and in ARP mode
//   with --services, where a Service with externalTrafficPolicy: Local always has its own, so that
//   only nodes with a local endpoint stand for its VIP.
//
// Nothing else: no Secrets, not even for --peer-password-secret, since the kubelet resolves a
// secretKeyRef when it starts the container, with its own credentials.
import type { V1ClusterRole, V1ClusterRoleBinding, V1PolicyRule, V1Role, V1RoleBinding, V1ServiceAccount } from '@kubernetes/client-node';
import { APP_NAME, labels } from './container.js';
import type { ManifestOptions } from './options.js';

export type RbacObject = V1ServiceAccount | V1ClusterRole | V1ClusterRoleBinding | V1Role | V1RoleBinding;

const READ = ['get', 'list', 'watch'];
export const LEASE_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
export const SERVICE_LEASES_ROLE = `${APP_NAME}-service-leases`;

export function clusterRules(o: ManifestOptions): V1PolicyRule[] {
  const rules: V1PolicyRule[] = [{ apiGroups: [''], resources: ['nodes'], verbs: READ }];
  if (o.services) {
    rules.push(
      { apiGroups: [''], resources: ['services'], verbs: READ },
      { apiGroups: [''], resources: ['services/status'], verbs: ['update', 'patch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
      { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
    );
  }
  return rules;
}

export function leaseRules(): V1PolicyRule[] {
  return [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: LEASE_VERBS }];
}

/** Whether some Service may have a Lease of its own, in its own namespace. */
export function hasServiceLeases(o: ManifestOptions): boolean {
  return o.services && (o.servicesElection || o.mode === 'arp');
}

export function buildRbac(o: ManifestOptions): RbacObject[] {
  const meta = (name: string, namespaced: boolean) => ({ name, ...(namespaced ? { namespace: o.namespace } : {}), labels: labels() });
  const subjects = [{ kind: 'ServiceAccount', name: APP_NAME, namespace: o.namespace }];
  const clusterBinding = (role: string): V1ClusterRoleBinding => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: meta(role, false),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects,
  });
  const objects: RbacObject[] = [
    // The token is mounted because the speaker talks to the API server (watchers, leases).
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(APP_NAME, true), automountServiceAccountToken: true },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta(APP_NAME, false), rules: clusterRules(o) },
    clusterBinding(APP_NAME),
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta(APP_NAME, true), rules: leaseRules() },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta(APP_NAME, true),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: APP_NAME },
      subjects,
    },
  ];
  if (hasServiceLeases(o)) {
    objects.push(
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta(SERVICE_LEASES_ROLE, false), rules: leaseRules() },
      clusterBinding(SERVICE_LEASES_ROLE),
    );
  }
  return objects;
}
