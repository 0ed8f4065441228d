// All the BFD sessions of one system: one per peer address, each with a unique discriminator,
// sharing one transport. Received packets are decoded here and handed to their session by Your
// Discriminator, or, while the peer does not know ours yet (Your Discriminator 0), by source
// address and hop mode (RFC 5881 §3, RFC 5883 §3).
import { EventEmitter } from 'node:events';
import { type Clock, systemClock } from '../clock.js';
import { peerKey } from '../transport/sockaddr.js';
import { authConfigProblem, type BfdAuthConfig } from './auth.js';
import { BFD_MAX_INTERVAL_US, BFD_TTL, MICROSECONDS_PER_MILLISECOND } from './constants.js';
import { DiscriminatorPool } from './discriminators.js';
import { BfdSessionDriver } from './driver.js';
import { bfdError, BfdTransportError, type BfdError } from './errors.js';
import { decodeControlPacket } from './packet.js';
import type { BfdPath, BfdTransport } from './transport.js';
import { UdpBfdTransport } from './udp.js';

export interface BfdPeerOptions {
  /** bfd.DesiredMinTxInterval once Up, in milliseconds (kube-vip's 300 by default). */
  desiredMinTxMs: number;
  /** bfd.RequiredMinRxInterval, in milliseconds. */
  requiredMinRxMs: number;
  /** bfd.DetectMult, 1..255. */
  detectMult: number;
  /** Wait for the peer's first packet (RFC 5880 §6.1). */
  passive?: boolean;
  /** RFC 5883 rather than RFC 5881. */
  multihop?: boolean;
  /** Multihop: the lowest TTL accepted from the peer (255 − hops + 1); 1 accepts any. */
  minTtl?: number;
  localAddress?: string;
  interface?: string;
  auth?: BfdAuthConfig;
  /**
   * The C bit. False unless set: a BFD that runs in the same process as the control plane shares
   * its fate (RFC 5882 §4.3), and saying otherwise would make routers abandon graceful restart.
   */
  controlPlaneIndependent?: boolean;
}

export interface BfdManagerOptions {
  transport?: BfdTransport;
  clock?: Clock;
  /** Random numbers in [0, 1): discriminators, jitter, source ports' order is the transport's. */
  random?: () => number;
}

/** One peer's session as the manager keeps it. */
export interface BfdPeerSession {
  readonly address: string;
  readonly multihop: boolean;
  readonly driver: BfdSessionDriver;
  /** Set when the transport could not open the session's sockets: it never sends then. */
  readonly transportError?: BfdTransportError;
}

interface Entry extends BfdPeerSession {
  path: BfdPath | undefined;
}

export interface BfdManagerEvents {
  /** A datagram dropped before reaching a session: it did not decode, or names no session. */
  discard: [error: BfdError, from: string];
}

export class BfdManager extends EventEmitter<BfdManagerEvents> {
  private readonly sessions = new Map<string, Entry>();
  private readonly byDiscriminator = new Map<number, Entry>();
  private readonly pool: DiscriminatorPool;
  private readonly transport: BfdTransport;
  private readonly clock: Clock;
  private readonly random: () => number;
  /** Datagrams dropped before reaching a session, by BfdErrorCode. */
  readonly discarded: Record<string, number> = {};

  constructor(options: BfdManagerOptions = {}) {
    super();
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.pool = new DiscriminatorPool(this.random);
    this.transport = options.transport ?? new UdpBfdTransport({ random: this.random });
    this.transport.onPacket((payload, from, multihop) => this.onPacket(payload, from, multihop));
  }

