// An AF_PACKET socket through koffi: Node's dgram has no link layer, and ARP and Neighbor
// Advertisements must leave with a source MAC and addresses of our choosing. One socket serves
// every announcement on one interface; frames go out whole (SOCK_RAW), built by frames.ts.
//
// The socket is opened with protocol 0, so the kernel queues no received frame to it: it only
// sends. The interface's index and MAC come from ioctl(2) on that socket, so they are read in the
// socket's own namespace (sysfs would show the namespace vip-speaker started in). Numbers are
// Linux UAPI for LP64 (x86-64, arm64); every call is synchronous and returns at once (MSG_DONTWAIT).
import { endianness } from 'node:os';
import { SOCK_CLOEXEC, SOCK_RAW, errnoName, inNetworkNamespace, openLibc, type NativeFn } from '../native/index.js';
import type { LinkFailure } from './errors.js';
import { ETHERNET_ADDRESS_LENGTH, type EtherType } from './frames.js';

const AF_PACKET = 17;
const MSG_DONTWAIT = 0x40;
const SIOCGIFHWADDR = 0x8927;
const SIOCGIFINDEX = 0x8933;
/** ARPHRD_ETHER (linux/if_arp.h): veth, bridges, bonds, VLANs and physical NICs alike. */
const ARPHRD_ETHER = 1;
/** struct ifreq: a 16-octet name (IFNAMSIZ) and a 24-octet union. */
const IFREQ_LENGTH = 40;
const IFNAMSIZ = 16;
/** struct sockaddr_ll: family, protocol, ifindex, hatype, pkttype, halen, addr[8]. */
const SOCKADDR_LL_LENGTH = 20;

const littleEndian = endianness() === 'LE';

export interface LinkAddress {
  /** The interface index, for sockaddr_ll. */
  readonly index: number;
  /** The interface's current MAC: a bond or an operator may change it, so it is read per use. */
  readonly mac: Uint8Array;
}

export interface PacketSocket {
  /** The interface's index and MAC, read now. */
  link(): LinkAddress | LinkFailure;
  /** Sends one whole Ethernet frame on interface `index`; undefined when all of it went. */
  send(frame: Uint8Array, etherType: EtherType, index: number): LinkFailure | undefined;
  close(): void;
}

export interface PacketSocketOptions {
  readonly interface: string;
  /** A name under /run/netns (as `ip netns` makes) or an absolute path to a netns file. */
  readonly netns?: string;
}

export function isLinkFailure(value: unknown): value is LinkFailure {
  return typeof value === 'object' && value !== null && 'code' in value && 'detail' in value;
}

interface Libc {
  socket: NativeFn;
  sendto: NativeFn;
  ioctl: NativeFn;
  close: NativeFn;
  setns: NativeFn;
  errno: () => number;
}

let loaded: Libc | undefined;

function libc(): Libc | LinkFailure {
  if (loaded) return loaded;
  if (process.platform !== 'linux') return { code: 'ARP_ERR_UNAVAILABLE', detail: `AF_PACKET is Linux's and this is ${process.platform}` };
  try {
    const { fn, errno } = openLibc();
    const ioctl = fn('int ioctl(int fd, unsigned long request, ...)');
    loaded = {
      socket: fn('int socket(int domain, int type, int protocol)'),
      sendto: fn('long sendto(int fd, const void *buf, unsigned long len, int flags, const void *addr, uint32_t addrlen)'),
      // ioctl(2) is variadic: koffi takes the type of each extra argument before its value.
      ioctl: (fd, request, arg) => ioctl(fd, request, 'void *', arg),
      close: fn('int close(int fd)'),
      setns: fn('int setns(int fd, int nstype)'),
      errno,
    };
    return loaded;
  } catch (error) {
    return { code: 'ARP_ERR_UNAVAILABLE', detail: `koffi or libc cannot be loaded (${(error as Error).message})` };
  }
}

