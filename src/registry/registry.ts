// The VIP registry: the one source of truth for which VIPs this node should make reachable,
// and why. Each VIP has one or more owners (the static config, the control plane, a Service
// "namespace/name"); it is wanted while at least one owner wants it. BGP and ARP mode both
// read it; nothing here knows how a VIP is made reachable.
import { EventEmitter } from 'node:events';
import { Prefix, type LargeCommunity } from '../../bgp/index.js';

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

/** Canonical /32 or /128 text for a VIP given with or without its length; RegistryError on anything else. */
export function canonicalVip(address: string): { text: string; prefix: Prefix } {
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

function emptyAttributes(): VipAttributes {
  return { communities: [], largeCommunities: [] };
}

export class VipRegistry extends EventEmitter<RegistryEvents> {
  /** address -> owner -> that owner's attributes */
  private readonly vips = new Map<string, Map<Owner, VipAttributes>>();
  private readonly prefixes = new Map<string, Prefix>();
  private readonly traits = new Map<Owner, OwnerTraits>();
  private generation = 0;
  /** Set while a batch of changes is applied, so that it emits one change. */
  private quiet = false;

  /** Increases on every change; lets a reconcile tell whether it saw the latest state. */
  get version(): number {
    return this.generation;
  }

  /** `owner` wants `address`. Returns false when nothing changed. */
  claim(owner: Owner, claim: VipClaim): boolean {
    const { text, prefix } = canonicalVip(claim.address);
    const attrs: VipAttributes = { ...emptyAttributes(), ...claim.attributes };
    let owners = this.vips.get(text);
    if (!owners) {
      owners = new Map();
      this.vips.set(text, owners);
      this.prefixes.set(text, prefix);
    }
    const old = owners.get(owner);
    if (old && sameAttributes(old, attrs)) return false;
    owners.set(owner, attrs);
    this.changed();
    return true;
  }

  /** `owner` lets go of `address`. Returns false when it did not hold it. */
  release(owner: Owner, address: string): boolean {
    const { text } = canonicalVip(address);
    const owners = this.vips.get(text);
    if (!owners?.delete(owner)) return false;
    if (owners.size === 0) {
      this.vips.delete(text);
      this.prefixes.delete(text);
    }
    this.changed();
    return true;
  }

  /**
   * Sets the whole set of VIPs one owner wants, releasing the ones it no longer lists, and the
   * owner's traits: how a reloaded config or an updated Service is applied. All or nothing: an
   * invalid claim throws before anything changes. Emits one change at most.
   */
  replaceOwner(owner: Owner, claims: readonly VipClaim[], traits: OwnerTraits = {}): boolean {
    const before = this.generation;
    const wanted = new Set(claims.map((c) => canonicalVip(c.address).text));
    this.quiet = true;
    try {
      for (const c of claims) this.claim(owner, c);
      for (const [address, owners] of [...this.vips]) if (owners.has(owner) && !wanted.has(address)) this.release(owner, address);
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
    const next = traits.nodeLocal ? { nodeLocal: true } : undefined;
    if ((this.traits.get(owner)?.nodeLocal ?? false) === (next?.nodeLocal ?? false)) return;
    if (next) this.traits.set(owner, next);
    else this.traits.delete(owner);
    this.changed();
  }

  /** Releases every VIP of an owner. */
  releaseOwner(owner: Owner): boolean {
    return this.replaceOwner(owner, []);
  }

  ownersOf(address: string): Owner[] {
    return [...(this.vips.get(canonicalVip(address).text)?.keys() ?? [])];
  }

  /** Whether the VIP in canonical text (as desired() gives it) is wanted: no parsing, for counts at every scrape. */
  wants(text: string): boolean {
    return this.vips.has(text);
  }

  /** The wanted VIPs in canonical text, unsorted: for counts at every scrape. */
  addresses(): IterableIterator<string> {
    return this.vips.keys();
  }

  /** Each wanted VIP (canonical text) with its owners, unsorted and without merging attributes: for counts at every scrape. */
  *ownership(): Generator<{ address: string; owners: Iterable<Owner> }> {
    for (const [address, owners] of this.vips) yield { address, owners: owners.keys() };
  }

  /** What should be reachable now, sorted by address. */
  desired(): DesiredVip[] {
    const out: DesiredVip[] = [];
    for (const [address, owners] of this.vips) {
      const attributes = emptyAttributes();
      for (const a of owners.values()) {
        for (const c of a.communities) if (!attributes.communities.includes(c)) attributes.communities.push(c);
        for (const l of a.largeCommunities) {
          if (!attributes.largeCommunities.some((x) => x.globalAdmin === l.globalAdmin && x.localData1 === l.localData1 && x.localData2 === l.localData2)) attributes.largeCommunities.push(l);
        }
      }
      attributes.communities.sort((x, y) => x - y);
      // Owners that disagree on the interface: the first owner's (in owner order) that names one.
      const named = [...owners.keys()].sort().map((o) => owners.get(o)!.interface).find((i) => i !== undefined);
      if (named !== undefined) attributes.interface = named;
      out.push({ address, prefix: this.prefixes.get(address)!, owners: [...owners.keys()].sort(), attributes });
    }
    return out.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  }

  get size(): number {
    return this.vips.size;
  }

  private changed(): void {
    this.generation++;
    if (!this.quiet) this.emit('change');
  }
}

function sameAttributes(a: VipAttributes, b: VipAttributes): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
