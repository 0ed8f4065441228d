// Who stands for a holding group's Lease: the cluster's candidate for it (kube-vip's names,
// plndr-cp-lock, plndr-svcs-lock, kubevip-<service>), or, with no cluster to elect with, this
// node alone.
import { hostname } from 'node:os';
import type { DaemonConfig } from '../../config/index.js';
import { type Candidate, type Elections, SoloCandidate } from '../../kubernetes/index.js';
import { CONTROL_PLANE_GROUP, SERVICES_GROUP, type HoldingGroup } from './holders.js';

/** This node's name when it runs alone (the lease identity otherwise). */
export function soloIdentity(config: DaemonConfig): string {
  return config.kubernetes.nodeName ?? process.env.NODE_NAME ?? hostname();
}

/** The candidate for a group's lease (not started). */
export function candidateFor(group: HoldingGroup, elections: Elections | undefined, soloName: string): Candidate {
  if (!elections) return new SoloCandidate(soloName);
  if (group.key === SERVICES_GROUP) return elections.candidate({ kind: 'services' });
  if (group.service) return elections.candidate({ kind: 'service', ...group.service });
  if (group.key !== CONTROL_PLANE_GROUP) throw new RangeError(`no lease for the holding group ${group.key}`);
  return elections.candidate({ kind: 'control-plane' });
}
