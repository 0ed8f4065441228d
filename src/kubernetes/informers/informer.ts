// A resilient informer. client-node 1.4's ListWatch lists, watches from the list's
// resourceVersion, re-watches when the server ends a watch and relists after 410 Gone. What it
// leaves to its caller is done here:
// - on a cut connection, a refused one, a 503 or a failed list ListWatch fires 'error' and
//   stops: it is started again after a capped, jittered back-off (backoff.ts);
// - a request the server never answers or ends (a half-open connection to an API server whose
//   node died) is aborted by a watchdog, then treated as any other failure. Watches ask the
//   server to end them after `watchTimeoutSeconds`, as client-go's reflector does, so that a
//   healthy watch always ends in time and only a dead one outlives the watchdog.
// Through all of it the cache keeps the last state it saw: nothing is forgotten, and so nothing
// is withdrawn, because the API server could not be reached.
import { EventEmitter } from 'node:events';
import { type KubeConfig, type KubernetesListObject, type KubernetesObject, ListWatch } from '@kubernetes/client-node';
import { type Clock, type TimerHandle, systemClock } from '../../../bgp/index.js';
import { backoffDelay, type BackoffPolicy, DEFAULT_BACKOFF } from './backoff.js';
import { TrackedWatch, describeInformerError, isAbort } from './watch.js';

export { describeInformerError } from './watch.js';

/** How an informer retries and watches; every field has a default. */
export interface InformerTuning {
  backoff?: Partial<BackoffPolicy>;
  /** [0, 1), for the jitter. */
  random?: () => number;
  /** Timers for retries and the watchdog; wall time for lastSync, lastError and downtime. */
  clock?: Clock;
  /** Asked of the server on each watch (its `timeoutSeconds`); 0 asks nothing. Default 300. */
  watchTimeoutSeconds?: number;
  /** A list or watch running this long without a new one starting is taken as dead; 0: never. Default the watch timeout + 60 s. */
  stallTimeoutMs?: number;
}

export interface InformerOptions<T extends KubernetesObject> extends InformerTuning {
  /** For logs and status: 'services', 'endpointslices', 'node'. */
  name: string;
  kubeConfig: KubeConfig;
  /** The collection's path, e.g. '/api/v1/services'. */
  path: string;
  /**
   * Lists the collection. It must apply the same selectors as the watch (ListWatch passes
   * them to the watch only) and hand `signal` to the request, so that the watchdog can end it.
   */
  list: (signal: AbortSignal) => Promise<KubernetesListObject<T>>;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface InformerFailure {
  /** One line: `503 ServiceUnavailable: ...`, `ECONNREFUSED: ...`. */
  message: string;
  /** HTTP status or Node error code, when there is one. */
  code?: string | number;
  at: Date;
}

export interface InformerStatus {
  name: string;
  /** A watch is established, or being re-established by the library itself. */
  connected: boolean;
  /** At least one full list has been applied to the cache. */
  synced: boolean;
  lastSync: string | null;
  lastError: { message: string; code: string | number | null; at: string } | null;
  /** Failed attempts since the connection last held (what the back-off counts). */
  failures: number;
}

export interface InformerEvents<T> {
  add: [object: T];
  update: [object: T];
  delete: [object: T];
  /** A full list was applied to the cache (the first one, or a relist). */
  synced: [info: { objects: number; first: boolean }];
  /** An attempt failed; the next one starts in `retryInMs`. Emitted only when someone listens. */
  error: [error: Error, info: InformerFailureInfo];
  /** Connected again after failures. */
  restored: [info: { downForMs: number; failures: number }];
}

export interface InformerFailureInfo {
  retryInMs: number;
  /** Failed attempts counted by the back-off, this one included. */
  failures: number;
  /** The first failure since the informer was last connected (or started): worth a warning, the retries after it are not. */
  outageStart: boolean;
}

export const DEFAULT_WATCH_TIMEOUT_SECONDS = 300;
/** How long past the watch timeout a watch may stay open before it is taken as dead. */
export const STALL_GRACE_MS = 60_000;

/** Why a request was aborted by the watchdog. */
export class InformerStalledError extends Error {
  override name = 'InformerStalledError';
  readonly code = 'INFORMER_STALLED';
}

export class ResilientInformer<T extends KubernetesObject> extends EventEmitter<InformerEvents<T>> {
  readonly name: string;
  private readonly informer: ListWatch<T>;
  private readonly watch: TrackedWatch;
  private readonly policy: BackoffPolicy;
  private readonly random: () => number;
  private readonly clock: Clock;
  private readonly stallTimeoutMs: number;
  private state: 'new' | 'running' | 'stopped' = 'new';
  private isConnected = false;
  private hasSynced = false;
  private lastSyncAt: number | undefined;
  private lastFailure: InformerFailure | undefined;
  private failures = 0;
  private connectedAt: number | undefined;
  private downSince: number | undefined;
  private retry: TimerHandle | undefined;
  private watchdog: TimerHandle | undefined;
  /** The list in flight, so that the watchdog or stop() can end it. */
  private listing: AbortController | undefined;
  /** Set while an attempt started by start() or a retry is in flight. */
  private attempt: { failed: boolean } | undefined;
  /** Why the watchdog aborted the request in flight; its AbortError is reported as this. */
  private stall: InformerStalledError | undefined;

