// A client of bgpd's own vty socket (the one vtysh talks to): one persistent Unix socket, a
// command answered in about half a millisecond, where spawning vtysh costs 10 to 40 ms. The
// bench polls the router through it, so its figures are not rounded up to a process start.
// The protocol is vtysh's: the command line ends with a NUL; the answer ends with three NULs and
// a status octet (0: success).
import { type Socket, createConnection } from 'node:net';

const TERMINATOR_LENGTH = 4;
const COMMAND_TIMEOUT_MS = 10_000;

export class BgpdVty {
  private socket: Socket | undefined;
  private chunks: Buffer[] = [];
  private pending: { resolve: (text: string) => void; reject: (error: Error) => void; timer: NodeJS.Timeout } | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  /** `vtyDir`: the folder bgpd was started with (--vty_socket). */
  constructor(private readonly vtyDir: string) {}

  async connect(): Promise<void> {
    const socket = createConnection(`${this.vtyDir}/bgpd.vty`);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('bgpd closed its vty socket')));
    socket.on('data', (data) => this.onData(data));
    this.socket = socket;
  }

  /** One command's output. Commands run one at a time, in order. */
  command(line: string): Promise<string> {
    const run = this.queue.then(
      () =>
        new Promise<string>((resolve, reject) => {
          if (!this.socket) return reject(new Error('the vty socket is not connected'));
          // A timer here bounds the wait: bgpd may be slow or gone (a raw timer: this is the bench, not src/).
          const timer = setTimeout(() => this.fail(new Error(`bgpd did not answer ${JSON.stringify(line)} within ${COMMAND_TIMEOUT_MS} ms`)), COMMAND_TIMEOUT_MS);
          this.pending = { resolve, reject, timer };
          this.socket.write(`${line}\0`);
        }),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  async json<T>(line: string): Promise<T> {
    return JSON.parse(await this.command(line)) as T;
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private onData(data: Buffer): void {
    this.chunks.push(data);
    const all = this.chunks.length === 1 ? data : Buffer.concat(this.chunks);
    const n = all.length;
    if (n < TERMINATOR_LENGTH || all[n - 4] !== 0 || all[n - 3] !== 0 || all[n - 2] !== 0) {
      this.chunks = [all];
      return;
    }
    this.chunks = [];
    const p = this.pending;
    this.pending = undefined;
    if (!p) return;
    clearTimeout(p.timer);
    if (all[n - 1] !== 0) p.reject(new Error(`bgpd answered with status ${all[n - 1]}: ${all.subarray(0, n - TERMINATOR_LENGTH).toString().trim()}`));
    else p.resolve(all.subarray(0, n - TERMINATOR_LENGTH).toString());
  }

  private fail(error: Error): void {
    const p = this.pending;
    this.pending = undefined;
    if (p) {
      clearTimeout(p.timer);
      p.reject(error);
    }
  }
}

/** What the router holds from one neighbour, per family, and the session state. */
export interface NeighborView {
  state: string;
  ipv4: number;
  ipv6: number;
}

type Summary = { ipv4Unicast?: { peers?: Record<string, { state?: string; pfxRcd?: number }> }; ipv6Unicast?: { peers?: Record<string, { state?: string; pfxRcd?: number }> } };

/** The router's view of `neighbor` from one `show bgp summary json`. */
export async function neighborView(vty: BgpdVty, neighbor: string): Promise<NeighborView> {
  const s = await vty.json<Summary>('show bgp summary json');
  const v4 = s.ipv4Unicast?.peers?.[neighbor];
  const v6 = s.ipv6Unicast?.peers?.[neighbor];
  return { state: v4?.state ?? v6?.state ?? 'unknown', ipv4: v4?.pfxRcd ?? 0, ipv6: v6?.pfxRcd ?? 0 };
}
