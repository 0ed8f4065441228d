// The reconcile: turns the registry's wanted VIPs into VIPs placed on the node and routes at
// every peer, doing only the difference. Order matters to never blackhole traffic: a VIP is in
// place before its route is announced, and a route is withdrawn (on the wire) before its VIP
// goes. A VIP that could not be placed is not announced, and is tried again at the next run.
// Runs coalesce: a burst of registry changes during a run leads to one more run, not one per
// change. A run that fails as a whole (the node's VIPs cannot be read) is tried again after a
// capped back-off, and so is a run that could not place some VIPs.
//
// The node can change without us: an interface deleted (and its addresses with it), an
// operator's `ip addr del`. So every RECONCILE_VERIFY_MS a run first reads which of our VIPs are
// still there; one that is gone is no longer in place: its route is withdrawn and the VIP placed
// again (found by the fault lab: a VIP interface deleted and created again left every route
// announced for addresses no node had, for good).
//
// Scale: the first run reads every wanted VIP; later runs read only what the registry says
// changed, so that one new Service among 100,000 VIPs costs one VIP's work. Placement goes in
// chunks, and each chunk is announced as soon as it is in place: the first routes leave while the
// rest are still being placed, and the BGP session comes up meanwhile (the placer yields to the
// event loop between chunks).
import { EventEmitter } from 'node:events';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { type Clock, type Prefix, type Route, type TimerHandle, systemClock } from '../bgp/index.js';
import { LARGE_CHANGE, cancelGarbageCollection, collectGarbageSoon } from './memory.js';
import type { ChangeTracker, VipRegistry, WantedVip } from './registry/index.js';

/** Makes VIPs local on the node (src/vip implements it with marked addresses and local routes). */
export interface AddressPlacer {
  listOwned(): Promise<string[]>;
  /** How many of ours are on the node, without their text: the periodic check lists them only when it differs. */
  countOwned?(): Promise<number>;
  add(addresses: string[], options?: AddOptions): Promise<PlacementResult>;
  remove(addresses: string[]): Promise<PlacementResult>;
  /** How a placed VIP is made local ('address' or 'route'), for status pages. */
  formOfPlaced?(address: string): string;
  /** The interface a VIP of ours is on, when not the VIP interface; absent: a placer of one interface. */
  interfaceOf?(address: string): string | undefined;
  /** The VIP interface's name, with interfaceOf. */
  readonly defaultInterface?: string;
}

export interface AddOptions {
  /** Address → the interface it goes on, for those not on the VIP interface. */
  interfaces?: ReadonlyMap<string, string>;
  /** When the placer supports it, hears of each chunk once it is in place. */
  progress?: (placed: { readonly done: readonly string[]; readonly foreign: readonly string[] }) => void;
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
  /** Ours, placed earlier, found gone from the node by the periodic check (placed again when possible). */
  lost: string[];
  /** Wanted addresses that were already there without our mark: used, never removed. */
  foreign: string[];
  removed: string[];
  /** Removed at the first run: ours, left by an earlier run, and no longer wanted. */
  staleRemoved: string[];
  announced: number;
  withdrawn: number;
  /** `repeated`: the same failure as at the run before, for the same VIP (not worth a new log line). */
  failures: Array<{ address: string; message: string; repeated?: true }>;
  durationMs: number;
  /** VIPs wanted and in place (address and, with a route sink, route). */
  inPlace: number;
  desired: number;
}

/** VIPs looked at between two turns of the event loop (about 5 ms of work). */
const YIELD_EVERY = 8192;

export interface ReconcilerEvents {
  reconciled: [result: ReconcileResult];
  /** A run failed as a whole; the next is tried `retryInMs` later (or at the next change). */
  failed: [error: Error, retryInMs: number];
}

/** The back-off of a failed run: 1 s doubling up to 30 s. */
export const RECONCILE_RETRY = { initialMs: 1_000, maxMs: 30_000 } as const;
/** How often a run reads the node again to catch our VIPs gone without us. */
export const RECONCILE_VERIFY_MS = 10_000;
/**
 * The check may cost at most 1/VERIFY_DUTY of the time: with 100,000 VIPs a listing takes a few
 * hundred ms, and the next check then waits that many times longer than the listing took.
 */
const VERIFY_DUTY = 50;

/** The code of the error an AddressPlacer throws when the interface does not exist (src/vip). */
const NO_SUCH_INTERFACE = 'VIP_ERR_NO_SUCH_INTERFACE';

