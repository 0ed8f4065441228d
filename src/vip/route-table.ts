// The kernel's local routing table for one interface's VIPs, over rtnetlink: our routes (by
// protocol) in one dump, and many changes with one send(2) per chunk. Requests go without
// NLM_F_ACK: the kernel answers only a refusal, so a chunk of 1,024 routes is one system call
// out and, when all goes well, one empty read back.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { AddressFamily } from './address.js';
import { VipError, errnoName, refusalError } from './errors.js';
import { NetlinkFlag, NetlinkMessageType, decodeAck, splitMessages, type KernelLink, type NetlinkAck } from './netlink-messages.js';
import { errorOf, lookUpLink, malformed, replies } from './netlink-requests.js';
import { openNetlinkSocket } from './netlink-socket.js';
import { RT_TABLE_LOCAL, RouteType, decodeRoute, encodeOwnedRouteDump, isOwnedLocalRoute, localRouteRequestLength, writeLocalRoute } from './route-messages.js';

/** A route's destination: an IPv4 address as an unsigned 32-bit number, or 4 or 16 octets. */
export type RouteDestination = number | Uint8Array;

/** One chunk's outcome: the requests from `start` to `end` (exclusive) were sent. */
export interface RouteChunk {
  readonly start: number;
  readonly end: number;
  /** The requests the kernel refused, by index into the whole list. */
  readonly refused: ReadonlyArray<{ readonly index: number; readonly ack: NetlinkAck }>;
  /** Some answers were dropped (ENOBUFS): silence in this chunk does not prove success. */
  readonly lost: boolean;
}

export interface AppliedRoutes {
  /** Requests sent, from the start: all of them unless `stoppedBy`. */
  readonly sent: number;
  /** The I/O error that stopped the run; what was sent before it stands. */
  readonly stoppedBy?: VipError;
}

/** What the route placer needs from the kernel; tests put a fake in its place. */
export interface LocalRouteTable {
  link(): Promise<KernelLink>;
  /** Our local routes on the interface (protocol, type local, table local): their destinations. */
  owned(ifindex: number, family: AddressFamily): Promise<RouteDestination[]>;
  /** How many `owned` would return, counted in place (no object per route). */
  countOwned(ifindex: number, family: AddressFamily): Promise<number>;
  /** Sends the requests in chunks; `onChunk` runs after each, before the event loop gets a turn. */
  apply(ifindex: number, kind: 'add' | 'remove', destinations: readonly RouteDestination[], onChunk: (chunk: RouteChunk) => void): Promise<AppliedRoutes>;
  close(): void;
}

export interface RouteTableOptions {
  readonly interface: string;
  /** rtm_protocol of our routes. */
  readonly protocol: number;
  readonly netns?: string;
  readonly receiveTimeoutMs?: number;
  /**
   * Requests per send(2). The refusals of a whole chunk must fit the socket's receive buffer
   * (4 MiB with CAP_NET_ADMIN, about a thousand octets of buffer each) and the datagram its send
   * buffer (net.core.wmem_default, 208 KiB: 4,096 IPv4 requests of 44 octets fit).
   */
  readonly chunkSize?: number;
}

const DEFAULT_CHUNK_SIZE = 1024;
const DUMP_ATTEMPTS = 3;

