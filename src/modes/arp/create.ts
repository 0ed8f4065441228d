// ARP mode made from the configuration, and who stands for its leases. With Kubernetes
// credentials and leader election on, each holding group has a Lease in kube-vip's names
// (plndr-cp-lock, plndr-svcs-lock, kubevip-<service>: the cluster's elections); without
// credentials, or with leader election off (kube-vip's vip_leaderelection=false), the node holds
// every VIP alone.
import { hostname } from 'node:os';
import { createAnnouncer } from '../../arp/index.js';
import type { DaemonConfig } from '../../config/index.js';
import { type Candidate, type Elections, SoloCandidate } from '../../kubernetes/index.js';
import type { ModeDeps } from '../port.js';
import { CONTROL_PLANE_GROUP, SERVICES_GROUP, type HoldingGroup, groupOf } from './holders.js';
import { ArpMode } from './mode.js';

export function createArpMode(config: DaemonConfig, deps: ModeDeps): ArpMode {
  const { registry, log } = deps;
  const solo = soloIdentity(config);
  return new ArpMode({
    wanted: registry,
    groupOf: (owner) =>
      groupOf(owner, {
        servicesElection: config.kubernetes.servicesElection === true,
        localPolicy: (service) => registry.traitsOf(`service:${service}`).nodeLocal === true,
      }),
    // The services lease also elects the status writer, so every node stands for it (with
    // per-Service election there is none); the others are stood for while their VIPs are wanted.
    globalGroups: config.kubernetes.services && config.kubernetes.servicesElection !== true ? [{ key: SERVICES_GROUP }] : [],
    candidate: (group, elections) => candidateFor(group, elections, solo),
    settle: () => deps.reconcile(),
    // A Service's VIPs may be on an interface of their own (kube-vip's vip_servicesinterface, serviceInterface).
    announcer: (iface) => deps.announcer ?? createAnnouncer({ interface: iface ?? config.vips.interface, clock: deps.clock }),
    refreshIntervalMs: config.arp.refreshIntervalMs,
    log,
    clock: deps.clock,
    leaderElection: config.arp.leaderElection,
  });
}

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
