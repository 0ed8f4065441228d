// The admin endpoint: /metrics (Prometheus), /healthz, /readyz and /status (JSON). Loopback by
// default: it exposes the node's sessions and VIPs, never a secret. kube-vip's health_check_port
// (admin.healthPort) adds a second listener, on every address, that answers GET /healthz only,
// "OK" as kube-vip's does, so that a probe or a load balancer aimed at it keeps working.
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
  private health: Server | undefined;

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

  /** The /healthz-only listener on every address (kube-vip's health_check_port); 0 picks a free port. */
  async listenHealth(port: number): Promise<AddressInfo> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== '/healthz') return send(res, 404, 'text/plain', 'not found\n');
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'only GET\n');
      const health = this.source.healthy();
      send(res, health.ok ? 200 : 503, 'text/plain', health.ok ? 'OK' : health.reasons.join('; '));
    });
    this.health = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(new Error(`health check port: cannot listen on ${port}: ${err.code ?? err.message}`)));
      // No address: every address, IPv6 and IPv4, as Go's ":port".
      server.listen(port, () => resolve());
    });
    return server.address() as AddressInfo;
  }

  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  get healthPort(): number | undefined {
    return (this.health?.address() as AddressInfo | null)?.port;
  }

  async close(): Promise<void> {
    const servers = [this.server, this.health].filter((s) => s !== undefined);
    this.server = undefined;
    this.health = undefined;
    await Promise.all(servers.map((s) => {
      s.closeAllConnections();
      return new Promise<void>((r) => s.close(() => r()));
    }));
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
