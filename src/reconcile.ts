// The reconcile: turns the registry's desired VIPs into addresses on the interface and routes
// at every peer, doing only the difference. Order matters to never blackhole traffic:
// an address is in place before its route is announced, and a route is withdrawn before its
// address goes. A VIP whose address could not be added is not announced. Runs coalesce: a burst
// of registry changes during a run leads to one more run, not one per change. A run that fails
// as a whole (the interface cannot be read) is tried again after a capped back-off, and so is a
// run that could not place some VIPs.
//
// The interface can change without us: an interface deleted (and its addresses with it), an
// operator's `ip addr del`. So every VERIFY interval a run first reads which of our addresses
// are still there; one that is gone is no longer in place: its route is withdrawn and the
// address added again (found by the fault lab: a VIP interface deleted and created again left
// every route announced for addresses no node had, for good).
import { EventEmitter } from 'node:events';
import { type Clock, type Prefix, type Route, type TimerHandle, every, systemClock } from '../bgp/index.js';
import type { VipRegistry } from './registry/index.js';

/** Puts VIP addresses on an interface (src/vip implements it with marked addresses). */
export interface AddressPlacer {
  listOwned(): Promise<string[]>;
  add(addresses: string[]): Promise<PlacementResult>;
  remove(addresses: string[]): Promise<PlacementResult>;
}

export interface PlacementResult {
  done: string[];
  /** Already on the interface without our mark (an operator's): in place, but never removed by us. */
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
  /** Ours, placed earlier, found gone from the interface by the periodic check (added again when possible). */
  lost: string[];
  /** Wanted addresses that were already there without our mark: used, never removed. */
  foreign: string[];
  removed: string[];
  /** Removed at the first run: ours, left by an earlier run, and no longer wanted. */
  staleRemoved: string[];
  announced: number;
  withdrawn: number;
  /** `repeated`: the same failure as at the run before, for the same address (not worth a new log line). */
  failures: Array<{ address: string; message: string; repeated?: true }>;
  durationMs: number;
  /** VIPs wanted and in place (address and, with a route sink, route). */
  inPlace: number;
  desired: number;
}

export interface ReconcilerEvents {
  reconciled: [result: ReconcileResult];
  /** A run failed as a whole; the next is tried `retryInMs` later (or at the next change). */
  failed: [error: Error, retryInMs: number];
}

/** The back-off of a failed run: 1 s doubling up to 30 s. */
export const RECONCILE_RETRY = { initialMs: 1_000, maxMs: 30_000 } as const;
/** How often a run reads the interface again to catch our addresses gone without us. */
export const RECONCILE_VERIFY_MS = 10_000;

/** The code of the error an AddressPlacer throws when the interface does not exist (src/vip). */
const NO_SUCH_INTERFACE = 'VIP_ERR_NO_SUCH_INTERFACE';

export interface ReconcilerOptions {
  /** Between two reads of the interface for addresses gone without us; 0: never. */
  verifyEveryMs?: number;
}

export class Reconciler extends EventEmitter<ReconcilerEvents> {
  /** Addresses we know are on the interface with our mark. */
  private readonly placed = new Set<string>();
  /** Wanted addresses found on the interface without our mark: usable, not ours to remove. */
  private readonly foreign = new Set<string>();
  private initialized = false;
  private running: Promise<void> | undefined;
  private again = false;
  private lastResult: ReconcileResult | undefined;
  private failuresInARow = 0;
  private retry: TimerHandle | undefined;
  private stopped = false;
  /** The periodic check: set once the first run succeeded. */
  private verifier: TimerHandle | undefined;
  private verifyDue = false;
  /** Each address's failure at the last run, to tell a new failure from the same one again. */
  private failing = new Map<string, string>();
  private readonly verifyEveryMs: number;

  constructor(
    private readonly registry: VipRegistry,
    private readonly addresses: AddressPlacer,
    private readonly routes: RouteSink | undefined,
    private readonly clock: Clock = systemClock,
    options: ReconcilerOptions = {},
  ) {
    super();
    this.verifyEveryMs = options.verifyEveryMs ?? RECONCILE_VERIFY_MS;
  }

