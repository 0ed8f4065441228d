// The port between BFD sessions and the network: what a session needs to send its packets and
// what the manager needs to hear the peers'. udp.ts is the real one (RFC 5881/5883 sockets);
// tests plug in memory pairs.

/** One session's path to its peer. */
export interface BfdEndpointSpec {
  /** The peer's IP literal. */
  peer: string;
  /** RFC 5883 (UDP 4784, a minimum TTL) rather than RFC 5881 (UDP 3784, TTL exactly 255). */
  multihop: boolean;
  /** Lowest TTL accepted from this peer when multihop; ignored for single hop (always 255). */
  minTtl: number;
  /** Source address; the kernel's choice for the route when absent. */
  localAddress?: string;
  /** SO_BINDTODEVICE. */
  interface?: string;
}

/** The sending side of one session: its own source port (RFC 5881 §4), TTL 255. */
export interface BfdPath {
  send(packet: Buffer): void;
  close(): void;
  /** The source port the session's packets leave from. */
  readonly localPort: number;
}

/** A datagram that reached a BFD port and passed the TTL rules of its port. */
export type BfdPacketHandler = (payload: Buffer, from: string, multihop: boolean) => void;

export interface BfdTransport {
  /**
   * The sending side for one session, and whatever it takes to receive its peer's packets
   * (the listener of its port, its TTL rule). Throws a BfdTransportError when it cannot.
   */
  open(spec: BfdEndpointSpec): BfdPath;
  /** Where received packets go; one handler. */
  onPacket(handler: BfdPacketHandler): void;
  /** Closes every socket. */
  close(): Promise<void>;
}
