import { strict as assert } from 'node:assert';
import { RegistryError, VipRegistry, canonicalVip } from '../../../src/registry/index.js';

describe('VipRegistry', () => {
  it('keeps a VIP wanted while at least one owner wants it', () => {
    const r = new VipRegistry();
    r.claim('service:default/a', { address: '192.0.2.10' });
    r.claim('service:default/b', { address: '192.0.2.10/32' });
    assert.deepEqual(r.desired().map((d) => [d.address, d.owners]), [['192.0.2.10/32', ['service:default/a', 'service:default/b']]]);
    r.release('service:default/a', '192.0.2.10');
    assert.equal(r.size, 1);
    r.release('service:default/b', '192.0.2.10');
    assert.equal(r.size, 0);
  });

  it('canonicalises IPv6 VIPs and refuses prefixes that are not single addresses', () => {
    assert.equal(canonicalVip('2001:DB8:0::10').text, '2001:db8::10/128');
    assert.throws(() => canonicalVip('192.0.2.0/24'), (e: unknown) => e instanceof RegistryError && e.code === 'VIP_ERR_NOT_SINGLE_ADDRESS' && /single address \(\/32\)/.test(e.message));
    assert.throws(() => canonicalVip('not-an-ip'), (e: unknown) => e instanceof RegistryError && e.code === 'VIP_ERR_INVALID_ADDRESS' && /not an IP address/.test(e.message));
  });

  it('refuses a whole set of claims with one bad address, changing nothing', () => {
    const r = new VipRegistry();
    r.replaceOwner('static', [{ address: '192.0.2.10' }]);
    assert.throws(() => r.replaceOwner('static', [{ address: '192.0.2.11' }, { address: '192.0.2.0/24' }]), RegistryError);
    assert.deepEqual(r.desired().map((v) => v.address), ['192.0.2.10/32']);
  });

  it('keeps an owner\'s traits with its claims, and a change of traits alone is a change', () => {
    const r = new VipRegistry();
    let changes = 0;
    r.on('change', () => changes++);
    r.replaceOwner('service:web/shop', [{ address: '192.0.2.60' }]);
    assert.deepEqual(r.traitsOf('service:web/shop'), {});
    assert.equal(r.replaceOwner('service:web/shop', [{ address: '192.0.2.60' }], { nodeLocal: true }), true);
    assert.deepEqual(r.traitsOf('service:web/shop'), { nodeLocal: true });
    assert.equal(r.replaceOwner('service:web/shop', [{ address: '192.0.2.60' }], { nodeLocal: true }), false);
    assert.equal(changes, 2);
    r.releaseOwner('service:web/shop');
    assert.deepEqual(r.traitsOf('service:web/shop'), {}, 'an owner that holds nothing has no traits');
  });

  it('emits one change per effective change and none for a repeat', () => {
    const r = new VipRegistry();
    let changes = 0;
    r.on('change', () => changes++);
    r.claim('static', { address: '192.0.2.10' });
    r.claim('static', { address: '192.0.2.10' });
    r.release('static', '192.0.2.99');
    assert.equal(changes, 1);
  });

  it('replaces one owner\'s set in a single change, leaving other owners alone', () => {
    const r = new VipRegistry();
    r.claim('static', { address: '192.0.2.1' });
    r.claim('static', { address: '192.0.2.2' });
    r.claim('control-plane', { address: '192.0.2.2' });
    let changes = 0;
    r.on('change', () => changes++);
    assert.equal(r.replaceOwner('static', [{ address: '192.0.2.3' }, { address: '2001:db8::3' }]), true);
    assert.equal(changes, 1);
    assert.deepEqual(r.desired().map((d) => d.address), ['192.0.2.2/32', '192.0.2.3/32', '2001:db8::3/128']);
    assert.deepEqual(r.ownersOf('192.0.2.2'), ['control-plane']);
    assert.equal(r.replaceOwner('static', [{ address: '192.0.2.3' }, { address: '2001:db8::3' }]), false);
  });

  it('merges the communities of every owner of a VIP', () => {
    const r = new VipRegistry();
    r.claim('service:a/x', { address: '192.0.2.10', attributes: { communities: [0xfde80002, 0xfde80001] } });
    r.claim('service:b/y', { address: '192.0.2.10', attributes: { communities: [0xfde80001], largeCommunities: [{ globalAdmin: 65000, localData1: 1, localData2: 2 }] } });
    const [d] = r.desired();
    assert.deepEqual(d!.attributes.communities, [0xfde80001, 0xfde80002]);
    assert.equal(d!.attributes.largeCommunities.length, 1);
  });

  it('counts versions so that a reconcile knows it saw the latest state', () => {
    const r = new VipRegistry();
    const v0 = r.version;
    r.claim('static', { address: '192.0.2.1' });
    assert.ok(r.version > v0);
  });
});
