// The Event recorder against the fake API server, which refuses an events.k8s.io/v1 Event as
// kube-apiserver would (eventTime, reporting controller and instance, action, reason, note,
// series): one Event per change, a repeat counted in its series, the per-object limit, and stop.
// Time is the fake clock's.
import { strict as assert } from 'node:assert';
import { pino } from 'pino';
import { EventRecorder, MAX_TRIES, PER_OBJECT_BURST, PER_OBJECT_REFILL_MS, REPORTING_CONTROLLER, RETRY_DELAY_MS, SERIES_WINDOW_MS } from '../../../../src/kubernetes/events/recorder.js';
import { TestClock } from '../../../support/clock.js';
import { FakeApiServer } from '../../../support/fake-apiserver/index.js';
import { eventually } from '../../../support-tests/helpers.js';

interface StoredEvent {
  metadata: { name: string; namespace: string };
  eventTime: string;
  reportingController: string;
  reportingInstance: string;
  action: string;
  reason: string;
  type: string;
  note: string;
  regarding: { kind: string; namespace: string; name: string; uid?: string };
  series?: { count: number; lastObservedTime: string };
}

describe('EventRecorder', () => {
  let server: FakeApiServer;
  let clock: TestClock;
  let recorder: EventRecorder;
  const web = { apiVersion: 'v1', kind: 'Service', namespace: 'shop', name: 'web', uid: 'u-1' };
  const announced = { type: 'Normal' as const, reason: 'Announced', action: 'Announce', note: 'node n1 announces 203.0.113.10' };

  const events = () => server.list('Event') as unknown as StoredEvent[];

  beforeEach(async () => {
    server = new FakeApiServer();
    await server.start();
    clock = new TestClock();
    recorder = new EventRecorder({ kubeConfig: server.kubeconfig(), nodeName: 'n1', log: pino({ level: 'silent' }), clock });
  });

  afterEach(async () => {
    await recorder.stop();
    await server.stop();
  });

  it('writes an events.k8s.io/v1 Event the API server accepts, with the reporting controller and instance', async () => {
    recorder.record(web, announced);
    await recorder.settled();
    const [e, more] = events();
    assert.equal(more, undefined);
    assert.equal(e!.reportingController, REPORTING_CONTROLLER);
    assert.equal(e!.reportingInstance, 'vip-speaker-n1');
    assert.deepEqual([e!.type, e!.action, e!.reason, e!.note], ['Normal', 'Announce', 'Announced', 'node n1 announces 203.0.113.10']);
    assert.deepEqual(e!.regarding, web);
    assert.equal(e!.metadata.namespace, 'shop');
    assert.match(e!.metadata.name, /^web\.[0-9a-f]+$/);
    assert.match(e!.eventTime, /^2026-01-01T00:00:00\.000000Z$/, 'MicroTime, six digits');
    assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path} ${r.code}`), ['POST /apis/events.k8s.io/v1/namespaces/shop/events 201']);
  });

  it("counts a repeat within 6 minutes in the first Event's series; a different note is an Event of its own", async () => {
    recorder.record(web, announced);
    await recorder.settled();
    clock.advance(60_000);
    recorder.record(web, announced);
    await recorder.settled();
    recorder.record(web, { ...announced, note: 'node n1 announces 203.0.113.11' });
    await recorder.settled();
    const [first, second] = events().sort((a, b) => a.note.localeCompare(b.note));
    assert.deepEqual(first!.series?.count, 2);
    assert.equal(first!.series?.lastObservedTime, '2026-01-01T00:01:00.000000Z');
    assert.equal(second!.series, undefined);
    assert.equal(events().length, 2);
    assert.deepEqual(recorder.stats(), { created: 2, repeated: 1, dropped: 0, queued: 0 });
    // Past the window, the same event starts afresh.
    clock.advance(SERIES_WINDOW_MS);
    recorder.record(web, announced);
    await recorder.settled();
    assert.equal(events().length, 3);
  });

  it("lets 25 Events about one object through, then one per 5 minutes, as client-go's spam filter", async () => {
    for (let i = 0; i < PER_OBJECT_BURST + 5; i++) recorder.record(web, { ...announced, note: `change ${i}` });
    await recorder.settled();
    assert.equal(events().length, PER_OBJECT_BURST);
    assert.equal(recorder.stats().dropped, 5);
    // Another object is not held back by this one.
    recorder.record({ ...web, name: 'api', uid: 'u-2' }, announced);
    await recorder.settled();
    assert.equal(events().length, PER_OBJECT_BURST + 1);
    clock.advance(PER_OBJECT_REFILL_MS);
    recorder.record(web, { ...announced, note: 'after the refill' });
    recorder.record(web, { ...announced, note: 'one too many' });
    await recorder.settled();
    assert.equal(events().length, PER_OBJECT_BURST + 2);
  });

  it('tries a write again while the API server is down, and gives up after 3 tries', async () => {
    await server.setDown(true, 'unavailable');
    recorder.record(web, announced);
    // Each retry waits on a timer set once the 503 is in (beside the recorder's 6-minute sweep).
    for (let i = 1; i < MAX_TRIES; i++) {
      await eventually(() => assert.equal(server.requests.length, i));
      await eventually(() => assert.equal(clock.pending, 2));
      await clock.advanceAsync(RETRY_DELAY_MS);
    }
    await recorder.settled();
    assert.equal(server.requests.length, MAX_TRIES);
    assert.equal(recorder.stats().dropped, 1);
    await server.setDown(false);
    recorder.record(web, { ...announced, note: 'later' });
    await recorder.settled();
    assert.equal(events().length, 1);
  });

  it('cuts a note longer than the API takes (1 kB)', async () => {
    recorder.record(web, { ...announced, note: 'x'.repeat(2000) });
    await recorder.settled();
    assert.equal(events()[0]!.note.length, 1024);
  });

  it('drops what is queued on stop and records nothing afterwards', async () => {
    server.hold();
    recorder.record(web, announced);
    recorder.record(web, { ...announced, note: 'queued behind it' });
    await recorder.stop();
    recorder.record(web, { ...announced, note: 'after stop' });
    server.release();
    assert.equal(events().length, 0);
    assert.equal(recorder.stats().queued, 0);
    assert.equal(clock.pending, 0, 'no timer left');
  });
});
