// Which VIPs a node holds in ARP mode: through the groups of their owners, while it leads them.
import { strict as assert } from 'node:assert';
import { ArpHolders, CONTROL_PLANE_GROUP, SERVICES_GROUP, groupOf } from '../../../../src/modes/arp/holders.js';
import { VipRegistry } from '../../../../src/registry/registry.js';

const local = new Set(['web/local']);
const rules = { servicesElection: false, localPolicy: (s: string) => local.has(s) };

describe('ARP holding groups', () => {
  it('puts static and control-plane VIPs under the control-plane lease', () => {
    assert.deepEqual(groupOf('static', rules), { key: CONTROL_PLANE_GROUP });
    assert.deepEqual(groupOf('control-plane', rules), { key: CONTROL_PLANE_GROUP });
  });

  it('puts Cluster-policy Services under the one services lease', () => {
    assert.deepEqual(groupOf('service:web/shop', rules), { key: SERVICES_GROUP });
  });

  it('gives a Local-policy Service a lease of its own even without per-Service election', () => {
    assert.deepEqual(groupOf('service:web/local', rules), { key: 'service:web/local', service: { namespace: 'web', name: 'local' } });
  });

  it('gives every Service a lease of its own with per-Service election', () => {
    assert.deepEqual(groupOf('service:web/shop', { ...rules, servicesElection: true }), { key: 'service:web/shop', service: { namespace: 'web', name: 'shop' } });
  });
});

describe('ArpHolders', () => {
  function setup() {
    const wanted = new VipRegistry();
    const holders = new ArpHolders(wanted, (o) => groupOf(o, rules));
    const held = () => holders.held.desired().map((v) => v.address);
    return { wanted, holders, held };
  }

  it('holds nothing until it leads, then exactly the led group\'s VIPs', () => {
    const { wanted, holders, held } = setup();
    wanted.claim('static', { address: '192.0.2.50' });
    wanted.claim('service:web/shop', { address: '192.0.2.60' });
    wanted.claim('service:web/local', { address: '2001:db8::70' });
    assert.deepEqual(held(), []);
    holders.setLeading(SERVICES_GROUP, true);
    assert.deepEqual(held(), ['192.0.2.60/32']);
    holders.setLeading('service:web/local', true);
    assert.deepEqual(held().sort(), ['192.0.2.60/32', '2001:db8::70/128']);
    holders.setLeading(SERVICES_GROUP, false);
    assert.deepEqual(held(), ['2001:db8::70/128']);
  });

  it('follows the wanted VIPs while leading: a new claim is held, a released one goes', () => {
    const { wanted, holders, held } = setup();
    holders.setLeading(CONTROL_PLANE_GROUP, true);
    wanted.claim('static', { address: '192.0.2.50' });
    assert.deepEqual(held(), ['192.0.2.50/32']);
    wanted.release('static', '192.0.2.50');
    assert.deepEqual(held(), []);
  });

  it('holds a VIP shared by two owners while it leads either owner\'s group', () => {
    const { wanted, holders, held } = setup();
    wanted.claim('static', { address: '192.0.2.50' });
    wanted.claim('service:web/local', { address: '192.0.2.50' });
    holders.setLeading('service:web/local', true);
    assert.deepEqual(held(), ['192.0.2.50/32']);
    assert.deepEqual(holders.status()[0]!.groups, [CONTROL_PLANE_GROUP, 'service:web/local']);
  });

  it('keeps the owners\' attributes on what it holds', () => {
    const { wanted, holders } = setup();
    wanted.claim('static', { address: '192.0.2.50', attributes: { communities: [0xfde80064] } });
    holders.setLeading(CONTROL_PLANE_GROUP, true);
    assert.deepEqual(holders.held.desired()[0]!.attributes.communities, [0xfde80064]);
  });

  it('lists the groups with wanted VIPs and says when that set changes', () => {
    const { wanted, holders } = setup();
    let changes = 0;
    holders.on('groups', () => changes++);
    wanted.claim('service:web/local', { address: '192.0.2.70' });
    assert.deepEqual([...holders.wantedGroups().keys()], ['service:web/local']);
    assert.equal(changes, 1);
    wanted.claim('service:web/local', { address: '192.0.2.71' });
    assert.equal(changes, 1, 'same groups: no event');
    wanted.releaseOwner('service:web/local');
    assert.deepEqual([...holders.wantedGroups().keys()], []);
    assert.equal(changes, 2);
  });

  it('reports per VIP whether it is held, the leader and the time of the last takeover', () => {
    const { wanted, holders } = setup();
    wanted.claim('static', { address: '192.0.2.50' });
    const t1 = new Date('2026-11-23T10:00:00Z');
    holders.setLeader(CONTROL_PLANE_GROUP, 'node2', t1);
    assert.deepEqual(holders.status(), [{ address: '192.0.2.50/32', groups: [CONTROL_PLANE_GROUP], holding: false, leader: 'node2', lastTakeover: t1 }]);
    const t2 = new Date('2026-11-23T10:00:07Z');
    holders.setLeader(CONTROL_PLANE_GROUP, 'node1', t2);
    holders.setLeading(CONTROL_PLANE_GROUP, true);
    assert.deepEqual(holders.status(), [{ address: '192.0.2.50/32', groups: [CONTROL_PLANE_GROUP], holding: true, leader: 'node1', lastTakeover: t2 }]);
    holders.setLeader(CONTROL_PLANE_GROUP, 'node1', new Date('2026-11-23T10:01:00Z'));
    assert.equal(holders.status()[0]!.lastTakeover, t2, 'the same holder again is no takeover');
    assert.deepEqual(holders.leaderChanges(), [{ group: CONTROL_PLANE_GROUP, leaderChanges: 1, takeovers: 1 }]);
  });

  it('forgets a group it no longer stands for: no longer held, leader unknown', () => {
    const { wanted, holders, held } = setup();
    wanted.claim('service:web/local', { address: '192.0.2.70' });
    holders.setLeader('service:web/local', 'node1', new Date());
    holders.setLeading('service:web/local', true);
    holders.forget('service:web/local');
    assert.deepEqual(held(), []);
    assert.equal(holders.leaderOf('service:web/local'), undefined);
  });
});
