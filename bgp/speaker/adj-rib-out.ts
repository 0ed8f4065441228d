// Adj-RIB-Out (RFC 4271 §3.2): per peer, the routes it should have, what it was sent, and the
// changes not yet sent. A flush turns the difference into as few UPDATEs as fit: withdrawals
// first, then announcements grouped by attribute set and family, so that a burst of changes
// between two flushes coalesces into one exchange.
//
// Memory, for 100,000 routes and more: the routes every peer should have are one table, the
// speaker's, shared by every peer's Adj-RIB-Out (one made alone keeps its own). A peer keeps no
// copy of what it was sent: once a flush is done, it holds exactly the table, so only the
// prefixes changed since (with what the peer held before) need remembering. A second peer costs
// a few counters, and a map of pending changes that a flush empties.
import { Afi, type CodecContext, Safi, packAnnouncements, packWithdrawals, type Prefix } from '../codec/index.js';
import { type PeerAttributeContext, type Route, familyKey, familyOf, routeAttributeId, routeAttributes } from './route.js';

export interface FlushResult {
  messages: Buffer[];
  announced: number;
  withdrawn: number;
}

export interface FlushContext extends PeerAttributeContext {
  codec: CodecContext;
  /** Families agreed with the peer, as `familyKey` strings ("1/1", "2/1"). */
  families: ReadonlySet<string>;
  /** Send IPv4 unicast in MP_REACH_NLRI (when the session is IPv6-only, say). */
  ipv4InMp?: boolean;
}

const IPV4 = familyKey({ afi: Afi.Ipv4, safi: Safi.Unicast });
const IPV6 = familyKey({ afi: Afi.Ipv6, safi: Safi.Unicast });

export class AdjRibOut {
  /** Routes the peer should have, by prefix text: the speaker's table, or this one's own. */
  private readonly desired: Map<string, Route>;
  private readonly ownsTable: boolean;
  /**
   * Prefixes changed since the last flush, each with what the peer held before the first of
   * those changes: the route it was sent, or null. A prefix not in here the peer holds as the
   * table has it (in the families it agreed to), unless `resendAll`.
   */
  private readonly dirty = new Map<string, Route | null>();
  /** The peer holds nothing (a new session): the next flush sends the whole table. */
  private resendAll = true;
  /** Families whose routes the peer asked for again (ROUTE-REFRESH); it still holds them. */
  private readonly refreshing = new Set<Afi>();
  /** Prefixes the peer holds from us. */
  private held = 0;
  /** The families of the last flush: those the peer agreed to in the session in progress. */
  private agreed: ReadonlySet<string> | undefined;

  /**
   * `table`: the routes every peer should have, kept by the caller, who tells each peer of a
   * change with `changed`. Without it the Adj-RIB-Out keeps its own, changed by announce and
   * withdraw.
   */
  constructor(table?: Map<string, Route>) {
    this.desired = table ?? new Map();
    this.ownsTable = table === undefined;
  }

  get size(): number {
    return this.desired.size;
  }

  /** Prefixes the peer holds from us (sent and not withdrawn). */
  get advertisedCount(): number {
    return this.held;
  }

  /** Changes waiting for the next flush. */
  get pending(): number {
    return this.resendAll || this.refreshing.size > 0 ? this.desired.size : this.dirty.size;
  }

  routes(): IterableIterator<Route> {
    return this.desired.values();
  }

  has(prefix: Prefix): boolean {
    return this.desired.has(prefix.toString());
  }

  /** Whether the peer was sent this route (its prefix text) in the session in progress. */
  isAdvertised(prefixText: string): boolean {
    if (this.resendAll || !this.agreed) return false;
    // Changed since the last flush: the peer holds what it held before the first change.
    if (this.dirty.has(prefixText)) return this.dirty.get(prefixText) !== null;
    const route = this.desired.get(prefixText);
    return route !== undefined && this.agreed.has(familyKey(familyOf(route.prefix)));
  }

  /** Adds or changes a route in this Adj-RIB-Out's own table; returns false when nothing changed. */
  announce(route: Route): boolean {
    this.ownTableOnly();
    const k = route.prefix.toString();
    const old = this.desired.get(k);
    if (old && routeAttributeId(old) === routeAttributeId(route)) return false;
    this.desired.set(k, route);
    this.changed(k, old);
    return true;
  }

