// Per-Service leases (kube-vip's svc_election) against the fake API server: named
// kubevip-<service>, labelled as vip-speaker's, and deleted with the Service, but only our own.
import { strict as assert } from 'node:assert';
import { ManualClock } from '../../../../bgp/index.js';
import { ServiceLeases, serviceLeaseName } from '../../../../src/kubernetes/elections/service-leases.js';
import { FakeApiServer, type KubeObject } from '../../../support/fake-apiserver/index.js';

describe('ServiceLeases', () => {
  let server: FakeApiServer;
  let clock: ManualClock;
  let nodes: ServiceLeases[];

  function node(identity: string): ServiceLeases {
    const leases = new ServiceLeases({ kubeConfig: server.kubeconfig(), identity, clock, random: () => 0 });
    nodes.push(leases);
    return leases;
  }

  async function run(ms: number, step = 50): Promise<void> {
    for (let t = 0; t < ms; t += step) {
      clock.advance(step);
      await Promise.all(nodes.flatMap((n) => [...n.active.values()].map((e) => e.settled())));
    }
  }

  const lease = (namespace: string, service: string): KubeObject | undefined => server.get('Lease', { namespace, name: serviceLeaseName(service) });

  beforeEach(async () => {
    server = new FakeApiServer();
    await server.start();
    clock = new ManualClock();
    nodes = [];
  });

  afterEach(async () => {
    await Promise.all(nodes.map((n) => n.stopAll()));
    await server.stop();
  });

  it('names the lease kubevip-<service> in the Service namespace and labels it as ours', async () => {
    assert.equal(serviceLeaseName('web'), 'kubevip-web');
    const a = node('node-a');
    const elector = a.elector('shop', 'web');
    assert.equal(a.elector('shop', 'web'), elector, 'one elector per Service');
    elector.start();
    await run(50);
    assert.equal(elector.isLeader, true);
    const created = lease('shop', 'web');
    assert.equal(created?.metadata.labels?.['app.kubernetes.io/managed-by'], 'vip-speaker');
    assert.equal((created as unknown as { spec: { holderIdentity: string } }).spec.holderIdentity, 'node-a');
  });

  it('deletes our lease with the Service, stopping the elector first so that nothing writes it again', async () => {
    const a = node('node-a');
    a.elector('shop', 'web').start();
    await run(2000);
    assert.equal(await a.deleteServiceLease('shop', 'web'), 'deleted');
    assert.equal(lease('shop', 'web'), undefined);
    assert.equal(a.active.size, 0);
    const deletedAt = server.requests.length;
    await run(10_000);
    assert.equal(lease('shop', 'web'), undefined);
    assert.deepEqual(server.requests.slice(deletedAt), [], 'no release, no renewal after the delete');
    assert.equal(await a.deleteServiceLease('shop', 'web'), 'absent');
  });

  it('leaves a lease it did not create (kube-vip left it behind) alone', async () => {
    server.create('Lease', { metadata: { namespace: 'shop', name: 'kubevip-web' }, spec: { holderIdentity: 'kube-vip-node' } });
    const a = node('node-a');
    assert.equal(await a.deleteServiceLease('shop', 'web'), 'not-ours');
    assert.ok(lease('shop', 'web'));
    assert.equal(server.requests.filter((r) => r.method === 'DELETE').length, 0);
  });

  it('ends with the lease deleted whichever node sees the Service deletion first', async () => {
    const a = node('node-a');
    const b = node('node-b');
    a.elector('shop', 'web').start();
    await run(50);
    b.elector('shop', 'web').start();
    await run(2000);
    // B handles the deletion first; A's elector, still running, writes the lease again...
    assert.equal(await b.deleteServiceLease('shop', 'web'), 'deleted');
    await run(2000);
    assert.ok(lease('shop', 'web'), 'A, not yet told, created it again');
    // ...until A handles the deletion too: the last word is a delete.
    assert.equal(await a.deleteServiceLease('shop', 'web'), 'deleted');
    await run(5000);
    assert.equal(lease('shop', 'web'), undefined);
  });

  it('releases the leases it leads on stopAll', async () => {
    const a = node('node-a');
    a.elector('shop', 'web').start();
    a.elector('shop', 'api').start();
    await run(50);
    await a.stopAll();
    for (const service of ['web', 'api']) {
      assert.equal((lease('shop', service) as unknown as { spec: { holderIdentity: string } }).spec.holderIdentity, '');
    }
  });
});
