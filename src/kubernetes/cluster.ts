// The cluster as one source with one lifecycle: everything vip-speaker reads from or writes to the
// Kubernetes API, started, reported on and stopped together.
//
// - The configured VIPs (`claimStatic`): claimed at once, or, with kubernetes.controlPlane and
//   credentials, only while the local API server answers /livez (control-plane/health.ts).
// - Node annotations (kube-vip's `annotation`): this node's BGP settings, handed to the daemon as
//   overrides of its configuration (node/annotations.ts).
// - LoadBalancer Services: their VIPs claimed in the registry, their status written by the node
//   elected for it (services/).
// - The Leases (`elections`): for a mode that holds VIPs by lease, a candidate per Lease, sharing
//   the services Lease with the status writer (elections/).
//
// Nothing of the Kubernetes client is loaded unless the configuration asks for the cluster: a
// node that announces configured VIPs alone starts without it.
import { type Clock, withTimeout } from '../../bgp/index.js';
import { communitiesOf, largeCommunitiesOf } from '../communities.js';
import { type DaemonConfig, type StaticVip, kubeClientSettings } from '../config/index.js';
import type { Logger } from '../log.js';
import type { VipClaim, VipRegistry } from '../registry/index.js';
import type { KubeConfig } from '@kubernetes/client-node';
import type { LoadedKubeConfig } from './client.js';
import type { ControlPlaneHealth } from './control-plane/health.js';
import type { Candidate, Elections, LeaseRef } from './elections/candidate.js';
import type { NodeAnnotationWatcher, NodeBgpOverrides } from './node/annotations.js';
import type { ServiceElections, ServiceSources } from './services/sources.js';

/** The owner of the configured VIPs in the registry. */
export const STATIC_OWNER = 'static';
/** How long start waits for the cluster's first lists (then it goes on with what it has). */
export const KUBERNETES_SYNC_TIMEOUT_MS = 10_000;
/** A stop's bound when the caller gives none: the releases get this long, then every request is cut. */
export const CLUSTER_STOP_TIMEOUT_MS = 5_000;
/** After the client is closed, how long the steps get to notice their aborted requests. */
const CLOSE_GRACE_MS = 200;

export interface ClusterStopOptions {
  /**
   * How long the stop may take: the watches end at once, the status writes in flight are cut,
   * and the Leases this node holds are released within this time; then the client is closed,
   * whatever is still waiting or in flight is aborted, and stop resolves.
   */
  withinMs?: number;
}

export interface ClusterOptions {
  config: DaemonConfig;
  registry: VipRegistry;
  log: Logger;
  clock: Clock;
  /** The Leases also decide which node holds the VIPs (ARP mode with leader election). */
  leasesHoldVips: boolean;
  /** This node's BGP annotations changed after start. */
  onNodeOverrides?: (overrides: NodeBgpOverrides) => void;
  syncTimeoutMs?: number;
}

export interface ClusterStatus {
  node: string;
  services: ReturnType<ServiceSources['watcher']['status']> | null;
}

export interface Cluster {
  /** Claims the configured VIPs (at once, or while the local API server is healthy); false when nothing changed. */
  claimStatic(vips: readonly StaticVip[]): boolean;
  /** This node's BGP settings from its annotations, as last read. */
  readonly nodeOverrides: NodeBgpOverrides | undefined;
  /**
   * The configuration in force on this node: kube-vip's per-node BGP settings, when its
   * annotations carry a complete set, replace the node's AS, router ID and peers.
   */
  onThisNode(config: DaemonConfig): DaemonConfig;
  /** Lease candidates; undefined when there is nobody to elect with (no credentials), or nobody asked. */
  readonly elections: Elections | undefined;
  /** Why the cluster's part of this node is not ready ([] when it is). */
  readiness(): string[];
  /** Whether every watch is connected now; undefined when nothing watches. */
  connected(): boolean | undefined;
  status(): ClusterStatus | null;
  /**
   * Stops every watch and election within `withinMs` (default CLUSTER_STOP_TIMEOUT_MS), releasing
   * what it can in that time; the claims stay in the registry (a stop is no reason to withdraw).
   */
  stop(options?: ClusterStopOptions): Promise<void>;
}

