// How client-node's generated API clients reach the API server through the gate. client-node
// 1.4 sends each call with node-fetch and a brand-new http(s).Agent (KubeConfig.createAgent runs
// for every request), without keep-alive: one TCP (and TLS) connection per call, and as many at
// once as there are calls in flight. Here each call:
// - waits at the gate (gate.ts) for a slot and a token, in the order of its priority;
// - goes out on one shared keep-alive agent with `maxSockets` equal to the gate's slots, made
//   from the TLS settings client-node put in the request's own agent (so CA, client certificate
//   and server name are client-node's, unchanged);
// - is aborted when the gate closes, or when no answer has come REQUEST_TIMEOUT_MS after it left
//   the gate (kube-vip gives every request 10 s; lists of many objects over a slow link get
//   longer here), so that a server that never answers cannot hold a slot for good;
// - keeps its slot until its body is read, so that a slot counts a connection in use.
import http from 'node:http';
import https from 'node:https';
import { createHash } from 'node:crypto';
import { type HttpLibrary, IsomorphicFetchHttpLibrary, Observable, type RequestContext, ResponseContext } from '@kubernetes/client-node';
import type { Clock } from '../../../bgp/index.js';
import type { RequestGate } from './gate.js';
import { RequestPriority } from './waiters.js';

/** How long a request may wait for its answer once it has left the gate. */
export const REQUEST_TIMEOUT_MS = 30_000;

/** A request the API server did not answer in time; it counts as failed, as a refused connection does. */
export class KubeRequestTimeoutError extends Error {
  override name = 'KubeRequestTimeoutError';
  readonly code = 'KUBE_REQUEST_TIMEOUT';
}

/** Lease calls first, Events last (waiters.ts). */
export function priorityOf(url: string): RequestPriority {
  const path = new URL(url).pathname;
  if (path.startsWith('/apis/coordination.k8s.io/')) return RequestPriority.Lease;
  if (path.startsWith('/apis/events.k8s.io/')) return RequestPriority.Event;
  return RequestPriority.Normal;
}

/** The agent options that decide which server and which credentials a connection is for. */
const CONNECTION_OPTIONS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername', 'ciphers', 'secureProtocol'] as const;

/**
 * One keep-alive agent for all calls. client-node reads the credentials again for each call; when
 * they change (a rotated client certificate), a new agent is made and the old one is destroyed
 * once its last socket is done.
 */
export class AgentPool {
  private current: { key: string; agent: http.Agent } | undefined;
  private readonly retired = new Set<http.Agent>();

  constructor(private readonly maxSockets: number) {}

  /** The shared agent for the settings of `fresh`, the agent client-node made for this call. */
  shared(fresh: http.Agent | https.Agent | undefined): http.Agent | https.Agent | undefined {
    // A proxy agent (hpagent, socks) is not ours to rebuild: the gate still bounds its calls.
    if (!fresh || (fresh.constructor !== http.Agent && fresh.constructor !== https.Agent)) return fresh;
    const options = ((fresh as unknown as { options?: Record<string, unknown> }).options ?? {}) as Record<string, unknown>;
    const picked = Object.fromEntries(CONNECTION_OPTIONS.map((k) => [k, Buffer.isBuffer(options[k]) ? (options[k] as Buffer).toString('base64') : options[k]]));
    const key = `${fresh instanceof https.Agent ? 'https' : 'http'} ${createHash('sha256').update(JSON.stringify(picked)).digest('hex')}`;
    if (this.current?.key === key) return this.current.agent;
    if (this.current) this.retire(this.current.agent);
    const settings = { ...options, keepAlive: true, maxSockets: this.maxSockets, maxFreeSockets: this.maxSockets, scheduling: 'lifo' as const };
    const agent = fresh instanceof https.Agent ? new https.Agent(settings) : new http.Agent(settings);
    this.current = { key, agent };
    return agent;
  }

  /** Sockets open now, busy or idle, over every agent of the pool. */
  sockets(): number {
    const agents = [...this.retired, ...(this.current ? [this.current.agent] : [])];
    const count = (table: NodeJS.ReadOnlyDict<unknown[]>) => Object.values(table).reduce((n, list) => n + (list?.length ?? 0), 0);
    return agents.reduce((n, a) => n + count(a.sockets) + count(a.freeSockets), 0);
  }

  /** Destroys every socket: the end of the client. */
  destroy(): void {
    for (const agent of this.retired) agent.destroy();
    this.retired.clear();
    this.current?.agent.destroy();
    this.current = undefined;
  }

  private retire(agent: http.Agent): void {
    this.retired.add(agent);
    agent.on('free', () => {
      if (Object.keys(agent.sockets).length > 0) return;
      agent.destroy();
      this.retired.delete(agent);
    });
  }
}

/** client-node's HttpLibrary (node-fetch), with every call passed through the gate on the pool's agent. */
export class GatedHttpLibrary implements HttpLibrary {
  private readonly fetch = new IsomorphicFetchHttpLibrary();

  constructor(
    private readonly gate: RequestGate,
    private readonly agents: AgentPool,
    private readonly clock: Clock,
    private readonly timeoutMs = REQUEST_TIMEOUT_MS,
  ) {}

  send(request: RequestContext): Observable<ResponseContext> {
    return new Observable(this.exchange(request));
  }

  private async exchange(request: RequestContext): Promise<ResponseContext> {
    const own = request.getSignal();
    const waiting = own ? AbortSignal.any([own, this.gate.signal]) : this.gate.signal;
    const leave = await this.gate.enter(priorityOf(request.getUrl()), waiting);
    const late = new AbortController();
    const timer = this.clock.after(this.timeoutMs, () => late.abort());
    request.setSignal(AbortSignal.any([waiting, late.signal]));
    try {
      const agent = this.agents.shared(request.getAgent());
      if (agent) request.setAgent(agent);
      const response = await this.fetch.send(request).toPromise();
      // Read now, within the slot: the connection goes back to the pool only once its body is.
      const body = await response.body.binary();
      return new ResponseContext(response.httpStatusCode, response.headers, { text: async () => body.toString('utf8'), binary: async () => body });
    } catch (err) {
      if (late.signal.aborted && !waiting.aborted) {
        throw new KubeRequestTimeoutError(`no answer from the API server within ${this.timeoutMs} ms: ${request.getHttpMethod()} ${new URL(request.getUrl()).pathname}`);
      }
      throw err;
    } finally {
      timer.cancel();
      leave();
    }
  }
}
