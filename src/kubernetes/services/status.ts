// The Service status writer: once a Service's VIPs are announced, its
// status.loadBalancer.ingress lists them (`{ ip, ipMode: 'VIP' }`), as kube-vip does, so that
// `kubectl get svc` shows the EXTERNAL-IP and kube-proxy knows the address is a real VIP.
//
// One node writes, not every node: only while `isLeader()` holds (the holder of the services
// lease). Writes are few, and reads none: the current status is read from the informer's cache
// (as a client-go controller reads its lister, never the API server) and nothing is written when
// it already says the same; one Service's writes never overlap, and calls that arrive while one
// runs fold into a single follow-up with the latest VIPs. A write is a JSON merge patch of the
// status carrying the cached resourceVersion, so a concurrent change is refused (409) and never
// overwritten: the write is tried again once the cache holds a newer version (`observed()`), or
// after the retry delay at the latest. The kube-vip.io/vipHost annotation names the node that
// wrote the status, as kube-vip's does (tools and dashboards that read it keep working).
import { EventEmitter, setMaxListeners } from 'node:events';
import { CoreV1Api, type KubeConfig, PatchStrategy, type V1LoadBalancerIngress, type V1Service, setHeaderOptions } from '@kubernetes/client-node';
import { type Clock, type TimerHandle, systemClock } from '../../../bgp/index.js';
import { canonicalVip } from '../../registry/index.js';
import { describeApiError, httpStatusOf } from '../api-errors.js';
import { abortable } from '../client.js';

/** Where the writer reads Services: the Services informer (ResilientInformer.get). */
export interface ServiceCache {
  get(name: string, namespace?: string): V1Service | undefined;
}

export interface ServiceStatusWriterOptions {
  kubeConfig: KubeConfig;
  /** Whether this node may write now: the services lease is ours. */
  isLeader: () => boolean;
  /**
   * `ipMode` of each ingress entry (Kubernetes 1.29+; older API servers drop the field).
   * 'VIP' (default): traffic to the address arrives with it as destination. null: left out.
   */
  ipMode?: 'VIP' | 'Proxy' | null;
  /** The Services as last listed and watched: read instead of a GET per write. */
  cache: ServiceCache;
  /** This node's name, written to kube-vip.io/vipHost with a non-empty status; absent: no annotation. */
  vipHost?: string;
  /** A write that failed (API server down, or a 409 the cache has not caught up with) is tried again after this long (default 5000 ms). */
  retryDelayMs?: number;
  clock?: Clock;
  /** Replaces the API client (tests). */
  api?: CoreV1Api;
}

export const VIP_HOST_ANNOTATION = 'kube-vip.io/vipHost';

