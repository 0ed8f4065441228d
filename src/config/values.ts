// Single values and their rules: AS numbers, ports, addresses, router ids, communities, and
// Go's strconv parsing (kube-vip reads its strings with ParseBool and ParseUint, so we do too).
// Each check returns the canonical value or a problem; the caller adds the key path.
import { isIPv4, isIPv6 } from 'node:net';
import { AS_TRANS, WellKnownCommunity, formatIp, parseBgpIdentifier, parseIp, parseIpv4Number } from '../../bgp/index.js';
import { fail, ok, type Result } from '../result.js';
import { shown } from './errors.js';
import type { ConfigErrorCode } from './types.js';

export interface Problem {
  code: ConfigErrorCode;
  message: string;
}
export type Checked<T> = Result<T, Problem>;

export const invalid = (message: string): { ok: false; error: Problem } => fail({ code: 'CONFIG_INVALID_VALUE', message });

export const MAX_ASN = 0xffffffff;

const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Go's strconv.ParseBool: exactly these twelve spellings. */
export function goParseBool(text: string): boolean | undefined {
  if (GO_TRUE.has(text)) return true;
  if (GO_FALSE.has(text)) return false;
  return undefined;
}

/** Go's strconv.ParseUint(text, 10, bits): decimal digits only (leading zeros allowed), no sign. */
export function goParseUint(text: string, bits: 16 | 32): number | undefined {
  if (!/^[0-9]+$/.test(text)) return undefined;
  const value = Number(text);
  return value <= 2 ** bits - 1 ? value : undefined;
}

/** An integer written as a YAML number or as decimal digits in a string. */
export function integerOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^[0-9]+$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

/** 1..4294967295, and neither AS 0 nor AS_TRANS. */
export function checkAsn(value: unknown): Checked<number> {
  const expected = `expected an AS number 1..${MAX_ASN}`;
  const n = integerOf(value);
  if (n === undefined || n > MAX_ASN) return invalid(`${expected}, got ${shown(value)}`);
  if (n === 0) return invalid(`${expected}, got 0: AS 0 is reserved and never a speaker's AS (RFC 7607)`);
  if (n === AS_TRANS) return invalid(`${expected}, got ${AS_TRANS}: AS_TRANS stands in for 4-octet AS numbers towards old speakers and is never a real AS (RFC 6793)`);
  return ok(n);
}

export function checkPort(value: unknown): Checked<number> {
  const n = integerOf(value);
  if (n === undefined || n < 1 || n > 65535) return invalid(`expected a TCP port 1..65535, got ${shown(value)}`);
  return ok(n);
}

export function checkInteger(value: unknown, min: number, max: number, what: string): Checked<number> {
  const n = integerOf(value);
  if (n === undefined || n < min || n > max) return invalid(`expected ${what} ${min}..${max}, got ${shown(value)}`);
  return ok(n);
}

/** Hold time: 0 (no keepalives, no hold timer) or 3..65535 seconds (RFC 4271 §4.2). */
export function checkHoldTime(value: unknown): Checked<number> {
  const n = integerOf(value);
  if (n === undefined || n > 65535) return invalid(`expected a hold time in seconds, 0 or 3..65535, got ${shown(value)}`);
  if (n === 1 || n === 2) return invalid(`expected a hold time of 0 or at least 3 seconds (RFC 4271 §4.2), got ${n}`);
  return ok(n);
}

/** Any IP address, canonical: dotted quad, or RFC 5952 IPv6. */
export function checkIp(value: unknown): Checked<string> {
  if (typeof value !== 'string') return invalid(`expected an IP address, got ${shown(value)}`);
  const text = value.trim();
  const bytes = isIPv4(text) || isIPv6(text) ? parseIp(text) : undefined;
  if (!bytes) return invalid(`${shown(value)} is not an IP address`);
  return ok(formatIp(bytes));
}

/** Whether unusableAddress lets an IPv4 address (as a number) through. */
function usableIpv4(n: number): boolean {
  const first = n >>> 24;
  return n !== 0 && first !== 127 && n !== 0xffffffff && !(first >= 224 && first <= 239) && !(first === 169 && ((n >>> 16) & 0xff) === 254);
}

/** Addresses no router should be asked to peer with or route to. */
export function unusableAddress(canonical: string): string | undefined {
  const v4 = !canonical.includes(':');
  if (canonical === '0.0.0.0' || canonical === '::') return 'the unspecified address';
  if (v4 ? canonical.startsWith('127.') : canonical === '::1') return 'a loopback address';
  if (canonical === '255.255.255.255') return 'the broadcast address';
  const first = v4 ? Number(canonical.split('.')[0]) : parseInt(canonical.split(':')[0] || '0', 16);
  if (v4 ? first >= 224 && first <= 239 : first >= 0xff00) return 'a multicast address';
  if (v4 ? canonical.startsWith('169.254.') : (first & 0xffc0) === 0xfe80) return 'a link-local address';
  return undefined;
}

/**
 * Addresses no BGP peer can have. An IPv4 link-local peer is allowed: it is reached through a
 * route like any other (Equinix Metal's routers answer at 169.254.255.1 and .2, multihop, from the
 * node's own address). An IPv6 link-local one is not: it needs an interface to be reached through
 * (unnumbered BGP), which vip-speaker does not do yet.
 */