  /** Removes a route from this Adj-RIB-Out's own table; returns false when it was not there. */
  withdraw(prefix: Prefix): boolean {
    this.ownTableOnly();
    const k = prefix.toString();
    const old = this.desired.get(k);
    if (!old) return false;
    this.desired.delete(k);
    this.changed(k, old);
    return true;
  }

  /** The table's route for `key` changed; `previous` is what it was (undefined: none). */
  changed(key: string, previous: Route | undefined): void {
    if (this.resendAll || this.dirty.has(key)) return; // the first change remembers what the peer holds
    this.dirty.set(key, previous ?? null);
  }

  /** The session went down: the peer has nothing of ours any more (RFC 4271 §9.1.1). */
  sessionDown(): void {
    this.resendAll = true;
    this.dirty.clear();
    this.refreshing.clear();
    this.held = 0;
  }

  /** Resend everything, or one family ("1/1"), on the next flush (ROUTE-REFRESH, RFC 2918 §4). */
  refresh(family?: string): void {
    if (family === undefined || family === IPV4) this.refreshing.add(Afi.Ipv4);
    if (family === undefined || family === IPV6) this.refreshing.add(Afi.Ipv6);
  }

  /** Encodes the pending difference and records it as sent. */
  flush(ctx: FlushContext): FlushResult {
    this.agreed = ctx.families;
    const allowed = (afi: Afi) => ctx.families.has(afi === Afi.Ipv4 ? IPV4 : IPV6);
    const withdrawals = new Map<Afi, Prefix[]>();
    /** By family and attribute set: afi + 4 × attribute id. */
    const groups = new Map<number, Route[]>();
    let announced = 0;
    let withdrawn = 0;
    const send = (route: Route) => {
      const group = route.prefix.afi + 4 * routeAttributeId(route);
      let list = groups.get(group);
      if (!list) groups.set(group, (list = []));
      list.push(route);
      announced++;
    };
    if (this.resendAll) {
      this.held = 0;
      for (const route of this.desired.values()) {
        if (!allowed(route.prefix.afi)) continue;
        send(route);
        this.held++;
      }
    } else {
      if (this.refreshing.size > 0) {
        for (const [k, route] of this.desired) if (this.refreshing.has(route.prefix.afi) && allowed(route.prefix.afi) && !this.dirty.has(k)) send(route);
      }
      for (const [k, previous] of this.dirty) {
        const route = this.desired.get(k);
        const holds = previous !== null && allowed(previous.prefix.afi) ? previous : null;
        if (!route || !allowed(route.prefix.afi)) {
          if (!holds) continue;
          let list = withdrawals.get(holds.prefix.afi);
          if (!list) withdrawals.set(holds.prefix.afi, (list = []));
          list.push(holds.prefix);
          withdrawn++;
          this.held--;
          continue;
        }
        const forced = this.refreshing.has(route.prefix.afi);
        if (!forced && holds && (holds === route || routeAttributeId(holds) === routeAttributeId(route))) continue;
        send(route);
        if (!holds) this.held++;
      }
    }
    this.resendAll = false;
    this.dirty.clear();
    this.refreshing.clear();
    const messages: Buffer[] = [];
    for (const [afi, prefixes] of withdrawals) {
      messages.push(...packWithdrawals(prefixes, { family: { afi, safi: Safi.Unicast }, ipv4InMp: ctx.ipv4InMp ?? false }, ctx.codec));
    }
    for (const routes of groups.values()) {
      const { attributes, nextHops } = routeAttributes(routes[0]!, ctx);
      const prefixes = routes.map((r) => r.prefix);
      messages.push(...packAnnouncements(prefixes, attributes, { family: familyOf(routes[0]!.prefix), nextHops, ipv4InMp: ctx.ipv4InMp ?? false }, ctx.codec));
    }
    return { messages, announced, withdrawn };
  }

  private ownTableOnly(): void {
    if (!this.ownsTable) throw new Error('this Adj-RIB-Out reads a shared table: change the table, then call changed()');
  }
}
