// Per-Service leader election, as kube-vip's svc_election: one Lease per Service, named
// `kubevip-<service name>` in the Service's namespace (kube-vip pkg/lease ServiceName), so that each
// Service's VIP may be announced from a different node. A Service's kube-vip.io/leaseName
// annotation names another, "[namespace/]name"; Services naming the same Lease share one election
// (kube-vip's shared lease), so that their VIPs stay together. Unlike kube-vip, which leaves these
// Leases behind, vip-speaker deletes the ones it created when their last Service goes: every Lease
// it creates carries the label app.kubernetes.io/managed-by=vip-speaker, and only those are deleted.
import { CoordinationV1Api } from '@kubernetes/client-node';
import { parseLeaseName } from '../../config/index.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, httpStatusOf } from '../api-errors.js';
import { LeaderElector, type LeaderElectorOptions, type StopOptions } from './elector.js';

/** kube-vip's Lease name for a Service's own election. */
export function serviceLeaseName(serviceName: string): string {
  return `kubevip-${serviceName}`;
}

/** kube-vip's annotation naming a Service's Lease, "[namespace/]name". */
export const LEASE_NAME_ANNOTATION = 'kube-vip.io/leaseName';

export interface LeaseKey {
  namespace: string;
  name: string;
}

/**
 * The Lease a Service is elected under: its kube-vip.io/leaseName ("name" in the Service's
 * namespace, or "namespace/name"), else kubevip-<service> beside it. An annotation that is no
 * Lease name counts as absent; the Service rules report it.
 */
export function serviceLeaseOf(namespace: string, serviceName: string, annotations: Readonly<Record<string, unknown>> | undefined): LeaseKey {
  const fallback = { namespace, name: serviceLeaseName(serviceName) };
  const text = annotations?.[LEASE_NAME_ANNOTATION];
  if (typeof text !== 'string' || text.trim() === '') return fallback;
  const parsed = parseLeaseName(text);
  if (!parsed.ok) return fallback;
  return { namespace: parsed.value.namespace ?? namespace, name: parsed.value.name };
}

export type ServiceLeaseDeletion =
  /** Our Lease was deleted. */
  | 'deleted'
  /** Another Service still elects under the same Lease (kube-vip.io/leaseName): kept. */
  | 'shared'
  /** There was no Lease (another node deleted it first, or none was ever created). */
  | 'absent'
  /** The Lease was not created by vip-speaker (kube-vip's, say): left alone. */
  | 'not-ours';

export type ServiceLeasesOptions = Omit<LeaderElectorOptions, 'namespace' | 'name' | 'labels' | 'api'> & {
  api?: CoordinationV1Api;
  /** The Lease a Service is elected under (default: kubevip-<service> in its namespace). */
  leaseOf?: (namespace: string, serviceName: string) => LeaseKey;
};

export class ServiceLeases {
  private readonly options: ServiceLeasesOptions;
  private readonly api: CoordinationV1Api;
  /** By Lease (`namespace/name`): its elector, and the Services (`namespace/service`) elected under it. */
  private readonly leases = new Map<string, { lease: LeaseKey; elector: LeaderElector; services: Set<string> }>();
  /** By Service (`namespace/service`): the Lease key it was given its elector under. */
  private readonly serviceLease = new Map<string, string>();

  constructor(options: ServiceLeasesOptions) {
    this.options = options;
    this.api = options.api ?? options.kubeConfig.makeApiClient(CoordinationV1Api);
  }

  /** The Lease a Service is (or would be) elected under. */
  leaseOf(namespace: string, serviceName: string): LeaseKey {
    return this.options.leaseOf?.(namespace, serviceName) ?? { namespace, name: serviceLeaseName(serviceName) };
  }

