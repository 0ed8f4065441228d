// client-node's `Watch.watch()` against the fake: events from a resourceVersion, the initial
// state, bookmarks, selectors, the in-stream 410, timeouts, and the ways a stream can end.
import { strict as assert } from 'node:assert';
import { Watch } from '@kubernetes/client-node';
import { FakeApiServer } from '../support/fake-apiserver/index.js';
import { eventually, sleep } from './helpers.js';

interface Seen {
  type: string;
  name: string;
  rv: string;
  object: Record<string, unknown>;
}

/** A running watch: what it saw, and how it ended (undefined while open, null for a clean end). */
interface Session {
  seen: Seen[];
  done: { err: unknown } | undefined;
  abort: () => void;
}

async function watch(server: FakeApiServer, path: string, query: Record<string, string | boolean | number>): Promise<Session> {
  const session: Session = { seen: [], done: undefined, abort: () => undefined };
  const controller = await new Watch(server.kubeconfig()).watch(
    path,
    query,
    (type: string, object: { metadata?: { name?: string; resourceVersion?: string } }) => {
      session.seen.push({ type, name: object.metadata?.name ?? '', rv: object.metadata?.resourceVersion ?? '', object: object as Record<string, unknown> });
    },
    (err: unknown) => (session.done = { err }),
  );
  session.abort = () => controller.abort();
  return session;
}

const svc = (name: string, labels: Record<string, string> = {}) => ({ metadata: { namespace: 'default', name, labels }, spec: { type: 'LoadBalancer' } });

