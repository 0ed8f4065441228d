// Leader election on a coordination.k8s.io/v1 Lease, with the semantics of client-go's
// tools/leaderelection (leaderelection.go), so that vip-speaker and kube-vip (which uses
// client-go) can take turns on the same Lease during a migration:
//
// - a candidate tries every retryPeriod (jittered by client-go's JitterFactor 1.2) and takes the
//   lease when it is absent, released (empty holderIdentity), held by itself, or expired;
// - "expired" is judged by the local clock only: the lease counts as valid until
//   leaseDurationSeconds after the moment this process last SAW the record change, never from
//   the renewTime written by another node (clock skew between nodes does not matter);
// - the leader renews every retryPeriod; when no renewal succeeds within renewDeadline it steps
//   down (stoppedLeading) and becomes a candidate again;
// - every write is conditional on the resourceVersion last read (LeaseLock): a 409 means someone
//   else wrote first, and never makes the writer leader;
// - on stop the leader releases the lease (client-go's ReleaseOnCancel): holderIdentity '',
//   leaseDurationSeconds 1, acquireTime = renewTime = now, so a successor need not wait.
//
// Where it differs: client-go's Run returns after losing the lease and leaves it to the caller
// to run again; this elector goes back to being a candidate by itself. The first renewal comes a
// retryPeriod after acquiring (client-go's wait.Until renews at once). newLeader is not emitted
// for an empty holder (a released lease). The renew deadline counts from the last successful
// renewal, not from the start of the round, so a leader steps down earlier, never later (see
// renewRound).
//
// What it adds, for a handover faster than a retry (1 to 2.2 retryPeriods after a release):
// - nudge(): a candidate tries at once, or right after the attempt in flight;
// - the `watch` option: a watch on the Lease (lease-watch.ts) nudges when it is released or
//   deleted. Polling stays as it is, so a watch that cannot connect costs only speed;
// - stop({ beforeRelease }): a leader awaits its caller's clean-up (ARP mode takes the VIPs off
//   the interface) between stoppedLeading and the release that lets another node take over.
import { EventEmitter } from 'node:events';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { type Clock, type TimerHandle, systemClock } from '../../../bgp/index.js';
import { describeApiError, httpStatusOf } from '../api-errors.js';
import { type ElectionFailure, type LeaderElectorEvents, type LeaderElectorOptions, type LeaseOperation, type StopOptions, JITTER_FACTOR, checkElectionOptions } from './options.js';
import { type LeaderElectionRecord, LeaseLock, microTime, rawRecord } from './lock.js';
import { describeInformerError } from '../informers/watch.js';
import { LeaseWatch } from './lease-watch.js';

export * from './options.js';

type State = 'idle' | 'candidate' | 'leading' | 'stopped';

export class LeaderElector extends EventEmitter<LeaderElectorEvents> {
  readonly identity: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  private readonly lock: LeaseLock;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly releaseOnStop: boolean;
  private state: State = 'idle';
  private observedRecord: LeaderElectionRecord | undefined;
  private observedRaw = '';
  /** Local monotonic time at which observedRecord last changed (client-go's observedTime). */
  private observedTime = 0;
  private reportedLeader = '';
  /** Monotonic time at which the last successful acquire or renewal was sent. */
  private lastRenewal = 0;
  private timer: TimerHandle | undefined;
  private deadline: TimerHandle | undefined;
  /** Attempts not yet finished; more than one only after an invalidated one was left to end. */
  private readonly inflight = new Set<Promise<void>>();
  private abort: AbortController | undefined;
  /** Bumped whenever an attempt in flight must no longer count (deadline passed, stopped). */
  private epoch = 0;
  /**
   * The epoch of the attempt in flight, while one of the current epoch is. An older one, made
   * void by invalidate(), has had its request aborted and no longer counts as in flight.
   */
  private attemptEpoch: number | undefined;
  /** nudge() came while an attempt was in flight: one more runs right after it. */
  private nudged = false;
  private readonly leaseWatch: LeaseWatch | undefined;

