// The VIP registry: the one source of truth for which VIPs this node should make reachable,
// and why. Each VIP has one or more owners (the static config, the control plane, a Service
// "namespace/name"); it is wanted while at least one owner wants it. BGP and ARP mode both
// read it; nothing here knows how a VIP is made reachable.
//
// Sized for 100,000 VIPs: one small entry per VIP (the usual VIP has one owner and no
// communities, and then shares one frozen attribute set), an index from owner to its VIPs so that
// a Service's change touches that Service's VIPs only, and change tracking so that a reconcile
// after one change looks at that one VIP, not at all of them.
import { EventEmitter } from 'node:events';
import { Prefix, parseIpv4Number, type LargeCommunity } from '../../bgp/index.js';

/** Who wants a VIP: 'static', 'control-plane', or 'service:<namespace>/<name>'. */
export type Owner = string;

/** The kinds of owner: 'service' for every Service's owner, else the owner itself. */
export function ownerKind(owner: Owner): string {
  const colon = owner.indexOf(':');
  return colon < 0 ? owner : owner.slice(0, colon);
}

export interface VipAttributes {
  communities: number[];
  largeCommunities: LargeCommunity[];
  /** The interface the VIP goes on, when its owner names one (a Service's kube-vip.io/serviceInterface); absent: the VIP interface. */
  interface?: string;
}

export interface DesiredVip {
  /** Canonical prefix text: '192.0.2.10/32' or '2001:db8::10/128'. */
  address: string;
  prefix: Prefix;
  owners: Owner[];
  /** The union of every owner's attributes. */
  attributes: VipAttributes;
}

/**
 * One wanted VIP as the reconcile reads it: its prefix and the union of its owners'
 * communities, present only when there are some. It is a Route of the BGP library as it stands,
 * so that the reconcile announces it without a copy; a change of its communities replaces it.
 */
export interface WantedVip {
  readonly prefix: Prefix;
  readonly communities?: number[];
  readonly largeCommunities?: LargeCommunity[];
  /** The interface an owner named for it (absent: the VIP interface). */
  readonly interface?: string;
}

export interface VipClaim {
  address: string;
  attributes?: Partial<VipAttributes>;
}

/**
 * What an owner says about how its VIPs may be served, beside the VIPs themselves. `nodeLocal`:
 * only a node that serves the VIP itself may hold it (a Service with externalTrafficPolicy:
 * Local), so ARP mode gives such an owner a lease of its own.
 */
export interface OwnerTraits {
  nodeLocal?: boolean;
}

export type RegistryErrorCode =
  /** Not an IP address at all. */
  | 'VIP_ERR_INVALID_ADDRESS'
  /** A prefix wider than one address: a VIP is a /32 or a /128. */
  | 'VIP_ERR_NOT_SINGLE_ADDRESS';

/** A claim the registry cannot hold; the message quotes the address given. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  constructor(
    readonly code: RegistryErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface RegistryEvents {
  /** Something changed; listeners schedule a reconcile. */
  change: [];
}

/** The addresses changed since the last take: what a reconcile must look at. */
export interface ChangeTracker {
  take(): Set<string>;
}

/** Canonical /32 or /128 text for a VIP given with or without its length; RegistryError on anything else. */
export function canonicalVip(address: string): { text: string; prefix: Prefix } {
  // The common case, what the config and the Services give: canonical IPv4 with its /32. The
  // same string is kept as the key, so that a VIP's text exists once in memory.
  if (address.endsWith('/32')) {
    const value = parseIpv4Number(address, address.length - 3);
    if (value !== undefined) return { text: address, prefix: Prefix.ipv4Host(value, address) };
  }
  let prefix: Prefix;
  try {
    prefix = Prefix.parse(address.trim());
  } catch (err) {
    throw new RegistryError('VIP_ERR_INVALID_ADDRESS', `${(err as Error).message}: a VIP is an IPv4 or IPv6 address`);
  }
  const host = prefix.afi === 1 ? 32 : 128;
  if (prefix.length !== host) throw new RegistryError('VIP_ERR_NOT_SINGLE_ADDRESS', `a VIP is a single address (/${host}), got ${JSON.stringify(address)}`);
  return { text: prefix.toString(), prefix };
}

