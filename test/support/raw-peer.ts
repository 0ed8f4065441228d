// A scripted BGP peer on loopback for tests: it answers the OPEN exchange with messages built
// by the codec and then does only what the test tells it (stop reading, send UPDATEs, ...).
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import {
  CapabilityCode,
  MessageFramer,
  MessageType,
  decodeMessage,
  encodeMessage,
  makeOpen,
  type BgpMessage,
  type CodecContext,
} from '../../bgp/index.js';

export interface RawPeerOptions {
  asn: number;
  bgpId: string;
  host?: string;
  holdTime?: number;
}

export class RawPeer {
  private server: Server | undefined;
  socket: Socket | undefined;
  readonly received: BgpMessage[] = [];
  /** Connections accepted so far. */
  connections = 0;
  readonly ctx: CodecContext = { fourOctetAs: true, extendedMessage: false };
  private established!: Promise<void>;

  constructor(private readonly options: RawPeerOptions) {}

  /** Listens; resolves with the port. The OPEN exchange happens when the speaker connects. */
  async listen(): Promise<number> {
    let resolveEstablished!: () => void;
    this.established = new Promise((r) => (resolveEstablished = r));
    this.server = createServer((socket) => {
      this.connections++;
      this.socket = socket;
      const framer = new MessageFramer();
      let opened = false;
      socket.on('data', (chunk) => {
        for (const bytes of framer.push(chunk).messages) {
          const r = decodeMessage(bytes, this.ctx);
          if (!r.ok) continue;
          this.received.push(r.value.message);
          if (r.value.message.type === MessageType.Open && !opened) {
            opened = true;
            const open = makeOpen({
              myAs: this.options.asn > 0xffff ? 23456 : this.options.asn,
              holdTime: this.options.holdTime ?? 90,
              bgpId: this.options.bgpId,
              capabilities: [
                { code: CapabilityCode.Multiprotocol, afi: 1, safi: 1 },
                { code: CapabilityCode.Multiprotocol, afi: 2, safi: 1 },
                { code: CapabilityCode.FourOctetAs, asn: this.options.asn },
              ],
            });
            socket.write(encodeMessage(open, this.ctx));
            socket.write(encodeMessage({ type: MessageType.Keepalive }, this.ctx));
          } else if (r.value.message.type === MessageType.Keepalive && opened) {
            resolveEstablished();
          }
        }
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => this.server!.listen(0, this.options.host ?? '127.0.0.1', () => r()));
    return (this.server.address() as AddressInfo).port;
  }

  whenEstablished(): Promise<void> {
    return this.established;
  }

  send(message: BgpMessage): boolean {
    return this.socket!.write(encodeMessage(message, this.ctx));
  }

  async close(): Promise<void> {
    this.socket?.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
