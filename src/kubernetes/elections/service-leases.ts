// Per-Service leader election, as kube-vip's svc_election: one Lease per Service, named
// `kubevip-<service name>` in the Service's namespace (kube-vip pkg/lease GetName), so that each
// Service's VIP may be announced from a different node. Unlike kube-vip, which leaves these
// Leases behind, vip-speaker deletes the ones it created when the Service goes: every Lease it
// creates carries the label app.kubernetes.io/managed-by=vip-speaker, and only those are deleted.
import { CoordinationV1Api } from '@kubernetes/client-node';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, httpStatusOf } from '../api-errors.js';
import { LeaderElector, type LeaderElectorOptions, type StopOptions } from './elector.js';

/** kube-vip's Lease name for a Service's own election. */
export function serviceLeaseName(serviceName: string): string {
  return `kubevip-${serviceName}`;
}

export type ServiceLeaseDeletion =
  /** Our Lease was deleted. */
  | 'deleted'
  /** There was no Lease (another node deleted it first, or none was ever created). */
  | 'absent'
  /** The Lease was not created by vip-speaker (kube-vip's, say): left alone. */
  | 'not-ours';

export type ServiceLeasesOptions = Omit<LeaderElectorOptions, 'namespace' | 'name' | 'labels' | 'api'> & { api?: CoordinationV1Api };

export class ServiceLeases {
  private readonly options: ServiceLeasesOptions;
  private readonly api: CoordinationV1Api;
  private readonly electors = new Map<string, LeaderElector>();

  constructor(options: ServiceLeasesOptions) {
    this.options = options;
    this.api = options.api ?? options.kubeConfig.makeApiClient(CoordinationV1Api);
  }

  /** The Service's elector, made on first use (not started: attach listeners, then start()). */
  elector(namespace: string, serviceName: string): LeaderElector {
    const key = `${namespace}/${serviceName}`;
    let elector = this.electors.get(key);
    if (!elector) {
      elector = new LeaderElector({
        ...this.options,
        api: this.api,
        namespace,
        name: serviceLeaseName(serviceName),
        labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
      });
      this.electors.set(key, elector);
    }
    return elector;
  }

  /** Electors made and not yet stopped, by `namespace/service`. */
  get active(): ReadonlyMap<string, LeaderElector> {
    return this.electors;
  }

  /** Stops a Service's elector (releasing the lease if it leads), e.g. when it stops being ours. */
  async stop(namespace: string, serviceName: string, options: StopOptions = {}): Promise<void> {
    const key = `${namespace}/${serviceName}`;
    const elector = this.electors.get(key);
    if (!elector) return;
    this.electors.delete(key);
    await elector.stop(options);
  }

  /**
   * The Service is gone: stop its elector here (without a release, which would write the Lease
   * again), then delete its Lease if vip-speaker created it. Every node does this in the same
   * order, so whatever an elector elsewhere writes before it sees the deletion, the last word
   * on the Lease is a delete. The delete is conditional on the uid that was checked for the label.
   */
  async deleteServiceLease(namespace: string, serviceName: string): Promise<ServiceLeaseDeletion> {
    await this.stop(namespace, serviceName, { release: false });
    const name = serviceLeaseName(serviceName);
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
    const all = [...this.electors.values()];
    this.electors.clear();
    await Promise.all(all.map((e) => e.stop()));
  }
}