/** The attributes of a claim without communities: one shared, frozen object. */
const NO_ATTRIBUTES: Readonly<VipAttributes> = Object.freeze({ communities: Object.freeze([]) as unknown as number[], largeCommunities: Object.freeze([]) as unknown as LargeCommunity[] });

function attributesOf(claim: VipClaim): VipAttributes {
  const communities = claim.attributes?.communities;
  const large = claim.attributes?.largeCommunities;
  const iface = claim.attributes?.interface;
  if (!communities?.length && !large?.length && iface === undefined) return NO_ATTRIBUTES;
  return union(new Map([['', { communities: communities ?? [], largeCommunities: large ?? [], ...(iface !== undefined ? { interface: iface } : {}) }]]));
}

/**
 * One VIP: the WantedVip the reconcile reads, plus who wants it: the single owner's name (the
 * common case) or a map of every owner's attributes.
 */
interface Entry extends WantedVip {
  owners: Owner | Map<Owner, VipAttributes>;
}

/** A new entry with the attributes of `attributes` laid out as a route's. */
function entryOf(prefix: Prefix, owners: Entry['owners'], attributes: VipAttributes): Entry {
  if (attributes === NO_ATTRIBUTES) return { prefix, owners };
  const entry: { prefix: Prefix; owners: Entry['owners']; communities?: number[]; largeCommunities?: LargeCommunity[]; interface?: string } = { prefix, owners };
  if (attributes.communities.length) entry.communities = attributes.communities;
  if (attributes.largeCommunities.length) entry.largeCommunities = attributes.largeCommunities;
  if (attributes.interface !== undefined) entry.interface = attributes.interface;
  return entry;
}

/** The attributes an entry carries, as a VipAttributes. */
function attributesOfEntry(entry: WantedVip): VipAttributes {
  if (!entry.communities && !entry.largeCommunities && entry.interface === undefined) return NO_ATTRIBUTES;
  return { communities: entry.communities ?? [], largeCommunities: entry.largeCommunities ?? [], ...(entry.interface !== undefined ? { interface: entry.interface } : {}) };
}

/**
 * An owner's VIPs are indexed while it has at most this many (a Service has a few), so that its
 * change touches only them. The static config may hold 100,000: a reload of it scans every entry
 * instead (it parses the whole file anyway), and 100,000 index entries are not kept for it.
 */
const OWNER_INDEX_LIMIT = 4096;

interface OwnerState {
  count: number;
  index: Set<string> | undefined;
}

export class VipRegistry extends EventEmitter<RegistryEvents> {
  private readonly vips = new Map<string, Entry>();
  private readonly owners = new Map<Owner, OwnerState>();
  private readonly traits = new Map<Owner, OwnerTraits>();
  /** Each tracker's set of changed addresses; undefined before its first take. */
  private readonly trackers: Array<Set<string> | undefined> = [];
  private generation = 0;
  /** Set while a batch of changes is applied, so that it emits one change. */
  private quiet = false;

  /** Increases on every change; lets a reconcile tell whether it saw the latest state. */
  get version(): number {
    return this.generation;
  }

  /**
   * Starts recording changed addresses for one reader (the reconcile). Its first take is empty:
   * a reader reads everything the first time, so nothing is recorded before (at a cold start,
   * 100,000 claims would fill a set only to be thrown away).
   */
  track(): ChangeTracker {
    let changed: Set<string> | undefined;
    const trackers = this.trackers;
    const slot = trackers.length;
    trackers.push(undefined);
    return {
      take() {
        const taken = changed ?? new Set<string>();
        changed = new Set();
        trackers[slot] = changed;
        return taken;
      },
    };
  }

