// Kubernetes Events about the objects vip-speaker acts on, written as client-go's events package
// (k8s.io/client-go/tools/events, the events.k8s.io/v1 recorder kube-scheduler uses) writes them:
//
// - events.k8s.io/v1, not core v1: the current API, with the fields this needs (`action` beside
//   `reason`, `reportingController` and `reportingInstance` to tell the nodes apart, a `series`
//   for repeats). The API server keeps one kind of object behind both APIs, so `kubectl describe
//   service` and `kubectl get events` show them as any other;
// - a repeat of an event already written (same object, type, action, reason and note, same
//   node) within 6 minutes is not a new Event: the first one's `series` counts it (count,
//   lastObservedTime), patched at once, as the recorder does. Unlike client-go, the note is part
//   of what makes two events the same, so that a different change is always an Event of its own;
// - rate-limited per object as client-go's core recorder is (EventSourceObjectSpamFilter: a
//   burst of 25, then one per 5 minutes), and sent one at a time from a queue of at most 1,000
//   (client-go's maxQueuedEvents), dropped beyond it; through the client's gate they go after
//   every other request (RequestPriority.Event);
// - best effort: a failed write is tried again up to 3 times, 10 s apart (client-go: 12 tries);
//   stop() drops what is queued and aborts the write in flight.
import { EventsV1Api, type EventsV1Event, type KubeConfig, PatchStrategy, type V1ObjectReference, setHeaderOptions } from '@kubernetes/client-node';
import { type Clock, type TimerHandle, delay, systemClock } from '../../../bgp/index.js';
import type { Logger } from '../../log.js';
import { describeApiError, httpStatusOf } from '../api-errors.js';
import { abortable } from '../client.js';
import { microTime } from '../elections/lock.js';

/** The reportingController of every Event vip-speaker writes. */
export const REPORTING_CONTROLLER = 'vip-speaker';
/** client-go tools/events finishTime: how long a singleton waits for a repeat, and a series for its next. */
export const SERIES_WINDOW_MS = 6 * 60_000;
/** client-go record.EventSourceObjectSpamFilter defaults: burst 25, refilled at 1/300 per second. */
export const PER_OBJECT_BURST = 25;
export const PER_OBJECT_REFILL_MS = 300_000;
/** client-go tools/events maxQueuedEvents. */
export const MAX_QUEUED_EVENTS = 1000;
export const MAX_TRIES = 3;
export const RETRY_DELAY_MS = 10_000;
/** events.go NoteLengthLimit: longer notes are cut. */
const NOTE_LENGTH_LIMIT = 1024;

export type EventType = 'Normal' | 'Warning';

/** What happened to the object, in the API's words: `reason` says why, `action` what was done. */
export interface EventSpec {
  type: EventType;
  reason: string;
  action: string;
  note: string;
}

export interface EventRecorderOptions {
  kubeConfig: KubeConfig;
  /** This node's name: the instance is `vip-speaker-<node>`, as client-go makes it from the host name. */
  nodeName: string;
  log: Logger;
  clock?: Clock;
  /** Replaces the API client (tests). */
  api?: EventsV1Api;
}

export interface EventRecorderStats {
  /** Events created. */
  created: number;
  /** Repeats counted in a series (each patch carries the latest count). */
  repeated: number;
  /** Dropped: over the per-object limit, the queue full, or refused. */
  dropped: number;
  queued: number;
}

