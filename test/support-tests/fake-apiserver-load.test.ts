// The fake API server as the slow-API and Events tests use it: it refuses an events.k8s.io/v1
// Event kube-apiserver would refuse, works on at most `capacity` requests at once (the rest
// queue), and counts connections and requests per window.
import { strict as assert } from 'node:assert';
import { request } from 'node:http';
import { CoreV1Api, EventsV1Api, type EventsV1Event } from '@kubernetes/client-node';
import { FakeApiServer } from '../support/fake-apiserver/index.js';
import { apiFailure, eventually } from './helpers.js';

function event(fields: Partial<EventsV1Event> = {}): EventsV1Event {
  return {
    metadata: { name: 'web.1', namespace: 'shop' },
    eventTime: '2026-01-01T00:00:00.000000Z' as unknown as EventsV1Event['eventTime'],
    reportingController: 'vip-speaker',
    reportingInstance: 'vip-speaker-n1',
    action: 'Announce',
    reason: 'Announced',
    type: 'Normal',
    note: 'node n1 announces 203.0.113.10',
    regarding: { kind: 'Service', namespace: 'shop', name: 'web' },
    ...fields,
  };
}

/** A raw GET on a connection of its own (no keep-alive), resolved with the status code. */
function rawGet(url: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { headers: { authorization: 'Bearer fake-token' }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('fake API server: Events and load', () => {
  let server: FakeApiServer;

  afterEach(async () => {
    server.release();
    await server.stop();
  });

  it('takes a valid events.k8s.io/v1 Event and refuses what kube-apiserver refuses, with 422 naming the field', async () => {
    server = new FakeApiServer();
    await server.start();
    const api = server.kubeconfig().makeApiClient(EventsV1Api);
    await api.createNamespacedEvent({ namespace: 'shop', body: event() });
    const refused = async (fields: Partial<EventsV1Event>) => (await apiFailure(api.createNamespacedEvent({ namespace: 'shop', body: event({ metadata: { name: 'web.2', namespace: 'shop' }, ...fields }) }))).status;
    assert.match((await refused({ reportingController: '' })).message ?? '', /reportingController: Required value/);
    assert.match((await refused({ reportingInstance: 'x'.repeat(129) })).message ?? '', /reportingInstance: Invalid value/);
    assert.match((await refused({ eventTime: undefined as unknown as EventsV1Event['eventTime'] })).message ?? '', /eventTime: Required value/);
    assert.match((await refused({ type: 'Error' })).message ?? '', /type: Unsupported value/);
    assert.match((await refused({ note: 'x'.repeat(1025) })).message ?? '', /note: Invalid value/);
    assert.match((await refused({ series: { count: 1, lastObservedTime: '2026-01-01T00:00:00.000000Z' as unknown as Date } })).message ?? '', /series\.count/);
    assert.match((await refused({ regarding: { kind: 'Service', namespace: 'elsewhere', name: 'web' } })).message ?? '', /does not match event\.namespace/);
    assert.equal(server.list('Event').length, 1);
  });

  it('works on at most `capacity` requests at once and queues the rest', async () => {
    server = new FakeApiServer({ capacity: 2 });
    await server.start();
    server.create('Service', { metadata: { namespace: 'shop', name: 'web' }, spec: { type: 'ClusterIP' } });
    server.hold();
    const calls = Array.from({ length: 5 }, () => rawGet(server.url, '/api/v1/namespaces/shop/services/web'));
    await eventually(() => assert.equal(server.heldRequests, 5));
    server.release();
    assert.deepEqual(await Promise.all(calls), [200, 200, 200, 200, 200]);
    assert.equal(server.inFlightStats().peak, 5, 'in flight counts the queued ones');
    assert.equal(server.inFlightStats().workedOnPeak, 2);
    assert.equal(server.connectionStats().total, 5);
  });

  it('counts the most requests within one window, and the connections', async () => {
    server = new FakeApiServer();
    await server.start();
    const core = server.kubeconfig().makeApiClient(CoreV1Api);
    for (let i = 0; i < 3; i++) await core.listNamespacedService({ namespace: 'shop' });
    assert.equal(server.maxRequestsPer(60_000), 3);
    assert.equal(server.maxRequestsPer(60_000, (r) => r.method === 'POST'), 0);
    assert.ok(server.maxRequestsPer(0) <= 1);
    const stats = server.connectionStats();
    assert.equal(stats.total, 3, 'client-node alone opens a connection per call');
    await eventually(() => assert.equal(server.connectionStats().open, 0));
  });
});
