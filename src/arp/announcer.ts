// The announcer: tells a layer-2 segment that a VIP is now at this node's MAC. At takeover,
// announce() sends a burst; while the VIP is held, refresh() repeats a short round every so often
// for the neighbours that missed the burst or whose entry has aged out.
//
//   IPv4, each round: an ARP Announcement (Request form) and a gratuitous ARP Reply, because
//         stacks differ in which form they act on; Linux takes both. Default burst 3 rounds 200 ms
//         apart: failover wants the segment told at once, and RFC 826 sets no pace (RFC 5227's
//         2 s ANNOUNCE_INTERVAL belongs to its probe-then-announce sequence for a new address).
//   IPv6, each round: one unsolicited Neighbor Advertisement with Override set. Default burst
//         3 rounds 1 s apart: RFC 4861 §7.2.6 allows MAX_NEIGHBOR_ADVERTISEMENT (3) and says
//         they "MUST be separated by at least RetransTimer seconds" (RETRANS_TIMER, 1 s, §10).
//
// The caller has put the VIP on the interface before announcing it: the frames claim it for this
// MAC, and the node must then answer for it. No I/O happens until the first call; open() does it
// early, so that a missing CAP_NET_RAW or interface shows at start-up. Time comes in through the
// Clock so that tests control it.
import { type Clock, type TimerHandle, systemClock } from '../../bgp/index.js';
import { AddressFamily, isAddressProblem, parseVipAddress, type VipAddress } from '../vip/index.js';
import { ArpError, failureError, type FailureContext, type LinkFailure } from './errors.js';
import { EtherType, buildArpAnnouncement, buildGratuitousArpReply, buildUnsolicitedNeighborAdvertisement } from './frames.js';
import { isLinkFailure, openPacketSocket, type PacketSocket, type PacketSocketOptions } from './packet-socket.js';

export interface BurstShape {
  /** Rounds to send, 1 to MAX_BURST_COUNT. */
  readonly count: number;
  /** Time between two rounds, ms. */
  readonly intervalMs: number;
}

export const DEFAULT_IPV4_BURST: BurstShape = { count: 3, intervalMs: 200 };
/** RFC 4861 §7.2.6 and §10: MAX_NEIGHBOR_ADVERTISEMENT 3, RETRANS_TIMER 1,000 ms. */
export const DEFAULT_IPV6_BURST: BurstShape = { count: 3, intervalMs: 1_000 };
/** One round per refresh, every 30 s: well inside the usual ARP and NDP cache lifetimes. */
export const DEFAULT_REFRESH_INTERVAL_MS = 30_000;
export const MAX_BURST_COUNT = 100;
const MAX_INTERVAL_MS = 3_600_000;

export interface AnnouncerOptions {
  /** The interface that holds the VIPs and faces the segment: 'eth0', 'bond0', 'br0'... */
  readonly interface: string;
  /** Work inside this network namespace (a name under /run/netns, or a path): for tests and labs. */
  readonly netns?: string;
  /** The NA Router flag (RFC 4861 §4.4); clear by default, see frames.ts. */
  readonly router?: boolean;
  readonly clock?: Clock;
  /** The link side; a fake in unit tests. */
  readonly openSocket?: (options: PacketSocketOptions) => PacketSocket | LinkFailure;
}

/** Defaults by family: DEFAULT_IPV4_BURST, DEFAULT_IPV6_BURST. */
export interface AnnounceOptions {
  readonly count?: number;
  readonly intervalMs?: number;
}

export interface RefreshOptions extends AnnounceOptions {
  /** Rounds per refresh; 1 by default. */
  readonly count?: number;
  /** Time from the end of one refresh to the start of the next; DEFAULT_REFRESH_INTERVAL_MS. */
  readonly everyMs?: number;
  /** Each failed refresh; the refresh carries on, as a down link may come back. */
  readonly onError?: (error: ArpError) => void;
}

