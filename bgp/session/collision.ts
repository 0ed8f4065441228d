// Connection collision detection (RFC 4271 §6.8), apart from the per-connection machine:
// when the peer and we connect to each other at once, each connection runs its own state
// machine until an OPEN tells whose connection survives. The driver asks here, then feeds
// OpenCollisionDump to the machine of the connection to close, which sends Cease/Connection
// Collision Resolution (RFC 4486 §4, subcode 7) itself.
import { parseBgpIdentifier } from './identifier.js';
import { SessionState, type ConnectionDirection } from './types.js';

/** The connection an OPEN just arrived on. */
export interface ReceivedConnection {
  direction: ConnectionDirection;
}

/** The other connection to the same peer. */
export interface OtherConnection {
  direction: ConnectionDirection;
  state: SessionState;
  /** Whether the peer's OPEN arrived on it, so that its BGP Identifier is known. */
  openReceived: boolean;
}

export interface CollisionInput {
  localBgpId: string;
  /** The BGP Identifier in the OPEN just received. */
  remoteBgpId: string;
  localAs: number;
  remoteAs: number;
  received: ReceivedConnection;
  other: OtherConnection;
}

/**
 * - `EstablishedWins`: the other connection is Established, so the new one goes (RFC 4271 §6.8).
 * - `HigherBgpIdentifier`: the connection opened by the speaker with the higher identifier stays.
 * - `LargerAs`: equal identifiers (possible between ASes, RFC 6286 §2.3): the connection opened
 *   by the speaker with the larger AS stays.
 * - `SameDirection`: both connections were opened by the same side, so the identifiers cannot
 *   choose; the older one, which that side abandoned, goes.
 */
export type CollisionRule = 'EstablishedWins' | 'HigherBgpIdentifier' | 'LargerAs' | 'SameDirection';

export type CollisionResolution =
  | { collision: false }
  | {
      collision: true;
      /** Which connection to close: feed OpenCollisionDump to its machine. */
      close: 'received' | 'other';
      closeDirection: ConnectionDirection;
      keepDirection: ConnectionDirection;
      rule: CollisionRule;
    };

/**
 * RFC 4271 §6.8: only connections in OpenConfirm, in OpenSent once the peer's OPEN arrived
 * on them, or in Established collide; none in Idle, Connect or Active. Identifiers compare
 * as unsigned 32-bit numbers: when ours is lower, the connection we opened closes; otherwise
 * the one the peer opened closes.
 */
export function resolveCollision(input: CollisionInput): CollisionResolution {
  const { received, other } = input;
  const decide = (close: 'received' | 'other', rule: CollisionRule): CollisionResolution => {
    const [closed, kept] = close === 'received' ? [received, other] : [other, received];
    return { collision: true, close, closeDirection: closed.direction, keepDirection: kept.direction, rule };
  };
  if (other.state === SessionState.Established) return decide('received', 'EstablishedWins');
  const collides = other.state === SessionState.OpenConfirm || (other.state === SessionState.OpenSent && other.openReceived);
  if (!collides) return { collision: false };
  if (received.direction === other.direction) return decide('other', 'SameDirection');

  const local = parseBgpIdentifier(input.localBgpId) ?? 0;
  const remote = parseBgpIdentifier(input.remoteBgpId) ?? 0;
  let keep: ConnectionDirection;
  let rule: CollisionRule = 'HigherBgpIdentifier';
  if (local !== remote) {
    keep = local < remote ? 'inbound' : 'outbound';
  } else {
    rule = 'LargerAs';
    keep = input.localAs > input.remoteAs ? 'outbound' : 'inbound';
  }
  return decide(received.direction === keep ? 'other' : 'received', rule);
}