  constructor(options: LeaderElectorOptions) {
    super();
    const { lease, renew, retry } = checkElectionOptions(options);
    this.identity = options.identity;
    this.leaseDurationMs = lease * 1000;
    this.renewDeadlineMs = renew * 1000;
    this.retryPeriodMs = retry * 1000;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.releaseOnStop = options.releaseOnStop ?? true;
    const api = options.api ?? options.kubeConfig.makeApiClient(CoordinationV1Api);
    this.lock = new LeaseLock({ api, namespace: options.namespace, name: options.name, ...(options.labels ? { labels: options.labels } : {}) });
    // The watch runs from start() to stop(), leading or not: it is then connected at the moment
    // this node steps down and becomes a candidate, when the Lease is most likely to change; one
    // idle stream per elector costs less than a list and a new watch at every transition.
    if (options.watch) {
      this.leaseWatch = new LeaseWatch({
        kubeConfig: options.kubeConfig,
        namespace: options.namespace,
        name: options.name,
        api,
        onFree: () => this.nudge(),
        onError: (err) => this.failWith('watch', describeInformerError(err)),
        random: this.random,
        clock: this.clock,
      });
    }
  }

  /** `namespace/name` of the Lease. */
  get lease(): string {
    return this.lock.describe();
  }

  get isLeader(): boolean {
    return this.state === 'leading';
  }

  /** Stopped for good: a candidate that stands again is a new elector. */
  get stopped(): boolean {
    return this.state === 'stopped';
  }

  /** The holder last observed ('' when none), as client-go's GetLeader. */
  get leader(): string {
    return this.observedRecord?.holderIdentity ?? '';
  }

