// What logs and the status endpoint may show of a configuration: everything but the passwords.
import type { DaemonConfig } from './types.js';

export const REDACTED = '<redacted>';

/** A deep, JSON-safe copy in which every peer password reads "<redacted>". */
export function redactConfig(config: DaemonConfig): DaemonConfig {
  const copy = structuredClone(config);
  for (const peer of copy.peers) if (peer.password !== undefined) peer.password = REDACTED;
  return copy;
}

/** One line for logs: "192.0.2.1 AS 65001 port 179, TCP MD5 (file)"; the password itself never. */
export function describePeer(peer: DaemonConfig['peers'][number]): string {
  const parts = [`${peer.address} AS ${peer.asn} port ${peer.port}`];
  if (peer.password !== undefined) parts.push(`TCP MD5 (${peer.passwordSource ?? 'literal'})`);
  if (peer.gtsmHops !== undefined) parts.push(`GTSM ${peer.gtsmHops} hop(s)`);
  else if (peer.multihop) parts.push(`multihop TTL ${peer.ttl}`);
  if (peer.passive) parts.push('passive');
  return parts.join(', ');
}
