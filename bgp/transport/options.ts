// Socket options on a raw fd or a connected net.Socket: TTL and minimum TTL (RFC 5082), the
// TCP MD5 signature key (RFC 2385) and the interface binding. Each failure becomes a
// TransportError naming the option and the errno.
import type { Socket } from 'node:net';
import { TransportError } from './errors.js';
import { AddressFamily, SocketOption, libc, type SocketOptionId } from './libc.js';
import { encodeMd5Sig, type IpAddress } from './sockaddr.js';
import { MAX_TTL, checkRange } from './ttl.js';

/** A net.Socket (or net.Server handle) on Linux, or the fd itself. */
export type SocketOrFd = Socket | number;

/** Linux: IFNAMSIZ is 16 including the terminating NUL. */
const IFNAMSIZ = 16;

/** The fd under a net.Socket: Node keeps it on the libuv handle (`_handle.fd`, Linux and macOS). */
export function fdOf(socket: SocketOrFd): number {
  if (typeof socket === 'number') return socket;
  const fd = (socket as unknown as { _handle?: { fd?: unknown } | null })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) {
    throw new TransportError('BGP_TRANSPORT_SOCKET_FAILED', 'the socket has no file descriptor (closed, or not a TCP socket)');
  }
  return fd;
}

function int32(value: number): Uint8Array {
  return new Uint8Array(Int32Array.of(value).buffer); // host byte order, as the kernel reads an int
}

/** Reads an int-valued option: `getSocketOption(socket, SocketOption.IP_MINTTL)`. */
export function getSocketOption(socket: SocketOrFd, option: SocketOptionId): number {
  const value = new Uint8Array(4);
  const result = libc().getsockopt(fdOf(socket), option, value);
  if (!result.ok) {
    throw new TransportError('BGP_TRANSPORT_SOCKET_OPTION_FAILED', `getsockopt ${option.label} failed: ${result.errno}`, {
      errno: result.errno,
    });
  }
  return new Int32Array(value.buffer)[0]!;
}

function setOption(fd: number, option: SocketOptionId, value: Uint8Array, context: string): void {
  const result = libc().setsockopt(fd, option, value);
  if (result.ok) return;
  const { errno } = result;
  throw new TransportError('BGP_TRANSPORT_SOCKET_OPTION_FAILED', `${context}: setsockopt ${option.label} failed: ${errno}`, { errno });
}

/** Sets an int-valued option (SO_REUSEADDR and the like) or throws naming it and the errno. */
export function setIntOption(socket: SocketOrFd, option: SocketOptionId, value: number, context: string): void {
  setOption(fdOf(socket), option, int32(value), context);
}

/** AF_INET or AF_INET6, from the socket itself (SO_DOMAIN), so callers need not remember it. */
export function socketFamily(socket: SocketOrFd): AddressFamily {
  return getSocketOption(socket, SocketOption.SO_DOMAIN) as AddressFamily;
}

/**
 * The TTL (IPv4) or hop limit (IPv6) of outgoing packets. On an AF_INET6 socket both are set:
 * IPv6 traffic uses IPV6_UNICAST_HOPS, but an IPv4 peer reached through a dual-stack socket
 * (IPv4-mapped) uses IP_TTL.
 */
export function setTtl(socket: SocketOrFd, ttl: number, context = 'setting the TTL'): void {
  checkRange('TTL', ttl, 1, MAX_TTL);
  const fd = fdOf(socket);
  setOption(fd, SocketOption.IP_TTL, int32(ttl), context);
  if (socketFamily(fd) === AddressFamily.Inet6) setOption(fd, SocketOption.IPV6_UNICAST_HOPS, int32(ttl), context);
}

/**
 * The lowest TTL accepted on arrival (RFC 5082 §3); 0 switches the check off. The kernel drops
 * anything lower before TCP sees it, SYNs included when set on a listener. As with setTtl, an
 * AF_INET6 socket gets both the IPv4 (IP_MINTTL) and the IPv6 (IPV6_MINHOPCOUNT) option.
 */
export function setMinTtl(socket: SocketOrFd, minTtl: number, context = 'setting the minimum TTL'): void {
  checkRange('minimum TTL', minTtl, 0, MAX_TTL);
  const fd = fdOf(socket);
  setOption(fd, SocketOption.IP_MINTTL, int32(minTtl), context);
  if (socketFamily(fd) === AddressFamily.Inet6) setOption(fd, SocketOption.IPV6_MINHOPCOUNT, int32(minTtl), context);
}

/**
 * Installs (or, with `password` undefined, removes) the RFC 2385 key for one peer address.
 * From then on the kernel signs every segment to that peer and silently drops every segment
 * from it that is unsigned or wrongly signed: a mismatch never reaches user space.
 */
export function setMd5Password(fd: number, peer: IpAddress, password: string | undefined, context: string): void {
  if (password === '') {
    throw new TransportError('BGP_TRANSPORT_INVALID_OPTION', `${context}: the MD5 password is empty; leave it unset to disable TCP MD5`);
  }
  const key = password === undefined ? new Uint8Array(0) : new TextEncoder().encode(password);
  const result = libc().setsockopt(fd, SocketOption.TCP_MD5SIG, encodeMd5Sig(peer, key, socketFamily(fd)));
  if (result.ok) return;
  const { errno } = result;
  if (password === undefined && errno === 'ENOENT') return; // there was no key to remove
  if (errno === 'ENOPROTOOPT') {
    throw new TransportError(
      'BGP_TRANSPORT_MD5_UNSUPPORTED',
      `${context}: this kernel has no TCP MD5 signature support (RFC 2385; CONFIG_TCP_MD5SIG), so the MD5 password cannot be used`,
      { errno },
    );
  }
  throw new TransportError('BGP_TRANSPORT_SOCKET_OPTION_FAILED', `${context}: setsockopt TCP_MD5SIG for ${peer.text} failed: ${errno}`, {
    errno,
  });
}

/**
 * SO_BINDTODEVICE: the socket only sends and receives through `name` (an interface or a VRF
 * device). The name is checked first so that a typo reads as such rather than as ENODEV.
 */
export function bindToDevice(fd: number, name: string, context: string): void {
  const bytes = new TextEncoder().encode(`${name}\0`);
  if (name === '' || bytes.length > IFNAMSIZ || libc().ifNameToIndex(name) === 0) {
    throw new TransportError('BGP_TRANSPORT_NO_SUCH_INTERFACE', `${context}: there is no network interface named "${name}"`, {
      errno: 'ENODEV',
    });
  }
  const result = libc().setsockopt(fd, SocketOption.SO_BINDTODEVICE, bytes);
  if (result.ok) return;
  const { errno } = result;
  if (errno === 'ENODEV') {
    throw new TransportError('BGP_TRANSPORT_NO_SUCH_INTERFACE', `${context}: there is no network interface named "${name}"`, { errno });
  }
  // Kernels before 5.7 require CAP_NET_RAW for SO_BINDTODEVICE.
  const hint = errno === 'EPERM' ? ' (binding to an interface needs CAP_NET_RAW on kernels before 5.7)' : '';
  throw new TransportError('BGP_TRANSPORT_SOCKET_OPTION_FAILED', `${context}: setsockopt SO_BINDTODEVICE "${name}" failed: ${errno}${hint}`, {
    errno,
  });
}
