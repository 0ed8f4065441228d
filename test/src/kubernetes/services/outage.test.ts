// The Service watcher when the API server goes away: nothing is released while it cannot be
// reached (the control plane blinking is no reason to withdraw), the changes made meanwhile are
// applied once it is back, and a relist after 410 Gone drops only what is really gone.
import { strict as assert } from 'node:assert';
import { ServiceWatcher } from '../../../../src/kubernetes/services/watcher.js';
import { VipRegistry } from '../../../../src/registry/registry.js';
import { TestClock } from '../../../support/clock.js';
import { FakeApiServer, type OutageMode } from '../../../support/fake-apiserver/index.js';
import { type CapturedLog, FAST, captureLog, endpointSlice, eventually, service } from '../fixtures.js';

const IPS = 'kube-vip.io/loadbalancerIPs';
const ref = (name: string) => ({ namespace: 'default', name });

describe('services: API server outages', () => {
  /** The informers' retries come when the test fires them. */
  let clock: TestClock;
  let failures: number;
  let server: FakeApiServer;
  let registry: VipRegistry;
  let watcher: ServiceWatcher;
  let captured: CapturedLog;
  /** Set when the VIP of Service "keep" is ever missing from the registry. */
  let keepDropped: boolean;

  beforeEach(async () => {
    server = new FakeApiServer();
    await server.start();
    registry = new VipRegistry();
    captured = captureLog();
    clock = new TestClock();
    failures = 0;
    keepDropped = false;
    registry.on('change', () => {
      if (registry.ownersOf('192.0.2.1').length === 0) keepDropped = true;
    });
    for (const [name, vip] of [['keep', '192.0.2.1'], ['gone', '192.0.2.2'], ['moved', '192.0.2.3']] as const) webService(name, vip);
    watcher = new ServiceWatcher({ kubeConfig: server.kubeconfig(), registry, nodeName: 'node-a', rules: { loadBalancerClass: 'kube-vip.io/kube-vip-class', loadBalancerClassOnly: false, loadBalancerClassLegacyHandling: true }, log: captured.log, informer: { ...FAST, clock } });
    watcher.on('error', () => failures++);
    await watcher.start();
    await watcher.whenSynced();
    assert.deepEqual(vips(), ['192.0.2.1/32', '192.0.2.2/32', '192.0.2.3/32']);
    keepDropped = false; // the claims made at start came one by one
  });

  afterEach(async () => {
    await watcher.stop();
    await server.stop();
  });

  function webService(name: string, vip: string): void {
    server.create('Service', service('default', name, { annotations: { [IPS]: vip } }));
    server.create('EndpointSlice', endpointSlice('default', `${name}-1`, name, [{ nodeName: 'node-b' }]));
  }

  const vips = (): string[] => registry.desired().map((v) => v.address);

  /** What a controller does while we cannot see it: one Service deleted, one re-addressed, one created. */
  function changeTheCluster(): void {
    server.delete('Service', ref('gone'));
    server.patch('Service', ref('moved'), { metadata: { annotations: { [IPS]: '192.0.2.33' } } });
    webService('new', '192.0.2.4');
  }

  const AFTER = ['192.0.2.1/32', '192.0.2.33/32', '192.0.2.4/32'];

  for (const mode of ['refuse', 'unavailable'] as OutageMode[]) {
    it(`releases nothing while the API server is down (${mode === 'refuse' ? 'connections refused' : '503'}), then applies what changed meanwhile`, async () => {
      const version = registry.version;
      const restored: string[] = [];
      watcher.on('restored', (name) => restored.push(name));
      await server.setDown(true, mode);
      await eventually(() => assert.deepEqual([watcher.services.connected, watcher.endpointSlices.connected], [false, false]));
      changeTheCluster();
      // Many retries, each refused.
      for (let retry = 0; retry < 6; retry++) {
        const before = failures;
        await clock.fireNext();
        await eventually(() => assert.ok(failures > before, 'the retry failed'));
      }
      assert.equal(registry.version, version, 'the registry did not change during the outage');
      assert.deepEqual(vips(), ['192.0.2.1/32', '192.0.2.2/32', '192.0.2.3/32']);
      assert.equal(watcher.readiness().ok, true, 'still ready: the last known state is served');
      assert.ok(watcher.services.lastError, 'the failure is kept for /status');
      await server.setDown(false);
      await clock.fireUntil('the changes applied', () => vips().join() === AFTER.join());
      await clock.fireUntil('both informers restored', () => restored.length === 2);
      assert.deepEqual(restored.sort(), ['endpointslices', 'services']);
      assert.equal(keepDropped, false);
      const warnings = captured.lines.filter((l) => l.msg === 'Kubernetes API unreachable: keeping the last known Services and endpoints');
      assert.deepEqual(warnings.map((l) => l.informer).sort(), ['endpointslices', 'services'], 'one warning per informer per outage');
    });
  }

  it('warns once per informer for each outage, however close together', async () => {
    for (let i = 0; i < 2; i++) {
      await server.setDown(true);
      await eventually(() => assert.deepEqual([watcher.services.connected, watcher.endpointSlices.connected], [false, false]));
      // A few refused retries within the outage.
      const before = failures;
      await clock.fireUntil('more refused retries', () => failures >= before + 4);
      await server.setDown(false);
      await clock.fireUntil('both connected', () => watcher.services.connected && watcher.endpointSlices.connected);
    }
    const warnings = captured.lines.filter((l) => l.msg === 'Kubernetes API unreachable: keeping the last known Services and endpoints');
    assert.equal(warnings.length, 4);
    assert.equal(captured.lines.filter((l) => l.msg === 'Kubernetes API reachable again').length, 4);
  });

  it('comes back from an outage that outlived the watch history by relisting, dropping only what is gone', async () => {
    await server.setDown(true, 'unavailable');
    await eventually(() => assert.equal(watcher.services.connected, false));
    changeTheCluster();
    server.compactBefore();
    await server.setDown(false);
    await clock.fireUntil('the relisted state', () => vips().join() === AFTER.join());
    assert.equal(keepDropped, false);
  });

  it('relists after 410 Gone without dropping anything that still exists', async () => {
    const errors: string[] = [];
    watcher.on('error', (name) => errors.push(name));
    // The watches end; before they are re-opened the history moves on and is compacted.
    server.breakWatches();
    changeTheCluster();
    server.compactBefore();
    await eventually(() => assert.deepEqual(vips(), AFTER));
    assert.equal(keepDropped, false);
    assert.deepEqual(errors, [], 'a 410 is handled inside the informer');
    const lists = server.requests.filter((r) => r.path === '/api/v1/services' && r.query.watch === undefined).length;
    assert.equal(lists, 2, 'one list at start, one relist');
  });

  it('resumes a cut watch from its resourceVersion, without a relist', async () => {
    server.breakWatches({ abrupt: true });
    changeTheCluster();
    await clock.fireUntil('the changes after the cut', () => vips().join() === AFTER.join());
    assert.equal(keepDropped, false);
    const lists = server.requests.filter((r) => r.path === '/api/v1/services' && r.query.watch === undefined).length;
    assert.equal(lists, 1);
  });
});
