// The reconcile: turns the registry's wanted VIPs into VIPs placed on the node and routes at
// every peer, doing only the difference. Order matters to never blackhole traffic: a VIP is in
// place before its route is announced, and a route is withdrawn (on the wire) before its VIP
// goes. A VIP that could not be placed is not announced, and is tried again at the next run.
// Runs coalesce: a burst of registry changes during a run leads to one more run, not one per
// change.
//
// Scale: the first run reads every wanted VIP; later runs read only what the registry says
// changed, so that one new Service among 100,000 VIPs costs one VIP's work. Placement goes in
// chunks, and each chunk is announced as soon as it is in place: the first routes leave while the
// rest are still being placed, and the BGP session comes up meanwhile (the placer yields to the
// event loop between chunks).
import { EventEmitter } from 'node:events';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { type Clock, type Prefix, type Route, systemClock } from '../bgp/index.js';
import { LARGE_CHANGE, cancelGarbageCollection, collectGarbageSoon } from './memory.js';
import type { ChangeTracker, VipRegistry, WantedVip } from './registry/registry.js';

/** Makes VIPs local on the node (src/vip implements it with marked addresses and local routes). */
export interface AddressPlacer {
  listOwned(): Promise<string[]>;
  /** `progress`, when the placer supports it, hears of each chunk once it is in place. */
  add(addresses: string[], progress?: (placed: { readonly done: readonly string[]; readonly foreign: readonly string[] }) => void): Promise<PlacementResult>;
  remove(addresses: string[]): Promise<PlacementResult>;
  /** How a placed VIP is made local ('address' or 'route'), for status pages. */
  formOfPlaced?(address: string): string;
}

export interface PlacementResult {
  done: string[];
  /** Already on the node without our mark (an operator's): in place, but never removed by us. */
  foreign?: string[];
  failed: Array<{ address: string; error: Error }>;
}

/** Where routes go (the BGP speaker; in ARP mode, nothing). */
export interface RouteSink {
  announce(route: Route): void;
  withdraw(prefix: Prefix): void;
  readonly table: ReadonlyMap<string, Route>;
  flushNow(): void;
}

export interface ReconcileResult {
  added: string[];
  /** Wanted addresses that were already there without our mark: used, never removed. */
  foreign: string[];
  removed: string[];
  /** Removed at the first run: ours, left by an earlier run, and no longer wanted. */
  staleRemoved: string[];
  announced: number;
  withdrawn: number;
  failures: Array<{ address: string; message: string }>;
  durationMs: number;
  /** VIPs wanted and in place (address and, with a route sink, route). */
  inPlace: number;
  desired: number;
}

/** VIPs looked at between two turns of the event loop (about 5 ms of work). */
const YIELD_EVERY = 8192;

export interface ReconcilerEvents {
  reconciled: [result: ReconcileResult];
}

export class Reconciler extends EventEmitter<ReconcilerEvents> {
  /** VIPs we know are on the node with our mark. */
  private readonly placed = new Set<string>();
  /** Wanted VIPs found on the node without our mark: usable, not ours to remove. */
  private readonly foreign = new Set<string>();
  /** Wanted VIPs not in place (their placement failed): tried again at every run. */
  private readonly missing = new Set<string>();
  private readonly changes: ChangeTracker;
  private initialized = false;
  private running: Promise<void> | undefined;
  private again = false;
  private lastResult: ReconcileResult | undefined;

  constructor(
    private readonly registry: VipRegistry,
    private readonly addresses: AddressPlacer,
    private readonly routes: RouteSink | undefined,
    private readonly now: () => number = () => performance.now(),
    private readonly clock: Clock = systemClock,
  ) {
    super();
    this.changes = registry.track();
  }

  get last(): ReconcileResult | undefined {
    return this.lastResult;
  }

  /** Addresses currently placed by us. */
  get placedAddresses(): ReadonlySet<string> {
    return this.placed;
  }

  /** Whether a VIP is usable on the node (ours or an operator's). */
  isInPlace(address: string): boolean {
    return this.placed.has(address) || this.foreign.has(address);
  }

  /** 'address' or 'route' for ours, 'foreign' for an operator's, undefined when not in place. */
  placementOf(address: string): string | undefined {
    if (this.foreign.has(address)) return 'foreign';
    if (!this.placed.has(address)) return undefined;
    return this.addresses.formOfPlaced?.(address) ?? 'address';
  }

