// IPv4 and IPv6 addresses as bytes and as text. Formatting follows RFC 5952 (lower case,
// longest run of zero groups compressed) so that text is stable for map keys and logs.
import { isIPv4, isIPv6 } from 'node:net';

export function formatIpv4(bytes: Uint8Array, offset = 0): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

export function formatIpv6(bytes: Uint8Array, offset = 0): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(((bytes[offset + 2 * i] ?? 0) << 8) | (bytes[offset + 2 * i + 1] ?? 0));
  // RFC 5952 §4.2: compress the longest run of two or more zero groups, the first if tied.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (g: number[]) => g.map((x) => x.toString(16)).join(':');
  // RFC 5952 §5: IPv4-mapped addresses keep the dotted tail.
  if (bestStart === 0 && bestLen === 5 && groups[5] === 0xffff) {
    return `::ffff:${formatIpv4(bytes, offset + 12)}`;
  }
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

/** Parses dotted-quad IPv4 text into 4 bytes, or returns undefined. */
export function parseIpv4(text: string): Uint8Array | undefined {
  if (!isIPv4(text)) return undefined;
  const out = new Uint8Array(4);
  const parts = text.split('.');
  for (let i = 0; i < 4; i++) out[i] = Number(parts[i]);
  return out;
}

/** Parses IPv6 text (with or without an embedded IPv4 tail) into 16 bytes, or returns undefined. */
export function parseIpv6(text: string): Uint8Array | undefined {
  // A zone ("fe80::1%eth0") is not part of the 16 octets: refuse it rather than drop it.
  if (!isIPv6(text) || text.includes('%')) return undefined;
  let head = text;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) >= 0) {
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (!v4) return undefined;
    tail.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    head = text.slice(0, lastColon + 1);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const toGroups = (s: string | undefined) => (s ? s.split(':').filter((g) => g !== '').map((g) => parseInt(g, 16)) : []);
  const l = toGroups(left);
  const r = toGroups(right).concat(tail);
  const groups = right === undefined && !head.includes('::') ? l.concat(tail) : l.concat(new Array(8 - l.length - r.length).fill(0), r);
  if (groups.length !== 8) return undefined;
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = (groups[i]! >>> 8) & 0xff;
    out[2 * i + 1] = groups[i]! & 0xff;
  }
  return out;
}

/** Parses either family; 4 bytes for IPv4, 16 for IPv6. */
export function parseIp(text: string): Uint8Array | undefined {
  return text.includes(':') ? parseIpv6(text) : parseIpv4(text);
}

export function formatIp(bytes: Uint8Array): string {
  return bytes.length === 4 ? formatIpv4(bytes) : formatIpv6(bytes);
}

const CHAR_0 = 48;
const CHAR_DOT = 46;

/**
 * The dotted quad in `text` (up to `end`) as an unsigned 32-bit number, when it is written the
 * canonical way (four decimal octets, no leading zeros), else undefined. For hot paths that
 * read many addresses: no array, no intermediate string.
 */
export function parseIpv4Number(text: string, end = text.length): number | undefined {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === CHAR_DOT) {
      if (digits === 0 || dots === 3) return undefined;
      value = value * 256 + octet;
      dots++;
      octet = 0;
      digits = 0;
      continue;
    }
    const d = c - CHAR_0;
    if (d < 0 || d > 9 || (digits > 0 && octet === 0)) return undefined; // not a digit, or a leading zero
    octet = octet * 10 + d;
    if (octet > 255) return undefined;
    digits++;
  }
  if (dots !== 3 || digits === 0) return undefined;
  return value * 256 + octet;
}
