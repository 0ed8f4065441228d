// ARP mode's holding groups: every VIP is held under a Lease, none without one, since two nodes
// answering ARP for one VIP would split its traffic. Static and control-plane VIPs go under the
// control-plane group (plndr-cp-lock); Service VIPs under the services group (plndr-svcs-lock),
// or under the Service's own (kubevip-<service>) with per-Service election, and always for
// externalTrafficPolicy: Local, so that only nodes with a ready local endpoint stand.
import type { Owner } from '../../registry/index.js';
import { CONTROL_PLANE_GROUP, SERVICES_GROUP, type HoldingGroup, serviceGroup, serviceOf } from '../leases/holders.js';

export { CONTROL_PLANE_GROUP, SERVICES_GROUP, LeaseHolders as ArpHolders, type HoldingGroup } from '../leases/holders.js';

export interface GroupRules {
  /** kube-vip's svc_election: every Service has a lease of its own. */
  servicesElection: boolean;
  /** Whether the Service ('namespace/name') has externalTrafficPolicy: Local. */
  localPolicy(service: string): boolean;
}

/** The group an owner's VIPs are held under. */
export function groupOf(owner: Owner, rules: GroupRules): HoldingGroup {
  const service = serviceOf(owner);
  if (service === undefined) return { key: CONTROL_PLANE_GROUP };
  if (!rules.servicesElection && !rules.localPolicy(service)) return { key: SERVICES_GROUP };
  return serviceGroup(service);
}
