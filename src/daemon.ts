// The vip-speaker daemon: config and cluster → registry → reconcile → (interface, sessions).
// It owns the one registry, the reconciler, the BGP speaker and the admin endpoint, and applies
// a reloaded config as a difference. Nothing here reaches back upstream: sources write the
// registry; the reconcile reads it.
import type { BgpSpeaker, PeerStatus } from '../bgp/index.js';
import { SpeakerSink, createSpeaker, peerConfigOf } from './bgp-mode/speaker.js';
import { AdminServer } from './admin/server.js';
import { DaemonMetrics, type VipHolder } from './admin/metrics.js';
import { communitiesOf, largeCommunitiesOf } from './communities.js';
import { diffConfig } from './config/diff.js';
import { redactConfig } from './config/redact.js';
import type { DaemonConfig } from './config/types.js';
import type { Logger } from './log.js';
import { type AddressPlacer, Reconciler } from './reconcile.js';
import { VipRegistry } from './registry/registry.js';
import { createAnnouncer } from './arp/announcer.js';
import { ArpMode } from './arp-mode/mode.js';
import { SERVICES_GROUP, groupOf } from './arp-mode/holders.js';
import { type ArpElections, candidateFor, loadArpElections, soloIdentity } from './arp-mode/candidates.js';
import { electionTimings } from './kubernetes/election-options.js';
import { VERSION } from './version.js';

/** The Kubernetes sources, loaded only when the config asks for them. */
interface KubernetesSources {
  services?: import('./kubernetes/services.js').ServiceWatcher;
  readiness(): { ok: boolean; reasons: string[] };
  /** Whether every watch is connected now; undefined when nothing watches. */
  connected(): boolean | undefined;
  status(): unknown;
  stop(): Promise<void>;
}

/** How long the first reconcile waits for the cluster's first lists (then it goes on with what it has). */
const KUBERNETES_SYNC_TIMEOUT_MS = 10_000;

export interface DaemonDeps {
  log: Logger;
  addresses: AddressPlacer;
  /** ARP mode's link side (tests replace it). */
  announcer?: import('./arp/announcer.js').Announcer;
  /** Replaces the TCP transport (tests). */
  speakerOptions?: Partial<ConstructorParameters<typeof BgpSpeaker>[0]>;
}

export const STATIC_OWNER = 'static';
/** Upper bound on a clean stop: withdraw, Cease, remove addresses. */
export const STOP_TIMEOUT_MS = 10_000;

/** A reloaded config that is valid but cannot be applied to a running process. */
export class ReloadRefused extends Error {
  override name = 'ReloadRefused';
}

export class Daemon {
  readonly registry = new VipRegistry();
  readonly reconciler: Reconciler;
  readonly metrics: DaemonMetrics;
  private readonly admin: AdminServer;
  private readonly sink: SpeakerSink;
  private readonly log: Logger;
  /** Peers whose first connection attempt has ended one way or another (for /readyz). */
  private readonly tried = new Set<string>();
  private stopping = false;
  private started = false;
  private kubernetes: KubernetesSources | undefined;
  /** ARP mode: only the elected node holds each VIP. */
  private readonly arp: ArpMode | undefined;
  private elections: ArpElections | undefined;
  /** The Service leases, shared by the status writer and ARP mode. */
  private serviceElections: import('./kubernetes/service-sources.js').ServiceElections | undefined;
  private serviceWatcher: import('./kubernetes/services.js').ServiceWatcher | undefined;
  /** The configuration as loaded; `config` is it with this node's annotations applied. */
  private base: DaemonConfig;
  private nodeOverrides: import('./kubernetes/node-annotations.js').NodeBgpOverrides | undefined;
  /** Set when the static VIPs are the control-plane VIPs, claimed only while /livez is healthy. */
  private controlPlane: import('./kubernetes/controlplane.js').ControlPlaneHealth | undefined;
  private readonly startedAt = Date.now();

