// One health probe of the local kube-apiserver: GET https://<address>:<port>/livez, verified
// against the cluster CA. Plain HTTPS, no API client and no kubeconfig, so that it works while
// the API server is a static pod still coming up (kubeadm or Kubespray bootstrap), when nothing
// else of the cluster answers. Every failure has a stable reason for logs and metric labels.
// With a URL (kube-vip's control_plane_health_check_address) that URL is probed instead, http or
// https, its certificate checked against the URL's host as kube-vip's Go client checks it, with
// the system's CAs and the one given (control_plane_health_check_ca_path), else the cluster's.
import { readFile } from 'node:fs/promises';
import { type ClientRequest, request as httpRequest } from 'node:http';
import { request } from 'node:https';
import { isIP } from 'node:net';
import { checkServerIdentity, rootCertificates } from 'node:tls';
import type { Clock, TimerHandle } from '../../../bgp/index.js';
import { SERVICE_ACCOUNT_DIR } from '../client.js';

/** Where a pod finds the cluster CA when it has a service account. */
export const SERVICE_ACCOUNT_CA_FILE = `${SERVICE_ACCOUNT_DIR}/ca.crt`;

export interface LivezTarget {
  /** The local API server's address (default 127.0.0.1). */
  address: string;
  /** Its secure port (default 6443, kubeadm's). */
  port: number;
  /** PEM file of the CA that signed the API server's certificate. */
  caFile: string;
  /** The CA itself (PEM), as a kubeconfig's certificate-authority-data carries it; wins over caFile. */
  ca?: string;
  /**
   * Name checked against the certificate (and sent as SNI). kubeadm and Kubespray put
   * `kubernetes` in every API server certificate, but not 127.0.0.1; set the address here to
   * check the certificate against the address instead.
   */
  serverName: string;
  /** A bearer token file, for clusters that refuse anonymous /livez (anonymous-auth=false, as K3s). */
  tokenFile?: string;
  /** A bearer token itself (a kubeconfig user's `token`); wins over tokenFile. */
  token?: string;
  /** A client certificate (a kubeconfig user's, as k3s.yaml has), PEM text or files, for the same clusters. */
  clientCertificate?: ClientCertificate;
  timeoutMs: number;
  /** Probe this URL instead of https://address:port/livez; no token is sent to it. */
  url?: string;
  /** caFile was set by the user for the URL (an unreadable one is then a failure, not a fallback). */
  caFileGiven?: boolean;
}

export type ClientCertificate = { cert: string; key: string } | { certFile: string; keyFile: string };

/** Why a probe failed, as a stable name. */
export type ProbeFailureReason =
  /** The API server answered, but not 200: `HTTP_500`, `HTTP_401`, ... */
  | `HTTP_${number}`
  /** Nothing listens: connection refused (the API server is down or not yet started). */
  | 'CONNECTION_REFUSED'
  /** No answer within the timeout. */
  | 'TIMEOUT'
  /** The TLS handshake failed or the certificate was refused: `TLS_<OpenSSL or Node code>`. */
  | `TLS_${string}`
  /** The CA (or token) file could not be read. */
  | 'CA_UNREADABLE'
  | 'TOKEN_UNREADABLE'
  | 'CERTIFICATE_UNREADABLE'
  /** Any other socket error: `NET_<code>` (ECONNRESET, EHOSTUNREACH, ...). */
  | `NET_${string}`;

export type ProbeResult =
  | { ok: true; status: 200 }
  | { ok: false; reason: ProbeFailureReason; detail: string };

/** Node's certificate and handshake error codes: these make a TLS_ reason. */
const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_|EPROTO$)/;

function failure(reason: ProbeFailureReason, detail: string): ProbeResult {
  return { ok: false, reason, detail };
}

function reasonOfSocketError(err: NodeJS.ErrnoException): ProbeFailureReason {
  const code = err.code ?? 'UNKNOWN';
  if (code === 'ECONNREFUSED') return 'CONNECTION_REFUSED';
  if (TLS_CODES.test(code)) return `TLS_${code}`;
  return `NET_${code}`;
}

/**
 * Probes `/livez` once; never rejects. The timeout counts from the call, on `clock`, so that
 * tests control it; `signal` ends a probe early (as a failure) when its owner stops.
 */