interface Written {
  /** The Event's name, once created. */
  name: string | undefined;
  namespace: string;
  body: EventsV1Event;
  firstAt: number;
  lastAt: number;
  count: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class EventRecorder {
  readonly instance: string;
  private readonly api: EventsV1Api;
  private readonly clock: Clock;
  private readonly log: Logger;
  /** The isomorphic events seen in the last SERIES_WINDOW_MS, by key. */
  private readonly cache = new Map<string, Written>();
  private readonly buckets = new Map<string, Bucket>();
  /** Keys whose Event must be created or patched, in order (a Set keeps insertion order). */
  private readonly queue = new Set<string>();
  /** Makes Event names unique within a microsecond. */
  private seq = 0n;
  private sending: Promise<void> | undefined;
  private readonly stopping = new AbortController();
  private sweep: TimerHandle | undefined;
  private readonly counts: EventRecorderStats = { created: 0, repeated: 0, dropped: 0, queued: 0 };

  constructor(options: EventRecorderOptions) {
    this.api = options.api ?? options.kubeConfig.makeApiClient(EventsV1Api);
    this.clock = options.clock ?? systemClock;
    this.log = options.log;
    this.instance = `${REPORTING_CONTROLLER}-${options.nodeName}`;
  }

  /** Records an event about `regarding` (a namespaced object); returns at once, the write follows. */
  record(regarding: V1ObjectReference, event: EventSpec): void {
    if (this.stopping.signal.aborted) return;
    const now = this.clock.now();
    const note = event.note.length > NOTE_LENGTH_LIMIT ? `${event.note.slice(0, NOTE_LENGTH_LIMIT - 3)}...` : event.note;
    const objectKey = `${regarding.namespace}/${regarding.kind}/${regarding.name}/${regarding.uid ?? ''}`;
    const key = JSON.stringify([objectKey, event.type, event.action, event.reason, note]);
    if (!this.allowed(objectKey, now)) {
      this.counts.dropped++;
      this.log.debug({ regarding: objectKey, reason: event.reason }, 'Event dropped: too many about this object');
      return;
    }
    const seen = this.cache.get(key);
    if (seen && now - seen.lastAt < SERIES_WINDOW_MS) {
      seen.count++;
      seen.lastAt = now;
      this.counts.repeated++;
    } else {
      const body: EventsV1Event = {
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        // client-go's name: the object's, then the time in nanoseconds in hex.
        metadata: { namespace: regarding.namespace ?? '', name: `${regarding.name}.${(BigInt(this.clock.wallNow()) * 1_000_000n + this.seq++).toString(16)}` },
        // MicroTime as text: client-node 1.4 would send a Date with milliseconds (see elections/lock.ts).
        eventTime: microTime(new Date(this.clock.wallNow())) as unknown as EventsV1Event['eventTime'],
        reportingController: REPORTING_CONTROLLER,
        reportingInstance: this.instance,
        action: event.action,
        reason: event.reason,
        type: event.type,
        note,
        regarding,
      };
      this.cache.set(key, { name: undefined, namespace: regarding.namespace ?? '', body, firstAt: now, lastAt: now, count: 1 });
    }
    if (this.queue.has(key)) return;
    if (this.queue.size >= MAX_QUEUED_EVENTS) {
      this.counts.dropped++;
      return;
    }
    this.queue.add(key);
    this.sending ??= this.drain().finally(() => (this.sending = undefined));
    this.armSweep();
  }

  stats(): EventRecorderStats {
    return { ...this.counts, queued: this.queue.size };
  }

  /** Resolves once nothing is queued or being written (tests). */
  async settled(): Promise<void> {
    while (this.sending) await this.sending;
  }

  /** Drops what is queued and aborts the write in flight; nothing is recorded afterwards. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.queue.clear();
    this.sweep?.cancel();
    this.sweep = undefined;
    await this.sending;
  }

  /** One token from the object's bucket (client-go's spam filter), or false. */
  private allowed(objectKey: string, now: number): boolean {
    const bucket = this.buckets.get(objectKey) ?? { tokens: PER_OBJECT_BURST, at: now };
    bucket.tokens = Math.min(PER_OBJECT_BURST, bucket.tokens + (now - bucket.at) / PER_OBJECT_REFILL_MS);
    bucket.at = now;
    this.buckets.set(objectKey, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Every SERIES_WINDOW_MS while there is something to forget: the ended series and singletons, and the full buckets. */
  private armSweep(): void {
    this.sweep ??= this.clock.after(SERIES_WINDOW_MS, () => {
      this.sweep = undefined;
      const now = this.clock.now();
      for (const [key, w] of this.cache) if (now - w.lastAt >= SERIES_WINDOW_MS && !this.queue.has(key)) this.cache.delete(key);
      for (const [key, b] of this.buckets) if (b.tokens + (now - b.at) / PER_OBJECT_REFILL_MS >= PER_OBJECT_BURST) this.buckets.delete(key);
      if (this.cache.size > 0 || this.buckets.size > 0) this.armSweep();
    });
  }

  private nextQueued(): string | undefined {
    const [key] = this.queue;
    if (key !== undefined) this.queue.delete(key);
    return key;
  }

  private async drain(): Promise<void> {
    for (let key = this.nextQueued(); key !== undefined; key = this.nextQueued()) {
      const written = this.cache.get(key);
      if (!written) continue;
      for (let attempt = 1; attempt <= MAX_TRIES && !this.stopping.signal.aborted; attempt++) {
        const outcome = await this.write(written);
        if (outcome !== 'retry') break;
        if (attempt === MAX_TRIES) this.counts.dropped++;
        else await delay(this.clock, RETRY_DELAY_MS, this.stopping.signal);
      }
    }
  }

  /** Creates the Event, or patches its series; 'retry' when the API could not be reached. */
  private async write(w: Written): Promise<'done' | 'retry'> {
    const options = abortable(this.stopping.signal);
    const count = w.count;
    try {
      if (w.name !== undefined && count > 1) {
        const series = { count, lastObservedTime: microTime(new Date(this.clock.wallNow() - (this.clock.now() - w.lastAt))) };
        await this.api.patchNamespacedEvent({ namespace: w.namespace, name: w.name, body: { series } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch, options));
        return 'done';
      }
      // Repeats that come while it is created queue it again: their series follows.
      const created = await this.api.createNamespacedEvent({ namespace: w.namespace, body: w.body }, options);
      w.name = created.metadata?.name;
      this.counts.created++;
      return 'done';
    } catch (err) {
      if (this.stopping.signal.aborted) return 'done';
      const code = httpStatusOf(err);
      // The Event expired meanwhile (the API server keeps them an hour): a new one, as client-go does.
      if (code === 404 && w.name !== undefined) {
        w.name = undefined;
        return this.write(w);
      }
      this.log.debug({ regarding: w.body.regarding?.name, reason: w.body.reason, error: describeApiError(err) }, 'Event not written');
      if (code !== undefined && code < 500 && code !== 429) {
        this.counts.dropped++;
        return 'done';
      }
      return 'retry';
    }
  }
}
