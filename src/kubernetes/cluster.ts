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
//   the services Lease with the status writer (elections/), under kube-vip's names
//   (vip_leasename, svc_leasename), in the pod's namespace as kube-vip places them (env mode).
// - This node's drain (node/drain.ts): excluded from external load balancers, or cordoned when
//   asked, it announces no Service VIP; and its kube-vip.io/has-ip label (node/labels.ts) while it
//   holds the control-plane VIP, with kube-vip's enable_node_labeling.
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
import type { ControlPlaneHealth, ControlPlaneHealthOptions } from './control-plane/health.js';
import type { Candidate, Elections, LeaseRef } from './elections/candidate.js';
import type { LeaseKey } from './elections/service-leases.js';
import type { NodeAnnotationWatcher, NodeBgpOverrides } from './node/annotations.js';
import type { NodeDrainWatcher } from './node/drain.js';
import type { NodeLabeler } from './node/labels.js';
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
  /** The Leases also decide which node holds the VIPs (ARP mode; BGP mode with kube-vip's elections). */
  leasesHoldVips: boolean;
  /** A Service with externalTrafficPolicy: Local has a Lease of its own without svc_election (ARP mode); default: leasesHoldVips. */
  localPolicyLeases?: boolean;
  /** This node's BGP annotations changed after start. */
  onNodeOverrides?: (overrides: NodeBgpOverrides) => void;
  syncTimeoutMs?: number;
}

export interface ClusterStatus {
  node: string;
  services: ReturnType<ServiceSources['watcher']['status']> | null;
  /** Why this node announces no Service VIP now (node drain); null while it may. */
  servicesDrained: string | null;
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
  /** Why this node announces no Service VIP now (node drain); undefined while it may. */
  readonly servicesDrained: string | undefined;
  /** Called with each change of servicesDrained (ARP mode then sits out the services Lease). */
  onServicesDrained(listener: (reason: string | undefined) => void): void;
  /** After each reconcile: which VIPs are in place on this node (for the kube-vip.io/has-ip label). */
  reconciled(inPlace: (address: string) => boolean): void;
  /** Resolves once nothing this node writes to the API (Service status, node label) is queued or running. */
  settled(): Promise<void>;
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
  const [{ KubeClientError, loadKubeConfig, podNamespace, resolveNodeName }, { ApiClientConfig }] = await Promise.all([import('./client.js'), import('./transport/kubeconfig.js')]);
  const loaded = loadKubeConfig(k);
  const node = resolveNodeName(k);
  const sources = new ClusterSources(registry, options, node.name);
  const leases = await leaseNames(k, k.namespaceFromPod ? podNamespace() : undefined);
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
    if (k.services && credentials.ok && (k.withdrawWhenExcluded !== false || k.withdrawWhenCordoned === true)) {
      sources.drain = await startDrain(options, credentials.value, node.name);
      sources.drain.on('change', (reason) => sources.drained(reason));
    }
    const labelVip = config.vips.static[0]?.address;
    if (k.labelNode && k.controlPlane && labelVip !== undefined) {
      const { HAS_IP_LABEL, NodeLabeler, labelValueOfIp } = await import('./node/labels.js');
      sources.labeler = new NodeLabeler({ kubeConfig: required('kubernetes.labelNode').kubeConfig, nodeName: node.name, clock: options.clock });
      sources.labeler.on('failed', (message) => log.warn({ node: node.name, error: message }, 'node label not written; trying again'));
      sources.hasIp = { label: HAS_IP_LABEL, vip: labelVip, value: labelValueOfIp(labelVip) };
    }
    if (k.services) {
      const { startServiceSources } = await import('./services/sources.js');
      const { electionTimings } = await import('./elections/options.js');
      sources.services = await startServiceSources({
        servicesLease: leases.services,
        ...(sources.drain?.drained !== undefined ? { drained: sources.drain.drained } : {}),
        kubeConfig: required('kubernetes.services').kubeConfig,
        nodeName: node.name,
        settings: k,
        registry,
        log,
        timings: electionTimings(k),
        leasesHoldVips: options.leasesHoldVips,
        ...(options.localPolicyLeases !== undefined ? { localPolicyLeases: options.localPolicyLeases } : {}),
        clock: options.clock,
        syncTimeoutMs: options.syncTimeoutMs ?? KUBERNETES_SYNC_TIMEOUT_MS,
      });
    }
    // A drain that changed while the Services were first listed.
    sources.services?.watcher.setDrained(sources.drain?.drained);
    if (options.leasesHoldVips && credentials.ok) sources.elections = await leaseElections(options, credentials.value, node.name, sources.services?.elections, leases, gated);
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
  drain: NodeDrainWatcher | undefined;
  labeler: NodeLabeler | undefined;
  /** kube-vip's has-ip label: set to `value` while `vip` (the control-plane VIP) is in place here. */
  hasIp: { label: string; vip: string; value: string } | undefined;
  private readonly drainListeners: Array<(reason: string | undefined) => void> = [];
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

