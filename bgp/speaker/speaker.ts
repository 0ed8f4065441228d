// The multi-peer speaker: one listener, many peers (iBGP and eBGP), one table of originated
// routes. Announcing, changing or withdrawing a route is one call; changes made in the same
// tick coalesce into one flush per peer, which sends only the difference. A peer with `bfd`
// gets a BFD session (bgp/bfd/) that takes its BGP session down within the detection time of a
// path failure (bfd-link.ts).
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { BfdManager, bfdPeerOptionsProblem, type BfdPeerSession } from '../bfd/manager.js';
import type { BfdDiagnostic, BfdState } from '../bfd/constants.js';
import type { BfdTransportError } from '../bfd/errors.js';
import type { BfdTransport } from '../bfd/transport.js';
import { type Clock, systemClock } from '../clock.js';
import { Afi, Safi, type LargeCommunity, type Prefix } from '../codec/index.js';
import { type Connector, PeerDriver } from '../session/driver.js';
import { type GracefulRestartOptions, type SessionOptions, sessionConfig } from '../session/config.js';
import { peerDeconfigured } from '../session/notifications.js';
import type { NegotiatedSession, SessionDownAction, SessionState } from '../session/types.js';
import { connect as transportConnect, listen as transportListen, type Listener, peerKey, ttlFor } from '../transport/index.js';
import { bfdOptionsFor, bfdStatus, linkBfd, type PeerBfdConfig, type PeerBfdStatus } from './bfd-link.js';
import { SpeakerError } from './errors.js';
import { SpeakerPeer, type PeerCounters } from './peer.js';
import { type Route, routeAttributeId } from './route.js';

export interface PeerConfig {
  address: string;
  /** 179 unless set. */
  port?: number;
  peerAs: number;
  /** RFC 2385 TCP MD5 password. */
  password?: string;
  /** eBGP multihop: the TTL to send with. */
  multihop?: number;
  /** GTSM (RFC 5082) with the peer this many hops away. */
  gtsmHops?: number;
  localAddress?: string;
  sourceInterface?: string;
  /** Never connect out; wait for the peer. */
  passive?: boolean;
  holdTime?: number;
  keepaliveTime?: number;
  connectRetryTime?: number;
  idleHoldTime?: number;
  nextHopIpv4?: string;
  nextHopIpv6?: string[];
  /** Families to negotiate; IPv4 and IPv6 unicast by default. */
  families?: Array<'ipv4' | 'ipv6'>;
  /** Most prefixes accepted from the peer per family (RFC 4486); 10,000 by default. */
  maxPrefixes?: number;
  /** Send IPv4 unicast in MP_REACH_NLRI rather than the classic NLRI field. */
  ipv4InMp?: boolean;
  /** Connection attempt timeout; 30 s by default. */
  connectTimeoutMs?: number;
  /** Communities added to every route sent to this peer. */
  communities?: number[];
  largeCommunities?: LargeCommunity[];
  /** BFD for this peer (RFC 5880/5881/5883); none when absent. */
  bfd?: PeerBfdConfig;
}

export interface SpeakerOptions {
  localAs: number;
  routerId: string;
  /** Where to accept peers' connections; no listener when absent. */
  listen?: { host: string; port: number };
  holdTime?: number;
  keepaliveTime?: number;
  connectRetryTime?: number;
  /** Graceful restart (RFC 4724); on with a 120 s restart time unless `false`. */
  gracefulRestart?: false | GracefulRestartOptions;
  /** Sent in the FQDN capability. */
  hostname?: string;
  clock?: Clock;
  /** Replaces the TCP transport (tests). */
  connector?: (peer: PeerConfig) => Connector;
  /** BFD's transport (UDP 3784/4784 unless replaced, in tests) and random source. */
  bfd?: { transport?: BfdTransport; random?: () => number };
}

export const DEFAULT_MAX_PREFIXES = 10_000;
export const DEFAULT_RESTART_TIME = 120;

export interface PeerStatus {
  address: string;
  port: number;
  peerAs: number;
  state: SessionState;
  uptimeSeconds?: number;
  prefixesSent: number;
  prefixesReceived: number;
  /** Routes changed but not yet sent (waiting for the session or for the socket to drain). */
  pendingChanges: number;
  /** Octets queued in our socket's user-space buffer (back-pressure). */
  sendQueueBytes: number;
  lastError?: string;
  negotiated?: NegotiatedSession;
  counters: PeerCounters;
  /** The peer's BFD session, when it has one. */
  bfd?: PeerBfdStatus;
}

