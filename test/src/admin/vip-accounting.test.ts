import { strict as assert } from 'node:assert';
import { keyVips, ownerKindCounts, placedVips, registryVips, vipMismatch } from '../../../src/admin/index.js';
import { VipRegistry } from '../../../src/registry/index.js';

describe('VIP accounting for the metrics', () => {
  it('counts wanted VIPs missing from the announced side, and announced VIPs nobody wants', () => {
    const r = new VipRegistry();
    r.claim('static', { address: '192.0.2.10' });
    r.claim('static', { address: '192.0.2.11' });
    r.claim('service:default/web', { address: '2001:db8::10' });
    const table = new Map([
      ['192.0.2.10/32', {}],
      ['198.51.100.9/32', {}],
    ]);
    assert.deepEqual(vipMismatch(registryVips(r), keyVips(table)), { wantedNotAnnounced: 2, announcedNotWanted: 1 });
  });

  it('counts nothing when both sides agree, and everything when one side is empty', () => {
    const r = new VipRegistry();
    r.claim('static', { address: '192.0.2.10' });
    assert.deepEqual(vipMismatch(registryVips(r), keyVips(new Set(['192.0.2.10/32']))), { wantedNotAnnounced: 0, announcedNotWanted: 0 });
    assert.deepEqual(vipMismatch(registryVips(r), keyVips(new Set())), { wantedNotAnnounced: 1, announcedNotWanted: 0 });
    assert.deepEqual(vipMismatch(registryVips(new VipRegistry()), keyVips(new Set(['192.0.2.10/32']))), { wantedNotAnnounced: 0, announcedNotWanted: 1 });
  });

  it('takes an operator\'s address that is wanted as in place, and only our own as announced when unwanted', () => {
    const r = new VipRegistry();
    r.claim('held', { address: '192.0.2.10' });
    r.claim('held', { address: '192.0.2.11' });
    const reconciler = { placedAddresses: new Set(['192.0.2.11/32', '192.0.2.99/32']), isInPlace: (a: string) => a === '192.0.2.10/32' || a === '192.0.2.11/32' || a === '192.0.2.99/32' };
    assert.deepEqual(vipMismatch(registryVips(r), placedVips(reconciler)), { wantedNotAnnounced: 0, announcedNotWanted: 1 });
  });

  it('counts VIPs per kind of owner, once per kind, with every known kind present', () => {
    const r = new VipRegistry();
    assert.deepEqual([...ownerKindCounts(r)], [['static', 0], ['control-plane', 0], ['service', 0]]);
    r.claim('static', { address: '192.0.2.10' });
    r.claim('service:default/a', { address: '192.0.2.10' });
    r.claim('service:default/b', { address: '192.0.2.10' });
    r.claim('service:kube-system/c', { address: '192.0.2.20' });
    r.claim('control-plane', { address: '192.0.2.30' });
    assert.deepEqual(Object.fromEntries(ownerKindCounts(r)), { static: 1, 'control-plane': 1, service: 2 });
  });
});
