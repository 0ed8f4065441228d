// Small tools for the fake API server's tests: waiting for a condition, raw HTTP against the
// fake (to see the wire, not what a client makes of it), and recording what an informer fires.
import { strict as assert } from 'node:assert';
import { type IncomingHttpHeaders, request } from 'node:http';
import { connect } from 'node:net';
import { ApiException, type Informer, type KubernetesObject } from '@kubernetes/client-node';
import type { FakeApiServer, Status } from '../support/fake-apiserver/index.js';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A deserialised client-node model as plain JSON, for deepEqual against literals. */
export function plain(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/**
 * Retries `check` until it stops throwing, or rethrows its last failure after `timeoutMs`: a bound
 * on a wait for an event, generous so that a loaded machine does not fail a correct test.
 */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(10);
    }
  }
}

/** The Status a client-node typed call failed with: ApiException keeps the body as text. */
export async function apiFailure(call: Promise<unknown>): Promise<{ code: number; status: Status }> {
  try {
    await call;
  } catch (err) {
    assert.ok(err instanceof ApiException, `expected an ApiException, got ${String(err)}`);
    const body = typeof err.body === 'string' ? (JSON.parse(err.body) as Status) : (err.body as Status);
    return { code: err.code, status: body };
  }
  assert.fail('the call succeeded');
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RawOptions {
  body?: unknown;
  contentType?: string;
  token?: string;
}

/** One HTTP request to the fake, read to the end. */
export function raw(server: FakeApiServer, method: string, path: string, options: RawOptions = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = request(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${options.token ?? 'fake-token'}`,
        // Content-Length, not chunked: Node's client sends a DELETE body unframed otherwise.
        ...(body !== undefined ? { 'content-type': options.contentType ?? 'application/json', 'content-length': Buffer.byteLength(body) } : {}),
      },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Parses a response body of JSON lines (a watch stream). */
export function jsonLines(body: string): { type: string; object: Record<string, unknown> }[] {
  return body
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { type: string; object: Record<string, unknown> });
}

/**
 * The bytes of a watch response as they cross the socket, read until `enough(text)` or the end.
 * Node's HTTP client would undo the chunked framing; a plain socket shows it.
 */
export function rawWire(server: FakeApiServer, path: string, enough: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const port = Number(new URL(server.url).port);
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const finish = (): void => {
      socket.destroy();
      resolve(text);
    };
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer fake-token\r\n\r\n`);
    });
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (enough(text)) finish();
    });
    socket.on('end', finish);
    socket.on('error', reject);
  });
}

/** What an informer fired, as `add default/a 3` lines, and its errors. */
export interface InformerLog {
  events: string[];
  errors: unknown[];
  connects: number;
}

export function recordInformer(informer: Informer<KubernetesObject>): InformerLog {
  const log: InformerLog = { events: [], errors: [], connects: 0 };
  const describe = (verb: string) => (obj: KubernetesObject) => {
    const m = obj.metadata ?? {};
    log.events.push(`${verb} ${m.namespace ?? ''}/${m.name ?? ''} ${m.resourceVersion ?? ''}`);
  };
  informer.on('add', describe('add'));
  informer.on('update', describe('update'));
  informer.on('delete', describe('delete'));
  informer.on('connect', () => log.connects++);
  informer.on('error', (err: unknown) => log.errors.push(err));
  return log;
}

/** The watch requests the server saw, as their resourceVersion parameters. */
export function watchRequests(server: FakeApiServer): string[] {
  return server.requests.filter((r) => r.query.watch === 'true').map((r) => r.query.resourceVersion ?? '');
}

/** The list requests (GET on a collection without watch) the server saw for a path. */
export function listRequests(server: FakeApiServer, path: string): number {
  return server.requests.filter((r) => r.method === 'GET' && r.path === path && r.query.watch === undefined).length;
}
