// Socket addresses as the kernel reads them: sockaddr_in (linux/in.h), sockaddr_in6
// (linux/in6.h) and struct tcp_md5sig (linux/tcp.h). The transport takes IP literals only: a
// BGP peer is configured by address, and resolving names here would hide a DNS failure behind
// a connect timeout.
import { endianness } from 'node:os';
import { formatIp, parseIpv4, parseIpv6 } from '../codec/address.js';
import { TransportError } from './errors.js';
import { AddressFamily } from './libc.js';

/** A parsed IP literal; `scopeId` is the interface index of an IPv6 zone (`fe80::1%eth0`), else 0. */
export interface IpAddress {
  readonly family: AddressFamily;
  readonly bytes: Uint8Array;
  readonly scopeId: number;
  readonly text: string;
}

/** Linux: sockaddr_storage is 128 bytes; the key field holds at most TCP_MD5SIG_MAXKEYLEN bytes. */
const SOCKADDR_STORAGE_SIZE = 128;
export const TCP_MD5SIG_MAXKEYLEN = 80;
const TCP_MD5SIG_SIZE = SOCKADDR_STORAGE_SIZE + 1 + 1 + 2 + 4 + TCP_MD5SIG_MAXKEYLEN;

const littleEndian = endianness() === 'LE';

/**
 * Parses an IPv4 or IPv6 literal, with an optional zone for link-local IPv6. `resolveZone`
 * turns an interface name into its index (if_nametoindex); it is only called for a zone.
 */
export function parseAddress(text: string, what: string, resolveZone: (name: string) => number): IpAddress {
  const percent = text.indexOf('%');
  const bare = percent < 0 ? text : text.slice(0, percent);
  const v4 = parseIpv4(bare);
  if (v4 && percent < 0) return { family: AddressFamily.Inet, bytes: v4, scopeId: 0, text };
  const v6 = parseIpv6(bare);
  if (!v6) {
    throw new TransportError('BGP_TRANSPORT_INVALID_ADDRESS', `${what} "${text}" is not an IPv4 or IPv6 address`);
  }
  let scopeId = 0;
  if (percent >= 0) {
    const zone = text.slice(percent + 1);
    scopeId = /^\d+$/.test(zone) ? Number(zone) : resolveZone(zone);
    if (scopeId === 0) {
      throw new TransportError('BGP_TRANSPORT_NO_SUCH_INTERFACE', `${what} "${text}" names zone "${zone}", and no interface has that name`);
    }
  }
  return { family: AddressFamily.Inet6, bytes: v6, scopeId, text };
}

/**
 * The key under which a peer is known: RFC 5952 text, and IPv4-mapped IPv6 (`::ffff:192.0.2.1`,
 * what a dual-stack listener reports for an IPv4 peer) written as plain IPv4.
 */
export function peerKey(text: string): string {
  const bare = text.split('%')[0] ?? text;
  const v4 = parseIpv4(bare);
  if (v4) return formatIp(v4);
  const v6 = parseIpv6(bare);
  if (!v6) return text;
  return isV4Mapped(v6) ? formatIp(v6.subarray(12)) : formatIp(v6);
}

function isV4Mapped(v6: Uint8Array): boolean {
  return v6.subarray(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
}

/**
 * sockaddr_in or sockaddr_in6 for `address`. An IPv4 address on an AF_INET6 socket becomes
 * IPv4-mapped (RFC 4291 §2.5.5.2), which is how a dual-stack socket names an IPv4 peer.
 */
export function encodeSockaddr(address: IpAddress, port: number, socketFamily: AddressFamily): Uint8Array {
  if (socketFamily === AddressFamily.Inet) {
    if (address.family !== AddressFamily.Inet) {
      throw new TransportError('BGP_TRANSPORT_INVALID_ADDRESS', `${address.text} is IPv6 and the socket is IPv4`);
    }
    const out = new Uint8Array(16);
    const view = new DataView(out.buffer);
    view.setUint16(0, AddressFamily.Inet, littleEndian); // sin_family: host order
    view.setUint16(2, port, false); // sin_port: network order
    out.set(address.bytes, 4);
    return out;
  }
  const out = new Uint8Array(28);
  const view = new DataView(out.buffer);
  view.setUint16(0, AddressFamily.Inet6, littleEndian);
  view.setUint16(2, port, false);
  // sin6_flowinfo (offset 4) stays 0.
  if (address.family === AddressFamily.Inet) {
    out[18] = 0xff;
    out[19] = 0xff;
    out.set(address.bytes, 20);
  } else {
    out.set(address.bytes, 8);
  }
  view.setUint32(24, address.scopeId, littleEndian);
  return out;
}

/**
 * struct tcp_md5sig (linux/tcp.h) for TCP_MD5SIG: the peer's address in a sockaddr_storage, then
 * flags, prefix length, key length and ifindex (all 0 but the key length: one key per peer
 * address), then the key. A key length of 0 deletes the peer's key.
 */
export function encodeMd5Sig(peer: IpAddress, key: Uint8Array, socketFamily: AddressFamily): Uint8Array {
  if (key.length > TCP_MD5SIG_MAXKEYLEN) {
    throw new TransportError(
      'BGP_TRANSPORT_INVALID_OPTION',
      `the MD5 password for ${peer.text} is ${key.length} bytes; Linux accepts at most ${TCP_MD5SIG_MAXKEYLEN} (TCP_MD5SIG_MAXKEYLEN)`,
    );
  }
  const out = new Uint8Array(TCP_MD5SIG_SIZE);
  const sockaddr = encodeSockaddr({ ...peer, scopeId: 0 }, 0, socketFamily);
  out.set(sockaddr, 0);
  new DataView(out.buffer).setUint16(SOCKADDR_STORAGE_SIZE + 2, key.length, littleEndian); // tcpm_keylen
  out.set(key, SOCKADDR_STORAGE_SIZE + 8); // tcpm_key, after flags, prefixlen, keylen, ifindex
  return out;
}

/** `192.0.2.1:179` or `[2001:db8::1]:179`, for messages. */
export function endpoint(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