export interface Refresh {
  /** Cancels the refresh, also midway through a round; idempotent. */
  stop(): void;
  /** The error of the latest refresh; undefined while none has failed since the last success. */
  readonly lastError: ArpError | undefined;
}

export interface Announcer {
  readonly interface: string;
  /** Opens the socket and reads the interface now; throws the ArpError a first announce would. */
  open(): void;
  /** Sends the takeover burst; resolves once the last frame is out. */
  announce(vip: string, options?: AnnounceOptions): Promise<void>;
  /** Resends every `everyMs` until stop() or close(); the first resend comes after `everyMs`. */
  refresh(vip: string, options?: RefreshOptions): Refresh;
  /** Stops every refresh, ends bursts under way (they reject with ARP_ERR_CLOSED), closes the socket. */
  close(): void;
}

/** One burst under way: cancelled by close() or by its refresh's stop(), waking its sleep. */
interface Run {
  cancelled: boolean;
  wake?: () => void;
}

export function createAnnouncer(options: AnnouncerOptions): Announcer {
  const name = options.interface;
  const context: FailureContext = { interface: name, netns: options.netns };
  const clock = options.clock ?? systemClock;
  const openSocket = options.openSocket ?? openPacketSocket;
  // IFNAMSIZ is 16 with the NUL; dev_valid_name() refuses '/', ':' and white space, '.' and '..'.
  if (!/^[^/:\s]{1,15}$/.test(name) || name === '.' || name === '..' || Buffer.byteLength(name) > 15) {
    throw new ArpError('ARP_ERR_INVALID_OPTION', `"${name}" is not a Linux interface name (1 to 15 octets, no '/', ':' or white space)`, context);
  }

  let socket: PacketSocket | undefined;
  let closed = false;
  const runs = new Set<Run>();
  const refreshes = new Set<() => void>();

  const closedError = (vip?: string) =>
    new ArpError('ARP_ERR_CLOSED', `cannot announce ${vip ?? 'anything'} on ${name}: the announcer is closed`, { ...context, vip });

  function parse(vip: string): VipAddress {
    const address = parseVipAddress(vip);
    if (isAddressProblem(address)) {
      throw new ArpError('ARP_ERR_INVALID_ADDRESS', `cannot announce ${vip} on ${name}: ${address.reason}`, { ...context, vip });
    }
    return address;
  }

  function shapeOf(address: VipAddress, given: AnnounceOptions): BurstShape {
    const defaults = address.family === AddressFamily.Inet ? DEFAULT_IPV4_BURST : DEFAULT_IPV6_BURST;
    const shape = { count: given.count ?? defaults.count, intervalMs: given.intervalMs ?? defaults.intervalMs };
    const invalid = (why: string) => new ArpError('ARP_ERR_INVALID_OPTION', `cannot announce ${literal(address)} on ${name}: ${why}`, { ...context, vip: literal(address) });
    if (!Number.isInteger(shape.count) || shape.count < 1 || shape.count > MAX_BURST_COUNT) throw invalid(`a burst is 1 to ${MAX_BURST_COUNT} rounds, not ${shape.count}`);
    if (!Number.isFinite(shape.intervalMs) || shape.intervalMs < 0 || shape.intervalMs > MAX_INTERVAL_MS) throw invalid(`the interval is 0 to ${MAX_INTERVAL_MS} ms, not ${shape.intervalMs}`);
    return shape;
  }

  function linkSocket(vip?: string): PacketSocket {
    if (closed) throw closedError(vip);
    if (socket) return socket;
    const opened = openSocket({ interface: name, netns: options.netns });
    if (isLinkFailure(opened)) throw failureError(opened, { ...context, vip });
    socket = opened;
    return socket;
  }

  function sleep(ms: number, run: Run): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        run.wake = undefined;
        resolve();
      };
      const handle = clock.after(ms, done);
      run.wake = () => {
        handle.cancel();
        done();
      };
    });
  }

  function cancel(run: Run | undefined): void {
    if (!run) return;
    run.cancelled = true;
    run.wake?.();
  }

  /** One round: the frames for `address` from the interface's MAC as it is now. */
  function sendRound(address: VipAddress): void {
    const vip = literal(address);
    const s = linkSocket(vip);
    const link = s.link();
    if (isLinkFailure(link)) throw failureError(link, { ...context, vip });
    const frames: Array<[Uint8Array, EtherType]> =
      address.family === AddressFamily.Inet
        ? [
            [buildArpAnnouncement(link.mac, address.bytes), EtherType.Arp],
            [buildGratuitousArpReply(link.mac, address.bytes), EtherType.Arp],
          ]
        : [[buildUnsolicitedNeighborAdvertisement({ mac: link.mac, target: address.bytes, router: options.router }), EtherType.Ipv6]];
    for (const [frame, etherType] of frames) {
      const failure = s.send(frame, etherType, link.index);
      if (failure) throw failureError(failure, { ...context, vip });
    }
  }

  /** Sends `shape.count` rounds; returns early, without error, once `run` is cancelled. */
  async function burst(address: VipAddress, shape: BurstShape, run: Run): Promise<void> {
    runs.add(run);
    try {
      for (let round = 0; round < shape.count; round++) {
        if (round > 0) await sleep(shape.intervalMs, run);
        if (run.cancelled) return;
        sendRound(address);
      }
    } finally {
      runs.delete(run);
    }
  }

  return {
    interface: name,

    open() {
      const s = linkSocket();
      const link = s.link();
      if (isLinkFailure(link)) throw failureError(link, context);
    },

    async announce(vip, given = {}) {
      const address = parse(vip);
      const shape = shapeOf(address, given);
      if (closed) throw closedError(literal(address));
      const run: Run = { cancelled: false };
      await burst(address, shape, run);
      if (run.cancelled) throw closedError(literal(address));
    },

    refresh(vip, given = {}) {
      const address = parse(vip);
      const shape = shapeOf(address, { count: given.count ?? 1, intervalMs: given.intervalMs });
      const everyMs = given.everyMs ?? DEFAULT_REFRESH_INTERVAL_MS;
      if (!Number.isFinite(everyMs) || everyMs <= 0 || everyMs > MAX_INTERVAL_MS) {
        throw new ArpError('ARP_ERR_INVALID_OPTION', `cannot refresh ${literal(address)} on ${name}: every 1 to ${MAX_INTERVAL_MS} ms, not ${everyMs}`, { ...context, vip: literal(address) });
      }
      if (closed) throw closedError(literal(address));

      let stopped = false;
      let timer: TimerHandle | undefined;
      let current: Run | undefined;
      const handle: { stop(): void; lastError: ArpError | undefined } = { stop, lastError: undefined };
      const tick = async () => {
        timer = undefined;
        current = { cancelled: false };
        try {
          await burst(address, shape, current);
          handle.lastError = undefined;
        } catch (error) {
          if (!(error instanceof ArpError)) throw error; // e.g. the main thread stuck in another namespace
          if (error.code === 'ARP_ERR_CLOSED') return;
          handle.lastError = error;
          given.onError?.(error);
        } finally {
          current = undefined;
        }
        if (!stopped && !closed) timer = clock.after(everyMs, () => void tick());
      };
      function stop(): void {
        if (stopped) return;
        stopped = true;
        refreshes.delete(stop);
        timer?.cancel();
        cancel(current);
      }
      refreshes.add(stop);
      timer = clock.after(everyMs, () => void tick());
      return handle;
    },

    close() {
      if (closed) return;
      closed = true;
      for (const stop of [...refreshes]) stop();
      for (const run of [...runs]) cancel(run);
      socket?.close();
      socket = undefined;
    },
  };
}

/** '192.0.2.50' for '192.0.2.50/32': how the VIP is named in messages. */
function literal(address: VipAddress): string {
  return address.text.slice(0, address.text.indexOf('/'));
}
