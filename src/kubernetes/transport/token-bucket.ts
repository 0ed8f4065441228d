// client-go's rate limit (flowcontrol.NewTokenBucketRateLimiter, golang.org/x/time/rate): a
// bucket of `burst` tokens, refilled at `qps` per second, full at the start. Each request takes
// one token; with none left it waits for the next. client-go serves waiters in the order their
// reservations were made; here they are served by priority first (waiters.ts), then in order.
import type { Clock, TimerHandle } from '../../../bgp/index.js';
import { type RequestPriority, WaiterQueue } from './waiters.js';

const MS_PER_SECOND = 1000;

export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly queue = new WaiterQueue();
  private timer: TimerHandle | undefined;
  private closed: Error | undefined;

  constructor(
    readonly qps: number,
    readonly burst: number,
    private readonly clock: Clock,
  ) {
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Resolves once a token is taken; rejects when `signal` aborts first or the bucket is closed. */
  take(priority: RequestPriority, signal?: AbortSignal): Promise<void> {
    if (this.closed) return Promise.reject(this.closed);
    const turn = this.queue.wait(priority, signal, () => this.pump());
    this.pump();
    return turn;
  }

  /** Callers waiting for a token. */
  get waiting(): number {
    return this.queue.size;
  }

  /** Tokens in the bucket now (fractional). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  /** Rejects every waiter and every later take() with `err`. */
  close(err: Error): void {
    this.closed = err;
    this.timer?.cancel();
    this.timer = undefined;
    this.queue.rejectAll(err);
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.qps) / MS_PER_SECOND);
    this.last = now;
  }

  /** Hands out what tokens there are, then sets one timer for the moment the next one is whole. */
  private pump(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.refill();
    while (this.tokens >= 1 && this.queue.size > 0) {
      this.tokens -= 1;
      this.queue.serveNext();
    }
    if (this.queue.size === 0 || this.closed) return;
    const ms = Math.ceil(((1 - this.tokens) * MS_PER_SECOND) / this.qps);
    this.timer = this.clock.after(ms, () => {
      this.timer = undefined;
      this.pump();
    });
  }
}
