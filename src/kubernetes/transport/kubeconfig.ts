// A KubeConfig whose clients all share one gate and one keep-alive agent (http.ts), as a
// client-go rest.Config shares its rate limiter and its transport among every client made from
// it. The rest of the code keeps using it as any KubeConfig: `makeApiClient` (every typed call),
// `new Watch(config)` (applyToFetchOptions takes a token before each watch starts).
//
// Credentials stay client-node's own: the users, clusters and contexts are copied over, so that
// a token file is read again for each request and the TLS settings are client-node's.
import { type ApiType, type Configuration, KubeConfig, ServerConfiguration, createConfiguration } from '@kubernetes/client-node';
import { Agent } from 'node:http';
import type { RequestOptions } from 'node:https';
import type { Clock } from '../../../bgp/index.js';
import type { KubeClientSettings } from '../../config/index.js';
import { type GateLimits, RequestGate } from './gate.js';
import { AgentPool, GatedHttpLibrary } from './http.js';
import { RequestPriority } from './waiters.js';

/** QPS, burst and connections: `kubernetes.client` (config/kube-client.ts, its defaults kube-vip's). */
export type KubeClientLimits = KubeClientSettings;

type ApiConstructor<T extends ApiType> = new (config: Configuration) => T;

/** No socket and no request waiting for one: the watch it served is over. */
function idle(agent: Agent): boolean {
  const count = (table: NodeJS.ReadOnlyDict<unknown[]>) => Object.values(table).reduce((n, list) => n + (list?.length ?? 0), 0);
  return count(agent.sockets) + count(agent.requests) + count(agent.freeSockets) === 0;
}

export class ApiClientConfig extends KubeConfig {
  readonly gate: RequestGate;
  private readonly agents: AgentPool;
  private readonly library: GatedHttpLibrary;
  /** The agents of the watches started and not yet done. */
  private readonly watchAgents = new Set<Agent>();

  /** The same clusters, users and contexts as `source`, behind one gate with these limits. */
  constructor(source: KubeConfig, limits: KubeClientLimits, clock: Clock) {
    super();
    this.loadFromOptions({ clusters: source.clusters, users: source.users, contexts: source.contexts, currentContext: source.currentContext });
    const gateLimits: GateLimits = { qps: limits.qps, burst: limits.burst, maxInFlight: limits.maxConnections };
    this.gate = new RequestGate(gateLimits, clock);
    this.agents = new AgentPool(limits.maxConnections);
    this.library = new GatedHttpLibrary(this.gate, this.agents, clock);
  }

  override makeApiClient<T extends ApiType>(apiClientType: ApiConstructor<T>): T {
    const cluster = this.getCurrentCluster();
    if (!cluster) throw new Error('No active cluster!');
    return new apiClientType(createConfiguration({ baseServer: new ServerConfiguration(cluster.server, {}), authMethods: { default: this }, httpApi: this.library }));
  }

  /**
   * Called by client-node's Watch before each watch request: the watch waits for a token, and its
   * agent (one per watch, client-node's) is kept so that close() can end a watch whose answer
   * has not come yet, which Watch itself gives no handle on.
   */
  override async applyToFetchOptions(opts: RequestOptions): ReturnType<KubeConfig['applyToFetchOptions']> {
    await this.gate.token(RequestPriority.Normal, this.gate.signal);
    const init = await super.applyToFetchOptions(opts);
    for (const agent of this.watchAgents) if (idle(agent)) this.watchAgents.delete(agent);
    if (init.agent instanceof Agent) this.watchAgents.add(init.agent);
    return init;
  }

  /** Keep-alive sockets open now (watches not counted). */
  get openConnections(): number {
    return this.agents.sockets();
  }

  /** Ends the client: waiting calls are refused, calls in flight aborted, sockets closed (watches' too). */
  close(reason?: string): void {
    this.gate.close(reason);
    this.agents.destroy();
    for (const agent of this.watchAgents) agent.destroy();
    this.watchAgents.clear();
  }
}