export interface SpeakerEvents {
  peerState: [address: string, to: SessionState, from: SessionState];
  peerUp: [address: string, negotiated: NegotiatedSession];
  peerDown: [address: string, down: SessionDownAction];
  /** A connection from an address that is no configured peer, refused at once. */
  refused: [address: string];
  sent: [address: string, announced: number, withdrawn: number];
  problem: [address: string, message: string];
  connectError: [address: string, error: Error];
  /** A peer's BFD session changed state; `remoteAdminDown`: the peer turned its side off. */
  bfdState: [address: string, to: BfdState, from: BfdState, diagnostic: BfdDiagnostic, remoteAdminDown: boolean];
  /** A peer's BFD session cannot run (a port taken, no FFI); BGP runs on without it. */
  bfdError: [address: string, error: BfdTransportError];
}

function familiesOf(list: PeerConfig['families']): SessionOptions['families'] {
  const names = list ?? ['ipv4', 'ipv6'];
  return names.map((n) => ({ afi: n === 'ipv4' ? Afi.Ipv4 : Afi.Ipv6, safi: Safi.Unicast }));
}

export class BgpSpeaker extends EventEmitter<SpeakerEvents> {
  private readonly peers = new Map<string, { config: PeerConfig; peer: SpeakerPeer; bfd?: BfdPeerSession }>();
  private bfdManager: BfdManager | undefined;
  private readonly routes = new Map<string, Route>();
  private listener: Listener | undefined;
  private flushScheduled = false;
  private readonly clock: Clock;
  private running = false;

  constructor(private readonly options: SpeakerOptions) {
    super();
    this.clock = options.clock ?? systemClock;
  }

  /** Opens the listener (if any) and starts every peer. */
  async start(): Promise<void> {
    if (this.options.listen) {
      const md5 = new Map<string, string>();
      for (const { config } of this.peers.values()) if (config.password) md5.set(config.address, config.password);
      this.listener = await transportListen({ host: this.options.listen.host, port: this.options.listen.port, md5 });
      for (const { config } of this.peers.values()) this.listener.setPeerTtl(config.address, this.ttlPolicy(config));
      this.listener.on('connection', (socket, remote) => this.onInbound(socket, remote));
      this.listener.on('error', () => undefined);
    }
    this.running = true;
    for (const [key, entry] of this.peers) {
      this.startBfd(key, entry);
      entry.peer.driver.start();
    }
  }

  get listenAddress(): { address: string; port: number } | undefined {
    const a = this.listener?.address();
    return a ? { address: a.address, port: a.port } : undefined;
  }

  /** Adds a peer; started at once when the speaker runs. Throws on an invalid configuration. */
  addPeer(config: PeerConfig): void {
    const key = peerKey(config.address);
    if (this.peers.has(key)) throw new SpeakerError('BGP_SPEAKER_DUPLICATE_PEER', `peer ${config.address} is configured twice`);
    const gr = this.options.gracefulRestart;
    const sessionOptions: SessionOptions = {
      localAs: this.options.localAs,
      peerAs: config.peerAs,
      localBgpId: this.options.routerId,
      families: familiesOf(config.families),
    };
    const hold = config.holdTime ?? this.options.holdTime;
    if (hold !== undefined) sessionOptions.holdTime = hold;
    const keepalive = config.keepaliveTime ?? this.options.keepaliveTime;
    if (keepalive !== undefined) sessionOptions.keepaliveTime = keepalive;
    const retry = config.connectRetryTime ?? this.options.connectRetryTime;
    if (retry !== undefined) sessionOptions.connectRetryTime = retry;
    if (config.idleHoldTime !== undefined) sessionOptions.idleHoldTime = config.idleHoldTime;
    if (config.passive) sessionOptions.passive = true;
    if (this.options.hostname) sessionOptions.hostname = { hostname: this.options.hostname };
    if (gr !== false) {
      sessionOptions.gracefulRestart = {
        restartTime: gr?.restartTime ?? DEFAULT_RESTART_TIME,
        restarting: gr?.restarting ?? false,
        // Our VIPs stay on the interface across a restart: forwarding state is preserved.
        families: gr?.families ?? sessionOptions.families!.map((f) => ({ ...f, forwardingState: true })),
      };
    }
    const checked = sessionConfig(sessionOptions);
    if (!checked.ok) throw new SpeakerError('BGP_SPEAKER_INVALID_PEER', `peer ${config.address}: ${checked.error.message}`);
    const connector = this.options.connector?.(config) ?? this.tcpConnector(config);
    const driver = new PeerDriver({ config: checked.value, connect: connector, clock: this.clock });
    const peer = new SpeakerPeer(key, driver, {
      localAs: this.options.localAs,
      peerAs: config.peerAs,
      maxPrefixes: config.maxPrefixes ?? DEFAULT_MAX_PREFIXES,
      ...(config.nextHopIpv4 ? { nextHopIpv4: config.nextHopIpv4 } : {}),
      ...(config.nextHopIpv6 ? { nextHopIpv6: config.nextHopIpv6 } : {}),
      ...(config.ipv4InMp ? { ipv4InMp: true } : {}),
      ...(config.communities?.length ? { communities: config.communities } : {}),
      ...(config.largeCommunities?.length ? { largeCommunities: config.largeCommunities } : {}),
    }, () => this.clock.now(), this.routes);
    driver.on('state', (to, from) => this.emit('peerState', key, to, from));
    driver.on('established', (n) => this.emit('peerUp', key, n));
    driver.on('down', (d) => this.emit('peerDown', key, d));
    driver.on('connectError', (e) => this.emit('connectError', key, e));
    peer.on('sent', (a, w) => this.emit('sent', key, a, w));
    peer.on('problem', (m) => this.emit('problem', key, m));
    const bfdProblem = config.bfd && bfdPeerOptionsProblem(bfdOptionsFor(config.bfd, config));
    if (bfdProblem) throw new Error(`peer ${config.address}: BFD: ${bfdProblem}`);
    const entry = { config, peer };
    this.peers.set(key, entry);
    if (this.listener) {
      if (config.password) this.listener.setPeerPassword(config.address, config.password);
      this.listener.setPeerTtl(config.address, this.ttlPolicy(config));
    }
    if (this.running) {
      this.startBfd(key, entry);
      driver.start();
    }
  }

