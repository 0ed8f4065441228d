// A peer string with one ":" too few, "192.0.2.1:65000:false", reads "false" as the password:
// TCP MD5 is then on with a key the router does not have, the router drops every SYN, and the
// session never comes up. kube-vip accepts it the same way, so it is not an error; but a password
// that reads as the field it most likely was meant to be is worth a warning, which names the
// field, never the password.
import { goParseBool, goParseUint } from './values.js';
import type { PeerSpec } from './types.js';

/** What a password would be had a ":" gone missing before it, or undefined when it reads as none of them. */
export function passwordReadsAs(password: string): string | undefined {
  if (goParseBool(password) !== undefined) return 'a multihop flag (true/false)';
  if (goParseUint(password, 16) !== undefined) return 'a port or an AS number';
  if (goParseUint(password, 32) !== undefined) return 'an AS number';
  return undefined;
}

/** One warning per peer whose literal password reads as a multihop flag, a port or an AS. */
export function passwordFieldWarnings(peers: readonly PeerSpec[]): string[] {
  const warnings: string[] = [];
  for (const peer of peers) {
    if (peer.passwordSource !== 'literal' || peer.password === undefined) continue;
    const looks = passwordReadsAs(peer.password);
    if (looks === undefined) continue;
    warnings.push(
      `peer ${peer.address}: its TCP MD5 password reads as ${looks}. If a ":" is missing from the peer string ` +
        `(address:AS:password:multihop, so "${peer.address.includes(':') ? `[${peer.address}]` : peer.address}:${peer.asn}::false" for no password), ` +
        'TCP MD5 is now on with that as the key, and the router drops every connection attempt unless it has the same key',
    );
  }
  return warnings;
}
