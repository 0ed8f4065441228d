// BGP mode: every node puts every wanted VIP on its interface and announces a route for it to
// each peer, so that the routers spread traffic over every node (ECMP). With kube-vip's election
// settings (groups.ts), an elected VIP is placed and announced only by its Lease's holder, as
// kube-vip does: active/standby. It is the reconcile's route sink, forwarding to the speaker in
// service now: a change of the node's identity (AS, router id, listener, timers, graceful
// restart) replaces the speaker, carrying the routes over.
import type { BgpSpeaker, PeerStatus, Prefix, Route } from '../../../bgp/index.js';
import type { ModeStatus, VipHolder } from '../../admin/index.js';
import type { ConfigDiff, DaemonConfig } from '../../config/index.js';
import type { Cluster, Elections } from '../../kubernetes/index.js';
import type { RouteSink } from '../../reconcile.js';
import type { VipRegistry } from '../../registry/index.js';
import { candidateFor, soloIdentity } from '../leases/candidates.js';
import { LeaseHolders } from '../leases/holders.js';
import { LeaseStanding } from '../leases/standing.js';
import type { ModeCounters, ModeDeps, ModeStopOptions, VipMode } from '../port.js';
import { PeerFailureReporter } from './failures.js';
import { bgpElectionRules, bgpGroupOf, electsAny } from './groups.js';
import { createSpeaker, peerConfigOf } from './speaker.js';

const NO_COUNTERS: ModeCounters = { leaderChanges: () => [], announcements: () => undefined };

/** Who announces under election, named in the start-up line (kube-vip's Lease names). */
const ELECTED_BY = { controlPlane: 'the control-plane Lease (plndr-cp-lock unless renamed)', services: "each Service's own Lease (kubevip-<service>)" } as const;

export class BgpMode implements VipMode, RouteSink {
  readonly name = 'bgp';
  readonly placed: VipRegistry;
  readonly routes: RouteSink = this;
  readonly holdsVipsByLease: boolean;
  /** Every node with a local endpoint announces a Local-policy Service, elected only with svc_election. */
  readonly localPolicyLeases = false;
  readonly counters: ModeCounters;
  private speaker: BgpSpeaker;
  /** Peers whose first connection attempt has ended one way or another (for /readyz). */
  private readonly tried = new Set<string>();
  /** Set when kube-vip's election settings are on: who holds which elected VIP. */
  private readonly holders: LeaseHolders | undefined;
  private readonly standing: LeaseStanding | undefined;
  private elections: Elections | undefined;
  private readonly failures: PeerFailureReporter;

  constructor(
    private config: DaemonConfig,
    private readonly deps: ModeDeps,
  ) {
    this.failures = new PeerFailureReporter({
      log: deps.log,
      clock: deps.clock,
      md5: (peer) => this.speaker.peerConfigs().some((c) => c.address === peer && c.password !== undefined),
    });
    const rules = bgpElectionRules(config);
    this.holdsVipsByLease = electsAny(rules);
    if (this.holdsVipsByLease) {
      const holders = new LeaseHolders(deps.registry, (owner) => bgpGroupOf(owner, rules));
      const solo = soloIdentity(config);
      this.holders = holders;
      this.standing = new LeaseStanding({
        holders,
        globalGroups: [],
        candidate: (group) => candidateFor(group, this.elections, solo),
        settle: () => deps.reconcile(),
        log: deps.log,
        clock: deps.clock,
        verb: 'announces',
      });
      this.placed = holders.held;
      this.counters = { leaderChanges: () => holders.leaderChanges(), announcements: () => undefined };
    } else {
      this.placed = deps.registry;
      this.counters = NO_COUNTERS;
    }
    this.speaker = this.makeSpeaker(config);
  }

  async prepare(): Promise<void> {
    // VIPs left by an earlier run stay until the first reconcile knows what is wanted: a graceful
    // restart's routes are still in the routers' tables.
  }

  async start({ config, cluster }: { config: DaemonConfig; cluster?: Cluster }): Promise<void> {
    // The configuration in force may carry this node's annotations: the sessions start with them.
    if (config !== this.config) {
      this.config = config;
      this.speaker = this.makeSpeaker(config);
    }
    await this.speaker.start();
    if (this.standing) {
      this.elections = cluster?.elections;
      this.announceElection();
      this.standing.start();
    }
  }

  /** One line at start that says who announces what, so that active/standby is never a surprise. */
  private announceElection(): void {
    const rules = bgpElectionRules(this.config);
    const elected = {
      ...(rules.controlPlane ? { controlPlaneVips: ELECTED_BY.controlPlane } : {}),
      ...(rules.services ? { serviceVips: ELECTED_BY.services } : {}),
    };
    if (!this.elections) {
      this.deps.log.warn(elected, 'BGP mode with leader election but no Kubernetes credentials to elect with: this node announces every VIP alone');
      return;
    }
    this.deps.log.info(
      elected,
      "BGP mode with kube-vip's leader election: each elected VIP is announced only by its Lease's holder (active/standby), " +
        'as kube-vip does; without vip_leaderelection and svc_election every node announces every VIP and the routers spread the traffic (ECMP)',
    );
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
      this.failures.clear();
      await fresh.start();
      return ['node identity changed: every session re-peered'];
    }
    for (const spec of d.peersRemoved) {
      this.failures.forget(spec.address);
      await this.speaker.removePeer(spec.address);
      done.push(`peer ${spec.address} removed`);
    }
    for (const spec of d.peersChanged) {
      this.failures.forget(spec.address);
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

  /** A clean stop says Cease and removes the VIPs; a graceful one leaves routes and VIPs to the routers' GR helpers. */
  async stop(options: ModeStopOptions): Promise<void> {
    this.failures.clear();
    if (options.keepRoutes) {
      await this.speaker.stop({ graceful: true });
      // The leases are left to expire: this node, back within the lease time, holds them again
      // at once (they name it), and the routers keep its routes meanwhile.
      await this.standing?.stop(false);
      this.deps.log.info({ vips: this.placed.size }, 'stopped for a graceful restart: routes and VIPs left in place');
      return;
    }
    // The Cease first: every peer drops all our routes at once, then the VIPs go (100,000
    // withdrawals would come slower, see BgpSpeaker.stop), then the leases, so that a standby
    // takes over at once.
    await this.speaker.stop({ shutdownMessage: options.message ?? 'vip-speaker shutting down' });
    await options.teardown();
    await this.standing?.stop(true);
    this.deps.log.info(this.standing ? 'stopped: routes withdrawn, VIPs removed, leases released' : 'stopped: routes withdrawn, VIPs removed');
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
    const advertised = (address: string) => this.speaker.advertisedTo(address);
    if (this.holders) {
      return this.holders.status().map((v) => ({ address: v.address, mode: 'bgp', holding: v.holding && inPlace(v.address), leader: v.leader, lastTakeover: v.lastTakeover, advertised: advertised(v.address) }));
    }
    return this.placed.desired().map((v) => ({ address: v.address, mode: 'bgp', holding: inPlace(v.address), leader: '', lastTakeover: null, advertised: advertised(v.address) }));
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
      elections: this.holders && this.standing ? { groups: this.holders.groupsStatus(this.standing.groups()), vips: this.holders.status() } : null,
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
      failures: this.failures,
    });
  }
}