  /**
   * The Service's elector, made on first use (not started: attach listeners, then start()); a
   * Service whose Lease another Service already elects under gets that elector.
   */
  elector(namespace: string, serviceName: string): LeaderElector {
    const service = `${namespace}/${serviceName}`;
    const known = this.serviceLease.get(service);
    if (known !== undefined) return this.leases.get(known)!.elector;
    const lease = this.leaseOf(namespace, serviceName);
    const key = `${lease.namespace}/${lease.name}`;
    let entry = this.leases.get(key);
    if (!entry) {
      const elector = new LeaderElector({ ...this.options, api: this.api, namespace: lease.namespace, name: lease.name, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } });
      entry = { lease, elector, services: new Set() };
      this.leases.set(key, entry);
    }
    entry.services.add(service);
    this.serviceLease.set(service, key);
    return entry.elector;
  }

  /** Electors made and not yet stopped, by `namespace/service` (Services sharing a Lease share one). */
  get active(): ReadonlyMap<string, LeaderElector> {
    return new Map([...this.serviceLease].map(([service, key]) => [service, this.leases.get(key)!.elector]));
  }

  /**
   * The Service no longer elects (e.g. it stopped being ours); its elector stops (releasing the
   * Lease if it leads) once no other Service elects under the same Lease.
   */
  async stop(namespace: string, serviceName: string, options: StopOptions = {}): Promise<void> {
    const entry = this.detach(`${namespace}/${serviceName}`);
    if (entry && entry.services.size === 0) await entry.elector.stop(options);
  }

  /** Takes the Service off its Lease's list; the entry goes from `leases` when it was the last. */
  private detach(service: string): { lease: LeaseKey; elector: LeaderElector; services: Set<string> } | undefined {
    const key = this.serviceLease.get(service);
    if (key === undefined) return undefined;
    this.serviceLease.delete(service);
    const entry = this.leases.get(key)!;
    entry.services.delete(service);
    if (entry.services.size === 0) this.leases.delete(key);
    return entry;
  }

  /**
   * The Service is gone: stop its elector here (without a release, which would write the Lease
   * again), then delete its Lease if vip-speaker created it and no other Service elects under it
   * (`inUse`: the caller's view of every Service; `lease`: where the Service was last elected).
   * Every node does this in the same order, so whatever an elector elsewhere writes before it sees
   * the deletion, the last word on the Lease is a delete. The delete is conditional on the uid that
   * was checked for the label.
   */
  async deleteServiceLease(namespace: string, serviceName: string, options: { lease?: LeaseKey; inUse?: (lease: LeaseKey) => boolean } = {}): Promise<ServiceLeaseDeletion> {
    const key = this.serviceLease.get(`${namespace}/${serviceName}`);
    const lease = key !== undefined ? this.leases.get(key)!.lease : (options.lease ?? this.leaseOf(namespace, serviceName));
    await this.stop(namespace, serviceName, { release: false });
    // Still elected under by another Service, here or (as the caller knows) anywhere: kept.
    if (this.leases.has(`${lease.namespace}/${lease.name}`) || options.inUse?.(lease)) return 'shared';
    return this.deleteLease(lease);
  }

  private async deleteLease({ namespace, name }: LeaseKey): Promise<ServiceLeaseDeletion> {
    for (let attempt = 1; ; attempt++) {
      let uid: string | undefined;
      try {
        const lease = await this.api.readNamespacedLease({ namespace, name });
        if (lease.metadata?.labels?.[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE) return 'not-ours';
        uid = lease.metadata?.uid;
      } catch (err) {
        if (httpStatusOf(err) === 404) return 'absent';
        throw err;
      }
      try {
        await this.api.deleteNamespacedLease({ namespace, name, body: uid ? { preconditions: { uid } } : {} });
        return 'deleted';
      } catch (err) {
        if (httpStatusOf(err) === 404) return 'absent';
        // 409 on the uid: the Lease was replaced by a new one of that name since it was read;
        // read again and check the new one's label.
        if (httpStatusOf(err) !== 409 || attempt >= 3) throw err;
      }
    }
  }

  /** Stops every elector, releasing the leases this node leads. */
  async stopAll(): Promise<void> {
    const all = [...this.leases.values()].map((e) => e.elector);
    this.leases.clear();
    this.serviceLease.clear();
    await Promise.all(all.map((e) => e.stop()));
  }
}
