// ARP mode: stand in one election per holding group (leases/standing.ts), hold the VIPs of the
// groups this node leads (ArpHolders.held, which the reconcile puts on the interface), and tell
// the segment with a takeover burst and a refresh per VIP. A group's lease is released only once
// the interface no longer carries its VIPs (`settle`), so that two nodes never answer for one VIP.
//
// A drained node (no Service VIPs: excluded from external load balancers, or cordoned when
// asked) sits out the services lease too: holding it, it would keep the Service VIPs from every
// node that can hold them.
import { type Clock, type PeerStatus, systemClock } from '../../../bgp/index.js';
import type { ModeStatus, VipHolder } from '../../admin/index.js';
import type { Announcer, Refresh } from '../../arp/index.js';
import type { Candidate, Cluster, Elections } from '../../kubernetes/index.js';
import type { Logger } from '../../log.js';
import type { Owner, VipRegistry } from '../../registry/index.js';
import { type GroupStatus, LeaseHolders, type HeldVipStatus, type HoldingGroup } from '../leases/holders.js';
import { LeaseStanding } from '../leases/standing.js';
import type { ModeCounters, ModeStopOptions, VipMode } from '../port.js';
import { SERVICES_GROUP } from './holders.js';

export interface ArpModeOptions {
  wanted: VipRegistry;
  groupOf(owner: Owner): HoldingGroup;
  /** The global groups this node stands for from start to stop. */
  globalGroups: HoldingGroup[];
  /** Makes the candidate for a group's lease (not started), from the cluster's elections when there are any. */
  candidate(group: HoldingGroup, elections: Elections | undefined): Candidate;
  /** Resolves once the interface shows what `held` wants now (one reconcile). */
  settle(): Promise<void>;
  /** The link side of one interface (absent: the VIP interface): bursts and refreshes. */
  announcer(iface?: string): Announcer;
  /** Between refresh rounds while a VIP is held; 0: no refresh. */
  refreshIntervalMs: number;
  log: Logger;
  clock?: Clock;
  /** The cluster's Leases elect the holders (leader election on); else this node holds alone. */
  leaderElection?: boolean;
}

export interface ArpModeStatus {
  groups: GroupStatus[];
  vips: HeldVipStatus[];
}

export class ArpMode implements VipMode {
  readonly name = 'arp';
  readonly holders: LeaseHolders;
  readonly routes = undefined;
  readonly holdsVipsByLease: boolean;
  /** Only nodes with a ready local endpoint stand for a Local-policy Service's VIPs. */
  readonly localPolicyLeases = true;
  readonly counters: ModeCounters;
  private readonly standing: LeaseStanding;
  private readonly refreshes = new Map<string, Refresh>();
  private readonly counts = { bursts: 0, failures: new Map<string, number>() };
  private readonly clock: Clock;
  private elections: Elections | undefined;
  /** The link side per interface ('' for the VIP interface), opened on first use. */
  private readonly links = new Map<string, Announcer>();
  private running = false;
  /** Why this node stands for no global group now (node drain). */
  private drained: string | undefined;

  constructor(private readonly options: ArpModeOptions) {
    this.clock = options.clock ?? systemClock;
    this.holdsVipsByLease = options.leaderElection ?? false;
    this.holders = new LeaseHolders(options.wanted, (o) => options.groupOf(o));
    this.standing = new LeaseStanding({
      holders: this.holders,
      globalGroups: options.globalGroups,
      candidate: (group) => options.candidate(group, this.elections),
      settle: () => options.settle(),
      log: options.log,
      clock: this.clock,
      verb: 'holds',
    });
    this.counters = { leaderChanges: () => this.holders.leaderChanges(), announcements: () => this.counts };
  }

  /** What this node holds; the reconcile of ARP mode reads this registry. */
  get held(): VipRegistry {
    return this.holders.held;
  }

  get placed(): VipRegistry {
    return this.holders.held;
  }

  /**
   * ARP mode never keeps a VIP across runs: one left on the interface by a killed run would
   * answer beside the next holder's, so it goes first, before the slower start-up work.
   */
  prepare(): Promise<void> {
    return this.options.settle();
  }