describe('fake API server: client-node Watch', () => {
  let server: FakeApiServer;
  let sessions: Session[];

  beforeEach(async () => {
    server = new FakeApiServer();
    sessions = [];
    await server.start();
  });

  afterEach(async () => {
    for (const s of sessions) s.abort();
    await server.stop();
  });

  const open = async (path: string, query: Record<string, string | boolean | number>): Promise<Session> => {
    const s = await watch(server, path, query);
    sessions.push(s);
    return s;
  };

  it('delivers ADDED, MODIFIED and DELETED after the resourceVersion it starts from', async () => {
    server.create('Service', svc('before'));
    const s = await open('/api/v1/services', { resourceVersion: '1' });
    await eventually(() => assert.equal(server.openWatches, 1));
    server.create('Service', svc('web'));
    server.patch('Service', { namespace: 'default', name: 'web' }, { metadata: { labels: { x: 'y' } } });
    server.delete('Service', { namespace: 'default', name: 'web' });
    await eventually(() => assert.equal(s.seen.length, 3));
    assert.deepEqual(s.seen.map((e) => `${e.type} ${e.name} ${e.rv}`), ['ADDED web 2', 'MODIFIED web 3', 'DELETED web 4']);
    assert.equal(s.seen[0]?.object.kind, 'Service', 'watch objects carry their kind');
  });

  it('replays from history the events a late watcher missed', async () => {
    server.create('Service', svc('a'));
    server.create('Service', svc('b'));
    server.delete('Service', { namespace: 'default', name: 'a' });
    const s = await open('/api/v1/services', { resourceVersion: '1' });
    await eventually(() => assert.deepEqual(s.seen.map((e) => `${e.type} ${e.name} ${e.rv}`), ['ADDED b 2', 'DELETED a 3']));
  });

  it('starts with ADDED events for what exists when no resourceVersion is given', async () => {
    server.create('Service', svc('a'));
    server.create('Service', svc('b'));
    const s = await open('/api/v1/services', {});
    await eventually(() => assert.deepEqual(s.seen.map((e) => `${e.type} ${e.name}`), ['ADDED a', 'ADDED b']));
  });

  it('sends bookmarks with only the kind and the resourceVersion, and only when asked for', async () => {
    server.create('Service', svc('a'));
    const asked = await open('/api/v1/services', { resourceVersion: '1', allowWatchBookmarks: true });
    const notAsked = await open('/api/v1/services', { resourceVersion: '1' });
    await eventually(() => assert.equal(server.openWatches, 2));
    server.create('Service', svc('b'));
    assert.equal(server.sendBookmarks(), 1);
    await eventually(() => assert.deepEqual(asked.seen.map((e) => e.type), ['ADDED', 'BOOKMARK']));
    assert.deepEqual(asked.seen[1]?.object, { kind: 'Service', apiVersion: 'v1', metadata: { resourceVersion: '2' } });
    // A later event as a marker: the stream that did not ask got it, and no bookmark before it.
    server.create('Service', svc('c'));
    await eventually(() => assert.equal(notAsked.seen.length, 2));
    assert.deepEqual(notAsked.seen.map((e) => e.type), ['ADDED', 'ADDED']);
  });

  it('streams the initial state then a bookmark annotated k8s.io/initial-events-end when sendInitialEvents is asked for', async () => {
    server.create('Service', svc('a'));
    const s = await open('/api/v1/services', { sendInitialEvents: true, allowWatchBookmarks: true, resourceVersionMatch: 'NotOlderThan' });
    await eventually(() => assert.deepEqual(s.seen.map((e) => e.type), ['ADDED', 'BOOKMARK']));
    assert.deepEqual(s.seen[1]?.object.metadata, { resourceVersion: '1', annotations: { 'k8s.io/initial-events-end': 'true' } });
  });

  it('sends bookmarks on its own at the configured interval', async () => {
    await server.stop();
    server = new FakeApiServer({ bookmarkIntervalMs: 20 });
    await server.start();
    const s = await open('/api/v1/services', { resourceVersion: '0', allowWatchBookmarks: true });
    await eventually(() => assert.ok(s.seen.filter((e) => e.type === 'BOOKMARK').length >= 2));
  });

  it('answers a resourceVersion older than the history with an ERROR event carrying 410 Expired, then ends the stream', async () => {
    server.create('Service', svc('a'));
    server.create('Service', svc('b'));
    server.compactBefore();
    const s = await open('/api/v1/services', { resourceVersion: '1' });
    await eventually(() => assert.ok(s.done));
    assert.equal(s.done?.err, null, 'client-node reports a clean end: the 410 is only in the event');
    assert.equal(s.seen.length, 1);
    assert.equal(s.seen[0]?.type, 'ERROR');
    assert.deepEqual(s.seen[0]?.object, {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: 'too old resource version: 1 (2)', reason: 'Expired', code: 410,
    });
  });

  it('expires old resourceVersions by itself once the bounded history overflows', async () => {
    await server.stop();
    server = new FakeApiServer({ historyLimit: 2 });
    await server.start();
    for (const name of ['a', 'b', 'c', 'd']) server.create('Service', svc(name));
    const expired = await open('/api/v1/services', { resourceVersion: '1' });
    const kept = await open('/api/v1/services', { resourceVersion: '2' });
    await eventually(() => assert.deepEqual(expired.seen.map((e) => `${e.type} ${String(e.object.code ?? e.name)}`), ['ERROR 410']));
    await eventually(() => assert.deepEqual(kept.seen.map((e) => `${e.type} ${e.name}`), ['ADDED c', 'ADDED d']));
  });

  it('turns a label change into ADDED or DELETED for a watch whose selector it enters or leaves', async () => {
    server.create('Service', svc('web', { vip: 'yes' }));
    const s = await open('/api/v1/services', { resourceVersion: '1', labelSelector: 'vip=yes' });
    await eventually(() => assert.equal(server.openWatches, 1));
    server.patch('Service', { namespace: 'default', name: 'web' }, { metadata: { labels: { vip: 'no' } } });
    server.patch('Service', { namespace: 'default', name: 'web' }, { metadata: { labels: { vip: 'yes' } } });
    server.create('Service', svc('other'));
    await eventually(() => assert.deepEqual(s.seen.map((e) => `${e.type} ${e.name} ${e.rv}`), ['DELETED web 2', 'ADDED web 3']));
    const labels = (s.seen[0]?.object.metadata as { labels?: Record<string, string> }).labels;
    assert.deepEqual(labels, { vip: 'yes' }, 'the DELETED object is the last state that matched');
  });

  it('watches one object by the metadata.name field selector, as leader election and single-object informers do', async () => {
    const s = await open('/apis/coordination.k8s.io/v1/namespaces/kube-system/leases', { fieldSelector: 'metadata.name=vip-speaker' });
    await eventually(() => assert.equal(server.openWatches, 1));
    server.create('Lease', { metadata: { namespace: 'kube-system', name: 'other' }, spec: {} });
    server.create('Lease', { metadata: { namespace: 'kube-system', name: 'vip-speaker' }, spec: { holderIdentity: 'node-1' } });
    server.create('Lease', { metadata: { namespace: 'default', name: 'vip-speaker' }, spec: {} });
    await eventually(() => assert.deepEqual(s.seen.map((e) => `${e.type} ${e.name}`), ['ADDED vip-speaker']));
    assert.equal(s.seen[0]?.object.apiVersion, 'coordination.k8s.io/v1');
  });

  it('ends the stream cleanly after timeoutSeconds', async () => {
    const s = await open('/api/v1/nodes', { timeoutSeconds: 1 });
    await sleep(500);
    // Timers fire late, never early: not ended before its time, however loaded the machine.
    assert.equal(s.done, undefined);
    await eventually(() => assert.deepEqual(s.done, { err: null }));
  });

  it('reports a clean end (null) when the server closes watches, and an error when the connection is cut', async () => {
    const clean = await open('/api/v1/services', {});
    await eventually(() => assert.equal(server.openWatches, 1));
    assert.equal(server.breakWatches(), 1);
    await eventually(() => assert.deepEqual(clean.done, { err: null }));
    const cut = await open('/api/v1/services', {});
    await eventually(() => assert.equal(server.openWatches, 1));
    server.breakWatches({ abrupt: true });
    await eventually(() => assert.ok(cut.done));
    assert.equal((cut.done?.err as NodeJS.ErrnoException).code, 'ERR_STREAM_PREMATURE_CLOSE');
  });

  it('reports ECONNREFUSED while the server refuses connections and a 503 while it answers unavailable', async () => {
    const before = await open('/api/v1/services', {});
    await eventually(() => assert.equal(server.openWatches, 1));
    await server.setDown(true);
    await eventually(() => assert.ok(before.done?.err, 'an outage cuts open watches'));
    const refused = await open('/api/v1/services', {});
    assert.equal((refused.done?.err as NodeJS.ErrnoException).code, 'ECONNREFUSED');
    await server.setDown(false);
    await server.setDown(true, 'unavailable');
    const unavailable = await open('/api/v1/services', {});
    assert.equal((unavailable.done?.err as { statusCode?: number }).statusCode, 503);
    await server.setDown(false);
    const back = await open('/api/v1/services', {});
    server.create('Service', svc('web'));
    await eventually(() => assert.deepEqual(back.seen.map((e) => e.name), ['web']));
  });
});