  /**
   * Adds and starts the session with `address`. Throws BFD_ERR_INVALID_OPTION on options out of
   * range; a transport that cannot open (a port taken) leaves the session Down with
   * `transportError` set, so that BGP runs on without it.
   */
  add(address: string, options: BfdPeerOptions): BfdPeerSession {
    const key = peerKey(address);
    if (this.sessions.has(key)) throw new BfdTransportError('BFD_ERR_INVALID_OPTION', `a BFD session with ${address} exists already`);
    const problem = bfdPeerOptionsProblem(options);
    if (problem) throw new BfdTransportError('BFD_ERR_INVALID_OPTION', `BFD with ${address}: ${problem}`);
    const multihop = options.multihop ?? false;
    let path: BfdPath | undefined;
    let transportError: BfdTransportError | undefined;
    try {
      path = this.transport.open({
        peer: address,
        multihop,
        minTtl: multihop ? (options.minTtl ?? 1) : BFD_TTL,
        ...(options.localAddress !== undefined ? { localAddress: options.localAddress } : {}),
        ...(options.interface !== undefined ? { interface: options.interface } : {}),
      });
    } catch (error) {
      transportError = error instanceof BfdTransportError ? error : new BfdTransportError('BFD_ERR_SOCKET', (error as Error).message);
    }
    const localDiscriminator = this.pool.allocate();
    const driver = new BfdSessionDriver({
      config: {
        localDiscriminator,
        desiredMinTxUs: options.desiredMinTxMs * MICROSECONDS_PER_MILLISECOND,
        requiredMinRxUs: options.requiredMinRxMs * MICROSECONDS_PER_MILLISECOND,
        detectMult: options.detectMult,
        passive: options.passive ?? false,
        controlPlaneIndependent: options.controlPlaneIndependent ?? false,
        ...(options.auth ? { auth: options.auth } : {}),
      },
      sender: { send: (packet) => path?.send(packet) },
      clock: this.clock,
      random: this.random,
    });
    const entry: Entry = { address: key, multihop, driver, path, ...(transportError ? { transportError } : {}) };
    this.sessions.set(key, entry);
    this.byDiscriminator.set(localDiscriminator, entry);
    if (!transportError) driver.start();
    return entry;
  }

  get(address: string): BfdPeerSession | undefined {
    return this.sessions.get(peerKey(address));
  }

  /** AdminDown to the peer for its Detection Time (bounded), then the session is gone. */
  async remove(address: string): Promise<void> {
    const entry = this.sessions.get(peerKey(address));
    if (!entry) return;
    this.sessions.delete(entry.address);
    await entry.driver.stop();
    this.forget(entry);
  }

  /** Removes every session (AdminDown to each, at once) and closes the transport. */
  async stop(): Promise<void> {
    const entries = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(entries.map(async (e) => {
      await e.driver.stop();
      this.forget(e);
    }));
    await this.transport.close();
  }

  private forget(entry: Entry): void {
    entry.path?.close();
    const discriminator = entry.driver.snapshot.config.localDiscriminator;
    this.byDiscriminator.delete(discriminator);
    this.pool.release(discriminator);
  }

  private onPacket(payload: Buffer, from: string, multihop: boolean): void {
    const decoded = decodeControlPacket(payload);
    if (!decoded.ok) return this.drop(decoded.error, from);
    const packet = decoded.value;
    const entry = packet.yourDiscriminator !== 0 ? this.byDiscriminator.get(packet.yourDiscriminator) : this.sessions.get(from);
    if (!entry || entry.address !== from || entry.multihop !== multihop) {
      const which = packet.yourDiscriminator !== 0 ? `Your Discriminator ${packet.yourDiscriminator}` : 'a packet without Your Discriminator';
      return this.drop(bfdError('BFD_ERR_NO_SESSION', `${which} from ${from} (${multihop ? 'multihop' : 'single hop'}) matches no BFD session`), from);
    }
    entry.driver.receive(payload, packet);
  }

  private drop(error: BfdError, from: string): void {
    this.discarded[error.code] = (this.discarded[error.code] ?? 0) + 1;
    this.emit('discard', error, from);
  }
}

/** The options' ranges: intervals are 32-bit microseconds on the wire, Detect Mult one octet. */
export function bfdPeerOptionsProblem(o: BfdPeerOptions): string | undefined {
  const interval = (name: string, value: number, min: number) => {
    const us = value * MICROSECONDS_PER_MILLISECOND;
    if (!Number.isInteger(us) || us < min || us > BFD_MAX_INTERVAL_US) return `${name} must be ${min / MICROSECONDS_PER_MILLISECOND} to ${BFD_MAX_INTERVAL_US / MICROSECONDS_PER_MILLISECOND} ms in whole microseconds, got ${value}`;
    return undefined;
  };
  // RFC 5880 §4.1: a Desired Min TX Interval of 0 is reserved.
  const tx = interval('the transmit interval', o.desiredMinTxMs, 1);
  if (tx) return tx;
  const rx = interval('the receive interval', o.requiredMinRxMs, 0);
  if (rx) return rx;
  if (!Number.isInteger(o.detectMult) || o.detectMult < 1 || o.detectMult > 255) return `the detection multiplier must be 1 to 255, got ${o.detectMult}`;
  if (o.minTtl !== undefined && (!Number.isInteger(o.minTtl) || o.minTtl < 1 || o.minTtl > BFD_TTL)) return `the minimum TTL must be 1 to 255, got ${o.minTtl}`;
  if (o.auth) return authConfigProblem(o.auth);
  return undefined;
}