  constructor(
    private config: DaemonConfig,
    private readonly deps: DaemonDeps,
  ) {
    this.log = deps.log;
    this.base = config;
    this.sink = new SpeakerSink(this.makeSpeaker(config));
    this.arp = config.mode === 'arp' ? this.makeArpMode(config) : undefined;
    this.reconciler = this.arp ? new Reconciler(this.arp.held, deps.addresses, undefined) : new Reconciler(this.registry, deps.addresses, this.sink);
    this.metrics = new DaemonMetrics(
      {
        peers: () => this.sink.speaker.status(),
        vips: () => ({ desired: this.registry.size, inPlace: this.reconciler.placedAddresses.size, announced: this.sink.speaker.table.size }),
        kubernetesConnected: () => this.kubernetes?.connected(),
        vipHolders: () => this.vipHolders(),
        leaderChanges: () => this.arp?.holders.leaderChanges() ?? [],
        arpAnnouncements: () => this.arp?.announcements(),
      },
      { version: VERSION, mode: config.mode },
    );
    this.admin = new AdminServer(
      { healthy: () => this.healthy(), ready: () => this.ready(), status: () => this.status() },
      this.metrics.registry,
    );
    // What the reconcile reads: in ARP mode the VIPs this node holds, which follow both what is
    // wanted and the leases (ArpHolders listens to the registry).
    (this.arp ? this.arp.held : this.registry).on('change', () => void this.reconcile());
    this.reconciler.on('reconciled', (r) => {
      this.metrics.reconciled(r);
      this.arp?.reconciled(r.added, r.removed);
      for (const a of r.staleRemoved) this.log.info({ vip: a }, 'removed a stale VIP left by an earlier run');
      for (const a of r.added) this.log.info({ vip: a, interface: this.config.vips.interface }, 'VIP added');
      for (const a of r.removed) this.log.info({ vip: a, interface: this.config.vips.interface }, 'VIP removed');
      for (const f of r.failures) this.log.error({ vip: f.address, error: f.message }, 'VIP could not be placed; it is not announced');
    });
  }

  private makeSpeaker(config: DaemonConfig): BgpSpeaker {
    return createSpeaker(config, {
      log: this.log,
      ...(this.deps.speakerOptions ? { speakerOptions: this.deps.speakerOptions } : {}),
      tried: (peer) => this.tried.add(peer),
      sessionDown: (peer, reason) => this.metrics?.sessionDown(peer, reason),
      connectError: (peer, code) => this.metrics?.connectError(peer, code),
    });
  }

  /** Starts the admin endpoint, claims the static VIPs, starts the sessions and reconciles. */
  async start(): Promise<void> {
    // ARP mode holds nothing before it is elected, and never keeps a VIP across runs: a VIP
    // left on the interface by a killed run is removed first, before the slower start-up work
    // (loading the Kubernetes client, the first lists), so that it answers beside the new
    // holder's for as short a time as possible.
    if (this.arp) await this.reconciler.schedule();
    const a = await this.admin.listen(this.config.admin.address, this.config.admin.port);
    this.log.info({ admin: `${a.address}:${a.port}`, mode: this.config.mode, asn: this.config.node.asn, routerId: this.config.node.routerId, peers: this.config.peers.length, version: VERSION }, 'vip-speaker starting');
    if (this.config.kubernetes.controlPlane) this.controlPlane = await this.startControlPlane();
    this.registry.replaceOwner(STATIC_OWNER, this.staticClaims(this.config));
    // Services need the API; the control-plane VIP alone does not (it is announced from the
    // config as kube-vip does without leader election; its /livez gate is not wired in yet).
    if (this.config.kubernetes.services || this.config.kubernetes.nodeAnnotationPrefix) this.kubernetes = await this.startKubernetes();
    if (this.config.mode === 'bgp') await this.sink.speaker.start();
    this.started = true;
    if (this.arp) {
      this.elections = await loadArpElections(this.config, this.log, this.serviceElections);
      this.arp.start();
    }
    await this.reconcile();
  }

