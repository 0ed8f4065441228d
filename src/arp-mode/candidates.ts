// Who stands for ARP mode's leases. With Kubernetes credentials and leader election on, each
// holding group has a Lease in kube-vip's names: plndr-cp-lock for the static and control-plane
// VIPs, plndr-svcs-lock for the Service VIPs, kubevip-<service> per Service (the last two shared
// with the Service status writer, see src/kubernetes/service-sources.ts). Without credentials, or
// with leader election off (kube-vip's vip_leaderelection=false), the node holds every VIP alone.
import { hostname } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import type { DaemonConfig } from '../config/types.js';
import { type ElectionTimings, electionTimings } from '../kubernetes/elections/options.js';
import type { ServiceElections } from '../kubernetes/services/sources.js';
import type { Logger } from '../log.js';
import { SERVICES_GROUP, type HoldingGroup } from './holders.js';
import { type Candidate, SoloCandidate } from './mode.js';

export interface ArpElections extends Partial<ServiceElections> {
  kubeConfig: KubeConfig;
  /** With kubernetes.controlPlane: this node's own API server, for plndr-cp-lock. */
  controlPlaneKubeConfig?: KubeConfig;
  identity: string;
  namespace: string;
  timings: ElectionTimings;
  makeElector: typeof import('../kubernetes/elections/elector.js');
}

/**
 * The elections ARP mode runs on, or undefined when this node holds the VIPs alone (said in the
 * log). `shared` are the Service leases already made for the status writer.
 */
export async function loadArpElections(config: DaemonConfig, log: Logger, shared?: ServiceElections): Promise<ArpElections | undefined> {
  if (!config.arp.leaderElection) {
    log.warn('ARP mode without leader election: this node holds the VIPs alone; never run it on two nodes of one segment');
    return undefined;
  }
  const [{ loadKubeConfig, localApiServerConfig, resolveNodeName }, { kubernetesDefaults }, makeElector] = await Promise.all([
    import('../kubernetes/client.js'),
    import('../config/index.js'),
    import('../kubernetes/elections/elector.js'),
  ]);
  const kc = loadKubeConfig(config.kubernetes);
  if (!kc.ok) {
    log.warn({ reason: kc.error.message }, 'ARP mode without Kubernetes credentials: this node holds the VIPs alone');
    return undefined;
  }
  return {
    kubeConfig: kc.value.kubeConfig,
    ...(config.kubernetes.controlPlane ? { controlPlaneKubeConfig: localApiServerConfig(kc.value.kubeConfig, config.kubernetes.apiServerPort) } : {}),
    identity: resolveNodeName(config.kubernetes).name,
    namespace: kubernetesDefaults(config.kubernetes).namespace,
    timings: electionTimings(config.kubernetes),
    makeElector,
    ...shared,
  };
}

/** This node's name when it runs alone (the lease identity otherwise). */
export function soloIdentity(config: DaemonConfig): string {
  return config.kubernetes.nodeName ?? process.env.NODE_NAME ?? hostname();
}

/** The candidate for a group's lease (not started). */
export function candidateFor(group: HoldingGroup, elections: ArpElections | undefined, soloName: string): Candidate {
  if (!elections) return new SoloCandidate(soloName);
  if (group.key === SERVICES_GROUP && elections.servicesElector) return elections.servicesElector;
  if (group.service && elections.serviceCandidate) return elections.serviceCandidate(group.service.namespace, group.service.name);
  const { LeaderElector, SERVICES_LEASE, CONTROL_PLANE_LEASE } = elections.makeElector;
  const services = group.key === SERVICES_GROUP;
  // The control-plane lease through this node's own API server (see localApiServerConfig).
  const kubeConfig = services ? elections.kubeConfig : (elections.controlPlaneKubeConfig ?? elections.kubeConfig);
  return new LeaderElector({ kubeConfig, namespace: elections.namespace, name: services ? SERVICES_LEASE : CONTROL_PLANE_LEASE, identity: elections.identity, watch: true, ...elections.timings });
}