  /** Stands for the global groups, and for each group with a wanted VIP. */
  async start(context?: { cluster?: Cluster }): Promise<void> {
    if (this.running) return;
    this.elections = this.holdsVipsByLease ? context?.cluster?.elections : undefined;
    if (context && !this.elections) {
      if (this.holdsVipsByLease) this.options.log.warn('ARP mode without Kubernetes credentials: this node holds the VIPs alone');
      else this.options.log.warn('ARP mode without leader election: this node holds the VIPs alone; never run it on two nodes of one segment');
    }
    this.running = true;
    this.drained = context?.cluster?.servicesDrained;
    this.standing.sitOutGlobal(SERVICES_GROUP, this.drained !== undefined);
    context?.cluster?.onServicesDrained((reason) => {
      this.drained = reason;
      this.standing.sitOutGlobal(SERVICES_GROUP, reason !== undefined);
    });
    this.standing.start();
  }

  /** Nothing of ARP mode changes in place: its settings (the `arp` section) need a restart. */
  async reconfigure(): Promise<string[]> {
    return [];
  }

  readiness(): string[] {
    return [];
  }

  peers(): PeerStatus[] {
    return [];
  }

  /** Per wanted VIP: the node holding it, as its lease says, and when it took over. */
  vipHolders(inPlace: (address: string) => boolean): VipHolder[] {
    return this.holders.status().map((v) => ({ address: v.address, mode: 'arp', holding: v.holding && inPlace(v.address), leader: v.leader, lastTakeover: v.lastTakeover }));
  }

  /** After each reconcile: a takeover burst for what was added, a refresh while it is held. */
  reconciled({ added, removed }: { added: readonly string[]; removed: readonly string[] }): void {
    for (const address of removed) {
      this.refreshes.get(address)?.stop();
      this.refreshes.delete(address);
    }
    if (!added.length) return;
    // Each VIP is announced on the interface it was put on (a Service's own, or the VIP interface).
    const where = new Map(this.holders.held.desired().map((d) => [d.address, d.attributes.interface ?? ''] as const));
    for (const address of added) {
      let announcer: Announcer;
      try {
        announcer = this.announcer(where.get(address) ?? '');
      } catch (err) {
        // The VIP is on the interface and the kernel answers for it; only the news is missing.
        this.failed(address, err, 'gratuitous ARP / NA not sent');
        continue;
      }
      const vip = address.split('/')[0]!;
      announcer.announce(vip).then(
        () => this.counts.bursts++,
        (err: unknown) => this.failed(address, err, 'gratuitous ARP / NA not sent'),
      );
      if (this.options.refreshIntervalMs <= 0) continue;
      this.refreshes.get(address)?.stop();
      this.refreshes.set(address, announcer.refresh(vip, { everyMs: this.options.refreshIntervalMs, onError: (err) => this.failed(address, err, 'ARP refresh failed') }));
    }
  }

  private failed(address: string, err: unknown, what: string): void {
    const code = (err as { code?: string }).code ?? 'UNKNOWN';
    // A burst cut short by stop() is no failure.
    if (code === 'ARP_ERR_CLOSED') return;
    this.counts.failures.set(code, (this.counts.failures.get(code) ?? 0) + 1);
    this.options.log.warn({ vip: address, code, error: (err as Error).message }, what);
  }

  /** The link side of an interface ('' for the VIP interface), opened on first use and closed by stop(). */
  private announcer(iface: string): Announcer {
    let link = this.links.get(iface);
    if (!link) {
      link = iface === '' ? this.options.announcer() : this.options.announcer(iface);
      this.links.set(iface, link);
    }
    return link;
  }

  /**
   * Takes every VIP off the interface (`teardown`; never kept, whatever `keepRoutes` says: a VIP
   * left behind would answer beside the next holder's), then stops every candidate, releasing the
   * leases this node holds, so that a successor can take the VIPs at once.
   */
  async stop(options?: ModeStopOptions): Promise<void> {
    // A VIP that could not be taken off may still answer here: then the leases are left to
    // expire instead of being released, so that no successor takes over beside it.
    let cleared = true;
    await options?.teardown().catch((err: Error) => {
      cleared = false;
      this.options.log.error({ error: err.message }, 'VIPs not removed: the leases are left to expire, not released');
    });
    this.running = false;
    for (const r of this.refreshes.values()) r.stop();
    this.refreshes.clear();
    await this.standing.stop(cleared);
    for (const link of this.links.values()) link.close();
    this.links.clear();
    if (options) this.options.log.info('stopped: VIPs removed, leases released');
  }

  status(): ModeStatus {
    return { peers: [], arp: this.arpStatus() };
  }

  /** The groups this node stands for, and every wanted VIP with its holder. */
  arpStatus(): ArpModeStatus {
    return {
      groups: this.holders.groupsStatus(this.standing.groups()),
      vips: this.holders.status(),
    };
  }
}