  private makeArpMode(config: DaemonConfig): ArpMode {
    return new ArpMode({
      wanted: this.registry,
      groupOf: (owner) =>
        groupOf(owner, {
          servicesElection: config.kubernetes.servicesElection === true,
          localPolicy: (service) => this.serviceWatcher?.trafficPolicy(service) === 'Local',
        }),
      // The services lease also elects the status writer, so every node stands for it (with
      // per-Service election there is none); the others are stood for while their VIPs are wanted.
      globalGroups: config.kubernetes.services && config.kubernetes.servicesElection !== true ? [{ key: SERVICES_GROUP }] : [],
      candidate: (group) => candidateFor(group, this.elections, soloIdentity(this.config)),
      // Only while running: a stop has taken every VIP off already (teardown), and adds none.
      settle: async () => {
        if (!this.stopping) await this.reconciler.schedule();
      },
      announcer: () => this.announcer(),
      refreshIntervalMs: config.arp.refreshIntervalMs,
      log: this.log,
    });
  }

  private announcerInstance: import('./arp/announcer.js').Announcer | undefined;

  private announcer(): import('./arp/announcer.js').Announcer {
    if (!this.announcerInstance) this.announcerInstance = this.deps.announcer ?? createAnnouncer({ interface: this.config.vips.interface });
    return this.announcerInstance;
  }

  /** Per VIP: the mode, who holds it, and when the holder took over (ARP); every node announces in BGP mode. */
  private vipHolders(): VipHolder[] {
    if (this.arp) return this.arp.holders.status().map((v) => ({ address: v.address, mode: 'arp', holding: v.holding && this.reconciler.isInPlace(v.address), leader: v.leader, lastTakeover: v.lastTakeover }));
    return this.registry.desired().map((v) => ({ address: v.address, mode: 'bgp', holding: this.reconciler.isInPlace(v.address), leader: '', lastTakeover: null }));
  }

  /**
   * Watches the cluster. The first reconcile waits (a bounded time) for the first lists, so that
   * Service VIPs left on lo by a graceful restart are not taken for stale and removed.
   */
  private async startKubernetes(): Promise<KubernetesSources> {
    const { loadKubeConfig, resolveNodeName } = await import('./kubernetes/client.js');
    const settings = this.config.kubernetes;
    const kc = loadKubeConfig(settings);
    if (!kc.ok) throw new Error(`Kubernetes: ${kc.error.message}`);
    const node = resolveNodeName(settings);
    this.log.info({ apiServer: kc.value.server, credentials: kc.value.source, node: node.name, nodeNameFrom: node.source }, 'Kubernetes API configured');
    const sources: KubernetesSources = {
      readiness: () => {
        const r = sources.services?.readiness() ?? { ok: true, reasons: [] };
        // An outage keeps the last known state announced, and shows here (and in the metrics).
        const down = (sources.services?.status().informers ?? []).filter((i) => i.synced && !i.connected);
        const reasons = [...r.reasons, ...down.map((i) => `Kubernetes API unreachable for ${i.name}${i.lastError ? ` (${i.lastError.message})` : ''}: keeping the last known state`)];
        return { ok: reasons.length === 0, reasons };
      },
      connected: () => (sources.services ? sources.services.status().informers.every((i) => i.connected) : undefined),
      status: () => ({ node: node.name, services: sources.services?.status() ?? null }),
      stop: async () => undefined,
    };
    if (settings.nodeAnnotationPrefix) {
      const { NodeAnnotationWatcher } = await import('./kubernetes/node-annotations.js');
      const watcher = new NodeAnnotationWatcher({ kubeConfig: kc.value.kubeConfig, nodeName: node.name, prefix: settings.nodeAnnotationPrefix, log: this.log });
      watcher.on('change', (overrides) => {
        this.nodeOverrides = overrides;
        if (!this.started) return;
        this.apply(this.effective(this.base)).catch((err: Error) => this.log.error({ error: err.message }, 'node BGP annotations not applied'));
      });
      const stopOthers = sources.stop;
      sources.stop = async () => {
        await watcher.stop();
        await stopOthers();
      };
      // Listen before starting: the first list may be in before start() resolves.
      const synced = new Promise<void>((r) => watcher.once('synced', () => r()));
      await watcher.start();
      await Promise.race([synced, new Promise<void>((r) => setTimeout(r, KUBERNETES_SYNC_TIMEOUT_MS).unref())]);
      // Before the sessions start: the speaker is made with this node's own AS, router ID and peers.
      const effective = this.effective(this.base);
      if (effective !== this.base) {
        this.config = effective;
        this.sink.speaker = this.makeSpeaker(effective);
      }
    }
    if (settings.services) {
      const { startServiceSources } = await import('./kubernetes/service-sources.js');
      const started = await startServiceSources({
        kubeConfig: kc.value.kubeConfig,
        nodeName: node.name,
        settings,
        registry: this.registry,
        log: this.log,
        timings: electionTimings(settings),
        arp: this.arp !== undefined && this.config.arp.leaderElection,
        // A change of traffic policy moves a Service between the services lease and its own.
        onAnnounced: () => this.arp?.regroup(),
      });
      this.serviceWatcher = sources.services = started.watcher;
      this.serviceElections = started.elections;
      const stopOthers = sources.stop;
      sources.stop = async () => {
        await stopOthers();
        await started.stop();
      };
    }
    return sources;
  }

