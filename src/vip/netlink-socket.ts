// A NETLINK_ROUTE socket through koffi: Node has no netlink, and iproute2 6.1 can neither set nor
// show IFA_PROTO, our ownership mark (see index.ts). Calls are synchronous and short: the kernel
// handles each request inside send(2), so replies are already queued when recv(2) runs; a receive
// timeout bounds the wait should that ever not hold. Numbers are Linux UAPI (x86-64, arm64).
import { SOCK_CLOEXEC, SOCK_RAW, inNetworkNamespace, openLibc, type NativeFn } from '../native/index.js';
import { VipError, errnoName } from './errors.js';

const AF_NETLINK = 16;
const NETLINK_ROUTE = 0;
const SOL_SOCKET = 1;
const SO_RCVBUF = 8;
const SO_RCVTIMEO = 20;
const SO_RCVBUFFORCE = 33;
const SOL_NETLINK = 270;
/** Echo only the request header in ACKs: 5,000 ACKs stay small. */
const NETLINK_CAP_ACK = 10;
/** The kernel's sentence with each error ACK ("ipv4: Address already assigned"). */
const NETLINK_EXT_ACK = 11;
/** Lets the kernel filter an address dump by interface index. */
const NETLINK_GET_STRICT_CHK = 12;
const MSG_TRUNC = 0x20;
const MSG_DONTWAIT = 0x40;

/** Large enough for any dump datagram: the kernel sizes those to at most 32 KiB. */
const RECEIVE_BUFFER_BYTES = 64 * 1024;
/** Room for the ACKs of one chunk of requests; root may exceed net.core.rmem_max. */
const SOCKET_RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

export interface NetlinkSocket {
  /** Sends one datagram holding one or more messages. */
  send(datagram: Uint8Array): void;
  /**
   * The next datagram; a VipError NETLINK_FAILED on timeout or error. With `queuedOnly`, undefined
   * when nothing is queued: ACKs are queued before send(2) returns, so there is nothing to wait for.
   * With `inPlace`, the datagram is a view of the socket's buffer, good only until the next
   * receive (a dump of 100,000 routes read without a copy of each datagram).
   */
  receive(queuedOnly?: boolean, inPlace?: boolean): Uint8Array | undefined;
  /**
   * Whether the kernel dropped replies for want of room (ENOBUFS) since the last call: answers
   * then went missing, and silence no longer means success. Resets on reading.
   */
  takeOverflow(): boolean;
  close(): void;
}

export interface NetlinkSocketOptions {
  /** For messages: the interface this socket serves. */
  readonly interface: string;
  /** A name under /run/netns (as `ip netns` makes) or an absolute path to a netns file. */
  readonly netns?: string;
  readonly receiveTimeoutMs: number;
}

interface Libc {
  socket: NativeFn;
  setsockopt: NativeFn;
  send: NativeFn;
  recv: NativeFn;
  close: NativeFn;
  setns: NativeFn;
  errno: () => number;
}

let loaded: Libc | undefined;

function libc(interfaceName: string): Libc {
  if (loaded) return loaded;
  const unavailable = (why: string, cause?: unknown) =>
    new VipError('VIP_ERR_NETLINK_UNAVAILABLE', `cannot reach netlink for ${interfaceName}: ${why}`, { interface: interfaceName, cause });
  if (process.platform !== 'linux') throw unavailable(`VIP addresses use Linux rtnetlink and this is ${process.platform}`);
  try {
    const { fn, errno } = openLibc();
    loaded = {
      socket: fn('int socket(int domain, int type, int protocol)'),
      setsockopt: fn('int setsockopt(int fd, int level, int name, const void *value, uint32_t len)'),
      send: fn('long send(int fd, const void *buf, unsigned long len, int flags)'),
      recv: fn('long recv(int fd, void *buf, unsigned long len, int flags)'),
      close: fn('int close(int fd)'),
      setns: fn('int setns(int fd, int nstype)'),
      errno,
    };
    return loaded;
  } catch (error) {
    throw unavailable(`koffi or libc cannot be loaded (${(error as Error).message})`, error);
  }
}

