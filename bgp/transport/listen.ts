// The passive side: one listening socket for all peers. It is made through libc for the same
// reasons as connect(): the MD5 keys (RFC 2385) must be on the listener before a SYN arrives,
// since Linux verifies the SYN against the listener's keys and copies the matching key into the
// accepted socket; and a minimum TTL on the listener (RFC 5082) drops too-distant SYNs before
// any handshake. Node then takes the fd (`server.listen({ fd })`) and does the accepting.
import { EventEmitter } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { TransportError } from './errors.js';
import { SocketOption, SocketType, libc } from './libc.js';
import { bindToDevice, setIntOption, setMd5Password, setMinTtl, setTtl } from './options.js';
import { encodeSockaddr, endpoint, parseAddress, peerKey } from './sockaddr.js';
import { checkRange, type TtlPolicy } from './ttl.js';

export interface ListenOptions {
  /** Local IP literal: `0.0.0.0`, `::` (dual-stack: IPv4 peers arrive IPv4-mapped) or one address. */
  host: string;
  /** Usually 179; 0 lets the kernel choose (tests). */
  port: number;
  /** Peer address → RFC 2385 password. Peers without a key may still connect unsigned. */
  md5?: ReadonlyMap<string, string>;
  /** TTL for every accepted socket unless the peer has its own (setPeerTtl). */
  ttl?: number;
  /** Minimum TTL on the listener itself: SYNs from further away are dropped for all peers. */
  minTtl?: number;
  /** SO_BINDTODEVICE: accept only through this interface or VRF device. */
  interface?: string;
  backlog?: number;
}

export interface ListenerEvents {
  /** A peer connected; `remoteAddress` is in peerKey() form (IPv4-mapped shown as IPv4). */
  connection: [socket: Socket, remoteAddress: string];
  /** The listening socket failed, or options could not be set on an accepted socket (then dropped). */
  error: [error: TransportError | Error];
  close: [];
}

const DEFAULT_BACKLOG = 128;

export class Listener extends EventEmitter<ListenerEvents> {
  private readonly peerTtl = new Map<string, TtlPolicy>();
  private closed = false;

  /** Use listen(). */
  constructor(
    private readonly server: Server,
    private readonly fd: number,
    private readonly context: string,
  ) {
    super();
    server.on('connection', (socket) => this.accept(socket));
    server.on('error', (error) => this.emit('error', error));
    server.on('close', () => this.emit('close'));
  }

  /**
   * Installs, replaces or (with undefined) removes a peer's MD5 password on the running listener.
   * It applies to the next connection from that peer; established connections keep the key they
   * were accepted with.
   */
  setPeerPassword(address: string, password: string | undefined): void {
    this.ensureOpen();
    const peer = parseAddress(address, 'peer address', libc().ifNameToIndex);
    setMd5Password(this.fd, peer, password, `${this.context}: peer ${address}`);
  }

  /**
   * TTL and minimum TTL for connections accepted from this peer (eBGP TTL 1, GTSM...). They are
   * set once the handshake is done: the handshake itself is only bounded by the listener's
   * `minTtl`, after which a too-distant peer's segments are dropped and the session never opens.
   */
  setPeerTtl(address: string, policy: TtlPolicy | undefined): void {
    const key = peerKey(parseAddress(address, 'peer address', libc().ifNameToIndex).text);
    if (policy === undefined) {
      this.peerTtl.delete(key);
      return;
    }
    checkRange('TTL', policy.ttl, 1, 255);
    if (policy.minTtl !== undefined) checkRange('minimum TTL', policy.minTtl, 0, 255);
    this.peerTtl.set(key, policy);
  }

  address(): AddressInfo {
    return this.server.address() as AddressInfo;
  }

  /** Stops accepting. Accepted sockets belong to their sessions and stay open. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    const remote = socket.remoteAddress;
    if (remote === undefined) {
      socket.destroy(); // already gone
      return;
    }
    const key = peerKey(remote);
    const policy = this.peerTtl.get(key);
    try {
      if (policy) {
        const context = `${this.context}: connection from ${key}`;
        setTtl(socket, policy.ttl, context);
        if (policy.minTtl !== undefined) setMinTtl(socket, policy.minTtl, context);
      }
    } catch (error) {
      socket.destroy();
      this.emit('error', error as TransportError);
      return;
    }
    this.emit('connection', socket, key);
  }

  private ensureOpen(): void {
    if (this.closed) throw new TransportError('BGP_TRANSPORT_SOCKET_FAILED', `${this.context}: the listener is closed`);
  }
}

/** Opens the BGP listening socket with every configured peer's MD5 key already installed. */
export async function listen(options: ListenOptions): Promise<Listener> {
  const context = `listening on ${endpoint(options.host, options.port)}`;
  checkRange(`${context}: port`, options.port, 0, 65535);
  const backlog = options.backlog ?? DEFAULT_BACKLOG;
  checkRange(`${context}: backlog`, backlog, 1, 65535);
  const sys = libc();
  const local = parseAddress(options.host, 'listen address', sys.ifNameToIndex);
  // Parse every peer before making the socket, so that a typo leaks nothing.
  const keys = [...(options.md5 ?? [])].map(([address, password]) => ({
    peer: parseAddress(address, 'peer address', sys.ifNameToIndex),
    password,
  }));

  const opened = sys.socket(local.family, SocketType.Stream | SocketType.NonBlock | SocketType.CloseOnExec);
  if (!opened.ok) {
    throw new TransportError('BGP_TRANSPORT_SOCKET_FAILED', `${context}: socket() failed: ${opened.errno}`, { errno: opened.errno });
  }
  const fd = opened.value;
  try {
    // As Node does for its own listeners: a restart must not wait out old connections' TIME_WAIT.
    setIntOption(fd, SocketOption.SO_REUSEADDR, 1, context);
    if (options.interface !== undefined) bindToDevice(fd, options.interface, context);
    // Accepted sockets inherit the listener's TTL and minimum TTL (the kernel clones the socket).
    if (options.ttl !== undefined) setTtl(fd, options.ttl, context);
    if (options.minTtl !== undefined) setMinTtl(fd, options.minTtl, context);
    for (const { peer, password } of keys) setMd5Password(fd, peer, password, `${context}: peer ${peer.text}`);
    const bound = sys.bind(fd, encodeSockaddr(local, options.port, local.family));
    if (!bound.ok) {
      const hint = bound.errno === 'EADDRINUSE' ? ' (another process listens there)' : bound.errno === 'EACCES' ? ' (ports below 1024 need CAP_NET_BIND_SERVICE)' : '';
      throw new TransportError('BGP_TRANSPORT_BIND_FAILED', `${context}: bind failed: ${bound.errno}${hint}`, { errno: bound.errno });
    }
    const listening = sys.listen(fd, backlog);
    if (!listening.ok) {
      throw new TransportError('BGP_TRANSPORT_LISTEN_FAILED', `${context}: listen failed: ${listening.errno}`, { errno: listening.errno });
    }
  } catch (error) {
    sys.close(fd);
    throw error;
  }

  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ fd, backlog }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    // Node closes the fd itself only when its own listen() call failed; SO_DOMAIN answering
    // means the fd is still open and still ours.
    if (sys.getsockopt(fd, SocketOption.SO_DOMAIN, new Uint8Array(4)).ok) sys.close(fd);
    throw new TransportError('BGP_TRANSPORT_LISTEN_FAILED', `${context}: ${(error as Error).message}`, { cause: error });
  }
  return new Listener(server, fd, context);
}