  /** Runs soon; a call during a run makes one more run after it. Resolves when the state is applied. */
  schedule(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.runOnce();
        } while (this.again);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private async runOnce(): Promise<void> {
    const start = this.now();
    const result: ReconcileResult = { added: [], foreign: [], removed: [], staleRemoved: [], announced: 0, withdrawn: 0, failures: [], durationMs: 0, inPlace: 0, desired: 0 };
    const changed = this.changes.take();
    const fail = (f: { address: string; error: Error }) => result.failures.push({ address: f.address, message: f.error.message });
    let stale: string[] = [];
    const unwanted: string[] = [];
    /** Wanted VIPs to look at in this run: every one at first, then the changed and the missing. */
    let candidates: Iterable<string>;
    /** At the first run, the registry's entries with their keys (no lookup per VIP). */
    let entries: Iterable<[string, WantedVip]> | undefined;
    if (!this.initialized) {
      // What an earlier run (a crash, kill -9) left with our mark and is still wanted stays, so
      // that no traffic is lost; what nobody wants goes, after the wanted ones are placed.
      const owned = await this.addresses.listOwned();
      for (const a of owned) {
        if (this.registry.wanted(a)) this.placed.add(a);
        else stale.push(a);
      }
      this.initialized = true;
      candidates = [];
      entries = this.registry.entries();
      // Routes a replaced speaker carried over that nobody wants any more.
      for (const a of this.routes?.table.keys() ?? []) if (!this.registry.wanted(a)) unwanted.push(a);
    } else {
      for (const a of this.missing) changed.add(a);
      candidates = changed;
    }

    const toAdd: string[] = [];
    let changes = 0;
    const look = (a: string, wanted: WantedVip | undefined) => {
      if (!wanted) unwanted.push(a);
      else if (this.placed.has(a) || this.foreign.has(a)) this.announce(a, wanted, result);
      else toAdd.push(a);
    };
    // Let the sessions and timers run between slices: a first run reads 100,000 VIPs.
    for (const [a, wanted] of entries ?? []) {
      look(a, wanted);
      if (++changes % YIELD_EVERY === 0) await yieldToEventLoop();
    }
    for (const a of candidates) {
      look(a, this.registry.wanted(a));
      if (++changes % YIELD_EVERY === 0) await yieldToEventLoop();
    }
    if (toAdd.length > 0) {
      // Announce each chunk as soon as it is in place; the speaker sends it at its next flush.
      let heard = false;
      const r = await this.addresses.add(toAdd, (placed) => {
        heard = true;
        this.inPlace(placed.done, placed.foreign, result);
      });
      // A placer without progress reports here only.
      if (!heard) this.inPlace(r.done, r.foreign ?? [], result);
      result.added = r.done;
      result.foreign = r.foreign ?? [];
      for (const f of r.failed) {
        fail(f);
        if (this.registry.wanted(f.address)) this.missing.add(f.address);
      }
    }

    for (const a of unwanted) {
      this.foreign.delete(a);
      this.missing.delete(a);
      if (this.routes?.table.has(a)) {
        this.routes.withdraw(this.routes.table.get(a)!.prefix);
        result.withdrawn++;
      }
    }
    // The withdrawals are on the wire before the VIPs go.
    this.routes?.flushNow();

    const toRemove = unwanted.filter((a) => this.placed.has(a));
    if (toRemove.length) {
      const r = await this.addresses.remove(toRemove);
      for (const a of r.done) this.placed.delete(a);
      result.removed = r.done;
      r.failed.forEach(fail);
    }
    if (stale.length) {
      const r = await this.addresses.remove(stale);
      result.staleRemoved = r.done;
      r.failed.forEach(fail);
      stale = [];
    }

    result.desired = this.registry.size;
    result.inPlace = result.desired - this.missing.size;
    result.durationMs = this.now() - start;
    this.lastResult = result;
    this.emit('reconciled', result);
    if (changes >= LARGE_CHANGE) collectGarbageSoon(this.clock);
  }

  /** Records placed VIPs (ours, or foreign) and announces those still wanted. */
  private inPlace(done: readonly string[], foreign: readonly string[], result: ReconcileResult): void {
    for (const a of done) this.placed.add(a);
    for (const a of foreign) this.foreign.add(a);
    for (const list of [done, foreign]) {
      for (const a of list) {
        if (this.missing.size > 0) this.missing.delete(a);
        // Still wanted: a change during this run may have released it (the next run withdraws it).
        const wanted = this.registry.wanted(a);
        if (wanted) this.announce(a, wanted, result);
      }
    }
  }

  /**
   * Announces (or re-announces with new attributes) one wanted VIP that is in place. The
   * registry's entry is the route itself: one object per VIP, not two.
   */
  private announce(address: string, wanted: WantedVip, result: ReconcileResult): void {
    if (!this.routes) return;
    if (!this.routes.table.has(address)) result.announced++;
    this.routes.announce(wanted);
  }

  /**
   * Clean shutdown: withdraws every route, then removes every VIP we placed. (A graceful
   * restart does not call this: VIPs and routes stay while the next run starts.)
   */
  async teardown(): Promise<PlacementResult> {
    await this.running;
    cancelGarbageCollection();
    if (this.routes) {
      for (const route of [...this.routes.table.values()]) this.routes.withdraw(route.prefix);
      this.routes.flushNow();
    }
    const r = await this.addresses.remove([...this.placed]);
    for (const a of r.done) this.placed.delete(a);
    return r;
  }
}
