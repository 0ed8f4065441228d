// Time enters the library and the service only through this interface, so that tests control
// it. `systemClock` is the one adapter onto the process's real timers; `ManualClock` moves only
// when a test tells it to.
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds, monotonic: for durations and deadlines. */
  now(): number;
  /** Milliseconds since the Unix epoch: for times written down or shown (Lease renewals, status). */
  wallNow(): number;
  /** Runs `fn` once after `ms`; never synchronously. */
  after(ms: number, fn: () => void): TimerHandle;
}

/** The adapter onto the process's timers: the one place in bgp/ and src/ that sets one. */
export const systemClock: Clock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  },
};

/** Runs `fn` every `ms` until cancelled (each run scheduled after the previous one started). */
export function every(clock: Clock, ms: number, fn: () => void): TimerHandle {
  let handle: TimerHandle | undefined;
  let cancelled = false;
  const tick = () => {
    if (cancelled) return;
    handle = clock.after(ms, tick);
    fn();
  };
  handle = clock.after(ms, tick);
  return {
    cancel: () => {
      cancelled = true;
      handle?.cancel();
    },
  };
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function delay(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      timer.cancel();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = clock.after(ms, done);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * `work`, or `onTimeout()` once `ms` have passed without it settling: every wait on something
 * outside the process is bounded with this.
 */
export async function withTimeout<T>(clock: Clock, ms: number, work: Promise<T>, onTimeout: () => T): Promise<T> {
  let timer: TimerHandle | undefined;
  const late = new Promise<T>((resolve) => {
    timer = clock.after(ms, () => resolve(onTimeout()));
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    timer?.cancel();
  }
}

/** Where a ManualClock's wall time starts: 2026-01-01T00:00:00Z. */
export const MANUAL_CLOCK_EPOCH = Date.UTC(2026, 0, 1);

/** A clock that moves only when told to; timers fire in due order on `advance`. */
export class ManualClock implements Clock {
  private time = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  constructor(private readonly epoch = MANUAL_CLOCK_EPOCH) {}

  now(): number {
    return this.time;
  }

  wallNow(): number {
    return this.epoch + this.time;
  }

  after(ms: number, fn: () => void): TimerHandle {
    const id = this.seq++;
    this.timers.set(id, { at: this.time + Math.max(0, ms), fn });
    return { cancel: () => this.timers.delete(id) };
  }

  /** Moves time forward by `ms`, running every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (let t = this.takeDue(end); t; t = this.takeDue(end)) t();
    this.time = end;
  }

  /**
   * Like `advance`, but lets the event loop run after each timer (promise chains, I/O callbacks
   * already due), so that async code driven by the timers proceeds as it would in real time.
   */
  async advanceAsync(ms: number): Promise<void> {
    const end = this.time + ms;
    await settle();
    for (let t = this.takeDue(end); t; t = this.takeDue(end)) {
      t();
      await settle();
    }
    this.time = end;
  }

  /** When the next timer falls due, or undefined when none is set. */
  nextAt(): number | undefined {
    let next: number | undefined;
    for (const t of this.timers.values()) if (next === undefined || t.at < next) next = t.at;
    return next;
  }

  get pending(): number {
    return this.timers.size;
  }

  /** Removes and returns the earliest timer due by `end` (ties in the order they were set). */
  private takeDue(end: number): (() => void) | undefined {
    let nextId = -1;
    let nextAt = Infinity;
    for (const [id, t] of this.timers) {
      if (t.at < nextAt || (t.at === nextAt && id < nextId)) {
        nextAt = t.at;
        nextId = id;
      }
    }
    if (nextId < 0 || nextAt > end) return undefined;
    const t = this.timers.get(nextId)!;
    this.timers.delete(nextId);
    this.time = nextAt;
    return t.fn;
  }
}

/** One turn of the event loop: pending promise callbacks and due I/O callbacks run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
