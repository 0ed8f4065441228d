// VIPs on several interfaces: the InterfacePlacer splits the work by interface, remembers where
// each address went, survives an interface that is not there, and with the reconcile moves a VIP
// whose interface changed (a Service's kube-vip.io/serviceInterface edited).
import { strict as assert } from 'node:assert';
import { ManualClock } from '../../../bgp/index.js';
import { Reconciler } from '../../../src/reconcile.js';
import { VipRegistry } from '../../../src/registry/index.js';
import { InterfacePlacer } from '../../../src/vip/index.js';
import { MemoryInterfaces } from '../../support/memory-interface.js';

describe('InterfacePlacer', () => {
  let host: MemoryInterfaces;
  let placer: InterfacePlacer;

  beforeEach(() => {
    host = new MemoryInterfaces();
    placer = new InterfacePlacer({ defaultInterface: 'eth0', manager: (iface) => host.manager(iface), interfaceNames: () => [...host.owned.keys()] });
  });

  it('puts each address on the interface named for it, else on the default one, and removes it from there', async () => {
    const r = await placer.add(['192.0.2.1/32', '192.0.2.2/32', '192.0.2.3/32'], { interfaces: new Map([['192.0.2.2/32', 'eth1'], ['192.0.2.3/32', 'eth2']]) });
    assert.deepEqual([r.done.sort(), r.failed], [['192.0.2.1/32', '192.0.2.2/32', '192.0.2.3/32'], []]);
    assert.deepEqual(['192.0.2.1/32', '192.0.2.2/32', '192.0.2.3/32'].map((a) => host.where(a).join()), ['eth0', 'eth1', 'eth2']);
    assert.deepEqual([placer.interfaceOf('192.0.2.1/32'), placer.interfaceOf('192.0.2.2/32')], [undefined, 'eth1']);
    await placer.remove(['192.0.2.2/32', '192.0.2.1/32']);
    assert.deepEqual([host.where('192.0.2.1/32'), host.where('192.0.2.2/32'), host.where('192.0.2.3/32')], [[], [], ['eth2']]);
  });

  it('finds a killed run\'s leftovers on every interface, and removes them from where they are', async () => {
    host.on('eth0').add('192.0.2.1/32');
    host.on('eth3').add('192.0.2.9/32');
    assert.deepEqual((await placer.listOwned()).sort(), ['192.0.2.1/32', '192.0.2.9/32']);
    assert.equal(placer.interfaceOf('192.0.2.9/32'), 'eth3');
    await placer.remove(['192.0.2.9/32']);
    assert.deepEqual(host.where('192.0.2.9/32'), []);
  });

  it('fails only the addresses of an interface that is not there', async () => {
    host.missing.add('eth9');
    const r = await placer.add(['192.0.2.1/32', '192.0.2.2/32'], { interfaces: new Map([['192.0.2.2/32', 'eth9']]) });
    assert.deepEqual(r.done, ['192.0.2.1/32']);
    assert.deepEqual(r.failed.map((f) => [f.address, f.error.message]), [['192.0.2.2/32', 'no interface named eth9']]);
  });

  it('with the reconcile: a VIP goes where its owner says, and moves when that changes', async () => {
    const registry = new VipRegistry();
    const reconciler = new Reconciler(registry, placer, undefined, new ManualClock());
    registry.claim('static', { address: '192.0.2.1' });
    registry.claim('service:shop/web', { address: '192.0.2.2', attributes: { interface: 'eth1' } });
    await reconciler.schedule();
    assert.deepEqual([host.where('192.0.2.1/32'), host.where('192.0.2.2/32')], [['eth0'], ['eth1']]);
    registry.claim('service:shop/web', { address: '192.0.2.2', attributes: { interface: 'eth2' } });
    await reconciler.schedule();
    assert.deepEqual(host.where('192.0.2.2/32'), ['eth2'], 'moved, not copied');
    // Named as the default interface: on eth0, and no move on every run after.
    registry.claim('service:shop/web', { address: '192.0.2.2', attributes: { interface: 'eth0' } });
    await reconciler.schedule();
    await reconciler.schedule();
    assert.deepEqual(host.where('192.0.2.2/32'), ['eth0']);
    assert.deepEqual(reconciler.last?.removed, [], 'nothing moved again');
  });
});