  get adminPort(): number | undefined {
    return this.admin.port;
  }

  /**
   * With `kubernetes.controlPlane`, the configured VIPs are the API server's: on a node with
   * Kubernetes credentials (a kubeconfig, as the static pod has, or a service account) they are
   * announced only while the local API server's /livez answers, so that routers send API traffic
   * to live API servers only. Without credentials (bare metal, a try-out) they are announced from
   * the config, as kube-vip does without leader election.
   */
  private async startControlPlane(): Promise<import('./kubernetes/controlplane.js').ControlPlaneHealth | undefined> {
    const [{ loadKubeConfig }, { ControlPlaneHealth }] = await Promise.all([import('./kubernetes/client.js'), import('./kubernetes/controlplane.js')]);
    const kc = loadKubeConfig(this.config.kubernetes);
    if (!kc.ok) {
      this.log.warn({ reason: kc.error.message }, 'no Kubernetes credentials: the control-plane VIP is announced without a /livez check');
      return undefined;
    }
    const cluster = kc.value.kubeConfig.getCurrentCluster();
    const options: ConstructorParameters<typeof ControlPlaneHealth>[0] = {
      registry: this.registry,
      vips: this.configuredClaims(this.config),
      port: this.config.kubernetes.apiServerPort,
      ...(this.config.kubernetes.controlPlaneCheckInterval !== undefined ? { intervalMs: this.config.kubernetes.controlPlaneCheckInterval * 1000 } : {}),
    };
    if (cluster?.caData) options.ca = Buffer.from(cluster.caData, 'base64').toString('utf8');
    else if (cluster?.caFile) options.caFile = cluster.caFile;
    const health = new ControlPlaneHealth(options);
    health.on('healthy', () => this.log.info({ vips: this.config.vips.static.map((v) => v.address) }, 'local API server healthy: control-plane VIP announced'));
    health.on('unhealthy', (reason, detail) => this.log.warn({ reason, detail }, 'local API server unhealthy: control-plane VIP withdrawn'));
    health.start();
    return health;
  }

  /** The static VIPs, unless they are the control-plane VIPs under a health gate. */
  private staticClaims(config: DaemonConfig) {
    if (this.controlPlane) {
      this.controlPlane.setVips(this.configuredClaims(config));
      return [];
    }
    return this.configuredClaims(config);
  }