  constructor(private readonly options: InformerOptions<T>) {
    super();
    this.name = options.name;
    this.policy = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.random = options.random ?? Math.random;
    this.clock = options.clock ?? systemClock;
    const watchTimeout = options.watchTimeoutSeconds ?? DEFAULT_WATCH_TIMEOUT_SECONDS;
    this.stallTimeoutMs = options.stallTimeoutMs ?? (watchTimeout > 0 ? watchTimeout * 1000 + STALL_GRACE_MS : 0);
    // ListWatch hands its path to Watch, which adds its own parameters to whatever query is there.
    const path = watchTimeout > 0 ? `${options.path}${options.path.includes('?') ? '&' : '?'}timeoutSeconds=${watchTimeout}` : options.path;
    this.watch = new TrackedWatch(options.kubeConfig, () => this.state === 'stopped');
    this.informer = new ListWatch<T>(path, this.watch, () => this.listForInformer(), false, options.labelSelector, options.fieldSelector);
    this.informer.on('add', (obj) => this.emit('add', obj));
    this.informer.on('update', (obj) => this.emit('update', obj));
    this.informer.on('delete', (obj) => this.emit('delete', obj));
    this.informer.on('connect', () => this.armWatchdog());
    this.informer.on('error', (err: unknown) => this.informerFailed(err));
  }

  /** Lists and watches; resolves after the first attempt, whether or not it succeeded (failures retry on their own). */
  async start(): Promise<void> {
    if (this.state !== 'new') return;
    this.state = 'running';
    await this.run();
  }

  /** Stops for good: no retry, no request left open. The cache keeps what it had. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.retry?.cancel();
    this.retry = undefined;
    this.disarmWatchdog();
    this.isConnected = false;
    this.listing?.abort();
    await this.informer.stop();
    this.watch.end(new Error('stopped'));
  }

  /** Resolves once a first full list is in the cache. */
  whenSynced(): Promise<void> {
    if (this.hasSynced) return Promise.resolve();
    return new Promise((resolve) => this.once('synced', () => resolve()));
  }

  get connected(): boolean {
    return this.isConnected;
  }

  get synced(): boolean {
    return this.hasSynced;
  }

  get lastSync(): Date | undefined {
    return this.lastSyncAt === undefined ? undefined : new Date(this.lastSyncAt);
  }

  get lastError(): InformerFailure | undefined {
    return this.lastFailure;
  }

  status(): InformerStatus {
    const e = this.lastFailure;
    return {
      name: this.name,
      connected: this.isConnected,
      synced: this.hasSynced,
      lastSync: this.lastSyncAt === undefined ? null : new Date(this.lastSyncAt).toISOString(),
      lastError: e ? { message: e.message, code: e.code ?? null, at: e.at.toISOString() } : null,
      failures: this.failures,
    };
  }