export interface ReconcilerOptions {
  /** Between two reads of the node for VIPs gone without us; 0: never. */
  verifyEveryMs?: number;
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
  private failuresInARow = 0;
  private retry: TimerHandle | undefined;
  private stopped = false;
  /** The periodic check: set once the first run succeeded. */
  private verifier: TimerHandle | undefined;
  private verifyDue = false;
  /** Each VIP's failure at the last run, to tell a new failure from the same one again. */
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
    this.changes = registry.track();
    this.verifyEveryMs = options.verifyEveryMs ?? RECONCILE_VERIFY_MS;
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

  /** One run; resolves whether every placement it tried was made. */
  private async runOnce(): Promise<boolean> {
    const start = this.clock.now();
    const result: ReconcileResult = { added: [], lost: [], foreign: [], removed: [], staleRemoved: [], announced: 0, withdrawn: 0, failures: [], durationMs: 0, inPlace: 0, desired: 0 };
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
      this.verifyLater(0);
    } else {
      if (this.verifyDue) {
        this.verifyDue = false;
        const listing = this.clock.now();
        try {
          result.lost = await this.findLost();
        } finally {
          this.verifyLater(this.clock.now() - listing);
        }
        // A listing of 100,000 VIPs leaves megabytes of garbage: give it back soon (memory.ts).
        if (result.lost.length > 0 && this.placed.size >= LARGE_CHANGE) collectGarbageSoon(this.clock);
        for (const a of result.lost) changed.add(a);
        // An operator's VIP may be gone as well (listOwned sees only ours): looking at them again
        // sorts them out, placing ours where theirs went.
        for (const a of this.foreign) changed.add(a);
        this.foreign.clear();
      }
      for (const a of this.missing) changed.add(a);
      candidates = changed;
    }

