// Which TTL a BGP socket sends with and which it accepts: pure policy, no sockets.
import { TransportError } from './errors.js';

export const MAX_TTL = 255;

/** The TTL to send with and, when set, the lowest TTL accepted on arrival (IP_MINTTL). */
export interface TtlPolicy {
  ttl: number;
  minTtl?: number;
}

/**
 * RFC 5082 §3 (GTSM): send with TTL 255 and accept only packets that arrive with a TTL of at
 * least 255 - hops + 1, which a sender further than `hops` away cannot forge. A directly
 * connected peer (hops 1) must arrive with 255 exactly.
 */
export function gtsmOptions(hops = 1): { ttl: number; minTtl: number } {
  checkRange('GTSM hop count', hops, 1, MAX_TTL - 1);
  return { ttl: MAX_TTL, minTtl: MAX_TTL + 1 - hops };
}

export interface PeerTtlSettings {
  /** External peer (different AS). */
  ebgp: boolean;
  /** eBGP multihop: the TTL to send with, for a peer that many hops away. */
  multihop?: number;
  /** GTSM (RFC 5082) with the peer this many hops away; excludes `multihop`. */
  gtsmHops?: number;
}

/**
 * The TTL policy for a peer, as routers do it:
 * - GTSM: TTL 255 out, 256 - hops minimum in (RFC 5082);
 * - eBGP: TTL 1, so that a session never forms across a router by mistake (RFC 4271 leaves it
 *   to the implementation; every major one sends 1), or `multihop` when configured;
 * - iBGP: TTL 255, since iBGP peers are often loopbacks several hops away.
 */
export function ttlFor(peer: PeerTtlSettings): TtlPolicy {
  if (peer.gtsmHops !== undefined) {
    if (peer.multihop !== undefined) {
      throw new TransportError(
        'BGP_TRANSPORT_INVALID_OPTION',
        'GTSM and eBGP multihop exclude each other: GTSM always sends TTL 255 and bounds the hops with the minimum TTL instead',
      );
    }
    return gtsmOptions(peer.gtsmHops);
  }
  if (!peer.ebgp) return { ttl: MAX_TTL };
  if (peer.multihop !== undefined) {
    checkRange('eBGP multihop TTL', peer.multihop, 1, MAX_TTL);
    return { ttl: peer.multihop };
  }
  return { ttl: 1 };
}

/** Throws BGP_TRANSPORT_INVALID_OPTION unless `value` is an integer in [min, max]. */
export function checkRange(what: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TransportError('BGP_TRANSPORT_INVALID_OPTION', `${what} must be an integer from ${min} to ${max}, got ${value}`);
  }
}
