// The Service status writer: once a Service's VIPs are announced, its
// status.loadBalancer.ingress lists them (`{ ip, ipMode: 'VIP' }`), as kube-vip does, so that
// `kubectl get svc` shows the EXTERNAL-IP and kube-proxy knows the address is a real VIP; and its
// kube-vip.io/vipHost annotation names the node that wrote it, as kube-vip's does (tools and
// kube-vip's own tests read it to find the node holding an ARP VIP).
//
// One node writes, not every node: only while `isLeader()` holds (the holder of the services
// lease). Writes are few: the current status is read first and nothing is written when it
// already says the same; one Service's writes never overlap, and calls that arrive while one
// runs fold into a single follow-up with the latest VIPs. A write is a JSON merge patch of the
// status carrying the resourceVersion just read, so a concurrent change is refused (409) and
// answered by reading again, never overwritten.
import { EventEmitter } from 'node:events';
import { CoreV1Api, type KubeConfig, PatchStrategy, type V1LoadBalancerIngress, setHeaderOptions } from '@kubernetes/client-node';
import { type Clock, type TimerHandle, systemClock } from '../../../bgp/index.js';
import { canonicalVip } from '../../registry/index.js';
import { describeApiError, httpStatusOf } from '../api-errors.js';

export interface ServiceStatusWriterOptions {
  kubeConfig: KubeConfig;
  /** Whether this node may write now: the services lease is ours. */
  isLeader: () => boolean;
  /**
   * `ipMode` of each ingress entry (Kubernetes 1.29+; older API servers drop the field).
   * 'VIP' (default): traffic to the address arrives with it as destination. null: left out.
   */
  ipMode?: 'VIP' | 'Proxy' | null;
  /** Reads and writes again after this many 409s in a row before giving up until the retry (default 5). */
  conflictRetries?: number;
  /** A write that failed otherwise (API server down, say) is tried again after this long (default 5000 ms). */
  retryDelayMs?: number;
  clock?: Clock;
  /** This node's name, written to kube-vip.io/vipHost with a non-empty status; absent: no annotation. */
  vipHost?: string;
  /** Replaces the API client (tests). */
  api?: CoreV1Api;
}

/** kube-vip's annotation naming the node that last wrote a Service's status (pkg/kubevip/annotations.go). */
export const VIP_HOST_ANNOTATION = 'kube-vip.io/vipHost';

export type StatusSyncResult =
  /** The status was patched. */
  | 'written'
  /** It already listed exactly these VIPs: nothing written. */
  | 'unchanged'
  /** Not the leader: nothing read or written (resync() on becoming leader). */
  | 'not-leader'
  /** No such Service. */
  | 'not-found'
  /** Forgotten before the write. */
  | 'forgotten'
  /** The API refused or could not be reached; tried again after retryDelayMs. */
  | 'failed';

export interface ServiceStatusWriterEvents {
  written: [namespace: string, name: string, ips: string[]];
  failed: [namespace: string, name: string, message: string];
}

interface Entry {
  namespace: string;
  name: string;
  ips: string[];
  /** A run that has not started yet: a new sync joins it instead of queueing another. */
  queued: Promise<StatusSyncResult> | undefined;
  /** The end of this Service's queue. */
  tail: Promise<void>;
  retry: TimerHandle | undefined;
}

/** The address alone, canonical: '2001:db8::10' for '2001:DB8:0::10/128'. */
function ipOf(vip: string): string {
  const text = canonicalVip(vip).text;
  return text.slice(0, text.lastIndexOf('/'));
}

/**
 * Whether the ingress already says what we would write. A missing ipMode counts as ours: an API
 * server before 1.29 drops the field, and comparing it would write on every sync forever.
 */
export function sameIngress(current: readonly V1LoadBalancerIngress[], ips: readonly string[], ipMode: string | null): boolean {
  if (current.length !== ips.length) return false;
  return current.every((entry, i) =>
    entry.ip === ips[i] &&
    entry.hostname === undefined &&
    (entry.ports === undefined || entry.ports.length === 0) &&
    (ipMode === null || entry.ipMode === undefined || entry.ipMode === ipMode),
  );
}

export class ServiceStatusWriter extends EventEmitter<ServiceStatusWriterEvents> {
  private readonly api: CoreV1Api;
  private readonly isLeader: () => boolean;
  private readonly ipMode: 'VIP' | 'Proxy' | null;
  private readonly conflictRetries: number;
  private readonly retryDelayMs: number;
  private readonly clock: Clock;
  private readonly vipHost: string | undefined;
  private readonly entries = new Map<string, Entry>();

  constructor(options: ServiceStatusWriterOptions) {
    super();
    this.api = options.api ?? options.kubeConfig.makeApiClient(CoreV1Api);
    this.isLeader = options.isLeader;
    this.ipMode = options.ipMode === undefined ? 'VIP' : options.ipMode;
    this.conflictRetries = options.conflictRetries ?? 5;
    this.retryDelayMs = options.retryDelayMs ?? 5000;
    this.clock = options.clock ?? systemClock;
    this.vipHost = options.vipHost;
  }