/** Opens the socket, inside `netns` when given: a socket stays in the namespace it was made in. */
export function openPacketSocket(options: PacketSocketOptions): PacketSocket | LinkFailure {
  const c = libc();
  if (isLinkFailure(c)) return c;
  const fd = options.netns === undefined ? rawSocket(c) : socketInNamespace(c, options.netns);
  if (isLinkFailure(fd)) return fd;

  const request = new Uint8Array(IFREQ_LENGTH);
  const ifreq = (): Uint8Array => {
    request.fill(0);
    request.set(Buffer.from(options.interface).subarray(0, IFNAMSIZ - 1));
    return request;
  };
  const ioctlFailure = (what: string): LinkFailure => {
    const errno = errnoName(c.errno());
    return { code: errno === 'ENODEV' ? 'ARP_ERR_NO_SUCH_INTERFACE' : 'ARP_ERR_SEND_FAILED', detail: `${what} failed`, errno };
  };
  const address = new Uint8Array(SOCKADDR_LL_LENGTH);
  let open = true;

  return {
    link() {
      if (c.ioctl(fd, SIOCGIFINDEX, ifreq()) !== 0) return ioctlFailure('ioctl(SIOCGIFINDEX)');
      const index = new DataView(request.buffer).getInt32(IFNAMSIZ, littleEndian);
      if (c.ioctl(fd, SIOCGIFHWADDR, ifreq()) !== 0) return ioctlFailure('ioctl(SIOCGIFHWADDR)');
      const linkType = new DataView(request.buffer).getUint16(IFNAMSIZ, littleEndian); // sa_family
      if (linkType !== ARPHRD_ETHER) return { code: 'ARP_ERR_NOT_ETHERNET', detail: `link type ${linkType}, not ARPHRD_ETHER (${ARPHRD_ETHER})` };
      return { index, mac: request.slice(IFNAMSIZ + 2, IFNAMSIZ + 2 + ETHERNET_ADDRESS_LENGTH) };
    },
    send(frame, etherType, index) {
      const view = new DataView(address.buffer);
      address.fill(0);
      view.setUint16(0, AF_PACKET, littleEndian);
      view.setUint16(2, etherType); // sll_protocol, network order
      view.setInt32(4, index, littleEndian);
      // SOCK_RAW: the destination is in the frame; sll_ifindex and sll_protocol are all that counts.
      const sent = c.sendto(fd, frame, frame.length, MSG_DONTWAIT, address, SOCKADDR_LL_LENGTH);
      if (sent === frame.length) return undefined;
      if (sent >= 0) return { code: 'ARP_ERR_SEND_FAILED', detail: `sendto sent ${sent} of ${frame.length} octets` };
      const errno = errnoName(c.errno());
      switch (errno) {
        case 'ENETDOWN':
          return { code: 'ARP_ERR_INTERFACE_DOWN', detail: 'sendto failed', errno };
        case 'ENXIO':
        case 'ENODEV':
          return { code: 'ARP_ERR_NO_SUCH_INTERFACE', detail: `sendto to interface index ${index} failed`, errno };
        default:
          // EAGAIN (a full transmit queue), ENOBUFS, EPERM from an egress filter...
          return { code: 'ARP_ERR_SEND_FAILED', detail: 'sendto failed', errno };
      }
    },
    close() {
      if (open) c.close(fd);
      open = false;
    },
  };
}

function rawSocket(c: Libc): number | LinkFailure {
  const fd = c.socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (fd >= 0) return fd;
  const errno = errnoName(c.errno());
  const code = errno === 'EPERM' || errno === 'EACCES' ? 'ARP_ERR_PERMISSION' : errno === 'EAFNOSUPPORT' ? 'ARP_ERR_UNAVAILABLE' : 'ARP_ERR_SEND_FAILED';
  return { code, detail: 'socket(AF_PACKET, SOCK_RAW) failed', errno };
}

/**
 * setns(2) moves only the calling thread, and only for the one synchronous socket(2) below: no
 * JavaScript runs in between, and libuv's threads never move. The socket keeps the namespace.
 */
function socketInNamespace(c: Libc, netns: string): number | LinkFailure {
  const r = inNetworkNamespace(c, netns, () => rawSocket(c), errnoName);
  if (r.ok) return r.value;
  const f = r.failure;
  if (f.stage === 'open') return { code: 'ARP_ERR_NO_SUCH_NETNS', detail: `${f.path} cannot be opened`, errno: f.errno };
  const errno = errnoName(f.errno);
  return { code: errno === 'EPERM' ? 'ARP_ERR_PERMISSION' : 'ARP_ERR_NO_SUCH_NETNS', detail: `setns(${f.path}) failed`, errno };
}