  get last(): ReconcileResult | undefined {
    return this.lastResult;
  }

  /** Addresses currently placed by us. */
  get placedAddresses(): ReadonlySet<string> {
    return this.placed;
  }

  /** Whether a VIP's address is usable on the interface (ours or an operator's). */
  isInPlace(address: string): boolean {
    return this.placed.has(address) || this.foreign.has(address);
  }

  /**
   * Runs soon; a call during a run makes one more run after it. Resolves when the state is
   * applied, or once a run has failed (reported as 'failed' and retried later): never rejects.
   */
  schedule(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.retry?.cancel();
    this.retry = undefined;
    this.running = (async () => {
      try {
        let placedAll: boolean;
        do {
          this.again = false;
          placedAll = await this.runOnce();
        } while (this.again);
        if (placedAll) this.failuresInARow = 0;
        else this.retryLater();
      } catch (err) {
        this.failed(err instanceof Error ? err : new Error(String(err)));
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** One run; resolves whether every address change it tried was made. */
  private async runOnce(): Promise<boolean> {
    const start = this.clock.now();
    const result: ReconcileResult = { added: [], lost: [], foreign: [], removed: [], staleRemoved: [], announced: 0, withdrawn: 0, failures: [], durationMs: 0, inPlace: 0, desired: 0 };
    const desired = this.registry.desired();
    const want = new Map(desired.map((d) => [d.address, d]));
    result.desired = desired.length;

    if (!this.initialized) {
      // The stale-address rule: what an earlier run (a crash, kill -9) left with our mark and
      // nobody wants now goes; what is still wanted stays, so that no traffic is lost.
      const owned = await this.addresses.listOwned();
      const stale = owned.filter((a) => !want.has(a));
      for (const a of owned) if (want.has(a)) this.placed.add(a);
      if (stale.length) {
        const r = await this.addresses.remove(stale);
        result.staleRemoved = r.done;
        for (const f of r.failed) result.failures.push({ address: f.address, message: f.error.message });
      }
      this.initialized = true;
      if (this.verifyEveryMs > 0) this.verifier ??= every(this.clock, this.verifyEveryMs, () => this.verifySoon());
    } else if (this.verifyDue) {
      this.verifyDue = false;
      result.lost = await this.findLost();
    }

    for (const a of [...this.foreign]) if (!want.has(a)) this.foreign.delete(a);
    const toAdd = desired.map((d) => d.address).filter((a) => !this.placed.has(a) && !this.foreign.has(a));
    if (toAdd.length) {
      // A batch that fails whole (the interface is gone) fails each of its addresses: the run
      // goes on, so that the routes of VIPs not in place are withdrawn.
      const r = await this.addresses.add(toAdd).catch((err: Error): PlacementResult => ({ done: [], failed: toAdd.map((address) => ({ address, error: err })) }));
      for (const a of r.done) this.placed.add(a);
      for (const a of r.foreign ?? []) this.foreign.add(a);
      result.added = r.done;
      result.foreign = r.foreign ?? [];
      for (const f of r.failed) result.failures.push({ address: f.address, message: f.error.message });
    }
    const inPlace = (a: string) => this.placed.has(a) || this.foreign.has(a);

    if (this.routes) {
      for (const d of desired) {
        if (!inPlace(d.address)) continue;
        const route: Route = { prefix: d.prefix };
        if (d.attributes.communities.length) route.communities = d.attributes.communities;
        if (d.attributes.largeCommunities.length) route.largeCommunities = d.attributes.largeCommunities;
        if (!this.routes.table.has(d.address)) result.announced++;
        this.routes.announce(route);
      }
      for (const [key, route] of [...this.routes.table]) {
        if (want.has(key) && inPlace(key)) continue;
        this.routes.withdraw(route.prefix);
        result.withdrawn++;
      }
      // The withdrawals are on the wire before the addresses go.
      this.routes.flushNow();
    }

    const toRemove = [...this.placed].filter((a) => !want.has(a));
    if (toRemove.length) {
      const r = await this.addresses.remove(toRemove).catch((err: Error): PlacementResult => ({ done: [], failed: toRemove.map((address) => ({ address, error: err })) }));
      for (const a of r.done) this.placed.delete(a);
      result.removed = r.done;
      for (const f of r.failed) result.failures.push({ address: f.address, message: f.error.message });
    }

    result.inPlace = desired.filter((d) => inPlace(d.address)).length;
    result.durationMs = this.clock.now() - start;
    const failing = new Map(result.failures.map((f) => [f.address, f.message]));
    for (const f of result.failures) if (this.failing.get(f.address) === f.message) f.repeated = true;
    this.failing = failing;
    this.lastResult = result;
    this.emit('reconciled', result);
    return result.failures.length === 0;
  }

  /** Drops from `placed` what is no longer on the interface (all of it when the interface is gone); returns it. */
  private async findLost(): Promise<string[]> {
    const owned = await this.addresses.listOwned().catch((err: Error & { code?: string }) => {
      if (err.code === NO_SUCH_INTERFACE) return [];
      throw err;
    });
    const there = new Set(owned);
    const lost = [...this.placed].filter((a) => !there.has(a));
    for (const a of lost) this.placed.delete(a);
    // An operator's address may be gone as well: the add of this run sorts them out again.
    this.foreign.clear();
    return lost;
  }

  private verifySoon(): void {
    if (this.stopped) return;
    this.verifyDue = true;
    void this.schedule();
  }

  private failed(error: Error): void {
    const retryInMs = this.retryLater();
    this.emit('failed', error, retryInMs);
  }

  /** Schedules the next run after the back-off; returns it. */
  private retryLater(): number {
    const retryInMs = Math.min(RECONCILE_RETRY.maxMs, RECONCILE_RETRY.initialMs * 2 ** this.failuresInARow);
    this.failuresInARow++;
    if (!this.stopped) this.retry = this.clock.after(retryInMs, () => void this.schedule());
    return retryInMs;
  }

  /**
   * Clean shutdown: withdraws every route, then removes every address we placed. (A graceful
   * restart does not call this: addresses and routes stay while the next run starts.)
   */
  async teardown(): Promise<PlacementResult> {
    this.stopped = true;
    this.retry?.cancel();
    this.verifier?.cancel();
    await this.running;
    if (this.routes) {
      for (const route of [...this.routes.table.values()]) this.routes.withdraw(route.prefix);
      this.routes.flushNow();
    }
    const r = await this.addresses.remove([...this.placed]);
    for (const a of r.done) this.placed.delete(a);
    return r;
  }
}

/** The log lines a reconcile is worth: one per VIP added, removed or refused, and per stale one removed. */
export function describeReconcile(r: ReconcileResult, iface: string): Array<[Record<string, unknown>, string, 'info' | 'warn' | 'error']> {
  return [
    ...r.staleRemoved.map((vip): [Record<string, unknown>, string, 'info'] => [{ vip }, 'removed a stale VIP left by an earlier run', 'info']),
    ...r.lost.map((vip): [Record<string, unknown>, string, 'warn'] => [{ vip, interface: iface }, 'VIP gone from the interface without us (interface deleted, or address removed): withdrawn until it is back', 'warn']),
    ...r.added.map((vip): [Record<string, unknown>, string, 'info'] => [{ vip, interface: iface }, 'VIP added', 'info']),
    ...r.removed.map((vip): [Record<string, unknown>, string, 'info'] => [{ vip, interface: iface }, 'VIP removed', 'info']),
    ...r.failures.filter((f) => !f.repeated).map((f): [Record<string, unknown>, string, 'error'] => [{ vip: f.address, error: f.message }, 'VIP could not be placed; it is not announced', 'error']),
  ];
}
