// NLRI and withdrawn-routes encoding: a list of (length, prefix) pairs (RFC 4271 §4.3,
// RFC 4760 §5). A prefix longer than the family allows or cut short by the end of the field
// makes the field unparseable, which RFC 7606 §5.3 handles by session reset.
import { Afi, ErrorCode, UpdateErrorSubcode } from './constants.js';
import { type Result, fail, notificationError, ok } from './errors.js';
import { Prefix } from './prefix.js';
import type { Writer } from './writer.js';

export function decodePrefixes(buf: Uint8Array, start: number, end: number, afi: Afi, field: string): Result<Prefix[]> {
  const maxBits = afi === Afi.Ipv4 ? 32 : 128;
  const size = afi === Afi.Ipv4 ? 4 : 16;
  const out: Prefix[] = [];
  let p = start;
  while (p < end) {
    const length = buf[p]!;
    if (length > maxBits) {
      return fail(invalidNetwork(`${field}: prefix length ${length} at offset ${p - start} exceeds ${maxBits}`));
    }
    const n = (length + 7) >>> 3;
    if (p + 1 + n > end) {
      return fail(invalidNetwork(`${field}: prefix of length ${length} needs ${n} octets but ${end - p - 1} remain`));
    }
    const address = new Uint8Array(size);
    for (let i = 0; i < n; i++) address[i] = buf[p + 1 + i]!;
    // Trailing bits past the prefix length are irrelevant on the wire (RFC 4271 §4.3): clear them.
    const rest = length & 7;
    if (rest) address[n - 1]! &= 0xff << (8 - rest);
    out.push(new Prefix(afi, length, address));
    p += 1 + n;
  }
  return ok(out);
}

function invalidNetwork(message: string) {
  return notificationError('BGP_ERR_INVALID_NETWORK_FIELD', ErrorCode.UpdateMessageError, UpdateErrorSubcode.InvalidNetworkField, message);
}

export function encodePrefix(w: Writer, prefix: Prefix): void {
  w.u8(prefix.length);
  const n = (prefix.length + 7) >>> 3;
  for (let i = 0; i < n; i++) w.u8(prefix.octet(i));
}

export function encodePrefixes(w: Writer, prefixes: readonly Prefix[]): void {
  for (const p of prefixes) encodePrefix(w, p);
}

export function prefixesLength(prefixes: readonly Prefix[]): number {
  let n = 0;
  for (const p of prefixes) n += p.wireLength;
  return n;
}
