// The admin endpoint: /metrics (Prometheus), /healthz, /readyz and /status (JSON). Loopback by
// default: it exposes the node's sessions and VIPs, never a secret.
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface AdminSource {
  /** The process is alive and its loops run. */
  healthy(): { ok: boolean; reasons: string[] };
  /** Every peer has been tried and every wanted VIP is in place. */
  ready(): { ok: boolean; reasons: string[] };
  /** The status document (no secrets). */
  status(): unknown;
}

export class AdminServer {
  private server: Server | undefined;

  constructor(
    private readonly source: AdminSource,
    private readonly metrics: Registry,
  ) {}

  async listen(address: string, port: number): Promise<AddressInfo> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(new Error(`admin endpoint: cannot listen on ${address}:${port}: ${err.code ?? err.message}`)));
      server.listen(port, address, () => resolve());
    });
    return server.address() as AddressInfo;
  }

  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'only GET\n');
      switch (path) {
        case '/metrics':
          return send(res, 200, this.metrics.contentType, await this.metrics.metrics());
        case '/healthz':
        case '/livez':
          return probe(res, this.source.healthy());
        case '/readyz':
          return probe(res, this.source.ready());
        case '/status':
          return send(res, 200, 'application/json', JSON.stringify(this.source.status(), null, 2) + '\n');
        default:
          return send(res, 404, 'text/plain', 'not found: try /metrics, /healthz, /readyz or /status\n');
      }
    } catch (err) {
      send(res, 500, 'text/plain', `error: ${(err as Error).message}\n`);
    }
  }
}

function probe(res: ServerResponse, r: { ok: boolean; reasons: string[] }): void {
  send(res, r.ok ? 200 : 503, 'text/plain', r.ok ? 'ok\n' : r.reasons.map((x) => `- ${x}`).join('\n') + '\n');
}

function send(res: ServerResponse, code: number, type: string, body: string): void {
  res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}
