// The fake Kubernetes API server: an HTTP server on 127.0.0.1 (random port) in front of the
// store, the routes and the watch hub, plus what tests need around it: outages on demand, broken
// watches, bookmarks now, a forced compaction, a request log, and helpers that change the cluster
// directly as a controller or kubelet would.
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import { discoveryDocument } from './discovery.js';
import { kubeconfigYaml, makeKubeConfig } from './kubeconfig.js';
import type { KubeObject, ObjectKey } from './object.js';
import { PatchType } from './patch.js';
import { type KindName, resourceTypeOf } from './resources.js';
import { type IncomingCall, handleResource, parseResourcePath } from './routes.js';
import * as S from './status.js';
import { Store, type StoreResult } from './store.js';
import { WatchHub } from './watch.js';

export interface FakeApiServerOptions {
  /** The bearer token clients must send; the kubeconfig carries it. */
  token?: string;
  /** Events kept for watches and exact lists; older resourceVersions get 410. */
  historyLimit?: number;
  /** Interval of BOOKMARK events on watches that allow them; 0 never (default 60 s, like kube-apiserver). */
  bookmarkIntervalMs?: number;
  /** Delay before each request is answered. */
  latencyMs?: number;
  /**
   * Requests worked on at once, as kube-apiserver's --max-requests-inflight bounds them: the
   * others queue (in arrival order) before their latency starts. Watch streams do not count once
   * started (long-running requests are exempt there too). Default: no bound.
   */
  capacity?: number;
  /** Source of creationTimestamp. */
  now?: () => Date;
  /** Address to listen on: 127.0.0.1 unless a lab runs the server inside a namespace. */
  host?: string;
  /** Port to listen on; any free one by default. */
  port?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The status code answered; 200 for a watch stream once its headers are sent. */
  code?: number;
  /** The client went away before the answer was finished. */
  aborted?: boolean;
  /** When it arrived: milliseconds since the server was made (a monotonic clock). */
  at: number;
  /** Which connection it came on: 1 for the server's first, 2 for its second... */
  connection: number;
}

/** How the clients used the server's connections. */
export interface ConnectionStats {
  /** Open now. */
  open: number;
  /** The most open at once. */
  peak: number;
  /** Accepted since the server was made. */
  total: number;
}

/** How the server is unreachable while down. */
export type OutageMode = 'refuse' | 'unavailable';

function unwrap<T>(result: StoreResult<T>): T {
  if (!result.ok) throw new S.FakeApiError(result.status);
  return result.value;
}

/** Objects from client-node carry Date fields; the store keeps JSON, as the wire does. */
function asJson(obj: object): KubeObject {
  return JSON.parse(JSON.stringify(obj)) as KubeObject;
}

function keyOfObject(obj: KubeObject): ObjectKey {
  const key: ObjectKey = { name: obj.metadata.name ?? '' };
  if (obj.metadata.namespace !== undefined) key.namespace = obj.metadata.namespace;
  return key;
}

export class FakeApiServer {
  readonly store: Store;
  readonly requests: RecordedRequest[] = [];
  latencyMs: number;
  private readonly capacity: number;
  private working = 0;
  private peakWorking = 0;
  private readonly queued: Array<() => void> = [];
  /** While set, every request waits (see hold()) until release(); no real time passes for it. */
  private holding = false;
  private readonly held: Array<() => void> = [];
  private readonly token: string;
  private readonly watches: WatchHub;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly connectionIds = new WeakMap<Socket, number>();
  private readonly born = performance.now();
  private peakConnections = 0;
  private totalConnections = 0;
  private handling = 0;
  private peakHandling = 0;
  private port = 0;
  private readonly host: string;
  private readonly wantedPort: number;
  private outage: OutageMode | undefined;

