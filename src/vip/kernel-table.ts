// The kernel's address table for one interface, over rtnetlink: look the link up, dump its
// addresses, and apply many changes with one send(2) per chunk and one ACK per change, so that
// 5,000 VIPs cost a few dozen system calls on the way in and each address gets its own answer.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { VipAddress } from './address.js';
import { VipError, errnoName, refusalError, type VipOperation } from './errors.js';
import {
  NetlinkFlag,
  NetlinkMessageType,
  decodeAck,
  decodeAddress,
  encodeAddressDump,
  encodeDeleteAddress,
  encodeNewAddress,
  splitMessages,
  type KernelAddress,
  type KernelLink,
  type NetlinkAck,
} from './netlink-messages.js';
import { errorOf, lookUpLink, malformed, replies } from './netlink-requests.js';
import { openNetlinkSocket } from './netlink-socket.js';

export interface AddressChange {
  readonly kind: 'add' | 'remove';
  readonly address: VipAddress;
  /** What the kernel is asked for: the placed length on add, the length the kernel shows on remove. */
  readonly prefixLength: number;
}

/** What the manager needs from the kernel; tests put a fake in its place. */
export interface AddressTable {
  /** The interface by name; VIP_ERR_NO_SUCH_INTERFACE when absent. */
  link(): Promise<KernelLink>;
  /** Every address on the interface, both families, as one consistent dump. */
  addresses(ifindex: number): Promise<KernelAddress[]>;
  /**
   * One answer per change, in order; undefined where no ACK came (the kernel dropped it, or the
   * batch stopped). `stoppedBy`: the I/O error that ended the batch early; what came before stands.
   */
  apply(ifindex: number, changes: readonly AddressChange[]): Promise<AppliedChanges>;
  close(): void;
}

export interface AppliedChanges {
  readonly answers: Array<NetlinkAck | undefined>;
  readonly stoppedBy?: VipError;
}

export interface KernelTableOptions {
  readonly interface: string;
  readonly proto: number;
  readonly netns?: string;
  readonly receiveTimeoutMs?: number;
  /**
   * Requests per send(2): their ACKs must fit the socket's receive buffer and the datagram its
   * send buffer (4,096 IPv6 requests are 320 KiB: EMSGSIZE). Above 64 the kernel's own work is
   * all that is left to measure: 5,000 VIPs take the same time with 64, 256 or 1,024.
   */
  readonly chunkSize?: number;
}

const DEFAULT_CHUNK_SIZE = 256;
const DUMP_ATTEMPTS = 3;

export function openKernelAddressTable(options: KernelTableOptions): AddressTable {
  const socket = openNetlinkSocket({ interface: options.interface, netns: options.netns, receiveTimeoutMs: options.receiveTimeoutMs ?? 5000 });
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  let seq = 0; // one socket per operation: sequence numbers only need to be unique within it
  const nextSeq = () => (seq = (seq + 1) >>> 0);
  const refused = (ack: NetlinkAck, operation: VipOperation) =>
    refusalError({ errno: errnoName(ack.errno), kernelMessage: ack.kernelMessage }, { operation, interface: options.interface });

  return {
    async link() {
      return lookUpLink(socket, nextSeq(), options.interface, options.netns);
    },

    async addresses(ifindex) {
      // NLM_F_DUMP_INTR: an address changed mid-dump; the list may be torn, so take it again.
      for (let attempt = 1; ; attempt++) {
        const mySeq = nextSeq();
        socket.send(encodeAddressDump(mySeq, ifindex));
        const found: KernelAddress[] = [];
        let interrupted = false;
        for (const message of replies(socket, mySeq, options.interface)) {
          if (message.flags & NetlinkFlag.DumpInterrupted) interrupted = true;
          if (message.type === NetlinkMessageType.NewAddr) {
            const address = decodeAddress(message);
            if (!address) throw malformed(options.interface, 'RTM_NEWADDR');
            if (address.ifindex === ifindex) found.push(address);
            continue;
          }
          const ack = errorOf(message, options.interface);
          if (ack.errno !== 0) throw refused(ack, 'list');
          if (message.type === NetlinkMessageType.Done) break;
        }
        if (!interrupted || attempt === DUMP_ATTEMPTS) return found;
      }
    },

    async apply(ifindex, changes) {
      const answers = new Array<NetlinkAck | undefined>(changes.length).fill(undefined);
      for (let start = 0; start < changes.length; start += chunkSize) {
        const chunk = changes.slice(start, start + chunkSize);
        const bySeq = new Map<number, number>();
        const messages = chunk.map((change, i) => {
          const { family, bytes } = change.address;
          const request = { seq: nextSeq(), ifindex, family, bytes, prefixLength: change.prefixLength };
          bySeq.set(request.seq, start + i);
          return change.kind === 'add' ? encodeNewAddress({ ...request, proto: options.proto }) : encodeDeleteAddress(request);
        });
        try {
          socket.send(concat(messages));
          // The kernel handled the whole chunk inside send(2): every ACK that exists is queued.
          let datagram: Uint8Array | undefined;
          while (bySeq.size > 0 && (datagram = socket.receive(true)) !== undefined) {
            for (const message of splitMessages(datagram) ?? []) {
              const index = bySeq.get(message.seq);
              if (index === undefined || message.type !== NetlinkMessageType.Error) continue;
              answers[index] = decodeAck(message);
              bySeq.delete(message.seq);
            }
          }
        } catch (error) {
          if (!(error instanceof VipError)) throw error;
          return { answers, stoppedBy: error }; // what went before stands; the caller's dump says what is there
        }
        // Let timers and sockets breathe between chunks: a cold start of 5,000 VIPs is many chunks.
        if (start + chunkSize < changes.length) await yieldToEventLoop();
      }
      return { answers };
    },

    close: () => socket.close(),
  };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
