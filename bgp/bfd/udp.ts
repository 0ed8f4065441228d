// BFD over UDP: the sockets of RFC 5881 (single hop: UDP 3784, TTL 255 out, only TTL 255 in)
// and RFC 5883 (multihop: UDP 4784, a minimum TTL per peer). Each socket is made through libc
// (bgp/transport/libc.ts, koffi) so that its TTL, its receive filter and its address are set
// before the first datagram, then handed to Node's `dgram` (bind({ fd })) for reading and
// writing. The received-TTL check is a kernel socket filter (filter.ts), because `dgram` never
// passes IP_RECVTTL ancillary data up: a datagram with the wrong TTL is dropped by the kernel.
//
// One receive socket per port and address family, shared by all sessions; one send socket per
// session, bound to a random source port in 49152–65535 (RFC 5881 §4), which also drops
// whatever arrives on it.
import { createSocket, type Socket } from 'node:dgram';
import { AddressFamily, SocketOption, SocketType, libc, type Libc, type SocketOptionId } from '../transport/libc.js';
import { encodeSockaddr, parseAddress, peerKey, type IpAddress } from '../transport/sockaddr.js';
import { BFD_MULTIHOP_PORT, BFD_SINGLE_HOP_PORT, BFD_SOURCE_PORT_MAX, BFD_SOURCE_PORT_MIN, BFD_TTL } from './constants.js';
import { BfdTransportError } from './errors.js';
import { dropAllFilter, singleHopFilter, ttlFilterProgram, type BpfInstruction, type PeerTtlRule } from './filter.js';
import type { BfdEndpointSpec, BfdPacketHandler, BfdPath, BfdTransport } from './transport.js';

export interface UdpBfdTransportOptions {
  /** Ports this system listens on; RFC 5881/5883's unless set (tests run two systems on one host). */
  listenPorts?: { singleHop: number; multihop: number };
  /** Ports the peers listen on. */
  peerPorts?: { singleHop: number; multihop: number };
  /** Where the receive sockets bind; any address unless set. */
  listenAddresses?: { ipv4?: string; ipv6?: string };
  /** Random numbers in [0, 1) for the source ports. */
  random?: () => number;
}

const IO_FLAGS = SocketType.NonBlock | SocketType.CloseOnExec;
/** Source ports tried before giving up: a few sessions in 16,384 ports rarely collide twice. */
const SOURCE_PORT_ATTEMPTS = 32;
const SOURCE_PORT_COUNT = BFD_SOURCE_PORT_MAX - BFD_SOURCE_PORT_MIN + 1;

type FamilyName = 'ipv4' | 'ipv6';

interface Receiver {
  socket: Socket;
  fd: number;
  family: FamilyName;
  multihop: boolean;
}

export class UdpBfdTransport implements BfdTransport {
  private readonly receivers = new Map<string, Receiver>();
  /** Per family, the multihop peers' minimum TTLs, with a count of the sessions using each. */
  private readonly multihopRules = new Map<FamilyName, Map<string, PeerTtlRule & { users: number }>>();
  private readonly paths = new Set<Socket>();
  private handler: BfdPacketHandler = () => undefined;
  private readonly listenPorts: { singleHop: number; multihop: number };
  private readonly peerPorts: { singleHop: number; multihop: number };
  private readonly random: () => number;

  constructor(private readonly options: UdpBfdTransportOptions = {}) {
    this.listenPorts = options.listenPorts ?? { singleHop: BFD_SINGLE_HOP_PORT, multihop: BFD_MULTIHOP_PORT };
    this.peerPorts = options.peerPorts ?? { singleHop: BFD_SINGLE_HOP_PORT, multihop: BFD_MULTIHOP_PORT };
    this.random = options.random ?? Math.random;
  }

  onPacket(handler: BfdPacketHandler): void {
    this.handler = handler;
  }

  open(spec: BfdEndpointSpec): BfdPath {
    const sys = system();
    const peer = address(spec.peer, 'peer address', sys);
    const family: FamilyName = peer.family === AddressFamily.Inet ? 'ipv4' : 'ipv6';
    const context = `BFD ${spec.multihop ? 'multihop' : 'single-hop'} session with ${spec.peer}`;
    this.receiver(family, spec.multihop, context);
    if (spec.multihop) this.addRule(family, peer, spec.minTtl, context);
    let sender: { socket: Socket; port: number };
    try {
      sender = this.sender(peer, spec, context);
    } catch (error) {
      if (spec.multihop) this.removeRule(family, peer);
      throw error;
    }
    const port = spec.multihop ? this.peerPorts.multihop : this.peerPorts.singleHop;
    const host = peerKey(spec.peer);
    let open = true;
    this.paths.add(sender.socket);
    return {
      localPort: sender.port,
      // Send errors (no route while a link is down) are the loss BFD exists to detect: dropped.
      send: (packet) => {
        if (open) sender.socket.send(packet, port, host, () => undefined);
      },
      close: () => {
        if (!open) return;
        open = false;
        this.paths.delete(sender.socket);
        sender.socket.close();
        if (spec.multihop) this.removeRule(family, peer);
      },
    };
  }