export type StatusSyncResult =
  /** The status was patched. */
  | 'written'
  /** It already listed exactly these VIPs: nothing written. */
  | 'unchanged'
  /** Not the leader: nothing read or written (resync() on becoming leader). */
  | 'not-leader'
  /** No such Service (in the cache, or at the API server). */
  | 'not-found'
  /** 409: the Service changed since the cache saw it; written again once the cache has the change. */
  | 'conflict'
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
  /**
   * What this writer last wrote, the cached resourceVersion it was based on, and the one the
   * write made: the cache shows the write only once the watch brings it back.
   */
  written: { ips: string; host: string | null | undefined; over: string | undefined; result: string | undefined } | undefined;
  /** A 409 came for the cached version with this resourceVersion: a newer one retries at once. */
  conflictAt: string | undefined;
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
  private readonly cache: ServiceCache;
  private readonly vipHost: string | undefined;
  private readonly retryDelayMs: number;
  private readonly clock: Clock;
  private readonly entries = new Map<string, Entry>();
  /** Aborted by stop(): every write in flight ends at once. */
  private readonly stopping = new AbortController();

  constructor(options: ServiceStatusWriterOptions) {
    super();
    this.api = options.api ?? options.kubeConfig.makeApiClient(CoreV1Api);
    this.isLeader = options.isLeader;
    this.ipMode = options.ipMode === undefined ? 'VIP' : options.ipMode;
    this.cache = options.cache;
    this.vipHost = options.vipHost;
    this.retryDelayMs = options.retryDelayMs ?? 5000;
    this.clock = options.clock ?? systemClock;
    // One listener per write in flight: as many as there are Services being written.
    setMaxListeners(0, this.stopping.signal);
  }

  /**
   * The VIPs announced for a Service, in the order the ingress should list them; [] clears it.
   * Resolves once the status says so (or why not).
   */
  sync(namespace: string, name: string, vips: readonly string[]): Promise<StatusSyncResult> {
    const key = `${namespace}/${name}`;
    let entry = this.entries.get(key);
    if (this.stopping.signal.aborted) return Promise.resolve('forgotten');
    if (!entry) {
      entry = { namespace, name, ips: [], queued: undefined, tail: Promise.resolve(), retry: undefined, written: undefined, conflictAt: undefined };
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

  /**
   * The cache holds a new version of a Service: a write refused with 409 for an older one is
   * tried again now. (Call on the Services informer's updates.)
   */
  observed(namespace: string, name: string): void {
    const entry = this.entries.get(`${namespace}/${name}`);
    if (entry?.conflictAt === undefined) return;
    if (this.cache.get(name, namespace)?.metadata?.resourceVersion === entry.conflictAt) return;
    entry.conflictAt = undefined;
    void this.enqueue(entry);
  }

  /** Writes every tracked Service again where needed: call on becoming leader. */
  async resync(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => this.enqueue(e)));
  }

  /** Resolves once no write is queued or running (tests, and shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => e.tail));
  }

  /** Forgets everything, cancels the retries and aborts the writes in flight; resolves once none runs. */
  async stop(): Promise<void> {
    const entries = [...this.entries.values()];
    for (const e of entries) e.retry?.cancel();
    this.entries.clear();
    this.stopping.abort();
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
    const service = this.cache.get(name, namespace);
    if (!service) return 'not-found';
    const cachedVersion = service.metadata?.resourceVersion;
    const signature = ips.join(',');
    let resourceVersion = cachedVersion;
    const own = entry.written;
    // The cache has not caught up with our own write: what the Service says now is that write.
    const caughtUp = !(own && own.over === cachedVersion);
    if (!caughtUp) resourceVersion = own!.result;
    const statusDone = caughtUp ? sameIngress(service.status?.loadBalancer?.ingress ?? [], ips, this.ipMode) : own!.ips === signature;
    // Likewise our own last annotation write, until the cache catches up.
    const cachedHost = service.metadata?.annotations?.[VIP_HOST_ANNOTATION];
    const currentHost = !caughtUp && own!.host !== undefined ? (own!.host ?? undefined) : cachedHost;
    const host = this.hostChange(currentHost, ips);
    if (statusDone && host === undefined) return 'unchanged';
    const ingress: V1LoadBalancerIngress[] | null = ips.length === 0 ? null : ips.map((ip) => (this.ipMode ? { ip, ipMode: this.ipMode } : { ip }));
    const options = setHeaderOptions('Content-Type', PatchStrategy.MergePatch, abortable(this.stopping.signal));
    let written: V1Service | undefined;
    try {
      if (!statusDone) written = await this.api.patchNamespacedServiceStatus({ namespace, name, body: { metadata: { resourceVersion }, status: { loadBalancer: { ingress } } } }, options);
      // The annotation after the status, on the version the status write made.
      if (host !== undefined) {
        const body = { metadata: { resourceVersion: written?.metadata?.resourceVersion ?? resourceVersion, annotations: { [VIP_HOST_ANNOTATION]: host } } };
        written = await this.api.patchNamespacedService({ namespace, name, body }, options);
      }
    } catch (err) {
      if (!this.tracked(entry)) return 'forgotten';
      const code = httpStatusOf(err);
      if (code === 404) return 'not-found';
      if (code !== 409) return this.failed(entry, err);
      // The Service changed since the cache saw it: try again once the cache has the change.
      entry.conflictAt = cachedVersion;
      this.retryLater(entry);
      return 'conflict';
    }
    entry.written = { ips: signature, host: host === undefined ? own?.host : host, over: cachedVersion, result: written?.metadata?.resourceVersion };
    entry.conflictAt = undefined;
    this.emit('written', namespace, name, ips);
    return 'written';
  }

  /**
   * What to write to kube-vip.io/vipHost: this node's name with a non-empty status; null to remove
   * ours when the status is cleared; undefined: nothing to write.
   */
  private hostChange(current: string | undefined, ips: readonly string[]): string | null | undefined {
    if (this.vipHost === undefined) return undefined;
    if (ips.length > 0) return current === this.vipHost ? undefined : this.vipHost;
    return current === this.vipHost ? null : undefined;
  }

  private retryLater(entry: Entry): void {
    entry.retry?.cancel();
    entry.retry = this.clock.after(this.retryDelayMs, () => {
      entry.retry = undefined;
      entry.conflictAt = undefined;
      void this.enqueue(entry);
    });
  }

  private failed(entry: Entry, err: unknown): StatusSyncResult {
    this.emit('failed', entry.namespace, entry.name, describeApiError(err));
    if (this.tracked(entry)) this.retryLater(entry);
    return 'failed';
  }
}