  /**
   * The VIPs announced for a Service, in the order the ingress should list them; [] clears it.
   * Resolves once the status says so (or why not).
   */
  sync(namespace: string, name: string, vips: readonly string[]): Promise<StatusSyncResult> {
    const key = `${namespace}/${name}`;
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { namespace, name, ips: [], queued: undefined, tail: Promise.resolve(), retry: undefined };
      this.entries.set(key, entry);
    }
    entry.ips = [...new Set(vips.map(ipOf))];
    return this.enqueue(entry);
  }

  /** Stops tracking a Service (deleted, or no longer ours); its status is left as it is. */
  forget(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    this.entries.get(key)?.retry?.cancel();
    this.entries.delete(key);
  }

  /** Writes every tracked Service again where needed: call on becoming leader. */
  async resync(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => this.enqueue(e)));
  }

  /** Resolves once no write is queued or running (tests, and shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => e.tail));
  }

  /** Forgets everything and cancels the retries; a write in flight still ends. */
  async stop(): Promise<void> {
    const entries = [...this.entries.values()];
    for (const e of entries) e.retry?.cancel();
    this.entries.clear();
    await Promise.all(entries.map((e) => e.tail));
  }

  private enqueue(entry: Entry): Promise<StatusSyncResult> {
    if (entry.queued) return entry.queued;
    const run: Promise<StatusSyncResult> = entry.tail.then(() => {
      if (entry.queued === run) entry.queued = undefined;
      return this.apply(entry);
    });
    entry.queued = run;
    entry.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private tracked(entry: Entry): boolean {
    return this.entries.get(`${entry.namespace}/${entry.name}`) === entry;
  }

  private async apply(entry: Entry): Promise<StatusSyncResult> {
    entry.retry?.cancel();
    entry.retry = undefined;
    if (!this.tracked(entry)) return 'forgotten';
    if (!this.isLeader()) return 'not-leader';
    const { namespace, name } = entry;
    const ips = entry.ips;
    for (let conflicts = 0; conflicts <= this.conflictRetries; conflicts++) {
      let resourceVersion: string | undefined;
      let statusDone: boolean;
      let host: string | null | undefined;
      try {
        // GET on the Service itself (its status comes with it): RBAC that lets a speaker watch
        // Services lets it read them, while services/status needs only patch.
        const service = await this.api.readNamespacedService({ namespace, name });
        statusDone = sameIngress(service.status?.loadBalancer?.ingress ?? [], ips, this.ipMode);
        host = this.hostChange(service.metadata?.annotations?.[VIP_HOST_ANNOTATION], ips);
        if (statusDone && host === undefined) return 'unchanged';
        resourceVersion = service.metadata?.resourceVersion;
      } catch (err) {
        if (httpStatusOf(err) === 404) return 'not-found';
        return this.failed(entry, err);
      }
      // Leadership or interest may have gone while reading.
      if (!this.tracked(entry)) return 'forgotten';
      if (!this.isLeader()) return 'not-leader';
      const ingress: V1LoadBalancerIngress[] | null = ips.length === 0 ? null : ips.map((ip) => (this.ipMode ? { ip, ipMode: this.ipMode } : { ip }));
      const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
      try {
        if (!statusDone) {
          const written = await this.api.patchNamespacedServiceStatus({ namespace, name, body: { metadata: { resourceVersion }, status: { loadBalancer: { ingress } } } }, mergePatch);
          resourceVersion = written.metadata?.resourceVersion;
        }
        // The annotation after the status, on the version the status write made.
        if (host !== undefined) await this.api.patchNamespacedService({ namespace, name, body: { metadata: { resourceVersion, annotations: { [VIP_HOST_ANNOTATION]: host } } } }, mergePatch);
        this.emit('written', namespace, name, ips);
        return 'written';
      } catch (err) {
        const code = httpStatusOf(err);
        if (code === 404) return 'not-found';
        // 409: the Service changed since it was read; read it again.
        if (code !== 409) return this.failed(entry, err);
      }
    }
    return this.failed(entry, new Error(`${this.conflictRetries + 1} conflicts in a row`));
  }

  /**
   * What to write to kube-vip.io/vipHost: this node's name with a non-empty status; null to remove
   * our name when the status is cleared (another node's is left alone); undefined: nothing.
   */
  private hostChange(current: string | undefined, ips: readonly string[]): string | null | undefined {
    if (this.vipHost === undefined) return undefined;
    if (ips.length > 0) return current === this.vipHost ? undefined : this.vipHost;
    return current === this.vipHost ? null : undefined;
  }

  private failed(entry: Entry, err: unknown): StatusSyncResult {
    this.emit('failed', entry.namespace, entry.name, describeApiError(err));
    if (this.tracked(entry)) {
      entry.retry = this.clock.after(this.retryDelayMs, () => {
        entry.retry = undefined;
        void this.enqueue(entry);
      });
    }
    return 'failed';
  }
}