/** Starts what the configuration asks of the cluster; resolves once the first lists are in (bounded). */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const { config, registry, log } = options;
  const k = config.kubernetes;
  const wanted = k.controlPlane || k.services || k.nodeAnnotationPrefix !== undefined || options.leasesHoldVips;
  if (!wanted) return new ClusterSources(registry, options);
  const [{ KubeClientError, loadKubeConfig, resolveNodeName }, { ApiClientConfig }] = await Promise.all([import('./client.js'), import('./transport/kubeconfig.js')]);
  const loaded = loadKubeConfig(k);
  const node = resolveNodeName(k);
  const sources = new ClusterSources(registry, options, node.name);
  // Every client of the cluster shares one gate and one keep-alive agent per API server.
  const limits = kubeClientSettings(k);
  const gated = (kubeConfig: KubeConfig): KubeConfig => sources.track(new ApiClientConfig(kubeConfig, limits, options.clock));
  const credentials = loaded.ok ? { ok: true as const, value: { ...loaded.value, kubeConfig: gated(loaded.value.kubeConfig) } } : loaded;
  // Without credentials, Services and node annotations cannot work at all; the control-plane
  // gate and the elections fall back to what kube-vip does outside a cluster.
  const required = (what: string): LoadedKubeConfig => {
    if (credentials.ok) return credentials.value;
    throw new KubeClientError(credentials.error.code, `${what} needs the Kubernetes API: ${credentials.error.message}`);
  };
  if (credentials.ok) {
    log.info({ apiServer: credentials.value.server, credentials: credentials.value.source, node: node.name, nodeNameFrom: node.source }, 'Kubernetes API configured');
  }
  try {
    if (k.controlPlane) {
      if (credentials.ok) sources.controlPlane = await startControlPlane(options, credentials.value);
      else log.warn({ reason: credentials.error.message }, 'no Kubernetes credentials: the control-plane VIP is announced without a /livez check');
    }
    if (k.nodeAnnotationPrefix !== undefined) {
      sources.node = await startNodeAnnotations(options, required('kubernetes.nodeAnnotationPrefix'), node.name, k.nodeAnnotationPrefix);
    }
    if (k.services) {
      const { startServiceSources } = await import('./services/sources.js');
      const { electionTimings } = await import('./elections/options.js');
      sources.services = await startServiceSources({
        kubeConfig: required('kubernetes.services').kubeConfig,
        nodeName: node.name,
        settings: k,
        registry,
        log,
        timings: electionTimings(k),
        leasesHoldVips: options.leasesHoldVips,
        clock: options.clock,
        syncTimeoutMs: options.syncTimeoutMs ?? KUBERNETES_SYNC_TIMEOUT_MS,
      });
    }
    if (options.leasesHoldVips && credentials.ok) sources.elections = await leaseElections(options, credentials.value, node.name, sources.services?.elections, gated);
  } catch (err) {
    await sources.stop();
    throw err;
  }
  return sources;
}

class ClusterSources implements Cluster {
  controlPlane: ControlPlaneHealth | undefined;
  node: NodeAnnotationWatcher | undefined;
  services: ServiceSources | undefined;
  elections: Elections | undefined;
  /** The API clients made for the cluster, closed at the end of stop(). */
  private readonly clients: Array<{ close(reason?: string): void }> = [];

  constructor(
    private readonly registry: VipRegistry,
    private readonly options: Pick<ClusterOptions, 'clock' | 'log'>,
    private readonly nodeName?: string,
  ) {}

  track<T extends { close(reason?: string): void }>(client: T): T {
    this.clients.push(client);
    return client;
  }

  claimStatic(vips: readonly StaticVip[]): boolean {
    const claims: VipClaim[] = vips.map((v) => ({ address: v.address, attributes: { communities: communitiesOf(v.communities), largeCommunities: largeCommunitiesOf(v.largeCommunities) } }));
    if (!this.controlPlane) return this.registry.replaceOwner(STATIC_OWNER, claims);
    this.controlPlane.setVips(claims);
    return false;
  }

  get nodeOverrides(): NodeBgpOverrides | undefined {
    return this.node?.current;
  }

  onThisNode(config: DaemonConfig): DaemonConfig {
    const o = this.nodeOverrides;
    if (!o?.complete || o.asn === undefined) return config;
    return { ...config, node: { ...config.node, asn: o.asn, routerId: o.routerId ?? config.node.routerId }, peers: o.peers ?? config.peers };
  }

  readiness(): string[] {
    const services = this.services?.watcher;
    if (!services) return [];
    // An outage keeps the last known state announced, and shows here (and in the metrics).
    const down = services.status().informers.filter((i) => i.synced && !i.connected);
    return [...services.readiness().reasons, ...down.map((i) => `Kubernetes API unreachable for ${i.name}${i.lastError ? ` (${i.lastError.message})` : ''}: keeping the last known state`)];
  }

  connected(): boolean | undefined {
    return this.services ? this.services.watcher.status().informers.every((i) => i.connected) : undefined;
  }

  status(): ClusterStatus | null {
    if (!this.node && !this.services) return null;
    return { node: this.nodeName ?? '', services: this.services?.watcher.status() ?? null };
  }

