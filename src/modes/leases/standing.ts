// Standing for the Leases of the holding groups, for a mode whose VIPs are held by lease: one
// candidate per group, made when the group is first wanted; leading it holds the group's VIPs
// (LeaseHolders.setLeading), losing it lets them go. The global groups (the services lease, which
// also elects the Service status writer in ARP mode) stand from start to stop; every other group
// while this node wants one of its VIPs: a Service's own while it has a ready local endpoint, the
// control plane's while the local API server is healthy, so that only nodes that can serve a VIP
// can win it. A group's lease is released only once its VIPs are off the interface and out of
// the routes (`settle`), so that the next holder never takes over beside this one.
import type { Clock } from '../../../bgp/index.js';
import type { Candidate } from '../../kubernetes/index.js';
import type { Logger } from '../../log.js';
import type { HoldingGroup, LeaseHolders } from './holders.js';

export interface StandingOptions {
  holders: LeaseHolders;
  /** The global groups this node stands for from start to stop. */
  globalGroups: readonly HoldingGroup[];
  /** Makes the candidate for a group's lease (not started). */
  candidate(group: HoldingGroup): Candidate;
  /** Resolves once the interface and the routes show what `holders.held` wants now (one reconcile). */
  settle(): Promise<void>;
  log: Logger;
  clock: Clock;
  /** What holding a group means in this mode, for the log lines: "holds", "announces". */
  verb: string;
}

export class LeaseStanding {
  private readonly candidates = new Map<string, Candidate>();
  /** Global groups this node sits out for now (ARP mode: the services lease while drained). */
  private readonly sittingOut = new Set<string>();
  private running = false;

  constructor(private readonly options: StandingOptions) {
    options.holders.on('groups', () => this.standForWantedGroups());
  }

  /** The groups stood for now, sorted. */
  groups(): string[] {
    return [...this.candidates.keys()].sort();
  }

  /** Stands for the global groups, and for each group with a wanted VIP. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.options.holders.sync();
    this.standForWantedGroups();
  }

  /** A global group this node sits out (its VIPs leave first, then its lease) or stands for again. */
  sitOutGlobal(key: string, out: boolean): void {
    if (out === this.sittingOut.has(key)) return;
    if (out) this.sittingOut.add(key);
    else this.sittingOut.delete(key);
    this.standForWantedGroups();
  }

  /**
   * Stops every candidate; `release`: the leases this node holds are released once `settle` has
   * run (after the caller took the VIPs off), so that a successor takes over at once. Without,
   * they are left to expire (a graceful restart comes back to them; a VIP that could not be
   * taken off must not be answered for twice).
   */
  async stop(release: boolean): Promise<void> {
    this.running = false;
    const all = [...this.candidates.entries()];
    this.candidates.clear();
    await Promise.all(all.map(([, c]) => c.stop({ release, beforeRelease: () => this.options.settle() })));
    for (const [key] of all) this.options.holders.forget(key);
  }

  private standForWantedGroups(): void {
    if (!this.running) return;
    const globals = this.options.globalGroups.filter((g) => !this.sittingOut.has(g.key));
    for (const g of globals) this.stand(g);
    const wanted = this.options.holders.wantedGroups();
    for (const g of wanted.values()) if (!this.sittingOut.has(g.key)) this.stand(g);
    for (const key of [...this.candidates.keys()]) {
      const global = globals.some((g) => g.key === key);
      if (!global && (!wanted.has(key) || this.sittingOut.has(key))) void this.sitOut(key);
    }
  }

  private stand(group: HoldingGroup): void {
    if (this.candidates.has(group.key)) return;
    const { holders, clock, verb } = this.options;
    const candidate = this.options.candidate(group);
    this.candidates.set(group.key, candidate);
    const log = this.options.log.child({ group: group.key });
    const now = () => new Date(clock.wallNow());
    candidate.on('leading', () => {
      log.info(`elected: this node ${verb} the group's VIPs`);
      holders.setLeader(group.key, candidate.leader, now());
      holders.setLeading(group.key, true);
    });
    candidate.on('stoppedLeading', (reason) => {
      // A stop is expected; a missed renew deadline is what an operator looks for.
      if (reason === 'stopped') log.info({ reason }, "gave up the lease: the group's VIPs leave this node");
      else log.warn({ reason }, "lost the lease: the group's VIPs leave this node");
      holders.setLeading(group.key, false);
    });
    candidate.on('newLeader', (identity) => {
      log.info({ leader: identity }, 'VIP holder');
      holders.setLeader(group.key, identity, now());
    });
    // A shared elector (the services lease also elects the status writer) may lead already.
    if (candidate.leader) holders.setLeader(group.key, candidate.leader, now());
    if (candidate.isLeader) holders.setLeading(group.key, true);
    candidate.start();
  }

  /** This node no longer stands for the group: its VIPs leave the interface, then the lease goes. */
  private async sitOut(key: string): Promise<void> {
    const candidate = this.candidates.get(key);
    if (!candidate) return;
    this.candidates.delete(key);
    await candidate.stop({ release: true, beforeRelease: () => this.options.settle() });
    this.options.holders.forget(key);
  }
}
