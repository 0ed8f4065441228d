// A watch on one coordination.k8s.io/v1 Lease that says when the Lease may be free to take:
// released (holderIdentity empty or absent, as client-go's release leaves it) or deleted. The
// leader elector uses it to try at once instead of at its next jittered retry (election.ts
// nudge()); it only ever makes a handover faster, the elector's polling stays the fallback.
//
// It is a ResilientInformer (informer.ts) on the Lease collection narrowed by the metadata.name
// field selector, so everything about staying connected is the informer's: list, then watch;
// re-watch when the server ends a watch; relist after 410 Gone; reconnect with capped, jittered
// back-off (backoff.ts) after an error; a watchdog for a half-open connection. The relist after
// a reconnect reports a Lease that changed meanwhile as an update, so a release that happened
// during an outage still comes through once the server is back.
//
// Only a free Lease is reported, not every change. A candidate judges expiry by how long it has
// gone without seeing the record change (election.ts isLeaseValid): a change is a renewal or a
// new holder, neither of which makes a held Lease takeable, and expiry is the absence of events,
// which no watch delivers; the elector's own retries catch it. Reporting every change would only
// add a read per renewal on every candidate.
import { CoordinationV1Api, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { abortable } from '../client.js';
import { type InformerFailureInfo, type InformerStatus, type InformerTuning, ResilientInformer } from '../informers/informer.js';

/** Why the Lease may be free: its holder released it, or it is gone (a candidate creates it again). */
export type LeaseFreeReason = 'released' | 'deleted';

export interface LeaseWatchOptions extends InformerTuning {
  kubeConfig: KubeConfig;
  namespace: string;
  name: string;
  /** The Lease is released or deleted. Called on every event that shows it so, the first list included. */
  onFree: (reason: LeaseFreeReason) => void;
  /** A list or watch failed; the informer tries again after `info.retryInMs`. */
  onError?: (error: Error, info: InformerFailureInfo) => void;
  /** Replaces the API client used for the list (tests). */
  api?: CoordinationV1Api;
}

/** leaselock.go's reading of a released Lease: no holder. */
export function isReleased(lease: V1Lease): boolean {
  return (lease.spec?.holderIdentity ?? '') === '';
}

export class LeaseWatch {
  private readonly informer: ResilientInformer<V1Lease>;

  /** Sets up the watch; no request is made before start(). */
  constructor(options: LeaseWatchOptions) {
    const { kubeConfig, namespace, name, onFree, onError, api: given, ...tuning } = options;
    const api = given ?? kubeConfig.makeApiClient(CoordinationV1Api);
    const fieldSelector = `metadata.name=${name}`;
    this.informer = new ResilientInformer<V1Lease>({
      ...tuning,
      name: `lease ${namespace}/${name}`,
      kubeConfig,
      path: `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`,
      list: (signal) => api.listNamespacedLease({ namespace, fieldSelector }, abortable(signal)),
      fieldSelector,
    });
    const seen = (lease: V1Lease): void => {
      if (isReleased(lease)) onFree('released');
    };
    this.informer.on('add', seen);
    this.informer.on('update', seen);
    this.informer.on('delete', () => onFree('deleted'));
    if (onError) this.informer.on('error', onError);
  }

  /** Lists and watches; resolves after the first attempt, whether or not it succeeded (failures retry on their own). */
  start(): Promise<void> {
    return this.informer.start();
  }

  /** Stops for good: no retry timer and no request left open. */
  stop(): Promise<void> {
    return this.informer.stop();
  }

  /** A watch is established. */
  get connected(): boolean {
    return this.informer.connected;
  }

  status(): InformerStatus {
    return this.informer.status();
  }
}
