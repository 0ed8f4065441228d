// The few libc calls Node's `net` does not offer, reached through koffi. Why at all: a BGP
// socket needs TCP_MD5SIG (RFC 2385), IP_TTL and IP_MINTTL (RFC 5082) and SO_BINDTODEVICE set
// *before* the SYN leaves or the listener accepts, and `net` exposes none of them; a BFD socket
// needs a source port from RFC 5881's range and a kernel filter on the received TTL
// (SO_ATTACH_FILTER, see bgp/bfd/filter.ts), which `dgram` cannot set either. Everything
// here is Linux: the numbers are those of the Linux UAPI headers (x86-64 and arm64 values for
// the SOCK_* flags).
import { createRequire } from 'node:module';
import { TransportError, errnoName } from './errors.js';

/** Address families (linux/socket.h). */
export enum AddressFamily {
  Inet = 2,
  Inet6 = 10,
}

/** socket(2) type and flags (linux/net.h, asm-generic/fcntl.h). */
export enum SocketType {
  Stream = 1,
  Datagram = 2,
  NonBlock = 0o4000,
  CloseOnExec = 0o2000000,
}

/** A socket option as setsockopt(2) names it: a level, a number, and the header's name for logs. */
export interface SocketOptionId {
  readonly level: number;
  readonly name: number;
  readonly label: string;
}

const SOL_SOCKET = 1;
const IPPROTO_IP = 0;
const IPPROTO_TCP = 6;
const IPPROTO_IPV6 = 41;

/** The options this transport touches, named as in asm-generic/socket.h, linux/in.h, linux/in6.h, linux/tcp.h. */
export const SocketOption = {
  SO_REUSEADDR: { level: SOL_SOCKET, name: 2, label: 'SO_REUSEADDR' },
  SO_BINDTODEVICE: { level: SOL_SOCKET, name: 25, label: 'SO_BINDTODEVICE' },
  SO_DOMAIN: { level: SOL_SOCKET, name: 39, label: 'SO_DOMAIN' },
  SO_ATTACH_FILTER: { level: SOL_SOCKET, name: 26, label: 'SO_ATTACH_FILTER' },
  IP_TTL: { level: IPPROTO_IP, name: 2, label: 'IP_TTL' },
  IP_MINTTL: { level: IPPROTO_IP, name: 21, label: 'IP_MINTTL' },
  IPV6_UNICAST_HOPS: { level: IPPROTO_IPV6, name: 16, label: 'IPV6_UNICAST_HOPS' },
  IPV6_MINHOPCOUNT: { level: IPPROTO_IPV6, name: 73, label: 'IPV6_MINHOPCOUNT' },
  IPV6_V6ONLY: { level: IPPROTO_IPV6, name: 26, label: 'IPV6_V6ONLY' },
  TCP_MD5SIG: { level: IPPROTO_TCP, name: 14, label: 'TCP_MD5SIG' },
} as const satisfies Record<string, SocketOptionId>;

/** The outcome of one libc call: its return value, or the errno it left. */
export type SysResult = { ok: true; value: number } | { ok: false; errno: string };

export interface Libc {
  socket(family: AddressFamily, type: number): SysResult;
  close(fd: number): SysResult;
  setsockopt(fd: number, option: SocketOptionId, value: Uint8Array): SysResult;
  /** Fills `value` (its length is the optlen offered) and returns the length the kernel wrote. */
  getsockopt(fd: number, option: SocketOptionId, value: Uint8Array): SysResult;
  bind(fd: number, sockaddr: Uint8Array): SysResult;
  listen(fd: number, backlog: number): SysResult;
  /** 0 when no interface has that name. */
  ifNameToIndex(name: string): number;
  /** SO_ATTACH_FILTER with a classic BPF program (struct sock_fprog holds a pointer, hence its own binding). */
  attachFilter(fd: number, program: readonly SocketFilterInstruction[]): SysResult;
}

