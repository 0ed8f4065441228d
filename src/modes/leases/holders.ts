// Which VIPs this node holds, when Leases decide it (ARP mode; BGP mode with kube-vip's
// vip_leaderelection or svc_election). Every VIP belongs to a holding group through each of its
// owners: the control-plane group (static and control-plane VIPs, kube-vip's plndr-cp-lock), the
// services group (plndr-svcs-lock), or a Service's own group (kubevip-<service>); each mode says
// which owner goes where (arp/holders.ts, bgp/groups.ts). An owner with no group is held without
// an election (BGP mode: every node announces it). A VIP is held while one of its owners is held.
// Pure: leadership comes in through setLeading, and `held` is what the reconcile places.
import { EventEmitter } from 'node:events';
import { type Owner, VipRegistry } from '../../registry/index.js';

export const CONTROL_PLANE_GROUP = 'control-plane';
export const SERVICES_GROUP = 'services';
const SERVICE_OWNER_PREFIX = 'service:';
const HOLDER_OWNER = 'held';
/** In status(): the VIP has an owner that every node holds without an election. */
export const UNELECTED = 'every-node';

export interface HoldingGroup {
  /** 'control-plane', 'services', or a Service's own: 'service:<namespace>/<name>'. */
  key: string;
  /** Set for a Service's own group: it stands only while this node wants one of its VIPs. */
  service?: { namespace: string; name: string };
}

/** The Service ('namespace/name') an owner stands for, or undefined for any other owner. */
export function serviceOf(owner: Owner): string | undefined {
  return owner.startsWith(SERVICE_OWNER_PREFIX) ? owner.slice(SERVICE_OWNER_PREFIX.length) : undefined;
}

/** A Service's own group, under its Lease kubevip-<service>. */
export function serviceGroup(service: string): HoldingGroup {
  const slash = service.indexOf('/');
  return { key: `${SERVICE_OWNER_PREFIX}${service}`, service: { namespace: service.slice(0, slash), name: service.slice(slash + 1) } };
}

/** Which group an owner's VIPs are held under; undefined: held without an election. */
export type GroupOf = (owner: Owner) => HoldingGroup | undefined;

export interface GroupLeader {
  /** The holder last observed ('' when none is known). */
  identity: string;
  /** When this node saw that holder take the lease. */
  since: Date;
}

export interface HeldVipStatus {
  address: string;
  groups: string[];
  /** On this node's interface by this node's choice now. */
  holding: boolean;
  /** The node holding it, as the lease of its first group says ('' when unknown). */
  leader: string;
  /** When that leader took over, as this node saw it; null when not seen. */
  lastTakeover: Date | null;
}

export interface GroupStatus {
  group: string;
  leading: boolean;
  leader: string;
  since: string | null;
}

export interface LeaseHoldersEvents {
  /** The set of groups with a wanted VIP changed (per-Service groups come and go). */
  groups: [];
}

export class LeaseHolders extends EventEmitter<LeaseHoldersEvents> {
  /** What this node holds now: ARP mode's reconcile reads this registry. */
  readonly held = new VipRegistry();
  private readonly leading = new Set<string>();
  private readonly leaders = new Map<string, GroupLeader>();
  private readonly counts = new Map<string, { leaderChanges: number; takeovers: number }>();
  private groupSignature = '';

  constructor(
    private readonly wanted: VipRegistry,
    private readonly groupOfOwner: GroupOf,
  ) {
    super();
    wanted.on('change', () => this.sync());
  }

  isLeading(group: string): boolean {
    return this.leading.has(group);
  }

  setLeading(group: string, leading: boolean): void {
    if (leading === this.leading.has(group)) return;
    if (leading) {
      this.leading.add(group);
      this.count(group).takeovers++;
    } else this.leading.delete(group);
    this.sync();
  }

  /** The holder of a group's lease changed (this node included). */
  setLeader(group: string, identity: string, at: Date): void {
    const before = this.leaders.get(group);
    if (before?.identity === identity) return;
    if (before) this.count(group).leaderChanges++;
    this.leaders.set(group, { identity, since: at });
  }

  private count(group: string): { leaderChanges: number; takeovers: number } {
    let c = this.counts.get(group);
    if (!c) this.counts.set(group, (c = { leaderChanges: 0, takeovers: 0 }));
    return c;
  }

  /** Per group: changes of holder this node saw, and the times this node took over. */
  leaderChanges(): Array<{ group: string; leaderChanges: number; takeovers: number }> {
    return [...this.counts].map(([group, c]) => ({ group, ...c }));
  }

  leaderOf(group: string): GroupLeader | undefined {
    return this.leaders.get(group);
  }

  /** A group no longer stood for: its leadership and leader are forgotten. */
  forget(group: string): void {
    this.leaders.delete(group);
    this.setLeading(group, false);
  }

  /** The groups with at least one wanted VIP, by key. */
  wantedGroups(): Map<string, HoldingGroup> {
    const groups = new Map<string, HoldingGroup>();
    for (const vip of this.wanted.desired()) {
      for (const owner of vip.owners) {
        const g = this.groupOfOwner(owner);
        if (g && !groups.has(g.key)) groups.set(g.key, g);
      }
    }
    return groups;
  }

  /** Recomputes what is held (also after a change of the group rules, such as a traffic policy). */
  sync(): void {
    const claims = [];
    for (const vip of this.wanted.desired()) {
      if (vip.owners.some((o) => this.holdsOwner(o))) claims.push({ address: vip.address, attributes: vip.attributes });
    }
    this.held.replaceOwner(HOLDER_OWNER, claims);
    const signature = [...this.wantedGroups().keys()].sort().join('\n');
    if (signature !== this.groupSignature) {
      this.groupSignature = signature;
      this.emit('groups');
    }
  }

  /** The groups stood for, each with whether this node leads it and who does. */
  groupsStatus(groups: readonly string[]): GroupStatus[] {
    return groups.map((group) => {
      const l = this.leaders.get(group);
      return { group, leading: this.leading.has(group), leader: l?.identity ?? '', since: l ? l.since.toISOString() : null };
    });
  }

  /** Whether this node holds an owner's VIPs: it leads the owner's group, or the owner has none. */
  private holdsOwner(owner: Owner): boolean {
    const g = this.groupOfOwner(owner);
    return g === undefined || this.leading.has(g.key);
  }

  /**
   * Per wanted VIP: its groups (UNELECTED for an owner held without an election), whether this
   * node holds it, and who leads.
   */
  status(): HeldVipStatus[] {
    const held = new Set(this.held.desired().map((v) => v.address));
    return this.wanted.desired().map((vip) => {
      const groups = [...new Set(vip.owners.map((o) => this.groupOfOwner(o)?.key ?? UNELECTED))].sort();
      const led = groups.find((g) => this.leading.has(g));
      const leader = this.leaders.get(led ?? groups.find((g) => g !== UNELECTED) ?? '');
      return { address: vip.address, groups, holding: held.has(vip.address), leader: leader?.identity ?? '', lastTakeover: leader?.since ?? null };
    });
  }
}