  private configuredClaims(config: DaemonConfig) {
    return config.vips.static.map((v) => ({
      address: v.address,
      attributes: { communities: communitiesOf(v.communities), largeCommunities: largeCommunitiesOf(v.largeCommunities) },
    }));
  }

  private async reconcile(): Promise<void> {
    if (!this.started || this.stopping) return;
    await this.reconciler.schedule();
  }

  /**
   * Applies a new, already validated config as a difference: peers added, removed or re-peered,
   * static VIPs claimed or released. A change of the node's identity (AS, router ID, listener,
   * timers, graceful restart) re-peers every session. Returns a summary of what changed.
   */
  async reload(next: DaemonConfig): Promise<string[]> {
    const changes = await this.apply(this.effective(next));
    this.base = next;
    return changes;
  }

  /**
   * kube-vip's per-node BGP settings: when this node's annotations carry a complete set (AS,
   * source address, peer AS), they replace the node's AS, router ID and peers.
   */
  private effective(base: DaemonConfig): DaemonConfig {
    const o = this.nodeOverrides;
    if (!o?.complete || o.asn === undefined) return base;
    return { ...base, node: { ...base.node, asn: o.asn, routerId: o.routerId ?? base.node.routerId }, peers: o.peers ?? base.peers };
  }

  private async apply(next: DaemonConfig): Promise<string[]> {
    const d = diffConfig(this.config, next);
    // These cannot change under a running process; refuse the whole file, keep everything as is.
    const needRestart = [...d.nodeChanges.filter((c) => c === 'mode'), ...d.otherChanges.filter((c) => c === 'vips.interface' || c === 'vips.placement' || c === 'admin' || c === 'arp')];
    if (needRestart.length) throw new ReloadRefused(`${needRestart.join(', ')} cannot change without a restart; the running configuration is kept`);
    const done: string[] = [];
    if (d.otherChanges.includes('log')) {
      this.log.level = next.log.level;
      done.push(`log level ${next.log.level}`);
    }
    if (d.nodeChanged) {
      const old = this.sink.speaker;
      const fresh = this.makeSpeaker(next);
      for (const route of old.table.values()) fresh.announce(route);
      await old.stop({ shutdownMessage: 'vip-speaker: configuration change' });
      this.sink.speaker = fresh;
      this.tried.clear();
      if (next.mode === 'bgp') await fresh.start();
      done.push('node identity changed: every session re-peered');
    } else {
      for (const spec of d.peersRemoved) {
        await this.sink.speaker.removePeer(spec.address);
        done.push(`peer ${spec.address} removed`);
      }
      for (const spec of d.peersChanged) {
        await this.sink.speaker.removePeer(spec.address);
        this.sink.speaker.addPeer(peerConfigOf(spec));
        done.push(`peer ${spec.address} re-peered`);
      }
      for (const spec of d.peersAdded) {
        this.sink.speaker.addPeer(peerConfigOf(spec));
        done.push(`peer ${spec.address} added`);
      }
    }
    this.config = next;
    if (this.registry.replaceOwner(STATIC_OWNER, this.staticClaims(next))) done.push('static VIPs updated');
    await this.reconcile();
    return done;
  }