export function probeLivez(target: LivezTarget, clock: Clock, signal?: AbortSignal): Promise<ProbeResult> {
  return new Promise<ProbeResult>((resolve) => {
    let done = false;
    let req: ClientRequest | undefined;
    const finish = (result: ProbeResult) => {
      if (done) return;
      done = true;
      timer.cancel();
      signal?.removeEventListener('abort', onAbort);
      req?.destroy();
      resolve(result);
    };
    const onAbort = () => finish(failure('NET_ABORTED', 'the probe was cancelled'));
    const where = target.url ?? `${target.address}:${target.port}`;
    const timer: TimerHandle = clock.after(target.timeoutMs, () => finish(failure('TIMEOUT', `no answer from ${where} within ${target.timeoutMs} ms`)));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort);
    void send(target).then((outcome) => {
      if (done) {
        // Timed out or cancelled while the files were read: the request must not linger, and its
        // "socket hang up" must not go unheard (an 'error' with no listener ends the process).
        if ('req' in outcome) outcome.req.on('error', () => undefined).destroy();
        return;
      }
      if ('result' in outcome) return finish(outcome.result);
      req = outcome.req;
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        res.resume();
        if (status === 200) return finish({ ok: true, status: 200 });
        // 401/403: anonymous /livez refused (anonymous-auth=false or no public-info-viewer binding).
        const hint = (status === 401 || status === 403) && target.url === undefined ? ' (/livez refused these credentials, or anonymous access: anonymous-auth=false needs the kubeconfig\'s or the service account\'s)' : '';
        finish(failure(`HTTP_${status}`, `GET ${target.url ?? '/livez'} answered ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}${hint}`));
      });
      req.on('error', (err: NodeJS.ErrnoException) => finish(failure(reasonOfSocketError(err), err.message)));
      req.end();
    });
  });
}

/** Reads the CA (and token) and makes the request, or says why it cannot. */
async function send(target: LivezTarget): Promise<{ req: ClientRequest } | { result: ProbeResult }> {
  if (target.url !== undefined) return sendUrl(target, target.url);
  let ca: Buffer | string;
  try {
    ca = target.ca ?? (await readFile(target.caFile));
  } catch (err) {
    return { result: failure('CA_UNREADABLE', `cannot read the CA file ${target.caFile}: ${(err as Error).message}`) };
  }
  const headers: Record<string, string> = { accept: 'text/plain' };
  let certificate: { cert: string | Buffer; key: string | Buffer } | undefined;
  const c = target.clientCertificate;
  if (c && 'certFile' in c) {
    try {
      certificate = { cert: await readFile(c.certFile), key: await readFile(c.keyFile) };
    } catch (err) {
      return { result: failure('CERTIFICATE_UNREADABLE', `cannot read the client certificate ${c.certFile} or its key ${c.keyFile}: ${(err as Error).message}`) };
    }
  } else if (c) certificate = c;
  if (target.token !== undefined) headers.authorization = `Bearer ${target.token}`;
  else if (target.tokenFile) {
    try {
      headers.authorization = `Bearer ${(await readFile(target.tokenFile, 'utf8')).trim()}`;
    } catch (err) {
      return { result: failure('TOKEN_UNREADABLE', `cannot read the token file ${target.tokenFile}: ${(err as Error).message}`) };
    }
  }
  try {
    const req = request({
      host: target.address,
      port: target.port,
      path: '/livez',
      method: 'GET',
      headers,
      ca,
      ...(certificate ?? {}),
      // SNI carries names only (RFC 6066 §3); the certificate is checked against serverName either way.
      ...(isIP(target.serverName) ? {} : { servername: target.serverName }),
      checkServerIdentity: (_host, cert) => checkServerIdentity(target.serverName, cert),
      // A fresh connection each time: a probe must see the server as a new client would.
      agent: false,
    });
    return { req };
  } catch (err) {
    // Options Node refuses outright (an address that is no host, say).
    return { result: failure(`NET_${(err as NodeJS.ErrnoException).code ?? 'INVALID'}`, (err as Error).message) };
  }
}

/** GET on the URL as kube-vip's health check does it: no token, the name checked is the URL's host. */
async function sendUrl(target: LivezTarget, text: string): Promise<{ req: ClientRequest } | { result: ProbeResult }> {
  const url = new URL(text);
  const headers = { accept: '*/*' };
  // Go's net/http: no keep-alive reuse matters here, each probe is a fresh connection.
  if (url.protocol === 'http:') {
    try {
      return { req: httpRequest(url, { method: 'GET', headers, agent: false }) };
    } catch (err) {
      return { result: failure(`NET_${(err as NodeJS.ErrnoException).code ?? 'INVALID'}`, (err as Error).message) };
    }
  }
  let extra: Buffer | string | undefined;
  try {
    extra = target.ca ?? (await readFile(target.caFile));
  } catch (err) {
    // The cluster's CA is only a help for an https URL: without it, the system's CAs remain.
    if (target.caFileGiven) return { result: failure('CA_UNREADABLE', `cannot read the CA file ${target.caFile}: ${(err as Error).message}`) };
  }
  try {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const req = request(url, {
      method: 'GET',
      headers,
      ca: extra === undefined ? [...rootCertificates] : [...rootCertificates, extra.toString()],
      ...(isIP(host) ? {} : { servername: host }),
      agent: false,
    });
    return { req };
  } catch (err) {
    return { result: failure(`NET_${(err as NodeJS.ErrnoException).code ?? 'INVALID'}`, (err as Error).message) };
  }
}