  /** The peer's BFD session, started with the speaker (so that its events have listeners). */
  private startBfd(key: string, entry: { config: PeerConfig; peer: SpeakerPeer; bfd?: BfdPeerSession }): void {
    if (!entry.config.bfd || entry.bfd) return;
    this.bfdManager ??= new BfdManager({ clock: this.clock, ...(this.options.bfd?.transport ? { transport: this.options.bfd.transport } : {}), ...(this.options.bfd?.random ? { random: this.options.bfd.random } : {}) });
    const session = this.bfdManager.add(entry.config.address, bfdOptionsFor(entry.config.bfd, entry.config));
    entry.bfd = session;
    session.driver.on('state', (to, from, diagnostic, remoteAdminDown) => this.emit('bfdState', key, to, from, diagnostic, remoteAdminDown));
    linkBfd(session, entry.peer.driver);
    if (session.transportError) this.emit('bfdError', key, session.transportError);
  }

  /** Removes a peer: Cease / Peer De-configured (RFC 4486), then forgets it. */
  async removePeer(address: string): Promise<void> {
    const key = peerKey(address);
    const entry = this.peers.get(key);
    if (!entry) return;
    this.peers.delete(key);
    if (this.listener && entry.config.password) this.listener.setPeerPassword(entry.config.address, undefined);
    await Promise.all([entry.peer.driver.stop({ notification: peerDeconfigured() }), this.bfdManager?.remove(entry.config.address)]);
  }

  peerConfigs(): PeerConfig[] {
    return [...this.peers.values()].map((e) => e.config);
  }

  /** Adds or changes a route at every peer; the same route again changes nothing. */
  announce(route: Route): void {
    const key = route.prefix.toString();
    const old = this.routes.get(key);
    if (old && (old === route || routeAttributeId(old) === routeAttributeId(route))) return;
    // The table is every peer's Adj-RIB-Out: change it first, then tell each peer what changed.
    this.routes.set(key, route);
    for (const { peer } of this.peers.values()) peer.rib.changed(key, old);
    this.scheduleFlush();
  }

  /** Withdraws a route from every peer. */
  withdraw(prefix: Prefix): void {
    const key = prefix.toString();
    const old = this.routes.get(key);
    if (!old) return;
    this.routes.delete(key);
    for (const { peer } of this.peers.values()) peer.rib.changed(key, old);
    this.scheduleFlush();
  }

  /** The originated routes, by prefix text. */
  get table(): ReadonlyMap<string, Route> {
    return this.routes;
  }

  /** How many peers were sent the route for this prefix (its text) in their current session, of how many. */
  advertisedTo(prefixText: string): { peers: number; of: number } {
    let peers = 0;
    for (const { peer } of this.peers.values()) if (peer.rib.isAdvertised(prefixText)) peers++;
    return { peers, of: this.peers.size };
  }