  async close(): Promise<void> {
    const sockets = [...this.paths, ...[...this.receivers.values()].map((r) => r.socket)];
    this.paths.clear();
    this.receivers.clear();
    await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  /** The shared receive socket of a port and family, made on first use. */
  private receiver(family: FamilyName, multihop: boolean, context: string): Receiver {
    const key = `${family}/${multihop ? 'multihop' : 'single-hop'}`;
    const existing = this.receivers.get(key);
    if (existing) return existing;
    const sys = system();
    const port = multihop ? this.listenPorts.multihop : this.listenPorts.singleHop;
    const bindText = (family === 'ipv4' ? this.options.listenAddresses?.ipv4 : this.options.listenAddresses?.ipv6) ?? (family === 'ipv4' ? '0.0.0.0' : '::');
    const local = address(bindText, 'BFD listen address', sys);
    // Multihop sockets start by dropping everything; each session's peer opens its own rule.
    const filter = multihop ? ttlFilterProgram({ family, peers: [] }) : singleHopFilter(family);
    const fd = datagramSocket(sys, local.family, filter, context);
    try {
      if (local.family === AddressFamily.Inet6) setInt(sys, fd, SocketOption.IPV6_V6ONLY, 1, context);
      bindOrThrow(sys, fd, local, port, context, `UDP port ${port} is taken: is another BFD daemon (FRR's bfdd, BIRD) running on this host?`);
    } catch (error) {
      sys.close(fd);
      throw error;
    }
    const socket = createSocket({ type: family === 'ipv4' ? 'udp4' : 'udp6' });
    socket.on('message', (payload, remote) => this.handler(payload, peerKey(remote.address), multihop));
    socket.on('error', () => undefined);
    socket.bind({ fd });
    const receiver = { socket, fd, family, multihop };
    this.receivers.set(key, receiver);
    return receiver;
  }

  /** A session's send socket: TTL 255, a random source port of RFC 5881 §4, nothing received. */
  private sender(peer: IpAddress, spec: BfdEndpointSpec, context: string): { socket: Socket; port: number } {
    const sys = system();
    const localText = spec.localAddress ?? (peer.family === AddressFamily.Inet ? '0.0.0.0' : '::');
    const local = address(localText, 'BFD source address', sys);
    if (local.family !== peer.family) throw new BfdTransportError('BFD_ERR_BIND_FAILED', `${context}: source address ${localText} and the peer are of different address families`);
    const fd = datagramSocket(sys, peer.family, dropAllFilter(), context);
    try {
      if (spec.interface !== undefined) bindToInterface(sys, fd, spec.interface, context);
      for (let attempt = 0; ; attempt++) {
        const port = BFD_SOURCE_PORT_MIN + Math.floor(this.random() * SOURCE_PORT_COUNT);
        const bound = sys.bind(fd, encodeSockaddr(local, port, peer.family));
        if (bound.ok) {
          const socket = createSocket({ type: peer.family === AddressFamily.Inet ? 'udp4' : 'udp6' });
          socket.on('error', () => undefined);
          socket.bind({ fd });
          return { socket, port };
        }
        if (bound.errno !== 'EADDRINUSE' || attempt + 1 >= SOURCE_PORT_ATTEMPTS) {
          const why = bound.errno === 'EADDRNOTAVAIL' ? ` (${localText} is not an address of this host)` : '';
          throw new BfdTransportError('BFD_ERR_BIND_FAILED', `${context}: cannot bind a source port in ${BFD_SOURCE_PORT_MIN}-${BFD_SOURCE_PORT_MAX} on ${localText}: ${bound.errno}${why}`, bound.errno);
        }
      }
    } catch (error) {
      sys.close(fd);
      throw error;
    }
  }

  private addRule(family: FamilyName, peer: IpAddress, minTtl: number, context: string): void {
    if (!Number.isInteger(minTtl) || minTtl < 1 || minTtl > BFD_TTL) throw new BfdTransportError('BFD_ERR_INVALID_OPTION', `${context}: the minimum TTL must be 1 to 255, got ${minTtl}`);
    let rules = this.multihopRules.get(family);
    if (!rules) this.multihopRules.set(family, (rules = new Map()));
    const key = peerKey(peer.text);
    const rule = rules.get(key);
    if (rule) {
      rule.users++;
      rule.minTtl = Math.max(rule.minTtl, minTtl);
    } else {
      rules.set(key, { address: peer.bytes, minTtl, users: 1 });
    }
    this.refilter(family, context);
  }

  private removeRule(family: FamilyName, peer: IpAddress): void {
    const rules = this.multihopRules.get(family);
    const key = peerKey(peer.text);
    const rule = rules?.get(key);
    if (!rules || !rule) return;
    if (--rule.users === 0) rules.delete(key);
    try {
      this.refilter(family, 'BFD multihop filter');
    } catch {
      // The socket is closing or gone; nothing left to protect.
    }
  }

  /** SO_ATTACH_FILTER replaces the multihop socket's program atomically. */
  private refilter(family: FamilyName, context: string): void {
    const receiver = this.receivers.get(`${family}/multihop`);
    if (!receiver) return;
    const peers = [...(this.multihopRules.get(family)?.values() ?? [])].map(({ address: bytes, minTtl }) => ({ address: bytes, minTtl }));
    attach(system(), receiver.fd, ttlFilterProgram({ family, peers }), context);
  }
}

function system(): Libc {
  try {
    return libc();
  } catch (error) {
    throw new BfdTransportError('BFD_ERR_UNAVAILABLE', `BFD needs Linux socket calls through koffi: ${(error as Error).message}`);
  }
}

function address(text: string, what: string, sys: Libc): IpAddress {
  try {
    return parseAddress(text, what, sys.ifNameToIndex);
  } catch (error) {
    throw new BfdTransportError('BFD_ERR_INVALID_OPTION', (error as Error).message);
  }
}

/** socket(2) with the TTL and the filter in place before anything can arrive or leave. */
function datagramSocket(sys: Libc, family: AddressFamily, filter: BpfInstruction[], context: string): number {
  const made = sys.socket(family, SocketType.Datagram | IO_FLAGS);
  if (!made.ok) throw new BfdTransportError('BFD_ERR_SOCKET', `${context}: socket() failed: ${made.errno}`, made.errno);
  const fd = made.value;
  try {
    attach(sys, fd, filter, context);
    setInt(sys, fd, family === AddressFamily.Inet ? SocketOption.IP_TTL : SocketOption.IPV6_UNICAST_HOPS, BFD_TTL, context);
  } catch (error) {
    sys.close(fd);
    throw error;
  }
  return fd;
}

function attach(sys: Libc, fd: number, program: BpfInstruction[], context: string): void {
  const result = sys.attachFilter(fd, program);
  if (!result.ok) throw new BfdTransportError('BFD_ERR_SOCKET', `${context}: setsockopt SO_ATTACH_FILTER failed: ${result.errno}`, result.errno);
}

function setInt(sys: Libc, fd: number, option: SocketOptionId, value: number, context: string): void {
  const result = sys.setsockopt(fd, option, new Uint8Array(Int32Array.of(value).buffer));
  if (!result.ok) throw new BfdTransportError('BFD_ERR_SOCKET', `${context}: setsockopt ${option.label} failed: ${result.errno}`, result.errno);
}

function bindToInterface(sys: Libc, fd: number, name: string, context: string): void {
  if (sys.ifNameToIndex(name) === 0) throw new BfdTransportError('BFD_ERR_INVALID_OPTION', `${context}: there is no network interface named "${name}"`);
  const result = sys.setsockopt(fd, SocketOption.SO_BINDTODEVICE, new TextEncoder().encode(`${name}\0`));
  if (!result.ok) throw new BfdTransportError('BFD_ERR_SOCKET', `${context}: setsockopt SO_BINDTODEVICE "${name}" failed: ${result.errno}`, result.errno);
}

function bindOrThrow(sys: Libc, fd: number, local: IpAddress, port: number, context: string, inUse: string): void {
  const result = sys.bind(fd, encodeSockaddr(local, port, local.family));
  if (result.ok) return;
  const why = result.errno === 'EADDRINUSE' ? `: ${inUse}` : result.errno === 'EADDRNOTAVAIL' ? `: ${local.text} is not an address of this host` : '';
  throw new BfdTransportError('BFD_ERR_BIND_FAILED', `${context}: cannot bind ${local.text} port ${port}: ${result.errno}${why}`, result.errno);
}