/** struct sock_filter (linux/filter.h): one classic BPF instruction. */
export interface SocketFilterInstruction {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

type KoffiModule = typeof import('koffi');
type NativeFn = (...args: unknown[]) => number;

let loaded: Libc | undefined;
let loadError: TransportError | undefined;

/** The libc bindings, loaded on first use so that importing the BGP library never needs FFI. */
export function libc(): Libc {
  if (loaded) return loaded;
  if (loadError) throw loadError;
  try {
    loaded = load();
    return loaded;
  } catch (error) {
    loadError =
      error instanceof TransportError
        ? error
        : new TransportError(
            'BGP_TRANSPORT_UNAVAILABLE',
            `cannot reach libc through koffi (${(error as Error).message}); the BGP transport needs Linux and the koffi package`,
            { cause: error },
          );
    throw loadError;
  }
}

function load(): Libc {
  if (process.platform !== 'linux') {
    throw new TransportError(
      'BGP_TRANSPORT_UNAVAILABLE',
      `the BGP transport uses Linux socket options (TCP_MD5SIG, IP_MINTTL, SO_BINDTODEVICE) and this is ${process.platform}`,
    );
  }
  // createRequire keeps the load lazy and synchronous; a static import would make every user of
  // the library (codec tests included) depend on the native addon.
  const koffi = createRequire(import.meta.url)('koffi') as KoffiModule;
  const lib = openLibc(koffi);
  const fn = (prototype: string) => lib.func(prototype) as unknown as NativeFn;
  const socket = fn('int socket(int domain, int type, int protocol)');
  const close = fn('int close(int fd)');
  const setsockopt = fn('int setsockopt(int fd, int level, int name, const void *value, uint32_t len)');
  const getsockopt = fn('int getsockopt(int fd, int level, int name, void *value, void *len)');
  const bind = fn('int bind(int fd, const void *addr, uint32_t len)');
  const listen = fn('int listen(int fd, int backlog)');
  const ifNameToIndex = fn('unsigned int if_nametoindex(const char *name)');
  const sockFilter = koffi.struct('vip_sock_filter', { code: 'uint16_t', jt: 'uint8_t', jf: 'uint8_t', k: 'uint32_t' });
  const sockFprog = koffi.struct('vip_sock_fprog', { len: 'uint16_t', filter: koffi.pointer(sockFilter) });
  const setsockoptFprog = lib.func('setsockopt', 'int', ['int', 'int', 'int', koffi.pointer(sockFprog), 'uint32_t']) as unknown as NativeFn;

  // koffi saves errno right after each native call, so reading it next is safe.
  const sys = (result: number): SysResult =>
    result < 0 ? { ok: false, errno: errnoName(koffi.errno()) } : { ok: true, value: result };

  return {
    socket: (family, type) => sys(socket(family, type, 0)),
    close: (fd) => sys(close(fd)),
    setsockopt: (fd, option, value) => sys(setsockopt(fd, option.level, option.name, value, value.length)),
    getsockopt: (fd, option, value) => {
      const length = Uint32Array.of(value.length); // socklen_t, in host byte order
      const result = sys(getsockopt(fd, option.level, option.name, value, length));
      return result.ok ? { ok: true, value: length[0]! } : result;
    },
    bind: (fd, sockaddr) => sys(bind(fd, sockaddr, sockaddr.length)),
    listen: (fd, backlog) => sys(listen(fd, backlog)),
    ifNameToIndex: (name) => ifNameToIndex(name),
    attachFilter: (fd, program) =>
      sys(setsockoptFprog(fd, SocketOption.SO_ATTACH_FILTER.level, SocketOption.SO_ATTACH_FILTER.name, { len: program.length, filter: program }, koffi.sizeof(sockFprog))),
  };
}

/** glibc's soname first; the process itself (which links libc) covers musl and the rest. */
function openLibc(koffi: KoffiModule) {
  try {
    return koffi.load('libc.so.6');
  } catch {
    return koffi.load(null);
  }
}
