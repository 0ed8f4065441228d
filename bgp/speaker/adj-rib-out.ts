// Adj-RIB-Out (RFC 4271 §3.2): per peer, the routes it should have, what it was sent, and the
// changes not yet sent. A flush turns the difference into as few UPDATEs as fit: withdrawals
// first, then announcements grouped by attribute set and family, so that a burst of changes
// between two flushes coalesces into one exchange.
import { Afi, type CodecContext, Safi, packAnnouncements, packWithdrawals, type Prefix } from '../codec/index.js';
import { type PeerAttributeContext, type Route, familyKey, familyOf, routeAttributeKey, routeAttributes } from './route.js';

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

export class AdjRibOut {
  /** Routes the peer should have, by prefix text. */
  private readonly desired = new Map<string, Route>();
  /** Attribute key of each route the peer was sent. */
  private readonly advertised = new Map<string, { key: string; prefix: Prefix }>();
  /** Prefixes whose desired and advertised state may differ. */
  private readonly dirty = new Set<string>();

  get size(): number {
    return this.desired.size;
  }

  get advertisedCount(): number {
    return this.advertised.size;
  }

  get pending(): number {
    return this.dirty.size;
  }

  routes(): IterableIterator<Route> {
    return this.desired.values();
  }

  has(prefix: Prefix): boolean {
    return this.desired.has(prefix.toString());
  }

  /** Whether the peer was sent this route (its prefix text) in the session in progress. */
  isAdvertised(prefixText: string): boolean {
    return this.advertised.has(prefixText);
  }

  /** Adds or changes a route; returns false when nothing changed. */
  announce(route: Route): boolean {
    const k = route.prefix.toString();
    const old = this.desired.get(k);
    if (old && routeAttributeKey(old) === routeAttributeKey(route)) return false;
    this.desired.set(k, route);
    this.dirty.add(k);
    return true;
  }

  /** Removes a route; returns false when it was not there. */
  withdraw(prefix: Prefix): boolean {
    const k = prefix.toString();
    if (!this.desired.delete(k)) return false;
    this.dirty.add(k);
    return true;
  }

  /** The session went down: the peer has nothing of ours any more (RFC 4271 §9.1.1). */
  sessionDown(): void {
    this.advertised.clear();
    this.dirty.clear();
    for (const k of this.desired.keys()) this.dirty.add(k);
  }

  /** Resend everything, or one family, on the next flush (ROUTE-REFRESH, RFC 2918 §4). */
  refresh(family?: string): void {
    for (const [k, route] of this.desired) {
      if (family !== undefined && familyKey(familyOf(route.prefix)) !== family) continue;
      this.advertised.delete(k);
      this.dirty.add(k);
    }
  }

  /** Encodes the pending difference and records it as sent. */
  flush(ctx: FlushContext): FlushResult {
    const withdrawals = new Map<string, Prefix[]>();
    const announcements = new Map<string, { family: string; routes: Route[] }>();
    let announced = 0;
    let withdrawn = 0;
    for (const k of this.dirty) {
      const route = this.desired.get(k);
      const sent = this.advertised.get(k);
      if (!route) {
        if (sent) {
          const fam = familyKey(familyOf(sent.prefix));
          if (ctx.families.has(fam)) {
            const list = withdrawals.get(fam) ?? [];
            list.push(sent.prefix);
            withdrawals.set(fam, list);
            withdrawn++;
          }
          this.advertised.delete(k);
        }
        continue;
      }
      const fam = familyKey(familyOf(route.prefix));
      if (!ctx.families.has(fam)) continue;
      const key = routeAttributeKey(route);
      if (sent?.key === key) continue;
      const group = `${fam}|${key}`;
      let entry = announcements.get(group);
      if (!entry) announcements.set(group, (entry = { family: fam, routes: [] }));
      entry.routes.push(route);
      this.advertised.set(k, { key, prefix: route.prefix });
      announced++;
    }
    this.dirty.clear();
    const messages: Buffer[] = [];
    for (const [fam, prefixes] of withdrawals) {
      messages.push(...packWithdrawals(prefixes, { family: parseFamily(fam), ipv4InMp: ctx.ipv4InMp ?? false }, ctx.codec));
    }
    for (const { family, routes } of announcements.values()) {
      const { attributes, nextHops } = routeAttributes(routes[0]!, ctx);
      const prefixes = routes.map((r) => r.prefix);
      messages.push(...packAnnouncements(prefixes, attributes, { family: parseFamily(family), nextHops, ipv4InMp: ctx.ipv4InMp ?? false }, ctx.codec));
    }
    return { messages, announced, withdrawn };
  }
}

function parseFamily(key: string): { afi: Afi; safi: Safi } {
  const [afi, safi] = key.split('/').map(Number);
  return { afi: afi as Afi, safi: safi as Safi };
}
