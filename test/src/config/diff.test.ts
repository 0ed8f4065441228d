// Reloading a file: what changed, peer by peer and VIP by VIP.
import { strict as assert } from 'node:assert';
import { diffConfig } from '../../../src/config/index.js';
import { MINIMAL, valid } from './helpers.js';

const BEFORE = `${MINIMAL}  - { address: 192.0.2.2, asn: 65001, password: old }\n  - { address: 192.0.2.3, asn: 65001 }\n`;

describe('diffConfig', () => {
  it('finds nothing between a config and itself', () => {
    const d = diffConfig(valid(BEFORE), valid(BEFORE));
    assert.equal(d.unchanged, true);
    assert.equal(d.nodeChanged, false);
  });

  it('matches peers by address: added, removed, changed', () => {
    const after = `${MINIMAL}  - { address: 192.0.2.2, asn: 65001, password: new }\n  - { address: 192.0.2.4, asn: 65001 }\n`;
    const d = diffConfig(valid(BEFORE), valid(after));
    assert.deepEqual(d.peersAdded.map((p) => p.address), ['192.0.2.4']);
    assert.deepEqual(d.peersRemoved.map((p) => p.address), ['192.0.2.3']);
    assert.deepEqual(d.peersChanged.map((p) => [p.address, p.password]), [['192.0.2.2', 'new']]);
    assert.deepEqual(d.peerChanges, [{ address: '192.0.2.2', fields: ['password'] }]);
    assert.equal(d.nodeChanged, false);
  });

  it('names each setting of a peer that changed', () => {
    const after = BEFORE.replace('{ address: 192.0.2.3, asn: 65001 }', '{ address: 192.0.2.3, asn: 65002, port: 1179, holdTime: 9 }');
    assert.deepEqual(diffConfig(valid(BEFORE), valid(after)).peerChanges, [{ address: '192.0.2.3', fields: ['asn', 'holdTime', 'keepaliveTime', 'port'] }]);
  });

  it('sees a peer written as a string and as an object alike', () => {
    const after = BEFORE.replace('  - 192.0.2.1:65001::false\n', '  - { address: 192.0.2.1, asn: 65001, multihop: false }\n');
    assert.equal(diffConfig(valid(BEFORE), valid(after)).unchanged, true);
  });

  it('marks the node identity changed when the AS, router id, listener, timers or graceful restart change', () => {
    const cases: [string, string[]][] = [
      [BEFORE.replace('asn: 65010', 'asn: 65011'), ['node.asn']],
      [BEFORE.replace('routerId: 198.51.100.7', 'routerId: 198.51.100.8'), ['node.routerId']],
      [`${BEFORE}listen: {}\n`, ['listen']],
      [`${BEFORE}holdTime: 90\n`, ['timers.holdTime', 'timers.keepaliveTime']],
      [`${BEFORE}gracefulRestart: { restartTime: 60 }\n`, ['gracefulRestart.restartTime']],
      [`${BEFORE}mode: arp\nvipInterface: eth0\n`, ['mode']],
    ];
    for (const [after, changes] of cases) {
      const d = diffConfig(valid(BEFORE), valid(after));
      assert.equal(d.nodeChanged, true, after);
      assert.deepEqual(d.nodeChanges, changes);
    }
  });

  it('does not re-peer when only the source of the same router id changes', () => {
    const after = BEFORE.replace('routerId: 198.51.100.7', 'routerInterface: eth0');
    assert.equal(diffConfig(valid(BEFORE), valid(after)).nodeChanged, false);
  });

  it('matches static VIPs by prefix: added, removed, and changed communities', () => {
    const before = BEFORE.replace('vips: [192.0.2.10]', 'vips: [192.0.2.10, 192.0.2.11]');
    const after = BEFORE.replace('vips: [192.0.2.10]', 'vips: [{ address: 192.0.2.10, communities: ["65010:1"] }, "2001:db8::10"]');
    const d = diffConfig(valid(before), valid(after));
    assert.deepEqual(d.vipsAdded.map((v) => v.address), ['2001:db8::10/128']);
    assert.deepEqual(d.vipsRemoved.map((v) => v.address), ['192.0.2.11/32']);
    assert.deepEqual(d.vipsChanged, [{ address: '192.0.2.10/32', communities: ['65010:1'], largeCommunities: [] }]);
    assert.equal(d.nodeChanged, false);
  });

  it('lists the other sections that changed', () => {
    const after = `${BEFORE}log: { level: debug }\nadmin: { port: 9470 }\nkubernetes: { services: true }\nvipInterface: dummy0\n`;
    assert.deepEqual(diffConfig(valid(BEFORE), valid(after)).otherChanges, ['vips.interface', 'admin', 'log', 'kubernetes']);
  });
});