  status(): PeerStatus[] {
    return [...this.peers.values()].map(({ config, peer, bfd }) => {
      const s: PeerStatus = {
        address: peer.address,
        port: config.port ?? 179,
        peerAs: config.peerAs,
        state: peer.state,
        prefixesSent: peer.rib.advertisedCount,
        prefixesReceived: peer.receivedCount(),
        pendingChanges: peer.rib.pending,
        sendQueueBytes: peer.driver.sendQueueBytes,
        counters: peer.counters,
      };
      const up = peer.uptimeSeconds();
      if (up !== undefined) s.uptimeSeconds = up;
      if (peer.lastError) s.lastError = peer.lastError;
      if (peer.negotiated) s.negotiated = peer.negotiated;
      if (bfd) s.bfd = bfdStatus(bfd, peer.driver);
      return s;
    });
  }

  /**
   * Stops every peer. `graceful`: close without NOTIFICATION so that routers keep our routes as
   * stale while we restart (RFC 4724). Otherwise Cease / Administrative Shutdown with
   * `shutdownMessage` (RFC 9003), which makes every peer drop our routes at once.
   */
  async stop(options: { graceful?: boolean; shutdownMessage?: string } = {}): Promise<void> {
    this.running = false;
    // A server's close completes only once its accepted sockets are gone: stop the peers first.
    const listenerClosed = this.listener?.close() ?? Promise.resolve();
    this.listener = undefined;
    const peers = [...this.peers.values()].map((e) => e.peer);
    // BFD says AdminDown either way (RFC 5880 §6.8.16), which routers do not take for a failure:
    // a planned restart then keeps its graceful restart whatever the router's BFD settings.
    const bfdStopped = this.bfdManager?.stop() ?? Promise.resolve();
    this.bfdManager = undefined;
    for (const e of this.peers.values()) delete e.bfd;
    if (options.graceful) {
      for (const p of peers) p.driver.abort();
      await Promise.all([listenerClosed, bfdStopped]);
      return;
    }
    // No UPDATE withdraws the routes first: the Cease does. A peer drops every route of a session
    // that ends with a NOTIFICATION (RFC 4724 §4; we never offer RFC 8538's N bit, which would let
    // it keep them). 100,000 withdrawals would only queue the Cease behind 500 KB, and a socket
    // closed before that drained would leave the rest at the router as stale routes.
    this.routes.clear();
    const stop = options.shutdownMessage === undefined ? {} : { shutdownMessage: options.shutdownMessage };
    await Promise.all([...peers.map((p) => p.driver.stop(stop)), bfdStopped]);
    await listenerClosed;
  }

  /**
   * Sends every pending change now instead of at the end of the tick: the UPDATEs are in the
   * sockets' buffers when this returns (or wait for 'drain' under back-pressure).
   */
  flushNow(): void {
    for (const { peer } of this.peers.values()) peer.flush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      for (const { peer } of this.peers.values()) peer.flush();
    });
  }

  private onInbound(socket: Socket, remote: string): void {
    const entry = this.peers.get(remote);
    if (!entry) {
      // Not a configured peer: refused at once, without a word (RFC 4271 §8.2.1.1 leaves it to us).
      socket.destroy();
      this.emit('refused', remote);
      return;
    }
    entry.peer.driver.acceptInbound(socket);
  }

  private ttlPolicy(config: PeerConfig) {
    const settings: Parameters<typeof ttlFor>[0] = { ebgp: config.peerAs !== this.options.localAs };
    if (config.multihop !== undefined) settings.multihop = config.multihop;
    if (config.gtsmHops !== undefined) settings.gtsmHops = config.gtsmHops;
    return ttlFor(settings);
  }

  private tcpConnector(config: PeerConfig): Connector {
    const policy = this.ttlPolicy(config);
    // An attempt must give up before ConnectRetry (jittered down to 3/4 of it) abandons it, so
    // that its error, such as the MD5 hint on a timeout, reaches the session's last error.
    const retry = config.connectRetryTime ?? this.options.connectRetryTime ?? 120;
    const timeoutMs = Math.max(500, Math.min(config.connectTimeoutMs ?? 30_000, retry * 750 - 100));
    return (signal) =>
      transportConnect({
        host: config.address,
        port: config.port ?? 179,
        ttl: policy.ttl,
        ...(policy.minTtl !== undefined ? { minTtl: policy.minTtl } : {}),
        ...(config.localAddress ? { localAddress: config.localAddress } : {}),
        ...(config.sourceInterface ? { interface: config.sourceInterface } : {}),
        ...(config.password ? { md5Password: config.password } : {}),
        timeoutMs,
        signal,
        clock: this.clock,
      });
  }
}
