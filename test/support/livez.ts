// A stand-in for a local kube-apiserver's /livez over HTTPS, with a certificate made by openssl
// as kubeadm's has (SAN DNS:kubernetes, plus 127.0.0.1).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { type Server, createServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';

/** A self-signed certificate as kubeadm's API server has: SAN DNS:kubernetes, plus 127.0.0.1. */
export function makeCertificate(dir: string, name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=kube-apiserver', '-addext', 'subjectAltName=DNS:kubernetes,DNS:kubernetes.default,IP:127.0.0.1',
    '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' });
  return { cert, key };
}

/**
 * A stand-in kube-apiserver: /livez answers `mode`. With `upstream` (the plain-HTTP fake API
 * server's URL) every other request is passed on to it, so that the API is served over TLS
 * with kubeadm's certificate names.
 */
export class LivezServer {
  mode: 200 | 500 | 'hang' = 200;
  port = 0;
  /** Requests received, answered or not. */
  requests = 0;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(tls: { cert: string; key: string }, upstream?: string) {
    this.server = createServer({ cert: readFileSync(tls.cert), key: readFileSync(tls.key) }, (req, res) => {
      this.requests++;
      if (this.mode === 'hang') return;
      if (upstream && req.url !== '/livez') {
        const forward = httpRequest(new URL(req.url ?? '/', upstream), { method: req.method, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          // A watch's headers come before its first event: pass them on at once, as the upstream sent them.
          res.flushHeaders();
          answer.pipe(res);
        });
        forward.on('error', () => res.destroy());
        req.pipe(forward);
        return;
      }
      res.writeHead(req.url === '/livez' ? this.mode : 404, { 'content-type': 'text/plain' }).end(this.mode === 200 ? 'ok' : '[-]etcd failed');
    });
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  listen(port = this.port): Promise<void> {
    return new Promise((resolve) => this.server.listen(port, '127.0.0.1', () => {
      this.port = (this.server.address() as AddressInfo).port;
      resolve();
    }));
  }

  /** Nothing listens any more: connections are refused. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      for (const s of this.sockets) s.destroy();
      this.server.close(() => resolve());
    });
  }
}