/** Opens the socket, inside `netns` when given: a socket stays in the namespace it was made in. */
export function openNetlinkSocket(options: NetlinkSocketOptions): NetlinkSocket {
  const c = libc(options.interface);
  const fd = options.netns === undefined ? c.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE) : socketInNamespace(c, options);
  if (fd < 0) {
    const errno = errnoName(c.errno());
    throw new VipError('VIP_ERR_NETLINK_UNAVAILABLE', `cannot reach netlink for ${options.interface}: socket(AF_NETLINK, NETLINK_ROUTE) failed (${errno})`, {
      interface: options.interface,
      errno,
    });
  }

  const setInt = (level: number, name: number, value: number) => c.setsockopt(fd, level, name, Int32Array.of(value), 4) === 0;
  setInt(SOL_NETLINK, NETLINK_CAP_ACK, 1);
  setInt(SOL_NETLINK, NETLINK_EXT_ACK, 1);
  setInt(SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1); // older kernels: we filter by index ourselves too
  if (!setInt(SOL_SOCKET, SO_RCVBUFFORCE, SOCKET_RECEIVE_BUFFER_BYTES)) setInt(SOL_SOCKET, SO_RCVBUF, SOCKET_RECEIVE_BUFFER_BYTES);
  const timeout = BigInt64Array.of(BigInt(Math.floor(options.receiveTimeoutMs / 1000)), BigInt((options.receiveTimeoutMs % 1000) * 1000));
  c.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeout, 16); // struct timeval, LP64

  const buffer = new Uint8Array(RECEIVE_BUFFER_BYTES);
  const ioError = (what: string, errno?: string) =>
    new VipError('VIP_ERR_NETLINK_FAILED', `netlink I/O for ${options.interface} failed: ${what}${errno ? ` (${errno})` : ''}`, {
      interface: options.interface,
      errno,
    });
  let open = true;
  let overflowed = false;
  return {
    send(datagram) {
      const sent = c.send(fd, datagram, datagram.length, 0);
      if (sent !== datagram.length) throw ioError(`send of ${datagram.length} octets returned ${sent}`, sent < 0 ? errnoName(c.errno()) : undefined);
    },
    receive(queuedOnly = false, inPlace = false) {
      for (;;) {
        // MSG_TRUNC: recv returns the datagram's real length, so a cut one is seen, not parsed.
        const length = c.recv(fd, buffer, buffer.length, MSG_TRUNC | (queuedOnly ? MSG_DONTWAIT : 0));
        if (length >= 0) {
          if (length > buffer.length) throw ioError(`a ${length}-octet datagram does not fit the ${buffer.length}-octet buffer`);
          return inPlace ? buffer.subarray(0, length) : buffer.slice(0, length);
        }
        const errno = errnoName(c.errno());
        // ENOBUFS: the kernel dropped replies for want of room; it says so once, and what is still
        // queued can be read. The missing ACKs show up as undefined, and the next dump tells all.
        if (errno === 'ENOBUFS') overflowed = true;
        if (errno === 'ENOBUFS' || errno === 'EINTR') continue;
        // EAGAIN and EWOULDBLOCK are one number on Linux; errnoName may give either name.
        const wouldBlock = errno === 'EAGAIN' || errno === 'EWOULDBLOCK';
        if (wouldBlock && queuedOnly) return undefined;
        if (wouldBlock) throw ioError(`no answer from the kernel within ${options.receiveTimeoutMs} ms`, errno);
        throw ioError('recv failed', errno);
      }
    },
    takeOverflow() {
      const was = overflowed;
      overflowed = false;
      return was;
    },
    close() {
      if (open) c.close(fd);
      open = false;
    },
  };
}

/**
 * setns(2) moves only the calling thread, and only for the few synchronous calls below: no
 * JavaScript runs in between, and libuv's threads never move. The socket keeps the namespace.
 */
function socketInNamespace(c: Libc, options: NetlinkSocketOptions): number {
  const netns = options.netns!;
  let saved = 0;
  const r = inNetworkNamespace(c, netns, () => {
    const fd = c.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    saved = c.errno();
    return fd;
  }, errnoName);
  if (!r.ok) {
    const f = r.failure;
    if (f.stage === 'open') {
      throw new VipError('VIP_ERR_NO_SUCH_NETNS', `cannot reach ${options.interface} in network namespace ${netns}: ${f.path} cannot be opened (${f.errno})`, {
        interface: options.interface,
        errno: f.errno,
      });
    }
    const errno = errnoName(f.errno);
    throw new VipError(errno === 'EPERM' ? 'VIP_ERR_PERMISSION' : 'VIP_ERR_NO_SUCH_NETNS', `cannot enter network namespace ${netns} for ${options.interface} (${errno})`, {
      interface: options.interface,
      errno,
    });
  }
  if (r.value < 0) throw new VipError('VIP_ERR_NETLINK_UNAVAILABLE', `cannot open netlink in ${netns} for ${options.interface} (${errnoName(saved)})`, { interface: options.interface, errno: errnoName(saved) });
  return r.value;
}