  /** `owner` wants `address`. Returns false when nothing changed. */
  claim(owner: Owner, claim: VipClaim): boolean {
    let text = claim.address;
    let entry = this.vips.get(text); // a canonical address needs no parsing
    const attrs = attributesOf(claim);
    if (!entry) {
      const canonical = canonicalVip(claim.address);
      text = canonical.text;
      entry = this.vips.get(text);
      if (!entry) {
        this.vips.set(text, entryOf(canonical.prefix, owner, attrs));
        this.indexOwner(owner, text);
        this.changed(text);
        return true;
      }
    }
    let owners = entry.owners;
    if (typeof owners === 'string') {
      if (owners === owner) {
        if (sameAttributes(attributesOfEntry(entry), attrs)) return false;
        this.vips.set(text, entryOf(entry.prefix, owner, attrs));
        this.changed(text);
        return true;
      }
      owners = new Map([[owners, attributesOfEntry(entry)], [owner, attrs]]);
      this.indexOwner(owner, text);
    } else {
      const old = owners.get(owner);
      if (old && sameAttributes(old, attrs)) return false;
      if (!old) this.indexOwner(owner, text);
      owners.set(owner, attrs);
    }
    this.replace(text, entry, owners);
    this.changed(text);
    return true;
  }

  /** `owner` lets go of `address`. Returns false when it did not hold it. */
  release(owner: Owner, address: string): boolean {
    const text = this.vips.has(address) ? address : canonicalVip(address).text;
    const entry = this.vips.get(text);
    if (!entry) return false;
    const owners = entry.owners;
    if (typeof owners === 'string') {
      if (owners !== owner) return false;
      this.vips.delete(text);
    } else {
      if (!owners.delete(owner)) return false;
      if (owners.size === 1) {
        const [only, attrs] = owners.entries().next().value!;
        this.vips.set(text, entryOf(entry.prefix, only, attrs));
      } else {
        this.replace(text, entry, owners);
      }
    }
    const state = this.owners.get(owner);
    if (state) {
      state.count--;
      state.index?.delete(text);
      if (state.count === 0) this.owners.delete(owner);
    }
    this.changed(text);
    return true;
  }

  /**
   * Sets the whole set of VIPs one owner wants, releasing the ones it no longer lists, and the
   * owner's traits: how a reloaded config or an updated Service is applied. All or nothing: an
   * invalid claim throws before anything changes. Emits one change at most.
   */
  replaceOwner(owner: Owner, claims: readonly VipClaim[], traits: OwnerTraits = {}): boolean {
    // Every address checked first, so that a bad one changes nothing.
    for (const c of claims) if (!this.vips.has(c.address)) canonicalVip(c.address);
    const before = this.generation;
    this.quiet = true;
    try {
      const state = this.owners.get(owner);
      const wanted = state ? new Set<string>() : undefined;
      for (const c of claims) {
        this.claim(owner, c);
        wanted?.add(this.vips.has(c.address) ? c.address : canonicalVip(c.address).text);
      }
      if (state && wanted) {
        // Indexed owners look at their own VIPs; a large one (the static config) at every VIP.
        const released: string[] = [];
        if (state.index) {
          for (const address of state.index) if (!wanted.has(address)) released.push(address);
        } else {
          for (const [address, entry] of this.vips) if (!wanted.has(address) && ownedBy(entry, owner)) released.push(address);
        }
        for (const address of released) this.release(owner, address);
      }
      this.setTraits(owner, claims.length ? traits : {});
    } finally {
      this.quiet = false;
    }
    if (this.generation === before) return false;
    this.emit('change');
    return true;
  }

  /** What the owner said about serving its VIPs (empty for an owner that holds none). */
  traitsOf(owner: Owner): OwnerTraits {
    return this.traits.get(owner) ?? {};
  }

  private setTraits(owner: Owner, traits: OwnerTraits): void {
    const next = traits.nodeLocal === true;
    if ((this.traits.get(owner)?.nodeLocal ?? false) === next) return;
    if (next) this.traits.set(owner, { nodeLocal: true });
    else this.traits.delete(owner);
    // Every VIP of the owner counts as changed: a reader that groups by traits looks at them again.
    this.generation++;
    if (!this.quiet) this.emit('change');
  }

  /** Releases every VIP of an owner. */
  releaseOwner(owner: Owner): boolean {
    return this.replaceOwner(owner, []);
  }

  ownersOf(address: string): Owner[] {
    const entry = this.vips.get(this.vips.has(address) ? address : canonicalVip(address).text);
    if (!entry) return [];
    return typeof entry.owners === 'string' ? [entry.owners] : [...entry.owners.keys()];
  }

  /** One wanted VIP by its canonical text, or undefined when nobody wants it. */
  wanted(address: string): WantedVip | undefined {
    return this.vips.get(address);
  }

