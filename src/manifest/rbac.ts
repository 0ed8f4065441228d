// RBAC with exactly the rights the speaker uses, each grant for a reason. test/src/manifest/
// rbac-usage.test.ts runs the daemon from each DaemonSet this generator makes against a fake API
// server, and fails when a request is not granted here or a grant here is never used.
//
// - ClusterRole, with --services: list and watch Services and EndpointSlices (the informers'
//   caches: which VIPs to announce, whether this node has endpoints; nothing is read one by
//   one), patch services/status (the VIP in status.loadBalancer.ingress, a JSON merge patch) and
//   Services (kube-vip's kube-vip.io/vipHost annotation), list and watch Nodes (this node's
//   drain: excluded from external load balancers, or cordoned), and create events.k8s.io Events
//   on the Services (patch: a repeat counted in the first one's series). With --annotations, list
//   and watch Nodes (this node's BGP annotations); with --enableNodeLabeling, patch Nodes
//   (kube-vip.io/has-ip).
// - Role in the speaker's namespace: get, create and update its own Leases, plndr-svcs-lock (who
//   writes Services' status; in ARP mode also who holds their VIPs; not with per-Service
//   election) and, in ARP mode or BGP mode with --leaderElection, plndr-cp-lock (who holds or
//   announces the control-plane VIP). ARP mode also lists and watches them, to take one over as
//   soon as it is released.
// - A ClusterRole for Leases in every namespace when a Service can have a Lease of its own, which
//   kube-vip keeps beside the Service (kubevip-<service>): with --servicesElection, and in ARP mode
//   with --services, where a Service with externalTrafficPolicy: Local always has its own, so that
//   only nodes with a local endpoint stand for its VIP. The same verbs, and delete: the Lease goes
//   with its Service.
//
// Nothing else: no Secrets, not even for --peer-password-secret, since the kubelet resolves a
// secretKeyRef when it starts the container, with its own credentials. A BGP DaemonSet for the
// control-plane VIP alone calls no API (it checks the local /livez only): a service account and
// no role.
import type { V1ClusterRole, V1ClusterRoleBinding, V1PolicyRule, V1Role, V1RoleBinding, V1ServiceAccount } from '@kubernetes/client-node';
import { APP_NAME, labels } from './container.js';
import type { ManifestOptions } from './options.js';

export type RbacObject = V1ServiceAccount | V1ClusterRole | V1ClusterRoleBinding | V1Role | V1RoleBinding;

/** What an informer does: a list, then a watch from its resourceVersion. */
const INFORMER = ['list', 'watch'];
/** client-go's leader election on a Lease: read, create when missing, write (renewal, release). */
const ELECTION = ['get', 'create', 'update'];
export const SERVICE_LEASES_ROLE = `${APP_NAME}-service-leases`;

export function clusterRules(o: ManifestOptions): V1PolicyRule[] {
  const rules: V1PolicyRule[] = [];
  // This node's Node: its BGP annotations (BGP mode), its drain (with Services), its has-ip label.
  const watchNodes = (o.nodeAnnotationPrefix !== undefined && o.mode === 'bgp') || o.services;
  const labelNodes = o.nodeLabeling && o.controlPlane;
  if (watchNodes || labelNodes) rules.push({ apiGroups: [''], resources: ['nodes'], verbs: [...(watchNodes ? INFORMER : []), ...(labelNodes ? ['patch'] : [])] });
  if (o.services) {
    rules.push(
      { apiGroups: [''], resources: ['services'], verbs: [...INFORMER, 'patch'] },
      { apiGroups: [''], resources: ['services/status'], verbs: ['patch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: INFORMER },
      { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
    );
  }
  return rules;
}

/** Whether the speaker has Leases of its own in its namespace. */
export function hasOwnLeases(o: ManifestOptions): boolean {
  const servicesLease = o.services && !o.servicesElection;
  // plndr-cp-lock: ARP mode's holder of the control-plane VIP, or BGP mode's announcer with --leaderElection.
  return servicesLease || (o.controlPlane && (o.mode === 'arp' || o.leaderElection));
}

/**
 * Whether the Leases decide who holds or announces VIPs (ARP mode, or BGP mode with kube-vip's
 * elections): then they are watched too, so that a released one is taken at once.
 */
function leasesHoldVips(o: ManifestOptions): boolean {
  return o.mode === 'arp' || o.leaderElection || o.servicesElection;
}

/** The speaker's own Leases, in its namespace. */
export function leaseRules(o: ManifestOptions): V1PolicyRule[] {
  const verbs = leasesHoldVips(o) ? [...ELECTION, ...INFORMER] : ELECTION;
  return [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs }];
}

/** Whether some Service may have a Lease of its own, in its own namespace. */
export function hasServiceLeases(o: ManifestOptions): boolean {
  return o.services && (o.servicesElection || o.mode === 'arp');
}

/** The Services' own Leases, in every namespace: deleted with their Service. */
export function serviceLeaseRules(o: ManifestOptions): V1PolicyRule[] {
  const verbs = [...ELECTION, 'delete', ...(leasesHoldVips(o) ? INFORMER : [])];
  return [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs }];
}

export function buildRbac(o: ManifestOptions): RbacObject[] {
  const meta = (name: string, namespaced: boolean) => ({ name, ...(namespaced ? { namespace: o.namespace } : {}), labels: labels() });
  const subjects = [{ kind: 'ServiceAccount', name: APP_NAME, namespace: o.namespace }];
  const clusterRole = (name: string, rules: V1PolicyRule[]): RbacObject[] => [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta(name, false), rules },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: meta(name, false),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects,
    },
  ];
  // The token is mounted because the speaker talks to the API server (watchers, leases, /livez's CA).
  const objects: RbacObject[] = [{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(APP_NAME, true), automountServiceAccountToken: true }];
  const cluster = clusterRules(o);
  if (cluster.length > 0) objects.push(...clusterRole(APP_NAME, cluster));
  if (hasOwnLeases(o)) {
    objects.push(
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta(APP_NAME, true), rules: leaseRules(o) },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: meta(APP_NAME, true),
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: APP_NAME },
        subjects,
      },
    );
  }
  if (hasServiceLeases(o)) objects.push(...clusterRole(SERVICE_LEASES_ROLE, serviceLeaseRules(o)));
  return objects;
}
