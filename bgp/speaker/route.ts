// A route this speaker originates, and the path attributes it carries to one peer.
import { SpeakerError } from './errors.js';
import {
  Afi,
  AsPathSegmentType,
  AttrType,
  Origin,
  Safi,
  type Family,
  type LargeCommunity,
  type PathAttribute,
  type Prefix,
} from '../codec/index.js';

export interface Route {
  prefix: Prefix;
  /** RFC 1997 communities as 32-bit numbers. */
  communities?: number[];
  /** RFC 8092 large communities. */
  largeCommunities?: LargeCommunity[];
  /** RFC 4360 extended communities, 8 octets each. */
  extendedCommunities?: Uint8Array[];
  med?: number;
  /** Sent to iBGP peers only (RFC 4271 §5.1.5). */
  localPref?: number;
  /** Overrides next-hop-self for this route. */
  nextHop?: string;
}

/** What the attributes depend on besides the route: the session they go out on. */
export interface PeerAttributeContext {
  localAs: number;
  ibgp: boolean;
  fourOctetAs: boolean;
  /** Next hop for IPv4 routes: our address on the session unless configured. */
  nextHopIpv4?: string;
  /** Next hops for IPv6 routes: a global address, optionally followed by a link-local one. */
  nextHopIpv6?: string[];
  /** LOCAL_PREF for iBGP when the route has none (RFC 4271 §5.1.5: iBGP always carries it). */
  defaultLocalPref?: number;
  /** Communities added to every route sent to this peer. */
  communities?: number[];
  largeCommunities?: LargeCommunity[];
}

export function familyOf(prefix: Prefix): Family {
  return { afi: prefix.afi, safi: Safi.Unicast };
}

export function familyKey(f: Family): string {
  return `${f.afi}/${f.safi}`;
}

/** The attribute key of a route that carries nothing but its prefix: most VIPs. */
const NO_ATTRIBUTES_KEY = '';
/** Attribute keys interned as small numbers, 0 for none: one number per distinct attribute set. */
const attributeIds = new Map<string, number>([[NO_ATTRIBUTES_KEY, 0]]);

/**
 * A small number equal for two routes exactly when they carry the same attributes to any one
 * peer (see routeAttributeKey); a route with none gets 0 without building a key.
 */
export function routeAttributeId(route: Route): number {
  if (!route.communities && !route.largeCommunities && !route.extendedCommunities && route.med === undefined && route.localPref === undefined && route.nextHop === undefined) return 0;
  const key = routeAttributeKey(route);
  let id = attributeIds.get(key);
  if (id === undefined) attributeIds.set(key, (id = attributeIds.size));
  return id;
}

/**
 * A key equal for two routes exactly when they carry the same attributes to any one peer, so
 * that routes can be grouped into shared UPDATEs.
 */
export function routeAttributeKey(route: Route): string {
  if (!route.communities?.length && !route.largeCommunities?.length && !route.extendedCommunities?.length && route.med === undefined && route.localPref === undefined && route.nextHop === undefined) return NO_ATTRIBUTES_KEY;
  const ext = route.extendedCommunities?.map((c) => Buffer.from(c).toString('hex'));
  return JSON.stringify([
    route.communities ?? null,
    route.largeCommunities?.map((c) => [c.globalAdmin, c.localData1, c.localData2]) ?? null,
    ext ?? null,
    route.med ?? null,
    route.localPref ?? null,
    route.nextHop ?? null,
  ]);
}

/**
 * The attributes of `route` towards one peer, in type-code order, without MP_REACH_NLRI (the
 * packer builds it). eBGP prepends our AS (RFC 4271 §5.1.2); iBGP sends an empty AS_PATH and
 * LOCAL_PREF. Towards a 2-octet peer, an AS above 65535 goes as AS_TRANS with AS4_PATH.
 */
export function routeAttributes(route: Route, peer: PeerAttributeContext): { attributes: PathAttribute[]; nextHops: string[] } {
  const attributes: PathAttribute[] = [{ type: AttrType.Origin, origin: Origin.Igp }];
  const path = peer.ibgp ? [] : [{ type: AsPathSegmentType.AsSequence, asns: [peer.localAs] }];
  attributes.push({ type: AttrType.AsPath, segments: path });
  const ipv4 = route.prefix.afi === Afi.Ipv4;
  let nextHops: string[];
  if (ipv4) {
    const nh = route.nextHop ?? peer.nextHopIpv4;
    if (!nh) throw new SpeakerError('BGP_SPEAKER_NO_NEXT_HOP', `no IPv4 next hop for ${route.prefix}: the session has no local IPv4 address and none is configured`);
    attributes.push({ type: AttrType.NextHop, nextHop: nh });
    nextHops = [nh];
  } else {
    nextHops = route.nextHop ? [route.nextHop] : (peer.nextHopIpv6 ?? []);
    if (!nextHops.length) throw new SpeakerError('BGP_SPEAKER_NO_NEXT_HOP', `no IPv6 next hop for ${route.prefix}: the session has no local IPv6 address and none is configured`);
  }
  if (route.med !== undefined) attributes.push({ type: AttrType.MultiExitDisc, med: route.med });
  if (peer.ibgp) attributes.push({ type: AttrType.LocalPref, localPref: route.localPref ?? peer.defaultLocalPref ?? 100 });
  const communities = mergeCommunities(route.communities, peer.communities);
  if (communities.length) attributes.push({ type: AttrType.Communities, communities });
  if (route.extendedCommunities?.length) attributes.push({ type: AttrType.ExtendedCommunities, communities: route.extendedCommunities });
  if (!peer.fourOctetAs && !peer.ibgp && peer.localAs > 0xffff) {
    // RFC 6793 §4.2.2: AS_PATH carries AS_TRANS (the encoder substitutes it), AS4_PATH the truth.
    attributes.push({ type: AttrType.As4Path, segments: path });
  }
  const large = [...(route.largeCommunities ?? [])];
  for (const l of peer.largeCommunities ?? []) {
    if (!large.some((x) => x.globalAdmin === l.globalAdmin && x.localData1 === l.localData1 && x.localData2 === l.localData2)) large.push(l);
  }
  if (large.length) attributes.push({ type: AttrType.LargeCommunities, communities: large });
  return { attributes, nextHops };
}

function mergeCommunities(a: readonly number[] | undefined, b: readonly number[] | undefined): number[] {
  if (!b?.length) return a ? [...a] : [];
  const out = [...(a ?? [])];
  for (const c of b) if (!out.includes(c)) out.push(c);
  return out;
}

