// VIP addresses: one host address each, IPv4 /32 or IPv6 /128, kept in one canonical text form
// ('192.0.2.7/32', '2001:db8::7/128' as RFC 5952 section 4 writes it) so that what the daemon
// asks for, what the kernel reports and what BGP announces compare as plain strings.
import { formatIpv4, formatIpv6, parseIpv4Number } from '../../bgp/index.js';

/** Address families as the kernel numbers them (linux/socket.h). */
export enum AddressFamily {
  Inet = 2,
  Inet6 = 10,
}

export interface VipAddress {
  readonly family: AddressFamily;
  /** 4 or 16 octets, network order. */
  readonly bytes: Uint8Array;
  /** 32 or 128: a VIP is always a single address. */
  readonly prefixLength: number;
  /** Canonical text with the prefix length: the key everything else uses. */
  readonly text: string;
}

/** Why an input is not a VIP; the caller wraps it into a VipError naming the interface. */
export interface AddressProblem {
  readonly input: string;
  readonly reason: string;
}

export function isAddressProblem(value: VipAddress | AddressProblem): value is AddressProblem {
  return 'reason' in value;
}

/**
 * Parses 'a.b.c.d', 'a.b.c.d/32', an IPv6 literal or one with '/128'. Anything that is not a
 * single global-ish unicast address is refused: a wider prefix on lo would make the whole
 * prefix local, and loopback, multicast or link-local addresses cannot be announced as VIPs.
 */
export function parseVipAddress(input: string): VipAddress | AddressProblem {
  const problem = (reason: string): AddressProblem => ({ input, reason });
  const slash = input.indexOf('/');
  const literal = slash < 0 ? input : input.slice(0, slash);
  const lengthText = slash < 0 ? undefined : input.slice(slash + 1);
  if (literal.includes('%')) return problem('a zone index (%) has no meaning for a VIP');
  const v4 = parseIpv4(literal);
  const bytes = v4 ?? parseIpv6(literal);
  if (!bytes) return problem('not an IPv4 or IPv6 address');
  const family = v4 ? AddressFamily.Inet : AddressFamily.Inet6;
  const hostLength = bytes.length * 8;
  if (lengthText !== undefined && lengthText !== String(hostLength)) {
    return problem(`a VIP is a single address: /${hostLength}, not /${lengthText}`);
  }
  const refused = family === AddressFamily.Inet ? refusedIpv4(bytes) : refusedIpv6(bytes);
  if (refused) return problem(`${refused} address`);
  return { family, bytes, prefixLength: hostLength, text: formatAddress(family, bytes, hostLength) };
}

/** The canonical text of an address as the kernel reports it: 4 or 16 octets and a prefix length. */
export function formatAddress(family: AddressFamily, bytes: Uint8Array, prefixLength: number): string {
  return `${family === AddressFamily.Inet ? formatIpv4(bytes) : formatIpv6(bytes)}/${prefixLength}`;
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    // No leading zeros: inet_aton() would read '010' as octal 8, the kernel tools as 10.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(parts[i]!)) return undefined;
    const value = Number(parts[i]);
    if (value > 255) return undefined;
    out[i] = value;
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] === '' ? [] : halves[0]!.split(':');
  const tail = halves.length === 2 ? (halves[1] === '' ? [] : halves[1]!.split(':')) : [];
  const groups: number[] = [];
  const last = halves.length === 2 ? tail : head;
  // An IPv4 tail (RFC 4291 section 2.2, form 3) stands for the last two groups.
  const dotted = last.length > 0 && last[last.length - 1]!.includes('.') ? parseIpv4(last.pop()!) : undefined;
  const toNumbers = (list: string[]) => list.map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : NaN));
  const headNumbers = toNumbers(head);
  const tailNumbers = toNumbers(tail);
  if ([...headNumbers, ...tailNumbers].some(Number.isNaN)) return undefined;
  if (text.includes('.') && !dotted) return undefined;
  const dottedGroups = dotted ? [(dotted[0]! << 8) | dotted[1]!, (dotted[2]! << 8) | dotted[3]!] : [];
  const explicit = headNumbers.length + tailNumbers.length + dottedGroups.length;
  if (halves.length === 2) {
    if (explicit > 7) return undefined; // '::' stands for at least one group
    groups.push(...headNumbers, ...new Array<number>(8 - explicit).fill(0), ...tailNumbers, ...dottedGroups);
  } else {
    if (explicit !== 8) return undefined;
    groups.push(...headNumbers, ...dottedGroups);
  }
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

function refusedIpv4(b: Uint8Array): string | undefined {
  if (b[0] === 0) return 'an unspecified ("this network", 0.0.0.0/8)';
  if (b[0] === 127) return 'a loopback (127.0.0.0/8)';
  if (b[0] === 169 && b[1] === 254) return 'a link-local (169.254.0.0/16)';
  if (b[0]! >= 224 && b[0]! <= 239) return 'a multicast (224.0.0.0/4)';
  if (b.every((x) => x === 255)) return 'the limited broadcast';
  return undefined;
}

function refusedIpv6(b: Uint8Array): string | undefined {
  const zerosUpTo = (n: number) => b.subarray(0, n).every((x) => x === 0);
  if (zerosUpTo(16)) return 'the unspecified (::)';
  if (zerosUpTo(15) && b[15] === 1) return 'the loopback (::1)';
  if (b[0] === 0xff) return 'a multicast (ff00::/8)';
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return 'a link-local (fe80::/10)';
  // IPv4-mapped addresses stand for IPv4 peers on an IPv6 socket; announce the IPv4 VIP instead.
  if (zerosUpTo(10) && b[10] === 0xff && b[11] === 0xff) return 'an IPv4-mapped (::ffff:0:0/96)';
  return undefined;
}

/**
 * The IPv4 VIP in `text` as an unsigned 32-bit number, when `text` is one written the canonical
 * way ('192.0.2.7' or '192.0.2.7/32', no leading zeros) and is a usable VIP; undefined for
 * anything else, which parseVipAddress then explains. A cold start turns 100,000 registry keys
 * into netlink requests through this, with no object per address.
 */
export function ipv4VipNumber(text: string): number | undefined {
  const slash = text.length - HOST_SUFFIX.length;
  const value = text.endsWith(HOST_SUFFIX) ? parseIpv4Number(text, slash) : parseIpv4Number(text);
  if (value === undefined) return undefined;
  const first = value >>> 24;
  const second = (value >>> 16) & 0xff;
  if (first === 0 || first === 127 || (first >= 224 && first <= 239) || (first === 169 && second === 254) || value === 0xffffffff) return undefined;
  return value;
}

const HOST_SUFFIX = '/32';

/** '192.0.2.7/32' for the number ipv4VipNumber returns. */
export function formatIpv4Vip(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 0xff}.${(value >>> 8) & 0xff}.${value & 0xff}/32`;
}