  /** Starts the candidate loop; the first attempt is immediate. No network I/O before this. */
  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'candidate';
    this.schedule(0, () => this.attempt());
    void this.leaseWatch?.start();
  }

  /**
   * The Lease may have changed: a candidate tries now instead of at its next retry, or, with an
   * attempt in flight, once more right after it (never two at once, and never lost). Nothing
   * happens when idle, leading or stopped.
   */
  nudge(): void {
    if (this.state !== 'candidate') return;
    if (this.attemptEpoch === this.epoch) {
      this.nudged = true;
      return;
    }
    this.timer?.cancel();
    this.timer = undefined;
    this.launch(() => this.attempt());
  }

  /**
   * Stops the loop and the watch. A leader emits stoppedLeading('stopped') first; then, unless
   * `release` is false, the holder awaits `beforeRelease` (see StopOptions) and releases the
   * lease so that a successor need not wait for it to expire. Resolves with no timer or request left.
   */
  async stop(options: StopOptions = {}): Promise<void> {
    if (this.state === 'stopped') return;
    const wasLeading = this.state === 'leading';
    this.state = 'stopped';
    this.invalidate();
    await Promise.all([this.settled(), this.leaseWatch?.stop()]);
    if (wasLeading) this.emit('stoppedLeading', 'stopped');
    if (!(options.release ?? this.releaseOnStop) || !this.holdsRecord()) return;
    if (options.beforeRelease) await this.withinRenewDeadline(options.beforeRelease);
    await this.release();
  }

  /** Resolves once no attempt is in flight (tests, and stop). */
  async settled(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all(this.inflight);
  }

  /** client-go's IsLeader: the last observed record names this candidate. */
  private holdsRecord(): boolean {
    return this.observedRecord?.holderIdentity === this.identity;
  }

  /** client-go's isLeaseValid: measured from when this process saw the record change. */
  private isLeaseValid(now: number): boolean {
    return this.observedTime + (this.observedRecord?.leaseDurationSeconds ?? 0) * 1000 > now;
  }

  private setObservedRecord(record: LeaderElectionRecord): void {
    this.observedRecord = record;
    this.observedRaw = rawRecord(record);
    this.observedTime = this.clock.now();
  }

  private schedule(ms: number, fn: () => Promise<void>): void {
    this.timer?.cancel();
    this.timer = this.clock.after(ms, () => {
      this.timer = undefined;
      this.launch(fn);
    });
  }

  private launch(fn: () => Promise<void>): void {
    const run: Promise<void> = fn().finally(() => this.inflight.delete(run));
    this.inflight.add(run);
  }

  /** Awaits `fn` for at most renewDeadline; a rejection counts as done. */
  private async withinRenewDeadline(fn: () => Promise<void>): Promise<void> {
    let cutoff: TimerHandle | undefined;
    const deadline = new Promise<void>((resolve) => (cutoff = this.clock.after(this.renewDeadlineMs, resolve)));
    try {
      await Promise.race([fn().catch(() => undefined), deadline]);
    } finally {
      cutoff?.cancel();
    }
  }

  /** Cancels the timers and makes any attempt in flight count for nothing. */
  private invalidate(): void {
    this.epoch++;
    this.timer?.cancel();
    this.timer = undefined;
    this.deadline?.cancel();
    this.deadline = undefined;
    this.abort?.abort();
    this.nudged = false;
  }

  /** One tryAcquireOrRenew and what follows from it in the current state. */
  private async attempt(): Promise<void> {
    const epoch = this.epoch;
    const controller = new AbortController();
    this.abort = controller;
    this.attemptEpoch = epoch;
    // This attempt reads the Lease as it is now: any nudge before it is answered by it.
    this.nudged = false;
    const begun = this.clock.now();
    // No request may outlive a renew deadline, whatever the state.
    const cutoff = this.clock.after(this.renewDeadlineMs, () => controller.abort());
    let ok: boolean;
    try {
      ok = await this.tryAcquireOrRenew(controller.signal, epoch);
    } finally {
      cutoff.cancel();
      if (this.abort === controller) this.abort = undefined;
      if (this.attemptEpoch === epoch) this.attemptEpoch = undefined;
    }
    if (epoch !== this.epoch) return;
    this.maybeReportTransition();
    if (this.state === 'candidate') {
      if (!ok && this.nudged) return this.launch(() => this.attempt());
      if (!ok) return this.schedule(this.jittered(), () => this.attempt());
      this.state = 'leading';
      this.lastRenewal = begun;
      this.emit('leading');
      this.schedule(this.retryPeriodMs, () => this.renewRound());
    } else if (this.state === 'leading') {
      if (ok) {
        // Renewed within the deadline: the next round starts a retryPeriod later (wait.Until).
        this.lastRenewal = begun;
        this.deadline?.cancel();
        this.deadline = undefined;
        this.schedule(this.retryPeriodMs, () => this.renewRound());
      } else {
        // wait.PollImmediateUntil: retry every retryPeriod until the round's deadline.
        this.schedule(this.retryPeriodMs, () => this.attempt());
      }
    }
  }

  /**
   * A renewal round: one renewal must succeed by renewDeadline after the start of the last
   * successful one. client-go counts from the round's start, a retryPeriod later, so a leader cut
   * off from the API may keep leading until retryPeriod + renewDeadline after its last renewal:
   * with 3/2/1 that is the whole lease, and ARP mode would hold a VIP up to the moment another
   * node may take it. Counted this way, it steps down with leaseDuration - renewDeadline to spare.
   */
  private renewRound(): Promise<void> {
    this.deadline?.cancel();
    const left = Math.max(0, this.lastRenewal + this.renewDeadlineMs - this.clock.now());
    this.deadline = this.clock.after(left, () => this.renewDeadlinePassed());
    return this.attempt();
  }

  private renewDeadlinePassed(): void {
    this.deadline = undefined;
    if (this.state !== 'leading') return;
    this.invalidate();
    this.state = 'candidate';
    this.emit('stoppedLeading', 'renew-deadline');
    this.schedule(this.jittered(), () => this.attempt());
  }

  /** wait.JitterUntil: retryPeriod plus up to JitterFactor × retryPeriod. */
  private jittered(): number {
    return this.retryPeriodMs * (1 + this.random() * JITTER_FACTOR);
  }

  private fail(operation: LeaseOperation, err: unknown): void {
    const code = httpStatusOf(err);
    this.failWith(operation, { message: describeApiError(err), ...(code !== undefined ? { code } : {}) });
  }

  private failWith(operation: LeaseOperation, error: { message: string; code?: string | number }): void {
    const failure: ElectionFailure = { operation, message: error.message };
    if (typeof error.code === 'number') failure.code = error.code;
    this.emit('failure', failure);
  }

  /** client-go's tryAcquireOrRenew, step by step. */
  private async tryAcquireOrRenew(signal: AbortSignal, epoch: number): Promise<boolean> {
    const wallNow = microTime(new Date(this.clock.wallNow()));
    const record: LeaderElectionRecord = {
      holderIdentity: this.identity,
      leaseDurationSeconds: this.leaseDurationMs / 1000,
      acquireTime: wallNow,
      renewTime: wallNow,
      leaseTransitions: 0,
    };
    const live = () => epoch === this.epoch;

    // 1. Fast path: the leader writes over the record it last saw, assuming it is still current.
    if (this.holdsRecord() && this.isLeaseValid(this.clock.now()) && this.observedRecord) {
      record.acquireTime = this.observedRecord.acquireTime;
      record.leaseTransitions = this.observedRecord.leaseTransitions;
      try {
        await this.lock.update(record, signal);
        if (live()) this.setObservedRecord(record);
        return true;
      } catch (err) {
        if (!live()) return false;
        this.fail('update', err);
        // "failed to update lock optimistically, falling back to slow path"
      }
    }

    // 2. Obtain or create the record.
    let old: LeaderElectionRecord;
    try {
      old = await this.lock.get(signal);
    } catch (err) {
      if (!live()) return false;
      if (httpStatusOf(err) !== 404) {
        this.fail('get', err);
        return false;
      }
      try {
        await this.lock.create(record, signal);
      } catch (createErr) {
        if (live()) this.fail('create', createErr);
        return false;
      }
      if (live()) this.setObservedRecord(record);
      return true;
    }
    if (!live()) return false;

    // 3. Record obtained: note when it last changed, and back off while someone else holds it.
    if (rawRecord(old) !== this.observedRaw) this.setObservedRecord(old);
    if (old.holderIdentity !== '' && this.isLeaseValid(this.clock.now()) && !this.holdsRecord()) return false;

    // 4. Take or renew it: a new holder counts one more transition.
    if (this.holdsRecord()) {
      record.acquireTime = old.acquireTime;
      record.leaseTransitions = old.leaseTransitions;
    } else {
      record.leaseTransitions = old.leaseTransitions + 1;
    }
    try {
      await this.lock.update(record, signal);
    } catch (err) {
      if (live()) this.fail('update', err);
      return false;
    }
    if (live()) this.setObservedRecord(record);
    return true;
  }

  /** client-go's maybeReportTransition. */
  private maybeReportTransition(): void {
    const holder = this.observedRecord?.holderIdentity ?? '';
    if (holder === this.reportedLeader) return;
    this.reportedLeader = holder;
    if (holder !== '') this.emit('newLeader', holder);
  }

  /** client-go's release: an empty holder with a one-second lease, written over our last record. */
  private async release(): Promise<void> {
    const now = microTime(new Date(this.clock.wallNow()));
    const record: LeaderElectionRecord = {
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: this.observedRecord?.leaseTransitions ?? 0,
    };
    const controller = new AbortController();
    const cutoff = this.clock.after(this.renewDeadlineMs, () => controller.abort());
    try {
      await this.lock.update(record, controller.signal);
      this.setObservedRecord(record);
    } catch (err) {
      this.fail('release', err);
    } finally {
      cutoff.cancel();
    }
  }
}