    const toAdd: string[] = [];
    const moved: string[] = [];
    const home = this.addresses.defaultInterface;
    const interfaceOf = this.addresses.interfaceOf?.bind(this.addresses);
    let changes = 0;
    const look = (a: string, wanted: WantedVip | undefined) => {
      if (!wanted) unwanted.push(a);
      else if (this.foreign.has(a)) this.announce(a, wanted, result);
      // A VIP whose owner names another interface now (a Service's kube-vip.io/serviceInterface
      // changed) is taken off the old one first and added on the new one below.
      else if (this.placed.has(a) && interfaceOf && (interfaceOf(a) ?? home) !== (wanted.interface ?? home)) moved.push(a);
      else if (this.placed.has(a)) this.announce(a, wanted, result);
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
    if (moved.length > 0) {
      const r = await this.addresses.remove(moved).catch(failedWhole(moved));
      for (const a of r.done) {
        this.placed.delete(a);
        toAdd.push(a);
      }
      result.removed.push(...r.done);
      r.failed.forEach(fail);
    }
    if (toAdd.length > 0) {
      const interfaces = new Map<string, string>();
      for (const a of toAdd) {
        const iface = this.registry.wanted(a)?.interface;
        if (iface !== undefined) interfaces.set(a, iface);
      }
      // Announce each chunk as soon as it is in place; the speaker sends it at its next flush.
      let heard = false;
      const progress = (placed: { readonly done: readonly string[]; readonly foreign: readonly string[] }) => {
        heard = true;
        this.inPlace(placed.done, placed.foreign, result);
      };
      // A batch that fails whole (the interface is gone) fails each of its VIPs: the run goes on,
      // so that the routes of VIPs not in place are withdrawn.
      const r = await this.addresses.add(toAdd, { ...(interfaces.size > 0 ? { interfaces } : {}), progress }).catch(failedWhole(toAdd));
      // A placer without progress reports here only.
      if (!heard) this.inPlace(r.done, r.foreign ?? [], result);
      result.added = r.done;
      result.foreign = r.foreign ?? [];
      for (const f of r.failed) {
        fail(f);
        if (this.registry.wanted(f.address)) this.missing.add(f.address);
        // Not in place (lost from the node, or moved and not placed again): not announced.
        const route = this.routes?.table.get(f.address);
        if (route) {
          this.routes!.withdraw(route.prefix);
          result.withdrawn++;
        }
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
      const r = await this.addresses.remove(toRemove).catch(failedWhole(toRemove));
      for (const a of r.done) this.placed.delete(a);
      result.removed.push(...r.done);
      r.failed.forEach(fail);
    }
    if (stale.length) {
      const r = await this.addresses.remove(stale).catch(failedWhole(stale));
      result.staleRemoved = r.done;
      r.failed.forEach(fail);
      stale = [];
    }

    result.desired = this.registry.size;
    result.inPlace = result.desired - this.missing.size;
    result.durationMs = this.clock.now() - start;
    const failing = new Map(result.failures.map((f) => [f.address, f.message]));
    for (const f of result.failures) if (this.failing.get(f.address) === f.message) f.repeated = true;
    this.failing = failing;
    this.lastResult = result;
    this.emit('reconciled', result);
    if (changes >= LARGE_CHANGE) collectGarbageSoon(this.clock);
    return result.failures.length === 0;
  }

  /**
   * Drops from `placed` what is no longer on the node (all of it when the interface is gone);
   * returns it, to be placed again by the run (whose failures withdraw their routes).
   */
  private async findLost(): Promise<string[]> {
    // The count first: with 100,000 VIPs, their text and a set of it are megabytes each time.
    if (this.addresses.countOwned) {
      const count = await this.addresses.countOwned().catch(() => -1);
      if (count === this.placed.size) return [];
    }
    const owned = await this.addresses.listOwned().catch((err: Error & { code?: string }) => {
      if (err.code === NO_SUCH_INTERFACE) return [];
      throw err;
    });
    const there = new Set(owned);
    const lost: string[] = [];
    for (const a of this.placed) if (!there.has(a)) lost.push(a);
    for (const a of lost) this.placed.delete(a);
    return lost;
  }

  /** Sets the next check: RECONCILE_VERIFY_MS away, or further when the last listing took long. */
  private verifyLater(listedInMs: number): void {
    if (this.verifyEveryMs <= 0 || this.stopped) return;
    this.verifier?.cancel();
    this.verifier = this.clock.after(Math.max(this.verifyEveryMs, listedInMs * VERIFY_DUTY), () => this.verifySoon());
  }

  private verifySoon(): void {
    if (this.stopped) return;
    this.verifyDue = true;
    void this.schedule();
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
    this.stopped = true;
    this.retry?.cancel();
    this.verifier?.cancel();
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

/** A PlacementResult failing each of `vips` with the error of a batch that failed whole. */
function failedWhole(vips: readonly string[]): (err: unknown) => PlacementResult {
  return (err) => {
    const error = err instanceof Error ? err : new Error(String(err));
    return { done: [], failed: vips.map((address) => ({ address, error })) };
  };
}

/** Per-VIP log lines up to this many of a kind in one run; beyond, one line says how many. */
const LOGGED_VIPS = 20;

/**
 * The log lines a reconcile is worth: one per VIP added, removed or refused, and per stale one
 * removed; a run that places thousands (a cold start at scale) says so in one line per kind.
 */
export function describeReconcile(r: ReconcileResult, iface: string): Array<[Record<string, unknown>, string, 'info' | 'warn' | 'error']> {
  const lines: Array<[Record<string, unknown>, string, 'info' | 'warn' | 'error']> = [];
  const each = (vips: readonly string[], message: string, fields: Record<string, unknown>) => {
    if (vips.length <= LOGGED_VIPS) for (const vip of vips) lines.push([{ vip, ...fields }, message, 'info']);
    else lines.push([{ count: vips.length, first: vips.slice(0, 5), ...fields }, `${message} (${vips.length} of them)`, 'info']);
  };
  each(r.staleRemoved, 'removed a stale VIP left by an earlier run', {});
  const lost = r.lost.length <= LOGGED_VIPS ? r.lost : r.lost.slice(0, LOGGED_VIPS);
  for (const vip of lost) lines.push([{ vip, interface: iface }, 'VIP gone from the node without us (interface deleted, or address removed): withdrawn until it is back', 'warn']);
  if (lost.length < r.lost.length) lines.push([{ count: r.lost.length - lost.length }, 'more VIPs gone from the node without us (the first are above): withdrawn until they are back', 'warn']);
  each(r.added, 'VIP added', { interface: iface });
  each(r.removed, 'VIP removed', { interface: iface });
  const fresh = r.failures.filter((f) => !f.repeated);
  const failures = fresh.length <= LOGGED_VIPS ? fresh : fresh.slice(0, LOGGED_VIPS);
  for (const f of failures) lines.push([{ vip: f.address, error: f.message }, 'VIP could not be placed; it is not announced', 'error']);
  if (failures.length < fresh.length) lines.push([{ count: fresh.length - failures.length }, 'more VIPs could not be placed (the first are above); they are not announced', 'error']);
  return lines;
}
