// The vip-speaker daemon, a composition root: config and cluster → registry → reconcile → the
// mode chosen (BGP or ARP, behind one port) → the network. Sources write the registry; the
// reconcile reads what the mode places and puts it on the interface and into the routes; the
// admin endpoint reports on all of it. A reload is applied as a difference, or refused whole.
import { type Clock, systemClock, withTimeout } from '../bgp/index.js';
import { AdminServer, DaemonMetrics, keyVips, ownerKindCounts, placedVips, registryVips, statusDocument, vipMismatch } from './admin/index.js';
import { type DaemonConfig, diffConfig, redactConfig, refuseRestartOnly } from './config/index.js';
import { type Cluster, startCluster } from './kubernetes/index.js';
import type { Logger } from './log.js';
import { type ModeDeps, type VipMode, createMode } from './modes/index.js';
import { type AddressPlacer, Reconciler, describeReconcile } from './reconcile.js';
import { VipRegistry } from './registry/index.js';
import { VERSION } from './version.js';

export interface DaemonDeps extends Pick<ModeDeps, 'announcer' | 'speakerOptions'> {
  log: Logger;
  addresses: AddressPlacer;
  clock?: Clock;
}

/** Upper bound on a whole stop: withdraw, Cease, remove the VIPs, release the leases, stop watching. */
export const STOP_TIMEOUT_MS = 10_000;
/** Kept back from the cluster's share of the stop, for closing its client and the admin endpoint. */
const STOP_MARGIN_MS = 500;

export class Daemon {
  readonly registry = new VipRegistry();
  readonly reconciler: Reconciler;
  readonly metrics: DaemonMetrics;
  private readonly mode: VipMode;
  private readonly admin: AdminServer;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly startedAt: number;
  private cluster: Cluster | undefined;
  /** The configuration as loaded; `config` is it with this node's annotations applied. */
  private base: DaemonConfig;
  private state: 'new' | 'running' | 'stopping' = 'new';

  constructor(
    private config: DaemonConfig,
    deps: DaemonDeps,
  ) {
    this.log = deps.log;
    this.clock = deps.clock ?? systemClock;
    this.base = config;
    this.startedAt = this.clock.wallNow();
    this.metrics = new DaemonMetrics(
      {
        peers: () => this.mode.peers(),
        vips: () => ({ desired: this.registry.size, inPlace: this.reconciler.placedAddresses.size, announced: this.mode.routes?.table.size ?? 0 }),
        kubernetesConnected: () => this.cluster?.connected(),
        vipHolders: () => this.mode.vipHolders((a) => this.reconciler.isInPlace(a)),
        leaderChanges: () => this.mode.counters.leaderChanges(),
        arpAnnouncements: () => this.mode.counters.announcements(),
        // What the mode places against what reaches the network: the routes, or the interface.
        vipMismatch: () => vipMismatch(registryVips(this.mode.placed), this.mode.routes ? keyVips(this.mode.routes.table) : placedVips(this.reconciler)),
        vipOwners: () => ownerKindCounts(this.registry),
      },
      { version: VERSION, mode: config.mode },
    );
    const { announcer, speakerOptions } = deps;
    // The mode may reconcile before the daemon runs (ARP clears a killed run's VIPs first), never once it stops.
    const settle = async () => (this.state === 'stopping' ? undefined : this.reconciler.schedule());
    this.mode = createMode(config, { registry: this.registry, log: this.log, clock: this.clock, reconcile: settle, events: this.metrics, ...(announcer ? { announcer } : {}), ...(speakerOptions ? { speakerOptions } : {}) });
    this.reconciler = new Reconciler(this.mode.placed, deps.addresses, this.mode.routes, this.clock);
    this.mode.placed.on('change', () => void this.reconcile());
    this.reconciler.on('reconciled', (r) => {
      this.metrics.reconciled(r);
      this.mode.reconciled(r);
      this.cluster?.reconciled((a) => this.reconciler.isInPlace(a));
      for (const [fields, message, level] of describeReconcile(r, this.config.vips.interface)) this.log[level](fields, message);
    });
    this.reconciler.on('failed', (err, retryInMs) => {
      this.metrics.reconcileFailed();
      this.log.error({ error: err.message, code: (err as { code?: string }).code, retryInMs }, 'reconcile failed: the interface could not be read or changed; trying again');
    });
    this.admin = new AdminServer({ healthy: () => this.healthy(), ready: () => this.ready(), status: () => this.status() }, this.metrics.registry);
  }

  get adminPort(): number | undefined {
    return this.admin.port;
  }

  get healthPort(): number | undefined {
    return this.admin.healthPort;
  }

