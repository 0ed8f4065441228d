// The gate every request to one API server passes: at most `maxInFlight` at once (a slot, held
// until the answer is read), and at most `qps` per second after a first `burst` (a token, taken
// once the slot is held, so that requests leave at the bucket's pace however long they queued).
// Watches take a token only: each one holds its own connection for minutes, and the slots are
// for the requests that come and go.
//
// close() is the end of the client: every waiter is rejected, every request in flight aborted
// (through `signal`), and nothing passes afterwards.
import { setMaxListeners } from 'node:events';
import type { Clock } from '../../../bgp/index.js';
import { TokenBucket } from './token-bucket.js';
import { type RequestPriority, WaiterQueue } from './waiters.js';

export interface GateLimits {
  /** Requests per second, once the burst is spent. */
  qps: number;
  /** Requests that may leave at once after a quiet time. */
  burst: number;
  /** Requests in flight at once (watches not counted). */
  maxInFlight: number;
}

export interface GateStats {
  inFlight: number;
  /** The most requests in flight at once so far. */
  peakInFlight: number;
  /** Waiting for a slot or a token. */
  waiting: number;
  /** Requests let through (watches included). */
  passed: number;
}

/** Why a request was refused or cut short: the client was stopped. */
export class KubeClientClosedError extends Error {
  override name = 'KubeClientClosedError';
  readonly code = 'KUBE_CLIENT_CLOSED';
}

export class RequestGate {
  private readonly bucket: TokenBucket;
  private readonly slots = new WaiterQueue();
  private readonly closing = new AbortController();
  private inFlight = 0;
  private peak = 0;
  private passed = 0;

  constructor(
    readonly limits: GateLimits,
    clock: Clock,
  ) {
    this.bucket = new TokenBucket(limits.qps, limits.burst, clock);
    // Every request and waiter listens to it: hundreds at once are expected, not a leak.
    setMaxListeners(0, this.closing.signal);
  }

  /** Aborted when the gate closes: requests in flight listen to it. */
  get signal(): AbortSignal {
    return this.closing.signal;
  }

  get closed(): boolean {
    return this.closing.signal.aborted;
  }

  /**
   * Waits for a slot and a token; resolves with the function that gives the slot back (call it
   * once the answer is read). Rejects when `signal` aborts first, or the gate closes.
   */
  async enter(priority: RequestPriority, signal?: AbortSignal): Promise<() => void> {
    this.refuseIfClosed();
    // A slot is counted as taken when it is handed over, so that no caller slips in between.
    if (this.inFlight < this.limits.maxInFlight && this.slots.size === 0) this.inFlight++;
    else await this.slots.wait(priority, signal, () => this.handOver());
    this.peak = Math.max(this.peak, this.inFlight);
    try {
      await this.bucket.take(priority, signal);
    } catch (err) {
      this.leave();
      throw err;
    }
    this.passed++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.leave();
    };
  }

  /** A token alone, for a watch: resolves when it may start. */
  async token(priority: RequestPriority, signal?: AbortSignal): Promise<void> {
    this.refuseIfClosed();
    await this.bucket.take(priority, signal);
    this.passed++;
  }

  stats(): GateStats {
    return { inFlight: this.inFlight, peakInFlight: this.peak, waiting: this.slots.size + this.bucket.waiting, passed: this.passed };
  }

  /** Refuses everything from now on and aborts what is in flight. */
  close(reason = 'the Kubernetes client was stopped'): void {
    if (this.closed) return;
    const err = new KubeClientClosedError(reason);
    this.closing.abort(err);
    this.slots.rejectAll(err);
    this.bucket.close(err);
  }

  private refuseIfClosed(): void {
    if (this.closed) throw this.closing.signal.reason as Error;
  }

  private leave(): void {
    this.inFlight--;
    this.handOver();
  }

  /** A slot is free (or a waiter left): the next waiters take what is free. */
  private handOver(): void {
    while (this.inFlight < this.limits.maxInFlight && this.slots.serveNext()) this.inFlight++;
  }
}