  constructor(options: FakeApiServerOptions = {}) {
    const storeOptions = { historyLimit: options.historyLimit ?? 1000, ...(options.now ? { now: options.now } : {}) };
    this.store = new Store(storeOptions);
    this.token = options.token ?? 'fake-token';
    this.latencyMs = options.latencyMs ?? 0;
    this.capacity = options.capacity ?? Infinity;
    this.host = options.host ?? '127.0.0.1';
    this.wantedPort = options.port ?? 0;
    this.watches = new WatchHub(this.store, { bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000 });
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(() => res.destroy());
    });
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      this.connectionIds.set(socket, ++this.totalConnections);
      this.peakConnections = Math.max(this.peakConnections, this.sockets.size);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  get url(): string {
    return `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  /** Connections open now, the most at once, and how many were accepted in all. */
  connectionStats(): ConnectionStats {
    return { open: this.sockets.size, peak: this.peakConnections, total: this.totalConnections };
  }

  /**
   * Requests being answered right now, and the most at once (watch streams not counted once their
   * headers are sent); `workedOnPeak`: the most worked on at once, at most `capacity`.
   */
  inFlightStats(): { now: number; peak: number; workedOnPeak: number } {
    return { now: this.handling, peak: this.peakHandling, workedOnPeak: this.peakWorking };
  }

  /**
   * The most requests that arrived within any one window of `windowMs` (default a second), of
   * those `filter` keeps: the rate a client held the server to.
   */
  maxRequestsPer(windowMs = 1000, filter: (r: RecordedRequest) => boolean = () => true): number {
    const times = this.requests.filter(filter).map((r) => r.at);
    let best = 0;
    for (let i = 0, j = 0; j < times.length; j++) {
      while (times[j]! - times[i]! >= windowMs) i++;
      best = Math.max(best, j - i + 1);
    }
    return best;
  }

  /** Open watch streams right now. */
  get openWatches(): number {
    return this.watches.size;
  }

  /** The store's latest resourceVersion, as a number. */
  get resourceVersion(): number {
    return this.store.resourceVersion;
  }

  async start(): Promise<{ url: string }> {
    await this.listen(this.wantedPort);
    return { url: this.url };
  }

  /** Cuts every connection and closes the listener; safe to call twice. */
  async stop(): Promise<void> {
    this.watches.closeAll(true);
    await this.closeListener();
  }

  kubeconfig(namespace?: string): KubeConfig {
    return makeKubeConfig({ server: this.url, token: this.token, ...(namespace !== undefined ? { namespace } : {}) });
  }

  kubeconfigYaml(): string {
    return kubeconfigYaml({ server: this.url, token: this.token });
  }

  /**
   * An outage: every open watch is cut (connection reset, no last chunk), then new connections
   * are refused (`refuse`, the default: the listener closes) or answered 503 (`unavailable`).
   * `setDown(false)` listens again on the same port.
   */
  async setDown(down: boolean, mode: OutageMode = 'refuse'): Promise<void> {
    if (down) {
      if (this.outage !== undefined) return;
      this.outage = mode;
      this.watches.closeAll(true);
      if (mode === 'refuse') await this.closeListener();
      return;
    }
    const was = this.outage;
    this.outage = undefined;
    if (was === 'refuse') await this.listen(this.port);
  }

  /** Ends every watch stream, cleanly (as at a server-side timeout) unless `abrupt`; returns how many. */
  breakWatches(options: { abrupt?: boolean } = {}): number {
    return this.watches.closeAll(options.abrupt ?? false);
  }

  /** Sends a BOOKMARK now to every watch that asked for them; returns how many. */
  sendBookmarks(): number {
    return this.watches.bookmarkAll();
  }

  /** Drops history before `rv` (default: now), so older watches and continue tokens get 410. */
  compactBefore(rv: number = this.store.resourceVersion): void {
    this.store.compactBefore(rv);
  }

  // Helpers that act on the cluster directly. They throw FakeApiError with the Status the API
  // would have answered, and they may write spec and status together.

  create(kind: KindName, obj: object): KubeObject {
    return unwrap(this.store.create(resourceTypeOf(kind), asJson(obj), undefined, { keepStatus: true }));
  }

  /** Replaces the object named by `obj.metadata`, status included; a resourceVersion in it is a precondition. */
  update(kind: KindName, obj: object): KubeObject {
    const body = asJson(obj);
    return unwrap(this.store.replace(resourceTypeOf(kind), keyOfObject(body), body, { wholeObject: true }));
  }

  /** Writes `.status` only, as the `/status` subresource does. */
  updateStatus(kind: KindName, obj: object): KubeObject {
    const body = asJson(obj);
    return unwrap(this.store.replace(resourceTypeOf(kind), keyOfObject(body), body, { subresource: 'status' }));
  }

  /** A JSON merge patch (RFC 7386) of the whole object, status included. */
  patch(kind: KindName, key: ObjectKey, patch: object): KubeObject {
    return unwrap(this.store.patch(resourceTypeOf(kind), key, PatchType.Merge, asJson(patch), { wholeObject: true }));
  }

  delete(kind: KindName, key: ObjectKey): KubeObject {
    return unwrap(this.store.delete(resourceTypeOf(kind), key));
  }

  /** Requests from now on get no answer until release(): a server that hangs. */
  hold(): void {
    this.holding = true;
  }

  /** Requests held now (read in full, waiting for release()). */
  get heldRequests(): number {
    return this.held.length;
  }

  /** Answers the held requests and stops holding. */
  release(): void {
    this.holding = false;
    for (const go of this.held.splice(0)) go();
  }

  get(kind: KindName, key: ObjectKey): KubeObject | undefined {
    const result = this.store.get(resourceTypeOf(kind), key);
    return result.ok ? result.value : undefined;
  }

  /** Every object of a kind, in one namespace or all. */
  list(kind: KindName, namespace?: string): KubeObject[] {
    const all = unwrap(this.store.snapshot(resourceTypeOf(kind)));
    return namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      at: performance.now() - this.born,
      connection: this.connectionIds.get(req.socket) ?? 0,
    };
    this.requests.push(record);
    this.handling++;
    this.peakHandling = Math.max(this.peakHandling, this.handling);
    let counted = true;
    const done = () => {
      if (counted) this.handling--;
      counted = false;
    };
    res.on('close', done);
    res.on('finish', () => (record.code = res.statusCode));
    res.on('close', () => {
      if (!res.writableFinished) record.aborted = true;
    });
    const body = await readBody(req);
    if (this.holding) await new Promise<void>((resolve) => this.held.push(resolve));
    const leave = await this.admit(res);
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    const send = (code: number, payload: unknown): void => {
      record.code = code;
      res.writeHead(code, { 'Content-Type': 'application/json' }).end(JSON.stringify(payload));
    };
    if (this.outage !== undefined) return send(503, S.serviceUnavailable());
    if (req.headers.authorization !== `Bearer ${this.token}`) return send(401, S.unauthorized());
    if (['/healthz', '/livez', '/readyz'].includes(url.pathname)) {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
      return;
    }
    const discovery = discoveryDocument(url.pathname, `127.0.0.1:${this.port}`);
    if (discovery !== undefined) return send(200, discovery);
    const route = parseResourcePath(url.pathname);
    if (route === undefined) {
      return send(404, { ...S.notFound({ resource: '', group: '' }), message: 'the server could not find the requested resource', details: {} });
    }
    const call: IncomingCall = { method: record.method, query: url.searchParams, contentType: req.headers['content-type'], body };
    const reply = handleResource(this.store, route, call);
    if (reply.kind === 'watch') {
      record.code = 200;
      // A stream holds its connection for minutes: not a request in flight.
      done();
      leave();
      this.watches.serve(reply.request, res);
      return;
    }
    send(reply.code, reply.body);
  }

  /** Waits for one of the `capacity` places; the returned function gives it back (also called when the answer ends). */
  private async admit(res: ServerResponse): Promise<() => void> {
    if (this.working >= this.capacity) await new Promise<void>((resolve) => this.queued.push(resolve));
    this.working++;
    this.peakWorking = Math.max(this.peakWorking, this.working);
    let held = true;
    const leave = () => {
      if (!held) return;
      held = false;
      this.working--;
      this.queued.shift()?.();
    };
    res.on('close', leave);
    return leave;
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, this.host, () => {
        this.server.off('error', reject);
        this.port = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private closeListener(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
      this.server.closeAllConnections();
    });
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
