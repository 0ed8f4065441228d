// BGP mode: every node puts every wanted VIP on its interface and announces a route for it to
// each peer, so that the routers spread traffic over every node (ECMP). It is the reconcile's
// route sink, forwarding to the speaker in service now: a change of the node's identity (AS,
// router id, listener, timers, graceful restart) replaces the speaker, carrying the routes over.
import type { BgpSpeaker, PeerStatus, Prefix, Route } from '../../../bgp/index.js';
import type { ModeStatus, VipHolder } from '../../admin/index.js';
import type { ConfigDiff, DaemonConfig } from '../../config/index.js';
import type { RouteSink } from '../../reconcile.js';
import type { VipRegistry } from '../../registry/index.js';
import type { ModeCounters, ModeDeps, ModeStopOptions, VipMode } from '../port.js';
import { createSpeaker, peerConfigOf } from './speaker.js';

const NO_COUNTERS: ModeCounters = { leaderChanges: () => [], announcements: () => undefined };

export class BgpMode implements VipMode, RouteSink {
  readonly name = 'bgp';
  readonly placed: VipRegistry;
  readonly routes: RouteSink = this;
  readonly holdsVipsByLease = false;
  readonly counters = NO_COUNTERS;
  private speaker: BgpSpeaker;
  /** Peers whose first connection attempt has ended one way or another (for /readyz). */
  private readonly tried = new Set<string>();

  constructor(
    private config: DaemonConfig,
    private readonly deps: ModeDeps,
  ) {
    this.placed = deps.registry;
    this.speaker = this.makeSpeaker(config);
  }

  async prepare(): Promise<void> {
    // VIPs left by an earlier run stay until the first reconcile knows what is wanted: a graceful
    // restart's routes are still in the routers' tables.
  }

  async start({ config }: { config: DaemonConfig }): Promise<void> {
    // The configuration in force may carry this node's annotations: the sessions start with them.
    if (config !== this.config) {
      this.config = config;
      this.speaker = this.makeSpeaker(config);
    }
    await this.speaker.start();
  }

  reconciled(): void {}

  async reconfigure(d: ConfigDiff, next: DaemonConfig): Promise<string[]> {
    const done: string[] = [];
    this.config = next;
    if (d.nodeChanged) {
      const old = this.speaker;
      const fresh = this.makeSpeaker(next);
      for (const route of old.table.values()) fresh.announce(route);
      await old.stop({ shutdownMessage: 'vip-speaker: configuration change' });
      this.speaker = fresh;
      this.tried.clear();
      await fresh.start();
      return ['node identity changed: every session re-peered'];
    }
    for (const spec of d.peersRemoved) {
      await this.speaker.removePeer(spec.address);
      done.push(`peer ${spec.address} removed`);
    }
    for (const spec of d.peersChanged) {
      await this.speaker.removePeer(spec.address);
      this.speaker.addPeer(peerConfigOf(spec));
      done.push(`peer ${spec.address} re-peered`);
    }
    for (const spec of d.peersAdded) {
      this.speaker.addPeer(peerConfigOf(spec));
      done.push(`peer ${spec.address} added`);
    }
    return done;
  }

  /** A clean stop withdraws and says Cease; a graceful one leaves routes and VIPs to the routers' GR helpers. */
  async stop(options: ModeStopOptions): Promise<void> {
    if (options.keepRoutes) {
      await this.speaker.stop({ graceful: true });
      this.deps.log.info({ vips: this.placed.size }, 'stopped for a graceful restart: routes and VIPs left in place');
      return;
    }
    await options.teardown();
    await this.speaker.stop({ shutdownMessage: options.message ?? 'vip-speaker shutting down' });
    this.deps.log.info('stopped: routes withdrawn, VIPs removed');
  }

  readiness(): string[] {
    return this.speaker
      .status()
      .filter((p) => !this.tried.has(p.address))
      .map((p) => `peer ${p.address} not tried yet (${p.state})`);
  }

  peers(): PeerStatus[] {
    return this.speaker.status();
  }

  vipHolders(inPlace: (address: string) => boolean): VipHolder[] {
    return this.placed.desired().map((v) => ({ address: v.address, mode: 'bgp', holding: inPlace(v.address), leader: '', lastTakeover: null }));
  }

  status(): ModeStatus {
    return {
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
        bfd: p.bfd ?? null,
      })),
      arp: null,
    };
  }

  // The route sink: the speaker in service now.
  announce(route: Route): void {
    this.speaker.announce(route);
  }
  withdraw(prefix: Prefix): void {
    this.speaker.withdraw(prefix);
  }
  get table(): ReadonlyMap<string, Route> {
    return this.speaker.table;
  }
  flushNow(): void {
    this.speaker.flushNow();
  }

  private makeSpeaker(config: DaemonConfig): BgpSpeaker {
    const { log, clock, events } = this.deps;
    return createSpeaker(config, {
      log,
      clock,
      ...(this.deps.speakerOptions ? { speakerOptions: this.deps.speakerOptions } : {}),
      tried: (peer) => this.tried.add(peer),
      sessionDown: (peer, reason) => events.sessionDown(peer, reason),
      connectError: (peer, code) => events.connectError(peer, code),
    });
  }
}