export function openLocalRouteTable(options: RouteTableOptions): LocalRouteTable {
  const socket = openNetlinkSocket({ interface: options.interface, netns: options.netns, receiveTimeoutMs: options.receiveTimeoutMs ?? 5000 });
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  let seq = 0;
  const nextSeq = () => (seq = (seq + 1) >>> 0);

  return {
    async link() {
      return lookUpLink(socket, nextSeq(), options.interface, options.netns);
    },

    async owned(ifindex, family) {
      for (let attempt = 1; ; attempt++) {
        const mySeq = nextSeq();
        socket.send(encodeOwnedRouteDump(mySeq, family, options.protocol, ifindex));
        const found: RouteDestination[] = [];
        let interrupted = false;
        for (const message of replies(socket, mySeq, options.interface)) {
          if (message.flags & NetlinkFlag.DumpInterrupted) interrupted = true;
          if (message.type === NetlinkMessageType.NewRoute) {
            const route = decodeRoute(message);
            if (!route) throw malformed(options.interface, 'RTM_NEWROUTE');
            // The kernel filtered already (strict checking); an older one may not have.
            const hostLength = family === AddressFamily.Inet ? 32 : 128;
            if (route.family !== family || route.table !== RT_TABLE_LOCAL || route.protocol !== options.protocol || route.type !== RouteType.Local) continue;
            if (route.oif !== ifindex || route.dstLength !== hostLength || !route.dst) continue;
            found.push(family === AddressFamily.Inet ? new DataView(route.dst.buffer, route.dst.byteOffset, 4).getUint32(0, false) : route.dst);
            continue;
          }
          const ack = errorOf(message, options.interface);
          if (ack.errno !== 0) throw refusalError({ errno: errnoName(ack.errno), kernelMessage: ack.kernelMessage }, { operation: 'list', interface: options.interface });
          if (message.type === NetlinkMessageType.Done) break;
        }
        if (!interrupted || attempt === DUMP_ATTEMPTS) return found;
      }
    },

    async countOwned(ifindex, family) {
      for (let attempt = 1; ; attempt++) {
        const mySeq = nextSeq();
        socket.send(encodeOwnedRouteDump(mySeq, family, options.protocol, ifindex));
        let count = 0;
        let interrupted = false;
        // Each message is read before the next datagram comes: no copy of the datagrams.
        for (const message of replies(socket, mySeq, options.interface, true)) {
          if (message.flags & NetlinkFlag.DumpInterrupted) interrupted = true;
          if (message.type === NetlinkMessageType.NewRoute) {
            if (isOwnedLocalRoute(message, family, options.protocol, ifindex)) count++;
            continue;
          }
          const ack = errorOf(message, options.interface);
          if (ack.errno !== 0) throw refusalError({ errno: errnoName(ack.errno), kernelMessage: ack.kernelMessage }, { operation: 'list', interface: options.interface });
          if (message.type === NetlinkMessageType.Done) break;
        }
        if (!interrupted || attempt === DUMP_ATTEMPTS) return count;
      }
    },

    async apply(ifindex, kind, destinations, onChunk) {
      socket.takeOverflow(); // what went before is not ours to count
      for (let start = 0; start < destinations.length; start += chunkSize) {
        const end = Math.min(destinations.length, start + chunkSize);
        const firstSeq = (seq + 1) >>> 0;
        let length = 0;
        for (let i = start; i < end; i++) length += localRouteRequestLength(typeof destinations[i] === 'number' || (destinations[i] as Uint8Array).length === 4 ? AddressFamily.Inet : AddressFamily.Inet6);
        const datagram = new Uint8Array(length);
        const view = new DataView(datagram.buffer);
        let offset = 0;
        for (let i = start; i < end; i++) offset = writeLocalRoute(view, offset, kind, { seq: nextSeq(), ifindex, dst: destinations[i]!, protocol: options.protocol });
        const refused: Array<{ index: number; ack: NetlinkAck }> = [];
        try {
          socket.send(datagram);
          // The kernel handled the whole chunk inside send(2): every refusal there is is queued.
          let answer: Uint8Array | undefined;
          while ((answer = socket.receive(true)) !== undefined) {
            for (const message of splitMessages(answer) ?? []) {
              if (message.type !== NetlinkMessageType.Error) continue;
              const index = start + ((message.seq - firstSeq) >>> 0);
              const ack = decodeAck(message);
              if (index < start || index >= end || !ack || ack.errno === 0) continue;
              refused.push({ index, ack });
            }
          }
        } catch (error) {
          if (!(error instanceof VipError)) throw error;
          return { sent: start, stoppedBy: error };
        }
        onChunk({ start, end, refused, lost: socket.takeOverflow() });
        if (end < destinations.length) await yieldToEventLoop();
      }
      return { sent: destinations.length };
    },

    close: () => socket.close(),
  };
}
