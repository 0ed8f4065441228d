// BFD systems joined by memory instead of sockets, on one ManualClock: each packet arrives
// `latencyMs` after it was sent (a clock timer, so delivery is as deterministic as the rest),
// and a test can cut the path between two systems in either direction.
import type { ManualClock } from '../../bgp/clock.js';
import type { BfdEndpointSpec, BfdPacketHandler, BfdPath, BfdTransport } from '../../bgp/bfd/transport.js';
import { BfdTransportError } from '../../bgp/bfd/errors.js';

export interface SentPacket {
  at: number;
  from: string;
  to: string;
  payload: Buffer;
}

export class MemoryBfdNetwork {
  private readonly systems = new Map<string, MemoryBfdTransport>();
  private readonly cuts = new Set<string>();
  /** Every packet sent, delivered or not. */
  readonly sent: SentPacket[] = [];

  constructor(
    readonly clock: ManualClock,
    readonly latencyMs = 1,
  ) {}

  /** The transport of the system at `address`. */
  transport(address: string): MemoryBfdTransport {
    const t = new MemoryBfdTransport(this, address);
    this.systems.set(address, t);
    return t;
  }

  /** Drops packets from `from` to `to` (one direction) until healed. */
  cut(from: string, to: string): void {
    this.cuts.add(`${from}>${to}`);
  }

  /** Drops packets both ways between `a` and `b`. */
  cutBoth(a: string, b: string): void {
    this.cut(a, b);
    this.cut(b, a);
  }

  heal(): void {
    this.cuts.clear();
  }

  deliver(from: string, to: string, payload: Buffer, multihop: boolean): void {
    this.sent.push({ at: this.clock.now(), from, to, payload });
    if (this.cuts.has(`${from}>${to}`)) return;
    this.clock.after(this.latencyMs, () => {
      if (this.cuts.has(`${from}>${to}`)) return;
      this.systems.get(to)?.receive(payload, from, multihop);
    });
  }
}

export class MemoryBfdTransport implements BfdTransport {
  private handler: BfdPacketHandler = () => undefined;
  readonly opened: BfdEndpointSpec[] = [];
  /** When set, open() throws it (a port taken, no FFI). */
  failWith: BfdTransportError | undefined;
  private nextPort = 49152;

  constructor(
    private readonly network: MemoryBfdNetwork,
    readonly address: string,
  ) {}

  open(spec: BfdEndpointSpec): BfdPath {
    if (this.failWith) throw this.failWith;
    this.opened.push(spec);
    let open = true;
    return {
      localPort: this.nextPort++,
      send: (payload) => {
        if (open) this.network.deliver(this.address, spec.peer, payload, spec.multihop);
      },
      close: () => {
        open = false;
      },
    };
  }

  onPacket(handler: BfdPacketHandler): void {
    this.handler = handler;
  }

  receive(payload: Buffer, from: string, multihop: boolean): void {
    this.handler(payload, from, multihop);
  }

  async close(): Promise<void> {}
}