  /** Starts the admin endpoint and the cluster's sources, claims the configured VIPs, starts the mode and reconciles. */
  async start(): Promise<void> {
    await this.mode.prepare();
    const a = await this.admin.listen(this.config.admin.address, this.config.admin.port);
    if (this.config.admin.healthPort !== undefined) await this.admin.listenHealth(this.config.admin.healthPort);
    this.log.info({ admin: `${a.address}:${a.port}`, mode: this.config.mode, asn: this.config.node.asn, routerId: this.config.node.routerId, peers: this.config.peers.length, version: VERSION }, 'vip-speaker starting');
    this.cluster = await startCluster({ config: this.base, registry: this.registry, log: this.log, clock: this.clock, leasesHoldVips: this.mode.holdsVipsByLease, localPolicyLeases: this.mode.localPolicyLeases, onNodeOverrides: () => this.nodeOverridesChanged() });
    this.config = this.cluster.onThisNode(this.base);
    this.cluster.claimStatic(this.config.vips.static);
    await this.mode.start({ config: this.config, cluster: this.cluster });
    this.state = 'running';
    await this.reconcile();
    // Annotations that changed while the mode started.
    if (!diffConfig(this.config, this.onThisNode(this.base)).unchanged) this.nodeOverridesChanged();
  }

  private nodeOverridesChanged(): void {
    if (this.state !== 'running') return;
    this.apply(this.onThisNode(this.base)).catch((err: Error) => this.log.error({ error: err.message }, 'node BGP annotations not applied'));
  }

  /** Applies a new, already validated config as a difference; returns what changed, or throws ReloadRefused (config/). */
  async reload(next: DaemonConfig): Promise<string[]> {
    const changes = await this.apply(this.onThisNode(next));
    this.base = next;
    return changes;
  }

  private onThisNode(base: DaemonConfig): DaemonConfig {
    return this.cluster?.onThisNode(base) ?? base;
  }

  private async apply(next: DaemonConfig): Promise<string[]> {
    const d = diffConfig(this.config, next);
    refuseRestartOnly(d);
    const done: string[] = [];
    if (d.otherChanges.includes('log')) {
      this.log.level = next.log.level;
      done.push(`log level ${next.log.level}`);
    }
    done.push(...(await this.mode.reconfigure(d, next)));
    this.config = next;
    if (this.cluster?.claimStatic(next.vips.static)) done.push('static VIPs updated');
    await this.reconcile();
    return done;
  }

  /** A change of what the mode places: reconciled once running (the first run waits for the cluster's first lists). */
  private async reconcile(): Promise<void> {
    if (this.state !== 'running') return;
    await this.reconciler.schedule();
  }

  /**
   * Stops within STOP_TIMEOUT_MS as a whole. Clean: every route withdrawn with a Cease, the VIPs
   * removed, the leases released, the watches stopped. `keepRoutes` (graceful restart): the
   * sessions close without a NOTIFICATION and the VIPs stay, where the mode allows it.
   */
  async stop(options: { keepRoutes?: boolean; message?: string } = {}): Promise<void> {
    if (this.state === 'stopping') return;
    this.state = 'stopping';
    const began = this.clock.now();
    const work = (async () => {
      await this.mode.stop({ ...options, teardown: () => this.reconciler.teardown() });
      // What is left of the bound: the cluster releases what it can in it, then cuts the rest.
      await this.cluster?.stop({ withinMs: STOP_TIMEOUT_MS - STOP_MARGIN_MS - (this.clock.now() - began) });
    })().catch((err: Error) => this.log.error({ error: err.message }, 'stop failed; exiting anyway'));
    await withTimeout(this.clock, STOP_TIMEOUT_MS, work, () => this.log.error({ timeoutMs: STOP_TIMEOUT_MS }, 'stop took too long; exiting anyway'));
    await this.admin.close();
  }

  healthy(): { ok: boolean; reasons: string[] } {
    return this.state === 'stopping' ? { ok: false, reasons: ['stopping'] } : { ok: true, reasons: [] };
  }

  ready(): { ok: boolean; reasons: string[] } {
    const reasons = [...(this.state === 'new' ? ['starting'] : this.state === 'stopping' ? ['stopping'] : []), ...this.mode.readiness(), ...(this.cluster?.readiness() ?? [])];
    const last = this.reconciler.last;
    const wanted = this.mode.placed.size;
    if (!last) reasons.push('VIPs not reconciled yet');
    else if (last.inPlace < wanted) reasons.push(`${wanted - last.inPlace} VIP(s) not in place`);
    return { ok: reasons.length === 0, reasons };
  }

  peers() {
    return this.mode.peers();
  }

  status(): unknown {
    const inPlace = (a: string) => this.reconciler.isInPlace(a);
    return statusDocument({
      version: VERSION,
      mode: this.config.mode,
      startedAt: this.startedAt,
      node: { asn: this.config.node.asn, routerId: this.config.node.routerId },
      ready: this.ready(),
      modeStatus: this.mode.status(),
      vips: this.registry.desired(),
      holders: this.mode.vipHolders(inPlace),
      inPlace,
      placedAs: (a) => this.reconciler.placementOf(a),
      announced: (a) => this.mode.routes?.table.has(a) ?? false,
      lastReconcile: this.reconciler.last,
      kubernetes: this.cluster?.status() ?? null,
      config: redactConfig(this.config),
    });
  }
}
