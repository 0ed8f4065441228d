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

describe('VipRegistry at scale', () => {
  it('tells a tracker which VIPs changed since its last look, each once; nothing before its first look', () => {
    const r = new VipRegistry();
    const changes = r.track();
    r.claim('static', { address: '192.0.2.9' });
    assert.deepEqual([...changes.take()], [], 'the first look reads everything anyway');
    r.claim('static', { address: '192.0.2.1' });
    r.claim('service:a/x', { address: '192.0.2.1' });
    r.claim('static', { address: '192.0.2.2' });
    assert.deepEqual([...changes.take()].sort(), ['192.0.2.1/32', '192.0.2.2/32']);
    assert.deepEqual([...changes.take()], []);
    r.release('static', '192.0.2.2');
    assert.deepEqual([...changes.take()], ['192.0.2.2/32']);
  });

  it('hands out each wanted VIP as a route: its prefix and, only when there are some, its communities', () => {
    const r = new VipRegistry();
    r.claim('static', { address: '192.0.2.1' });
    r.claim('static', { address: '192.0.2.2', attributes: { communities: [0xfde80002, 0xfde80001, 0xfde80002] } });
    assert.deepEqual(Object.keys(r.wanted('192.0.2.1/32')!), ['prefix', 'owners']);
    assert.equal(r.wanted('192.0.2.1/32')!.prefix.toString(), '192.0.2.1/32');
    assert.deepEqual(r.wanted('192.0.2.2/32')!.communities, [0xfde80001, 0xfde80002]);
    assert.equal(r.wanted('192.0.2.3/32'), undefined);
  });

  it('replaces a VIP\'s entry when its communities change, and keeps it when only its owners do', () => {
    const r = new VipRegistry();
    r.claim('static', { address: '192.0.2.1' });
    const first = r.wanted('192.0.2.1/32');
    r.claim('static', { address: '192.0.2.1' });
    assert.equal(r.wanted('192.0.2.1/32'), first, 'a repeat changes nothing');
    r.claim('service:a/x', { address: '192.0.2.1', attributes: { communities: [0xfde80001] } });
    const second = r.wanted('192.0.2.1/32');
    assert.notEqual(second, first, 'new communities: a new route object, which the speaker sees as a change');
    assert.deepEqual(second!.communities, [0xfde80001]);
  });

  it('keeps the canonical text it was given as the key: one string per VIP', () => {
    const r = new VipRegistry();
    const text = ['198.18.0.1', '/32'].join('');
    r.claim('static', { address: text });
    assert.equal([...r.addresses()][0], text);
    assert.equal(r.wanted(text)!.prefix.toString(), text);
  });

  it('replaces the set of an owner too large to index (5,000 VIPs) by scanning, releasing exactly the dropped ones', () => {
    const r = new VipRegistry();
    const all = Array.from({ length: 5000 }, (_, i) => ({ address: `198.18.${i >> 8}.${i & 255}/32` }));
    r.replaceOwner('static', all);
    r.claim('service:a/x', { address: all[1]!.address });
    assert.equal(r.replaceOwner('static', all.slice(1)), true);
    assert.equal(r.size, 4999);
    assert.deepEqual(r.ownersOf(all[1]!.address).sort(), ['service:a/x', 'static']);
    assert.equal(r.replaceOwner('static', all.slice(1)), false);
    r.replaceOwner('static', []);
    assert.deepEqual([...r.addresses()], [all[1]!.address], 'only the Service\'s VIP is left');
  });
});
