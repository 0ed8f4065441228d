// ARP mode: stand in one election per holding group, hold the VIPs of the groups this node leads
// (ArpHolders.held, which the reconcile puts on the interface), and tell the segment with a
// takeover burst and a refresh per VIP. A group's lease is released only once the interface no
// longer carries its VIPs (`settle`), so that two nodes never answer for one VIP.
//
// The global groups (the services lease, which also elects the Service status writer) stand from
// start to stop. Every other group stands while this node wants one of its VIPs: a Service's own
// while it has a ready local endpoint (externalTrafficPolicy: Local), the control plane's while
// the local API server is healthy, so that only nodes that can serve the VIP can win it.
import { EventEmitter } from 'node:events';
import type { Announcer, Refresh } from '../arp/announcer.js';
import type { Logger } from '../log.js';
import type { Owner, VipRegistry } from '../registry/index.js';
import { ArpHolders, type HeldVipStatus, type HoldingGroup } from './holders.js';

/** A lease candidate: the Kubernetes LeaderElector, or SoloCandidate without an election. */
export interface Candidate {
  readonly isLeader: boolean;
  /** The holder last observed ('' when none). */
  readonly leader: string;
  on(event: 'leading', listener: () => void): unknown;
  on(event: 'stoppedLeading', listener: (reason: string) => void): unknown;
  on(event: 'newLeader', listener: (identity: string) => void): unknown;
  start(): void;
  stop(options?: { release?: boolean; beforeRelease?: () => Promise<void> }): Promise<void>;
}

/** Leads from start to stop: a node alone (no Kubernetes credentials, or leaderElection off). */
export class SoloCandidate extends EventEmitter implements Candidate {
  private leading = false;
  constructor(readonly identity: string) {
    super();
  }
  get isLeader(): boolean {
    return this.leading;
  }
  get leader(): string {
    return this.leading ? this.identity : '';
  }
  start(): void {
    if (this.leading) return;
    this.leading = true;
    this.emit('newLeader', this.identity);
    this.emit('leading');
  }
  async stop(): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    this.emit('stoppedLeading', 'stopped');
  }
}

export interface ArpModeOptions {
  wanted: VipRegistry;
  groupOf(owner: Owner): HoldingGroup;
  /** The global groups this node stands for from start to stop. */
  globalGroups: HoldingGroup[];
  /** Makes the candidate for a group's lease (not started). */
  candidate(group: HoldingGroup): Candidate;
  /** Resolves once the interface shows what `held` wants now (one reconcile). */
  settle(): Promise<void>;
  /** The link side: bursts and refreshes. */
  announcer(): Announcer;
  /** Between refresh rounds while a VIP is held; 0: no refresh. */
  refreshIntervalMs: number;
  log: Logger;
  now?: () => Date;
}

export interface ArpModeStatus {
  groups: Array<{ group: string; leading: boolean; leader: string; since: string | null }>;
  vips: HeldVipStatus[];
}

export class ArpMode {
  readonly holders: ArpHolders;
  private readonly candidates = new Map<string, Candidate>();
  private readonly refreshes = new Map<string, Refresh>();
  private readonly counts = { bursts: 0, failures: new Map<string, number>() };
  private readonly now: () => Date;
  private running = false;

  constructor(private readonly options: ArpModeOptions) {
    this.now = options.now ?? (() => new Date());
    this.holders = new ArpHolders(options.wanted, (o) => options.groupOf(o));
    this.holders.on('groups', () => this.standForWantedGroups());
  }

  /** What this node holds; the reconcile of ARP mode reads this registry. */
  get held(): VipRegistry {
    return this.holders.held;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (const g of this.options.globalGroups) this.stand(g);
    this.regroup();
  }

  /** The group rules changed (a Service's traffic policy): regroup what is held. */
  regroup(): void {
    this.holders.sync();
    this.standForWantedGroups();
  }

  private standForWantedGroups(): void {
    if (!this.running) return;
    const wanted = this.holders.wantedGroups();
    for (const g of wanted.values()) this.stand(g);
    for (const key of [...this.candidates.keys()]) {
      const global = this.options.globalGroups.some((g) => g.key === key);
      if (!global && !wanted.has(key)) void this.sitOut(key);
    }
  }

  private stand(group: HoldingGroup): void {
    if (this.candidates.has(group.key)) return;
    const candidate = this.options.candidate(group);
    this.candidates.set(group.key, candidate);
    const log = this.options.log.child({ group: group.key });
    candidate.on('leading', () => {
      log.info('elected: this node holds the group\'s VIPs (ARP)');
      this.holders.setLeader(group.key, candidate.leader, this.now());
      this.holders.setLeading(group.key, true);
    });
    candidate.on('stoppedLeading', (reason) => {
      // A stop is expected; a missed renew deadline is what an operator looks for.
      if (reason === 'stopped') log.info({ reason }, 'gave up the lease: the group\'s VIPs leave this node');
      else log.warn({ reason }, 'lost the lease: the group\'s VIPs leave this node');
      this.holders.setLeading(group.key, false);
    });
    candidate.on('newLeader', (identity) => {
      log.info({ leader: identity }, 'VIP holder');
      this.holders.setLeader(group.key, identity, this.now());
    });
    // A shared elector (the services lease also elects the status writer) may lead already.
    if (candidate.leader) this.holders.setLeader(group.key, candidate.leader, this.now());
    if (candidate.isLeader) this.holders.setLeading(group.key, true);
    candidate.start();
  }

  /** This node no longer stands for the group: its VIPs leave the interface, then the lease goes. */
  private async sitOut(key: string): Promise<void> {
    const candidate = this.candidates.get(key);
    if (!candidate) return;
    this.candidates.delete(key);
    await candidate.stop({ release: true, beforeRelease: () => this.options.settle() });
    this.holders.forget(key);
  }

  /** After each reconcile: a takeover burst for what was added, a refresh while it is held. */
  reconciled(added: readonly string[], removed: readonly string[]): void {
    for (const address of removed) {
      this.refreshes.get(address)?.stop();
      this.refreshes.delete(address);
    }
    if (!added.length) return;
    let announcer: Announcer;
    try {
      announcer = this.options.announcer();
    } catch (err) {
      // The VIPs are on the interface and the kernel answers for them; only the news is missing.
      for (const address of added) this.failed(address, err, 'gratuitous ARP / NA not sent');
      return;
    }
    for (const address of added) {
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

  /** Takeover bursts sent, and failed bursts and refreshes by ArpError code (for the metrics). */
  announcements(): { bursts: number; failures: ReadonlyMap<string, number> } {
    return this.counts;
  }

  /**
   * Stops every candidate, releasing the leases this node holds. The caller has taken the VIPs
   * off the interface first (the daemon's teardown), so a successor can take them at once.
   */
  async stop(): Promise<void> {
    this.running = false;
    for (const r of this.refreshes.values()) r.stop();
    this.refreshes.clear();
    const all = [...this.candidates.entries()];
    this.candidates.clear();
    await Promise.all(all.map(([, c]) => c.stop({ release: true, beforeRelease: () => this.options.settle() })));
    for (const [key] of all) this.holders.forget(key);
  }

  status(): ArpModeStatus {
    return {
      groups: [...this.candidates.keys()].sort().map((group) => {
        const l = this.holders.leaderOf(group);
        return { group, leading: this.holders.isLeading(group), leader: l?.identity ?? '', since: l ? l.since.toISOString() : null };
      }),
      vips: this.holders.status(),
    };
  }
}