  async stop(options: ClusterStopOptions = {}): Promise<void> {
    const withinMs = Math.max(0, options.withinMs ?? CLUSTER_STOP_TIMEOUT_MS);
    // The watches and the health probe end without a request; the Service sources release their
    // Leases, which goes first through the client (waiters.ts RequestPriority.Lease).
    const steps = Promise.all([this.node?.stop(), this.services?.stop(), this.controlPlane?.stop()]).then(() => true);
    const done = await withTimeout(this.options.clock, withinMs, steps, () => false);
    if (!done) this.options.log.warn({ withinMs }, 'Kubernetes stop cut short: what was not released in time expires with its lease');
    // Whatever is still waiting or in flight is aborted, and every connection closed.
    for (const client of this.clients) client.close('vip-speaker is stopping');
    if (!done) await withTimeout(this.options.clock, CLOSE_GRACE_MS, steps.catch(() => true), () => false);
  }
}

/**
 * With kubernetes.controlPlane, the configured VIPs are the API server's: announced only while the
 * local API server's /livez answers, so that routers send API traffic to live API servers only.
 */
async function startControlPlane(options: ClusterOptions, credentials: LoadedKubeConfig): Promise<ControlPlaneHealth> {
  const { ControlPlaneHealth } = await import('./control-plane/health.js');
  const { config, log } = options;
  const cluster = credentials.kubeConfig.getCurrentCluster();
  const health = new ControlPlaneHealth({
    registry: options.registry,
    vips: [],
    port: config.kubernetes.apiServerPort,
    clock: options.clock,
    ...(config.kubernetes.controlPlaneCheckInterval !== undefined ? { intervalMs: config.kubernetes.controlPlaneCheckInterval * 1000 } : {}),
    ...(cluster?.caData ? { ca: Buffer.from(cluster.caData, 'base64').toString('utf8') } : cluster?.caFile ? { caFile: cluster.caFile } : {}),
  });
  health.on('healthy', () => log.info({ vips: config.vips.static.map((v) => v.address) }, 'local API server healthy: control-plane VIP announced'));
  health.on('unhealthy', (reason, detail) => log.warn({ reason, detail }, 'local API server unhealthy: control-plane VIP withdrawn'));
  health.start();
  return health;
}

/** Watches this node's annotations and waits (bounded) for the first read, so that the sessions start with them. */
async function startNodeAnnotations(options: ClusterOptions, credentials: LoadedKubeConfig, nodeName: string, prefix: string): Promise<NodeAnnotationWatcher> {
  const { NodeAnnotationWatcher } = await import('./node/annotations.js');
  const watcher = new NodeAnnotationWatcher({ kubeConfig: credentials.kubeConfig, nodeName, prefix, log: options.log, informer: { clock: options.clock } });
  let started = false;
  watcher.on('change', (overrides) => {
    if (started) options.onNodeOverrides?.(overrides);
  });
  // Listen before starting: the first list may be in before start() resolves.
  const synced = new Promise<void>((resolve) => watcher.once('synced', () => resolve()));
  await watcher.start();
  await withTimeout(options.clock, options.syncTimeoutMs ?? KUBERNETES_SYNC_TIMEOUT_MS, synced, () => undefined);
  started = true;
  return watcher;
}

/**
 * The Leases in kube-vip's names: plndr-cp-lock for the configured and control-plane VIPs
 * (through this node's own API server when it is a control-plane node), plndr-svcs-lock and
 * kubevip-<service> shared with the Service status writer.
 */
async function leaseElections(options: ClusterOptions, credentials: LoadedKubeConfig, identity: string, shared: ServiceElections | undefined, gated: (kubeConfig: KubeConfig) => KubeConfig): Promise<Elections> {
  const [{ localApiServerConfig }, { kubernetesDefaults }, { LeaderElector, SERVICES_LEASE, CONTROL_PLANE_LEASE }, { electionTimings, ElectionOptionsError }] = await Promise.all([
    import('./client.js'),
    import('../config/index.js'),
    import('./elections/elector.js'),
    import('./elections/options.js'),
  ]);
  const k = options.config.kubernetes;
  const namespace = kubernetesDefaults(k).namespace;
  const timings = electionTimings(k);
  // The control-plane election must not go through the VIP it elects a holder for.
  const controlPlaneConfig = k.controlPlane ? gated(localApiServerConfig(credentials.kubeConfig, k.apiServerPort)) : credentials.kubeConfig;
  const elector = (name: string, kubeConfig = credentials.kubeConfig) => new LeaderElector({ kubeConfig, namespace, name, identity, watch: true, clock: options.clock, ...timings });
  return {
    candidate(lease: LeaseRef): Candidate {
      if (lease.kind === 'control-plane') return elector(CONTROL_PLANE_LEASE, controlPlaneConfig);
      if (lease.kind === 'services') return shared?.servicesElector ?? elector(SERVICES_LEASE);
      // A Service's own Lease: made with the Service sources, which exist whenever a Service VIP does.
      if (!shared) throw new ElectionOptionsError(`no Service elections to stand for ${lease.namespace}/${lease.name}: Services are not watched`);
      return shared.serviceCandidate(lease.namespace, lease.name);
    },
  };
}
