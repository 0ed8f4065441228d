// What the VIP gauges count at each scrape: VIPs wanted but not announced, VIPs announced but not
// wanted, and VIPs per kind of owner. Counts, never a series per VIP: a cluster can have 100,000
// VIPs, and an alert needs only to know that the two sides differ (/status lists which VIPs).
import { ownerKind, type Owner } from '../registry/index.js';

/** VIPs in canonical text ('192.0.2.10/32'): iterable, with a membership test. */
export interface VipSet {
  [Symbol.iterator](): Iterator<string>;
  has(text: string): boolean;
}

export interface VipMismatch {
  wantedNotAnnounced: number;
  announcedNotWanted: number;
}

/** The kinds of owner that always get a series, 0 when they own nothing (registry.ts names them). */
export const OWNER_KINDS = ['static', 'control-plane', 'service'] as const;

/** Both differences, in one pass over each side. */
export function vipMismatch(wanted: VipSet, announced: VipSet): VipMismatch {
  let wantedNotAnnounced = 0;
  let announcedNotWanted = 0;
  for (const vip of wanted) if (!announced.has(vip)) wantedNotAnnounced++;
  for (const vip of announced) if (!wanted.has(vip)) announcedNotWanted++;
  return { wantedNotAnnounced, announcedNotWanted };
}

interface Ownership {
  addresses(): IterableIterator<string>;
  ownership(): Iterable<{ address: string; owners: Iterable<Owner> }>;
  wants(text: string): boolean;
}

/** A registry's wanted VIPs as a VipSet. */
export function registryVips(registry: Pick<Ownership, 'addresses' | 'wants'>): VipSet {
  return { [Symbol.iterator]: () => registry.addresses(), has: (text) => registry.wants(text) };
}

/** Map keys (a route table) as a VipSet. */
export function keyVips(map: ReadonlyMap<string, unknown> | ReadonlySet<string>): VipSet {
  return { [Symbol.iterator]: () => map.keys(), has: (text) => map.has(text) };
}

/** The VIPs on the interface as a reconcile sees them: placed by us, or an operator's that is used. */
export function placedVips(reconciler: { readonly placedAddresses: ReadonlySet<string>; isInPlace(text: string): boolean }): VipSet {
  return { [Symbol.iterator]: () => reconciler.placedAddresses.values(), has: (text) => reconciler.isInPlace(text) };
}

/** VIPs per kind of owner; a VIP with owners of two kinds counts under each. */
export function ownerKindCounts(registry: Pick<Ownership, 'ownership'>): Map<string, number> {
  const counts = new Map<string, number>(OWNER_KINDS.map((k) => [k, 0]));
  for (const v of registry.ownership()) {
    const kinds = new Set<string>();
    for (const owner of v.owners) kinds.add(ownerKind(owner));
    for (const k of kinds) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}