  /** The cached objects (all namespaces, or one). */
  list(namespace?: string): ReadonlyArray<T> {
    return this.informer.list(namespace);
  }

  get(name: string, namespace?: string): T | undefined {
    return this.informer.get(name, namespace);
  }

  private async run(): Promise<void> {
    this.retry = undefined;
    if (this.state !== 'running') return;
    const attempt = { failed: false };
    this.attempt = attempt;
    try {
      await this.informer.start();
    } catch (err) {
      this.informerFailed(err);
    }
    if (this.attempt === attempt) this.attempt = undefined;
    if (this.state === 'running' && !attempt.failed) this.markConnected();
  }

  /** ListWatch's list function: the caller's list, abortable, announcing `synced` once applied. */
  private async listForInformer(): Promise<KubernetesListObject<T>> {
    const controller = new AbortController();
    this.listing = controller;
    try {
      const list = await this.options.list(controller.signal);
      const first = !this.hasSynced;
      // ListWatch applies the items as soon as this promise settles; announce after it has.
      setImmediate(() => {
        if (this.state !== 'running') return;
        this.hasSynced = true;
        this.lastSyncAt = this.clock.wallNow();
        this.emit('synced', { objects: list.items?.length ?? 0, first });
      });
      return list;
    } finally {
      if (this.listing === controller) this.listing = undefined;
    }
  }

  private informerFailed(err: unknown): void {
    // stop()'s own AbortError, and anything after it.
    if (this.state !== 'running') return;
    const stall = this.stall;
    this.stall = undefined;
    const error = stall && isAbort(err) ? stall : err instanceof Error ? err : new Error(String(err));
    if (this.attempt) this.attempt.failed = true;
    const now = this.clock.now();
    this.disarmWatchdog();
    // A connection that held for a while starts the back-off over.
    if (this.connectedAt !== undefined && now - this.connectedAt >= this.policy.resetAfterMs) this.failures = 0;
    this.isConnected = false;
    this.connectedAt = undefined;
    const outageStart = this.downSince === undefined;
    this.downSince ??= now;
    this.lastFailure = { ...describeInformerError(error), at: new Date(this.clock.wallNow()) };
    const retryInMs = backoffDelay(this.failures, this.policy, this.random);
    this.failures++;
    this.retry?.cancel();
    this.retry = this.clock.after(retryInMs, () => void this.run());
    if (this.listenerCount('error') > 0) this.emit('error', error, { retryInMs, failures: this.failures, outageStart });
  }

  private markConnected(): void {
    const now = this.clock.now();
    this.isConnected = true;
    this.connectedAt = now;
    if (this.downSince !== undefined) {
      const downForMs = now - this.downSince;
      this.downSince = undefined;
      this.emit('restored', { downForMs, failures: this.failures });
    }
  }

  /** ListWatch fires 'connect' as it starts each list or watch: each one must end or be followed by another in time. */
  private armWatchdog(): void {
    this.disarmWatchdog();
    if (this.stallTimeoutMs <= 0 || this.state !== 'running') return;
    this.watchdog = this.clock.after(this.stallTimeoutMs, () => this.stalled());
  }

  private disarmWatchdog(): void {
    this.watchdog?.cancel();
    this.watchdog = undefined;
  }

  private stalled(): void {
    this.watchdog = undefined;
    if (this.state !== 'running') return;
    const ms = this.stallTimeoutMs;
    if (this.listing) {
      this.stall = new InformerStalledError(`the list request got no answer within ${ms} ms: taken as a dead connection`);
      // The abort comes back through ListWatch as an AbortError 'error', reported as the stall.
      this.listing.abort();
      return;
    }
    const answered = this.watch.answered;
    this.stall = new InformerStalledError(
      answered ? `the watch went silent for ${ms} ms, neither ended nor replaced: taken as a dead connection` : `the watch request got no answer within ${ms} ms: taken as a dead connection`,
    );
    if (!this.watch.end(this.stall)) {
      // Nothing in flight (between two requests): look again later.
      this.stall = undefined;
      this.armWatchdog();
    }
  }
}