  /** Whether the VIP in canonical text (as desired() gives it) is wanted: no parsing, for counts at every scrape. */
  wants(text: string): boolean {
    return this.vips.has(text);
  }

  /** Every wanted VIP's canonical text, in no particular order. */
  addresses(): IterableIterator<string> {
    return this.vips.keys();
  }

  /** Each wanted VIP (canonical text) with its owners, unsorted and without merging attributes: for counts at every scrape. */
  *ownership(): Generator<{ address: string; owners: Iterable<Owner> }> {
    for (const [address, entry] of this.vips) yield { address, owners: typeof entry.owners === 'string' ? [entry.owners] : entry.owners.keys() };
  }

  /** Every wanted VIP with its canonical text, in no particular order. */
  entries(): IterableIterator<[string, WantedVip]> {
    return this.vips.entries();
  }

  /** What should be reachable now, sorted by address (for status pages: it copies everything). */
  desired(): DesiredVip[] {
    const out: DesiredVip[] = [];
    for (const [address, entry] of this.vips) {
      const owners = typeof entry.owners === 'string' ? [entry.owners] : [...entry.owners.keys()].sort();
      const attributes: VipAttributes = { communities: [...(entry.communities ?? [])], largeCommunities: [...(entry.largeCommunities ?? [])] };
      if (entry.interface !== undefined) attributes.interface = entry.interface;
      out.push({ address, prefix: entry.prefix, owners, attributes });
    }
    return out.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  }

  get size(): number {
    return this.vips.size;
  }

  /** A new entry for several owners: their union of attributes, the same owners map. */
  private replace(text: string, entry: Entry, owners: Map<Owner, VipAttributes>): void {
    this.vips.set(text, entryOf(entry.prefix, owners, union(owners)));
  }

  private indexOwner(owner: Owner, address: string): void {
    let state = this.owners.get(owner);
    if (!state) this.owners.set(owner, (state = { count: 0, index: new Set() }));
    state.count++;
    state.index?.add(address);
    if (state.count > OWNER_INDEX_LIMIT) state.index = undefined;
  }

  private changed(address: string): void {
    this.generation++;
    for (const t of this.trackers) t?.add(address);
    if (!this.quiet) this.emit('change');
  }
}

function ownedBy(entry: Entry, owner: Owner): boolean {
  return typeof entry.owners === 'string' ? entry.owners === owner : entry.owners.has(owner);
}

/**
 * Every owner's communities once each, sorted; large communities once each, in first-seen order;
 * the interface of the first owner (in owner order) that names one.
 */
function union(owners: Map<Owner, VipAttributes>): VipAttributes {
  const communities: number[] = [];
  const largeCommunities: LargeCommunity[] = [];
  for (const a of owners.values()) {
    for (const c of a.communities) if (!communities.includes(c)) communities.push(c);
    for (const l of a.largeCommunities) {
      if (!largeCommunities.some((x) => x.globalAdmin === l.globalAdmin && x.localData1 === l.localData1 && x.localData2 === l.localData2)) largeCommunities.push(l);
    }
  }
  const named = [...owners.keys()].sort().map((o) => owners.get(o)!.interface).find((i) => i !== undefined);
  if (communities.length === 0 && largeCommunities.length === 0 && named === undefined) return NO_ATTRIBUTES;
  communities.sort((x, y) => x - y);
  return { communities, largeCommunities, ...(named !== undefined ? { interface: named } : {}) };
}

function sameAttributes(a: VipAttributes, b: VipAttributes): boolean {
  if (a === b) return true;
  if (a.interface !== b.interface) return false;
  if (a.communities.length !== b.communities.length || a.largeCommunities.length !== b.largeCommunities.length) return false;
  for (let i = 0; i < a.communities.length; i++) if (a.communities[i] !== b.communities[i]) return false;
  for (let i = 0; i < a.largeCommunities.length; i++) {
    const x = a.largeCommunities[i]!;
    const y = b.largeCommunities[i]!;
    if (x.globalAdmin !== y.globalAdmin || x.localData1 !== y.localData1 || x.localData2 !== y.localData2) return false;
  }
  return true;
}
