// The fake's answers as bytes and raw HTTP, without a client in between: the framing of a watch,
// the shape of a BOOKMARK, and the Status bodies and codes of its errors.
import { strict as assert } from 'node:assert';
import { FakeApiServer } from '../support/fake-apiserver/index.js';
import { eventually, jsonLines, raw, rawWire } from './helpers.js';

/** Splits an HTTP/1.1 response into its head and its chunks (RFC 9112 section 7.1). */
function parseChunked(text: string): { head: string; chunks: string[]; complete: boolean } {
  const split = text.indexOf('\r\n\r\n');
  if (split < 0) return { head: text, chunks: [], complete: false };
  const head = text.slice(0, split);
  const chunks: string[] = [];
  let rest = Buffer.from(text.slice(split + 4), 'utf8');
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    if (lineEnd < 0) return { head, chunks, complete: false };
    const size = parseInt(rest.subarray(0, lineEnd).toString('latin1'), 16);
    if (size === 0) return { head, chunks, complete: true };
    if (rest.length < lineEnd + 2 + size + 2) return { head, chunks, complete: false };
    chunks.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size).toString('utf8'));
    assert.equal(rest.subarray(lineEnd + 2 + size, lineEnd + 4 + size).toString('latin1'), '\r\n');
    rest = rest.subarray(lineEnd + 4 + size);
  }
}

const svc = (name: string) => ({ metadata: { namespace: 'default', name }, spec: { type: 'LoadBalancer' } });

