// The queue both halves of the request gate keep: callers waiting their turn, served by
// priority (lower first), in arrival order within a priority. A waiter whose AbortSignal fires
// leaves the queue at once and rejects with an AbortError, as a request aborted in flight does.

/** Which requests go first when the gate is busy: a lease renewal must never wait behind a backlog of status writes. */
export enum RequestPriority {
  /** coordination.k8s.io Leases: a leader that cannot renew within renewDeadline steps down. */
  Lease = 0,
  /** Lists, reads and writes of everything else. */
  Normal = 1,
  /** events.k8s.io Events: best effort, after everything else. */
  Event = 2,
}

/** Rejects a waiter whose signal aborted: named as node-fetch and client-node name theirs. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name !== 'AbortError' && (reason as { code?: unknown }).code !== undefined) return reason;
  const err = new Error(reason instanceof Error ? reason.message : 'The operation was aborted.');
  err.name = 'AbortError';
  return err;
}

interface Waiter {
  priority: RequestPriority;
  seq: number;
  resolve: () => void;
  reject: (err: Error) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

export class WaiterQueue {
  private readonly waiters: Waiter[] = [];
  private seq = 0;

  get size(): number {
    return this.waiters.length;
  }

  /** Queues a caller; `onLeave` runs when an abort takes it out, so the owner can look again. */
  wait(priority: RequestPriority, signal: AbortSignal | undefined, onLeave: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      const waiter: Waiter = {
        priority,
        seq: this.seq++,
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = this.waiters.indexOf(waiter);
          if (i < 0) return;
          this.waiters.splice(i, 1);
          reject(abortError(signal!));
          onLeave();
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Resolves the first waiter (lowest priority value, then earliest); false when none waits. */
  serveNext(): boolean {
    let best = -1;
    for (let i = 0; i < this.waiters.length; i++) {
      const w = this.waiters[i]!;
      const b = this.waiters[best];
      if (!b || w.priority < b.priority || (w.priority === b.priority && w.seq < b.seq)) best = i;
    }
    if (best < 0) return false;
    const [w] = this.waiters.splice(best, 1);
    w!.signal?.removeEventListener('abort', w!.onAbort);
    w!.resolve();
    return true;
  }

  /** Rejects every waiter with `err`. */
  rejectAll(err: Error): void {
    for (const w of this.waiters.splice(0)) {
      w.signal?.removeEventListener('abort', w.onAbort);
      w.reject(err);
    }
  }
}