export function unusablePeerAddress(canonical: string): string | undefined {
  const unusable = unusableAddress(canonical);
  return unusable === 'a link-local address' && !canonical.includes(':') ? undefined : unusable;
}

/** A host route: a bare address, or one written with /32 (IPv4) or /128 (IPv6). */
export function checkVip(value: unknown): Checked<string> {
  // A large config is mostly canonical IPv4 VIPs: those need no split, parse and format.
  if (typeof value === 'string') {
    const bare = value.endsWith('/32') ? value.length - 3 : value.length;
    const n = parseIpv4Number(value, bare);
    // Array.join gives one flat string: a template literal would keep a rope of the parts, and a
    // slice of the config text would keep the whole text alive (100,000 VIPs live as long as this).
    if (n !== undefined && usableIpv4(n)) return ok([value.slice(0, bare), '/32'].join(''));
  }
  if (typeof value !== 'string') return invalid(`expected an IP address such as "192.0.2.10" or "2001:db8::10", got ${shown(value)}`);
  const [addressText = '', lengthText, ...extra] = value.trim().split('/');
  const address = checkIp(addressText);
  if (!address.ok || extra.length > 0) return invalid(`${shown(value)} is not an IP address`);
  const hostLength = address.value.includes(':') ? 128 : 32;
  if (lengthText !== undefined && lengthText !== String(hostLength)) {
    return fail({
      code: 'CONFIG_UNSUPPORTED',
      message: `${shown(value)} is not a host route: vip-speaker announces /32 (IPv4) and /128 (IPv6) VIPs only`,
    });
  }
  const unusable = unusableAddress(address.value);
  if (unusable) return invalid(`${shown(value)} is ${unusable} and cannot be a VIP`);
  return ok(`${address.value}/${hostLength}`);
}

/** The BGP Identifier: a non-zero dotted quad (RFC 6286 §2.1). */
export function checkRouterId(value: unknown): Checked<string> {
  const text = typeof value === 'string' ? value.trim() : undefined;
  const id = text === undefined ? undefined : parseBgpIdentifier(text);
  if (text === undefined || id === undefined) return invalid(`expected a router id written as an IPv4 address (dotted quad), got ${shown(value)}`);
  if (id === 0) return invalid('expected a non-zero router id (RFC 6286 §2.1), got "0.0.0.0"');
  return ok(text);
}

/** Well-known communities by the names routers print (RFC 1997, 7611, 7999, 8326); the same set src/communities.ts maps. */
export const WELL_KNOWN_COMMUNITIES: Readonly<Record<string, number>> = {
  'graceful-shutdown': WellKnownCommunity.GracefulShutdown,
  'accept-own': WellKnownCommunity.AcceptOwn,
  blackhole: WellKnownCommunity.Blackhole,
  'no-export': WellKnownCommunity.NoExport,
  'no-advertise': WellKnownCommunity.NoAdvertise,
  'no-export-subconfed': WellKnownCommunity.NoExportSubconfed,
  'local-as': WellKnownCommunity.NoExportSubconfed,
  'no-peer': WellKnownCommunity.NoPeer,
};

/** "ASN:VALUE" with both halves 0..65535, or a well-known name; canonical text back. */
export function checkCommunity(value: unknown): Checked<string> {
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    // Own keys only: `in` would also accept "constructor" or "__proto__" from the prototype.
    if (Object.hasOwn(WELL_KNOWN_COMMUNITIES, text)) return ok(text);
    const m = /^(\d{1,10}):(\d{1,10})$/.exec(text);
    if (m && Number(m[1]) <= 0xffff && Number(m[2]) <= 0xffff) return ok(`${Number(m[1])}:${Number(m[2])}`);
  }
  const names = Object.keys(WELL_KNOWN_COMMUNITIES).join(', ');
  return invalid(`expected a community "ASN:VALUE" with both parts 0..65535, or one of ${names}; got ${shown(value)}`);
}

/** "GLOBAL:LOCAL1:LOCAL2", each 0..4294967295 (RFC 8092). */
export function checkLargeCommunity(value: unknown): Checked<string> {
  const m = typeof value === 'string' ? /^(\d{1,10}):(\d{1,10}):(\d{1,10})$/.exec(value.trim()) : null;
  if (!m || m.slice(1).some((part) => Number(part) > MAX_ASN)) {
    return invalid(`expected a large community "GLOBAL:LOCAL1:LOCAL2" with each part 0..${MAX_ASN} (RFC 8092), got ${shown(value)}`);
  }
  return ok(m.slice(1).map(Number).join(':'));
}

/** A DNS subdomain as Kubernetes names nodes and annotation prefixes (RFC 1123: lower case, at most 253). */
export function checkDnsSubdomain(value: unknown, what: string): Checked<string> {
  const text = typeof value === 'string' ? value.trim() : undefined;
  if (text === undefined || text.length > 253 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(text)) {
    return invalid(`expected ${what}: a DNS subdomain (lower-case letters, digits, "-" and ".", at most 253 characters), got ${shown(value)}`);
  }
  return ok(text);
}

/** A DNS label, as Kubernetes names namespaces (RFC 1123: lower case, at most 63). */
export function checkDnsLabel(value: unknown): Checked<string> {
  const text = typeof value === 'string' ? value.trim() : undefined;
  if (text === undefined || text.length > 63 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(text)) {
    return invalid(`expected a namespace: a DNS label (lower-case letters, digits and "-", at most 63 characters), got ${shown(value)}`);
  }
  return ok(text);
}