  /**
   * Stops within a bounded time. Clean: withdraw every route, Cease / Administrative Shutdown to
   * every peer, remove the VIPs we added. Graceful (`keepRoutes`): close the sessions without a
   * NOTIFICATION and leave the VIPs in place, so that routers keep our routes (RFC 4724) while
   * the next run starts.
   */
  async stop(options: { keepRoutes?: boolean; message?: string } = {}): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const work = (async () => {
      // In ARP mode a VIP left on the interface would answer beside the next holder's: never kept.
      if (options.keepRoutes && !this.arp) {
        await this.sink.speaker.stop({ graceful: true });
        this.log.info({ vips: this.reconciler.placedAddresses.size }, 'stopped for a graceful restart: routes and VIPs left in place');
      } else {
        // The Cease first: every peer drops all our routes at once, then the VIPs go (no traffic
        // reaches a VIP already gone; 100,000 withdrawals would come slower, see BgpSpeaker.stop).
        await this.sink.speaker.stop({ shutdownMessage: options.message ?? 'vip-speaker shutting down' });
        await this.reconciler.teardown();
        this.log.info('stopped: routes withdrawn, VIPs removed');
      }
    })();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.log.error({ timeoutMs: STOP_TIMEOUT_MS }, 'stop took too long; exiting anyway');
        resolve();
      }, STOP_TIMEOUT_MS);
    });
    await Promise.race([work, timeout]);
    clearTimeout(timer);
    // ARP: the VIPs are off the interface (teardown) before the leases go, so that the next
    // holder never overlaps with this one; released at once so it need not wait for expiry.
    await this.arp?.stop();
    this.announcerInstance?.close();
    await this.kubernetes?.stop();
    await this.controlPlane?.stop();
    await this.admin.close();
  }

  healthy(): { ok: boolean; reasons: string[] } {
    return this.stopping ? { ok: false, reasons: ['stopping'] } : { ok: true, reasons: [] };
  }

  ready(): { ok: boolean; reasons: string[] } {
    const reasons: string[] = [];
    if (!this.started) reasons.push('starting');
    if (this.stopping) reasons.push('stopping');
    if (this.config.mode === 'bgp') {
      for (const p of this.sink.speaker.status()) if (!this.tried.has(p.address)) reasons.push(`peer ${p.address} not tried yet (${p.state})`);
    }
    if (this.kubernetes) reasons.push(...this.kubernetes.readiness().reasons);
    const last = this.reconciler.last;
    // In ARP mode only the VIPs this node was elected for belong on its interface.
    const wanted = this.arp ? this.arp.held.size : this.registry.size;
    if (!last) reasons.push('VIPs not reconciled yet');
    else if (last.inPlace < wanted) reasons.push(`${wanted - last.inPlace} VIP(s) not in place`);
    return { ok: reasons.length === 0, reasons };
  }

  peers(): PeerStatus[] {
    return this.sink.speaker.status();
  }

  status(): unknown {
    const announced = this.sink.speaker.table;
    const holders = new Map(this.vipHolders().map((h) => [h.address, h]));
    return {
      version: VERSION,
      mode: this.config.mode,
      startedAt: new Date(this.startedAt).toISOString(),
      node: { asn: this.config.node.asn, routerId: this.config.node.routerId },
      ready: this.ready(),
      peers: this.peers().map((p) => ({
        address: p.address,
        port: p.port,
        asn: p.peerAs,
        state: p.state,
        uptimeSeconds: p.uptimeSeconds ?? null,
        prefixesSent: p.prefixesSent,
        prefixesReceived: p.prefixesReceived,
        flaps: p.counters.flaps,
        lastError: p.lastError ?? null,
        hostname: p.negotiated?.peerHostname?.hostname ?? null,
      })),
      vips: this.registry.desired().map((v) => ({
        address: v.address,
        owners: v.owners,
        inPlace: this.reconciler.isInPlace(v.address),
        placedAs: this.reconciler.placementOf(v.address) ?? null,
        announced: announced.has(v.address),
        communities: v.attributes.communities.map((c) => `${c >>> 16}:${c & 0xffff}`),
        mode: this.config.mode,
        // ARP: the node holding it, as its lease says, and when that node took over.
        leader: holders.get(v.address)?.leader || null,
        lastTakeover: holders.get(v.address)?.lastTakeover?.toISOString() ?? null,
      })),
      arp: this.arp?.status() ?? null,
      lastReconcile: this.reconciler.last ?? null,
      kubernetes: this.kubernetes?.status() ?? null,
      config: redactConfig(this.config),
    };
  }
}