  get servicesDrained(): string | undefined {
    return this.drain?.drained;
  }

  onServicesDrained(listener: (reason: string | undefined) => void): void {
    this.drainListeners.push(listener);
  }

  /** The drain changed: the Service VIPs go (or come back), and the mode hears of it. */
  drained(reason: string | undefined): void {
    this.services?.watcher.setDrained(reason);
    for (const listener of this.drainListeners) listener(reason);
  }

  reconciled(inPlace: (address: string) => boolean): void {
    if (!this.labeler || !this.hasIp) return;
    void this.labeler.set(this.hasIp.label, inPlace(this.hasIp.vip) ? this.hasIp.value : null);
  }

  async settled(): Promise<void> {
    await Promise.all([this.services?.settled(), this.labeler?.settled()]);
  }

  status(): ClusterStatus | null {
    if (!this.node && !this.services) return null;
    return { node: this.nodeName ?? '', services: this.services?.watcher.status() ?? null, servicesDrained: this.drain?.drained ?? null };
  }

  async stop(options: ClusterStopOptions = {}): Promise<void> {
    const withinMs = Math.max(0, options.withinMs ?? CLUSTER_STOP_TIMEOUT_MS);
    // The watches and the health probe end without a request; the Service sources release their
    // Leases, which goes first through the client (waiters.ts RequestPriority.Lease); kube-vip's
    // CleanUpLabels: a stopped node holds nothing.
    const steps = Promise.all([this.node?.stop(), this.drain?.stop(), this.services?.stop(), this.controlPlane?.stop()])
      .then(() => this.labeler?.clear())
      .then(() => true);
    const done = await withTimeout(this.options.clock, withinMs, steps, () => false);
    if (!done) this.options.log.warn({ withinMs }, 'Kubernetes stop cut short: what was not released in time expires with its lease');
    // Whatever is still waiting or in flight is aborted, and every connection closed.
    for (const client of this.clients) client.close('vip-speaker is stopping');
    if (!done) await withTimeout(this.options.clock, CLOSE_GRACE_MS, steps.catch(() => true), () => false);
  }
}

/** The control-plane and services Leases, in kube-vip's names, in the pod's namespace when asked and known. */
async function leaseNames(k: DaemonConfig['kubernetes'], pod: string | undefined): Promise<{ controlPlane: LeaseKey; services: LeaseKey }> {
  const [{ kubernetesDefaults, leaseRef }, { CONTROL_PLANE_LEASE, SERVICES_LEASE }] = await Promise.all([import('../config/index.js'), import('./elections/options.js')]);
  const namespace = pod ?? kubernetesDefaults(k).namespace;
  return { controlPlane: leaseRef(k.controlPlaneLease, CONTROL_PLANE_LEASE, namespace), services: leaseRef(k.servicesLease, SERVICES_LEASE, namespace) };
}

/** Watches this node for drain and waits (bounded) for the first read, so that a drained node never announces at start. */
async function startDrain(options: ClusterOptions, credentials: LoadedKubeConfig, nodeName: string): Promise<NodeDrainWatcher> {
  const { NodeDrainWatcher } = await import('./node/drain.js');
  const k = options.config.kubernetes;
  const watcher = new NodeDrainWatcher({ kubeConfig: credentials.kubeConfig, nodeName, log: options.log, informer: { clock: options.clock }, rules: { excluded: k.withdrawWhenExcluded !== false, cordoned: k.withdrawWhenCordoned === true } });
  const synced = new Promise<void>((resolve) => watcher.once('synced', () => resolve()));
  // Bounded as a whole, the first watch included (see services/sources.ts).
  await withTimeout(options.clock, options.syncTimeoutMs ?? KUBERNETES_SYNC_TIMEOUT_MS, Promise.all([watcher.start(), synced]).then(() => undefined), () => undefined);
  return watcher;
}

/**
 * With kubernetes.controlPlane, the configured VIPs are the API server's: announced only while the
 * local API server's /livez answers, so that routers send API traffic to live API servers only.
 */
