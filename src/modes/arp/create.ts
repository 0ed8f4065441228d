// ARP mode made from the configuration, and who stands for its leases. With Kubernetes
// credentials and leader election on, each holding group has a Lease in kube-vip's names
// (plndr-cp-lock, plndr-svcs-lock, kubevip-<service>: the cluster's elections); without
// credentials, or with leader election off (kube-vip's vip_leaderelection=false), the node holds
// every VIP alone.
import { createAnnouncer } from '../../arp/index.js';
import type { DaemonConfig } from '../../config/index.js';
import { candidateFor, soloIdentity } from '../leases/candidates.js';
import type { ModeDeps } from '../port.js';
import { SERVICES_GROUP, groupOf } from './holders.js';
import { ArpMode } from './mode.js';

export { candidateFor, soloIdentity } from '../leases/candidates.js';

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
