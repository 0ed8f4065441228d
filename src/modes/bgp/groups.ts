// Who announces a VIP in BGP mode. By default every node (the routers spread the traffic over
// them: ECMP), with no election. With kube-vip's election settings, as kube-vip does it:
// - kubernetes.leaderElection (vip_leaderelection with cp_enable): the static and control-plane
//   VIPs only from the holder of plndr-cp-lock (kube-vip's StartCluster);
// - kubernetes.servicesElection (svc_election): each Service's VIPs only from the holder of the
//   Service's own Lease, kubevip-<service> (kube-vip's StartServicesLeaderElection).
// Service VIPs without svc_election are announced by every node that wants them, leader
// election or not: kube-vip's BGP mode watches Services without a leader then (ServicesNoLeader).
import type { DaemonConfig } from '../../config/index.js';
import type { Owner } from '../../registry/index.js';
import { CONTROL_PLANE_GROUP, type HoldingGroup, serviceGroup, serviceOf } from '../leases/holders.js';

export interface BgpElectionRules {
  /** Static and control-plane VIPs under plndr-cp-lock. */
  controlPlane: boolean;
  /** Each Service's VIPs under its own Lease. */
  services: boolean;
}

export function bgpElectionRules(config: DaemonConfig): BgpElectionRules {
  return { controlPlane: config.kubernetes.leaderElection === true, services: config.kubernetes.servicesElection === true };
}

/** Whether any VIP is held by lease: the mode then needs the cluster's elections. */
export function electsAny(rules: BgpElectionRules): boolean {
  return rules.controlPlane || rules.services;
}

/** The group an owner's VIPs are announced under; undefined: by every node, without an election. */
export function bgpGroupOf(owner: Owner, rules: BgpElectionRules): HoldingGroup | undefined {
  const service = serviceOf(owner);
  if (service === undefined) return rules.controlPlane ? { key: CONTROL_PLANE_GROUP } : undefined;
  return rules.services ? serviceGroup(service) : undefined;
}