async function startControlPlane(options: ClusterOptions, credentials: LoadedKubeConfig): Promise<ControlPlaneHealth> {
  const [{ ControlPlaneHealth }, { SERVICE_ACCOUNT_DIR }] = await Promise.all([import('./control-plane/health.js'), import('./client.js')]);
  const { config, log } = options;
  const cluster = credentials.kubeConfig.getCurrentCluster();
  const k = config.kubernetes;
  const seconds = (s: number | undefined, key: string) => (s !== undefined ? { [key]: s * 1000 } : {});
  const health = new ControlPlaneHealth({
    registry: options.registry,
    vips: [],
    port: k.apiServerPort,
    clock: options.clock,
    ...seconds(k.controlPlaneCheckInterval, 'intervalMs'),
    ...seconds(k.controlPlaneCheckTimeout, 'timeoutMs'),
    ...(k.controlPlaneCheckFailureThreshold !== undefined ? { failureThreshold: k.controlPlaneCheckFailureThreshold } : {}),
    ...(k.controlPlaneCheckUrl !== undefined ? { url: k.controlPlaneCheckUrl } : {}),
    // kube-vip's control_plane_health_check_ca_path, else the cluster's CA.
    ...(k.controlPlaneCheckCaFile !== undefined
      ? { caFile: k.controlPlaneCheckCaFile, caFileGiven: true }
      : cluster?.caData ? { ca: Buffer.from(cluster.caData, 'base64').toString('utf8') } : cluster?.caFile ? { caFile: cluster.caFile } : {}),
    ...livezCredentials(credentials, SERVICE_ACCOUNT_DIR),
  });
  health.on('healthy', () => log.info({ vips: config.vips.static.map((v) => v.address) }, 'local API server healthy: control-plane VIP announced'));
  health.on('unhealthy', (reason, detail) => log.warn({ reason, detail }, 'local API server unhealthy: control-plane VIP withdrawn'));
  health.start();
  return health;
}

/**
 * Who /livez is asked as: the same credentials as the rest (the service account's token, or the
 * kubeconfig's user), for API servers that refuse anonymous /livez. K3s runs with
 * anonymous-auth=false: there an anonymous probe gets 401 and the VIP would never be announced.
 */
export function livezCredentials(credentials: LoadedKubeConfig, serviceAccountDir: string): Pick<ControlPlaneHealthOptions, 'tokenFile' | 'token' | 'clientCertificate'> {
  // Read again for each probe: projected tokens rotate.
  if (credentials.source === 'in-cluster') return { tokenFile: `${serviceAccountDir}/token` };
  const user = credentials.kubeConfig.getCurrentUser();
  if (!user) return {};
  if (user.token) return { token: user.token };
  const pem = (data: string) => Buffer.from(data, 'base64').toString('utf8');
  if (user.certData && user.keyData) return { clientCertificate: { cert: pem(user.certData), key: pem(user.keyData) } };
  if (user.certFile && user.keyFile) return { clientCertificate: { certFile: user.certFile, keyFile: user.keyFile } };
  return {};
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
  // Bounded as a whole, the first watch included (see services/sources.ts).
  await withTimeout(options.clock, options.syncTimeoutMs ?? KUBERNETES_SYNC_TIMEOUT_MS, Promise.all([watcher.start(), synced]).then(() => undefined), () => undefined);
  started = true;
  return watcher;
}

/**
 * The Leases in kube-vip's names: plndr-cp-lock (vip_leasename) for the configured and
 * control-plane VIPs (through this node's own API server when it is a control-plane node),
 * plndr-svcs-lock (svc_leasename) and kubevip-<service> (kube-vip.io/leaseName) shared with the
 * Service status writer.
 */
async function leaseElections(options: ClusterOptions, credentials: LoadedKubeConfig, identity: string, shared: ServiceElections | undefined, leases: { controlPlane: LeaseKey; services: LeaseKey }, gated: (kubeConfig: KubeConfig) => KubeConfig): Promise<Elections> {
  const [{ localApiServerConfig }, { LeaderElector }, { electionTimings, ElectionOptionsError }] = await Promise.all([
    import('./client.js'),
    import('./elections/elector.js'),
    import('./elections/options.js'),
  ]);
  const k = options.config.kubernetes;
  const timings = electionTimings(k);
  // The control-plane election must not go through the VIP it elects a holder for: the local API
  // server, or kube-vip's kubernetes_addr when given (the credentials already point there).
  const controlPlaneConfig = k.controlPlane && k.apiServerAddress === undefined ? gated(localApiServerConfig(credentials.kubeConfig, k.apiServerPort)) : credentials.kubeConfig;
  const elector = (lease: LeaseKey, kubeConfig = credentials.kubeConfig) => new LeaderElector({ kubeConfig, ...lease, identity, watch: true, clock: options.clock, ...timings });
  return {
    candidate(lease: LeaseRef): Candidate {
      if (lease.kind === 'control-plane') return elector(leases.controlPlane, controlPlaneConfig);
      if (lease.kind === 'services') return shared?.servicesElector?.() ?? elector(leases.services);
      // A Service's own Lease: made with the Service sources, which exist whenever a Service VIP does.
      if (!shared) throw new ElectionOptionsError(`no Service elections to stand for ${lease.namespace}/${lease.name}: Services are not watched`);
      return shared.serviceCandidate(lease.namespace, lease.name);
    },
  };
}
