// Watch streams as kube-apiserver writes them: HTTP 200, chunked, one JSON object per line,
// `{"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{...}}`. A resourceVersion older
// than the history is answered inside the stream, as the watch cache does: a 200 response whose
// only event is an ERROR carrying a 410 Expired Status, then the end of the stream
// (k8s.io/apiserver/pkg/storage/cacher: "other errors must fail with a watch event of type ERROR,
// rather than a directly returned error").
import type { ServerResponse } from 'node:http';
import type { KubeObject } from './object.js';
import { type ResourceType, apiVersionOf } from './resources.js';
import type { Selector } from './selectors.js';
import type { Status } from './status.js';
import type { Store, StoreEvent } from './store.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent {
  type: WatchEventType;
  object: KubeObject | Status | BookmarkObject;
}

/** The object of a BOOKMARK: the requested kind with only `metadata.resourceVersion` set. */
export interface BookmarkObject {
  kind: string;
  apiVersion: string;
  metadata: { resourceVersion: string; annotations?: Record<string, string> };
}

/** Marks the bookmark that ends the initial events of a `sendInitialEvents=true` watch (KEP-3157). */
export const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';

export interface WatchRequest {
  type: ResourceType;
  /** Absent for a watch across all namespaces or of a cluster-scoped type. */
  namespace?: string;
  matches: Selector;
  /** The `resourceVersion` parameter: undefined or 0 start with the current state as ADDED events. */
  resourceVersion?: number;
  allowWatchBookmarks: boolean;
  /** A streaming list: current state as ADDED, then a bookmark annotated INITIAL_EVENTS_END. */
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
}

export interface WatchHubOptions {
  /** How often a BOOKMARK goes to the watches that allow them; 0 never. kube-apiserver: about a minute. */
  bookmarkIntervalMs: number;
}

/** One open watch stream. */
class WatchStream {
  private readonly timers: NodeJS.Timeout[] = [];
  private unsubscribe: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly request: WatchRequest,
    private readonly response: ServerResponse,
    private readonly onClose: (stream: WatchStream) => void,
  ) {}

  get allowsBookmarks(): boolean {
    return this.request.allowWatchBookmarks;
  }

  start(bookmarkIntervalMs: number): void {
    this.response.on('close', () => this.cleanUp());
    this.response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    this.response.flushHeaders();
    const { resourceVersion } = this.request;
    if (resourceVersion === undefined || resourceVersion === 0 || this.request.sendInitialEvents) {
      // "Get State and Start at Most Recent": synthetic ADDED events for what exists now.
      const state = this.store.snapshot(this.request.type);
      if (state.ok) for (const obj of state.value) if (this.inScope(obj)) this.send({ type: 'ADDED', object: obj });
      if (this.request.sendInitialEvents) this.bookmark({ [INITIAL_EVENTS_END]: 'true' });
    } else {
      const replay = this.store.eventsSince(resourceVersion);
      if (!replay.ok) {
        this.send({ type: 'ERROR', object: replay.status });
        this.end();
        return;
      }
      for (const event of replay.value) this.deliver(event);
    }
    this.unsubscribe = this.store.subscribe((event) => this.deliver(event));
    if (this.request.allowWatchBookmarks && bookmarkIntervalMs > 0) {
      this.timers.push(setInterval(() => this.bookmark(), bookmarkIntervalMs).unref());
    }
    if (this.request.timeoutSeconds !== undefined && this.request.timeoutSeconds > 0) {
      this.timers.push(setTimeout(() => this.end(), this.request.timeoutSeconds * 1000).unref());
    }
  }

  /** Sends a BOOKMARK at the store's current resourceVersion if the client asked for them. */
  bookmark(annotations?: Record<string, string>): boolean {
    if (!this.request.allowWatchBookmarks || this.closed) return false;
    const { type } = this.request;
    const object: BookmarkObject = {
      kind: type.kind,
      apiVersion: apiVersionOf(type),
      metadata: { resourceVersion: String(this.store.resourceVersion) },
    };
    if (annotations !== undefined) object.metadata.annotations = annotations;
    this.send({ type: 'BOOKMARK', object });
    return true;
  }

  /** Ends the stream as the server does at a timeout: the last chunk, then the connection is free. */
  end(): void {
    if (this.closed) return;
    this.cleanUp();
    this.response.end();
  }

  /** Cuts the connection without the last chunk, as a crash or a network failure does. */
  destroy(): void {
    if (this.closed) return;
    this.cleanUp();
    this.response.destroy();
  }

  private inScope(obj: KubeObject | undefined): obj is KubeObject {
    if (obj === undefined) return false;
    const ns = this.request.namespace;
    return (ns === undefined || obj.metadata.namespace === ns) && this.request.matches(obj);
  }

  /**
   * Converts a store event into what this watch sees, as cacheWatcher.convertToWatchEvent does:
   * an object that starts to match is ADDED, one that stops matching is DELETED (its previous
   * content at the event's resourceVersion).
   */
  private deliver(event: StoreEvent): void {
    if (event.resourceType !== this.request.type) return;
    const now = event.type === 'DELETED' ? false : this.inScope(event.object);
    const before = this.inScope(event.previous);
    if (now && before) this.send({ type: 'MODIFIED', object: event.object });
    else if (now) this.send({ type: 'ADDED', object: event.object });
    else if (before && event.previous) {
      const object = { ...event.previous, metadata: { ...event.previous.metadata, resourceVersion: String(event.resourceVersion) } };
      this.send({ type: 'DELETED', object });
    }
  }

  private send(event: WatchEvent): void {
    if (this.closed) return;
    this.response.write(`${JSON.stringify(event)}\n`);
  }

  private cleanUp(): void {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.unsubscribe?.();
    this.onClose(this);
  }
}

/** Every open watch, so that a test can send bookmarks to them or break them. */
export class WatchHub {
  private readonly streams = new Set<WatchStream>();

  constructor(
    private readonly store: Store,
    private readonly options: WatchHubOptions,
  ) {}

  get size(): number {
    return this.streams.size;
  }

  serve(request: WatchRequest, response: ServerResponse): void {
    const stream = new WatchStream(this.store, request, response, (s) => this.streams.delete(s));
    this.streams.add(stream);
    stream.start(this.options.bookmarkIntervalMs);
  }

  /** A BOOKMARK now on every watch that allows them; returns how many were sent. */
  bookmarkAll(): number {
    let sent = 0;
    for (const stream of [...this.streams]) if (stream.bookmark()) sent++;
    return sent;
  }

  /** Closes every watch: cleanly (end of stream) or abruptly (connection reset). */
  closeAll(abrupt: boolean): number {
    const streams = [...this.streams];
    for (const stream of streams) {
      if (abrupt) stream.destroy();
      else stream.end();
    }
    return streams.length;
  }
}