describe('fake API server: the wire', () => {
  let server: FakeApiServer;

  beforeEach(async () => {
    server = new FakeApiServer();
    await server.start();
  });

  afterEach(async () => {
    await server.stop();
  });

  it('frames a watch as chunked HTTP/1.1 with one JSON event and its newline per chunk', async () => {
    server.create('Service', svc('a'));
    server.create('Service', svc('b'));
    const text = await rawWire(server, '/api/v1/services?watch=true', (t) => parseChunked(t).chunks.length >= 2);
    const { head, chunks } = parseChunked(text);
    assert.match(head, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(head, /\r\nContent-Type: application\/json\r\n/i);
    assert.match(head, /\r\nTransfer-Encoding: chunked(\r\n|$)/i);
    assert.equal(chunks.length, 2);
    for (const chunk of chunks) {
      assert.ok(chunk.endsWith('\n') && !chunk.slice(0, -1).includes('\n'), 'exactly one line per chunk');
      const event = JSON.parse(chunk) as { type: string; object: { kind: string; metadata: { name: string } } };
      assert.deepEqual(Object.keys(event), ['type', 'object']);
      assert.equal(event.type, 'ADDED');
      assert.equal(event.object.kind, 'Service');
    }
  });

  it('sends a BOOKMARK whose object holds only kind, apiVersion and metadata.resourceVersion', async () => {
    server.create('Service', svc('a'));
    let asked = false;
    const text = await rawWire(server, '/api/v1/namespaces/default/services?watch=true&resourceVersion=1&allowWatchBookmarks=true', (t) => {
      if (!asked && t.includes('\r\n\r\n')) {
        asked = true;
        server.sendBookmarks();
      }
      return parseChunked(t).chunks.length >= 1;
    });
    assert.deepEqual(parseChunked(text).chunks, ['{"type":"BOOKMARK","object":{"kind":"Service","apiVersion":"v1","metadata":{"resourceVersion":"1"}}}\n']);
  });

  it('answers an expired watch with 200, one ERROR line carrying the 410 Status, and the end of the stream', async () => {
    server.create('Service', svc('a'));
    server.create('Service', svc('b'));
    server.compactBefore();
    const text = await rawWire(server, '/api/v1/services?watch=true&resourceVersion=1', (t) => parseChunked(t).complete);
    const { head, chunks, complete } = parseChunked(text);
    assert.match(head, /^HTTP\/1\.1 200 OK/);
    assert.ok(complete, 'the stream ends with the last chunk');
    assert.deepEqual(chunks.map((c) => JSON.parse(c) as unknown), [
      {
        type: 'ERROR',
        object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'too old resource version: 1 (2)', reason: 'Expired', code: 410 },
      },
    ]);
  });

  it('answers an expired exact list with HTTP 410 and the Status as the body, unlike a watch', async () => {
    server.create('Service', svc('a'));
    server.create('Service', svc('b'));
    const before = await raw(server, 'GET', '/api/v1/services?resourceVersion=1&resourceVersionMatch=Exact');
    assert.equal(before.status, 200);
    assert.deepEqual((JSON.parse(before.body) as { items: unknown[] }).items.length, 1, 'the list shows the state at resourceVersion 1');
    server.compactBefore();
    const after = await raw(server, 'GET', '/api/v1/services?resourceVersion=1&resourceVersionMatch=Exact');
    assert.equal(after.status, 410);
    assert.match(after.headers['content-type'] ?? '', /^application\/json/);
    assert.deepEqual(JSON.parse(after.body), {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'too old resource version: 1 (2)', reason: 'Expired', code: 410,
    });
  });

  it('answers a PUT with a stale resourceVersion with 409 and a Conflict Status naming the resource', async () => {
    server.create('Lease', { metadata: { namespace: 'ns', name: 'l' }, spec: { holderIdentity: 'a' } });
    server.patch('Lease', { namespace: 'ns', name: 'l' }, { spec: { holderIdentity: 'b' } });
    const res = await raw(server, 'PUT', '/apis/coordination.k8s.io/v1/namespaces/ns/leases/l', {
      body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { namespace: 'ns', name: 'l', resourceVersion: '1' }, spec: { holderIdentity: 'c' } },
    });
    assert.equal(res.status, 409);
    assert.deepEqual(JSON.parse(res.body), {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: 'Operation cannot be fulfilled on leases.coordination.k8s.io "l": the object has been modified; please apply your changes to the latest version and try again',
      reason: 'Conflict', details: { kind: 'leases', name: 'l', group: 'coordination.k8s.io' }, code: 409,
    });
  });

  it('answers a create of an existing object with 409 AlreadyExists and one without a name with 422 Invalid', async () => {
    server.create('Service', svc('a'));
    const again = await raw(server, 'POST', '/api/v1/namespaces/default/services', { body: svc('a') });
    assert.equal(again.status, 409);
    assert.equal((JSON.parse(again.body) as { reason: string }).reason, 'AlreadyExists');
    const nameless = await raw(server, 'POST', '/api/v1/namespaces/default/services', { body: { metadata: {}, spec: {} } });
    assert.equal(nameless.status, 422);
    assert.equal((JSON.parse(nameless.body) as { reason: string }).reason, 'Invalid');
    const generated = await raw(server, 'POST', '/api/v1/namespaces/default/services', { body: { metadata: { generateName: 'web-' }, spec: {} } });
    assert.equal(generated.status, 201);
    assert.match((JSON.parse(generated.body) as { metadata: { name: string } }).metadata.name, /^web-[a-z0-9]{5}$/);
  });

  it('answers an unknown path with 404, a bad body with 400 and an unknown patch type with 415', async () => {
    server.create('Service', svc('a'));
    assert.equal((await raw(server, 'GET', '/api/v1/pods')).status, 404);
    assert.equal((await raw(server, 'GET', '/api/v1/namespaces/default/nodes')).status, 404, 'nodes are cluster-scoped');
    const bad = await raw(server, 'PUT', '/api/v1/namespaces/default/services/a', { body: 'not json' });
    assert.equal(bad.status, 400);
    const apply = await raw(server, 'PATCH', '/api/v1/namespaces/default/services/a', { body: {}, contentType: 'application/apply-patch+yaml' });
    assert.equal(apply.status, 415);
  });

  it('answers a list at a resourceVersion it has not reached with 504 and a Timeout Status', async () => {
    const res = await raw(server, 'GET', '/api/v1/services?resourceVersion=99');
    assert.equal(res.status, 504);
    const status = JSON.parse(res.body) as { reason: string; message: string };
    assert.equal(status.reason, 'Timeout');
    assert.equal(status.message, 'Too large resource version: 99, current: 0');
  });

  it('refuses a delete whose precondition is stale with 409 and keeps the object', async () => {
    server.create('Service', svc('a'));
    const res = await raw(server, 'DELETE', '/api/v1/namespaces/default/services/a', { body: { preconditions: { resourceVersion: '7' } } });
    assert.equal(res.status, 409);
    assert.ok(server.get('Service', { namespace: 'default', name: 'a' }));
  });

  it('answers 503 with a ServiceUnavailable Status in the unavailable outage mode', async () => {
    await server.setDown(true, 'unavailable');
    const res = await raw(server, 'GET', '/api/v1/services');
    assert.equal(res.status, 503);
    assert.equal((JSON.parse(res.body) as { reason: string }).reason, 'ServiceUnavailable');
    await server.setDown(false);
    assert.equal((await raw(server, 'GET', '/api/v1/services')).status, 200);
  });

  it('writes a Service through the helpers as a controller would, status and all, with events to watchers', async () => {
    const created = server.create('Service', { ...svc('a'), status: { loadBalancer: {} } });
    const updated = server.updateStatus('Service', { ...created, status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } } });
    assert.equal(updated.metadata.resourceVersion, '2');
    const watching = raw(server, 'GET', '/api/v1/services?watch=true&resourceVersion=1');
    await eventually(() => assert.equal(server.openWatches, 1));
    server.breakWatches();
    const res = await watching;
    assert.deepEqual(jsonLines(res.body).map((e) => e.type), ['MODIFIED']);
  });
});
