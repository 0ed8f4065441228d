// ARP mode's orchestration with stand-in candidates and announcer: who stands for which lease,
// what is held when, the order of "VIPs off the interface" and "lease released", and the
// gratuitous ARP bursts and refreshes.
import { strict as assert } from 'node:assert';
import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import type { Announcer, RefreshOptions } from '../../../../src/arp/index.js';
import { CONTROL_PLANE_GROUP, SERVICES_GROUP, groupOf, type HoldingGroup } from '../../../../src/modes/arp/holders.js';
import { ArpMode } from '../../../../src/modes/arp/mode.js';
import { type Candidate, SoloCandidate } from '../../../../src/kubernetes/index.js';
import { VipRegistry } from '../../../../src/registry/index.js';

class FakeCandidate extends EventEmitter implements Candidate {
  isLeader = false;
  leader = '';
  started = false;
  stops: Array<{ release?: boolean }> = [];
  constructor(readonly group: string, readonly journal: string[]) {
    super();
  }
  start(): void {
    this.started = true;
  }
  lead(identity = 'me'): void {
    this.isLeader = true;
    this.leader = identity;
    this.emit('newLeader', identity);
    this.emit('leading');
  }
  async stop(options: { release?: boolean; beforeRelease?: () => Promise<void> } = {}): Promise<void> {
    this.stops.push({ release: options.release });
    if (this.isLeader) {
      this.isLeader = false;
      this.emit('stoppedLeading', 'stopped');
    }
    await options.beforeRelease?.();
    if (options.release) this.journal.push(`released ${this.group}`);
  }
}

function recordingAnnouncer(journal: string[]): Announcer & { refreshing: Map<string, RefreshOptions | undefined> } {
  const refreshing = new Map<string, RefreshOptions | undefined>();
  return {
    interface: 'eth0',
    refreshing,
    open: () => undefined,
    announce: async (vip) => void journal.push(`announce ${vip}`),
    refresh: (vip, options) => {
      refreshing.set(vip, options);
      return { stop: () => void refreshing.delete(vip), lastError: undefined };
    },
    close: () => undefined,
  };
}

function setup(options: { services?: boolean; refreshIntervalMs?: number; shared?: Map<string, FakeCandidate> } = {}) {
  const journal: string[] = [];
  const wanted = new VipRegistry();
  const candidates = new Map<string, FakeCandidate>();
  const announcer = recordingAnnouncer(journal);
  const globalGroups: HoldingGroup[] = [{ key: CONTROL_PLANE_GROUP }, ...(options.services ? [{ key: SERVICES_GROUP }] : [])];
  const mode = new ArpMode({
    wanted,
    groupOf: (o) => groupOf(o, { servicesElection: false, localPolicy: (s) => wanted.traitsOf(`service:${s}`).nodeLocal === true }),
    globalGroups,
    candidate: (g) => {
      const c = options.shared?.get(g.key) ?? new FakeCandidate(g.key, journal);
      candidates.set(g.key, c);
      return c;
    },
    // The daemon's settle is one reconcile: here it records what is held at that moment.
    settle: async () => void journal.push(`settled holding [${mode.held.desired().map((v) => v.address).join(' ')}]`),
    announcer: () => announcer,
    refreshIntervalMs: options.refreshIntervalMs ?? 30_000,
    log: pino({ level: 'silent' }),
  });
  const held = () => mode.held.desired().map((v) => v.address).sort();
  return { journal, wanted, candidates, announcer, mode, held };
}

describe('ArpMode', () => {
  it('stands for the global leases at start and holds their VIPs only while leading', () => {
    const { wanted, candidates, mode, held } = setup({ services: true });
    wanted.claim('static', { address: '192.0.2.50' });
    wanted.claim('service:web/shop', { address: '192.0.2.60' });
    mode.start();
    assert.deepEqual([...candidates.keys()].sort(), [CONTROL_PLANE_GROUP, SERVICES_GROUP]);
    assert.ok([...candidates.values()].every((c) => c.started));
    assert.deepEqual(held(), []);
    candidates.get(SERVICES_GROUP)!.lead();
    assert.deepEqual(held(), ['192.0.2.60/32']);
    candidates.get(CONTROL_PLANE_GROUP)!.lead();
    assert.deepEqual(held(), ['192.0.2.50/32', '192.0.2.60/32']);
    candidates.get(SERVICES_GROUP)!.emit('stoppedLeading', 'renew-deadline');
    assert.deepEqual(held(), ['192.0.2.50/32']);
  });

  it('stands for a Local-policy Service only while this node wants its VIPs (a ready local endpoint)', async () => {
    const { wanted, candidates, mode, held, journal } = setup();
    mode.start();
    wanted.replaceOwner('service:web/local', [{ address: '192.0.2.70' }], { nodeLocal: true });
    const c = candidates.get('service:web/local')!;
    assert.ok(c?.started, 'stands once the VIP is wanted here');
    c.lead();
    assert.deepEqual(held(), ['192.0.2.70/32']);
    // The last local endpoint goes: the watcher releases the claim.
    wanted.releaseOwner('service:web/local');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(c.stops, [{ release: true }]);
    // The VIP was off (not held) when the interface settled, and only then was the lease released.
    assert.deepEqual(journal.slice(-2), ['settled holding []', 'released service:web/local']);
    assert.deepEqual(mode.arpStatus().groups.map((g) => g.group), [CONTROL_PLANE_GROUP]);
  });

  it('moves a Service between the services lease and its own when its policy changes (the owner\'s traits)', () => {
    const { wanted, candidates, mode, held } = setup({ services: true });
    mode.start();
    wanted.claim('service:web/shop', { address: '192.0.2.60' });
    candidates.get(SERVICES_GROUP)!.lead();
    assert.deepEqual(held(), ['192.0.2.60/32']);
    wanted.replaceOwner('service:web/shop', [{ address: '192.0.2.60' }], { nodeLocal: true });
    assert.deepEqual(held(), [], 'no longer held under the services lease');
    assert.ok(candidates.get('service:web/shop')?.started, 'now stands for its own lease');
  });

  it('takes a shared elector that already leads as leading (the services lease also elects the status writer)', () => {
    const journal: string[] = [];
    const shared = new FakeCandidate(SERVICES_GROUP, journal);
    shared.lead('node1');
    const { wanted, mode, held } = setup({ services: true, shared: new Map([[SERVICES_GROUP, shared]]) });
    wanted.claim('service:web/shop', { address: '192.0.2.60' });
    mode.start();
    assert.deepEqual(held(), ['192.0.2.60/32']);
    assert.equal(mode.arpStatus().vips[0]!.leader, 'node1');
  });

  it('announces each VIP on the interface it was put on (a Service\'s own, kube-vip\'s serviceInterface)', () => {
    const journal: string[] = [];
    const wanted = new VipRegistry();
    const opened: string[] = [];
    const made = new Map<string, FakeCandidate>();
    const mode = new ArpMode({
      wanted,
      groupOf: () => ({ key: CONTROL_PLANE_GROUP }),
      globalGroups: [{ key: CONTROL_PLANE_GROUP }],
      candidate: (g) => {
        const c = new FakeCandidate(g.key, journal);
        made.set(g.key, c);
        return c;
      },
      settle: async () => undefined,
      announcer: (iface) => {
        opened.push(iface ?? '(vip interface)');
        const a = recordingAnnouncer(journal);
        a.announce = async (vip) => void journal.push(`announce ${vip} on ${iface ?? '(vip interface)'}`);
        return a;
      },
      refreshIntervalMs: 0,
      log: pino({ level: 'silent' }),
    });
    wanted.claim('static', { address: '192.0.2.50' });
    wanted.claim('service:shop/web', { address: '192.0.2.60', attributes: { interface: 'eth1' } });
    mode.start();
    made.get(CONTROL_PLANE_GROUP)!.lead();
    mode.reconciled({ added: ['192.0.2.50/32', '192.0.2.60/32'], removed: [] });
    assert.deepEqual(journal.filter((l) => l.startsWith('announce')), ['announce 192.0.2.50 on (vip interface)', 'announce 192.0.2.60 on eth1']);
    assert.deepEqual(opened, ['(vip interface)', 'eth1'], 'one link side per interface');
  });

  it('drained, sits out the services lease (releasing it once its VIPs are off) and stands again when the drain ends', async () => {
    const { wanted, candidates, mode, held, journal } = setup({ services: true });
    let drainListener: ((reason: string | undefined) => void) | undefined;
    const cluster = { servicesDrained: undefined as string | undefined, onServicesDrained: (l: (r: string | undefined) => void) => void (drainListener = l) };
    wanted.claim('service:web/shop', { address: '192.0.2.60' });
    await mode.start({ cluster: cluster as never });
    candidates.get(SERVICES_GROUP)!.lead();
    assert.deepEqual(held(), ['192.0.2.60/32']);
    // The drain: the watcher releases the Service VIPs, and the mode hears of it.
    wanted.releaseOwner('service:web/shop');
    drainListener!('this node is labelled node.kubernetes.io/exclude-from-external-load-balancers');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(journal.slice(-2), ['settled holding []', `released ${SERVICES_GROUP}`]);
    assert.deepEqual(mode.arpStatus().groups.map((g) => g.group), [CONTROL_PLANE_GROUP], 'the control-plane lease is no Service\'s: still stood for');
    drainListener!(undefined);
    assert.deepEqual(mode.arpStatus().groups.map((g) => g.group), [CONTROL_PLANE_GROUP, SERVICES_GROUP]);
    assert.ok(candidates.get(SERVICES_GROUP)!.started);
  });

  it('sends a burst for each VIP added and refreshes it until it is removed', () => {
    const { journal, announcer, mode } = setup({ refreshIntervalMs: 2_000 });
    mode.reconciled({ added: ['192.0.2.50/32', '2001:db8::50/128'], removed: [] });
    assert.deepEqual(journal, ['announce 192.0.2.50', 'announce 2001:db8::50']);
    assert.deepEqual([...announcer.refreshing.keys()], ['192.0.2.50', '2001:db8::50']);
    assert.equal(announcer.refreshing.get('192.0.2.50')?.everyMs, 2_000);
    mode.reconciled({ added: [], removed: ['192.0.2.50/32'] });
    assert.deepEqual([...announcer.refreshing.keys()], ['2001:db8::50']);
  });

  it('counts the bursts sent and the failures by code, and takes a burst cut short by stop for none', async () => {
    const { announcer, mode } = setup();
    const codes = ['ARP_ERR_PERMISSION', 'ARP_ERR_CLOSED'];
    let n = 0;
    announcer.announce = async (vip) => {
      if (vip === '192.0.2.51') throw Object.assign(new Error('no CAP_NET_RAW'), { code: codes[n++] });
    };
    mode.reconciled({ added: ['192.0.2.50/32', '192.0.2.51/32'], removed: [] });
    mode.reconciled({ added: ['192.0.2.51/32'], removed: [] });
    await new Promise((r) => setImmediate(r));
    assert.equal(mode.counters.announcements()!.bursts, 1);
    assert.deepEqual([...mode.counters.announcements()!.failures], [['ARP_ERR_PERMISSION', 1]]);
  });

  it('counts an announcer that cannot be made as a failure of every VIP, and throws nothing', () => {
    const journal: string[] = [];
    const wanted = new VipRegistry();
    const mode = new ArpMode({
      wanted,
      groupOf: (o) => groupOf(o, { servicesElection: false, localPolicy: () => false }),
      globalGroups: [],
      candidate: (g) => new FakeCandidate(g.key, journal),
      settle: async () => undefined,
      announcer: () => {
        throw Object.assign(new Error('not an interface name'), { code: 'ARP_ERR_INVALID_OPTION' });
      },
      refreshIntervalMs: 30_000,
      log: pino({ level: 'silent' }),
    });
    mode.reconciled({ added: ['192.0.2.50/32', '2001:db8::50/128'], removed: [] });
    assert.deepEqual([...mode.counters.announcements()!.failures], [['ARP_ERR_INVALID_OPTION', 2]]);
  });

  it('does not refresh when the refresh interval is 0', () => {
    const { journal, announcer, mode } = setup({ refreshIntervalMs: 0 });
    mode.reconciled({ added: ['192.0.2.50/32'], removed: [] });
    assert.deepEqual(journal, ['announce 192.0.2.50']);
    assert.equal(announcer.refreshing.size, 0);
  });

  it('on stop releases every lease and stops every refresh', async () => {
    const { wanted, candidates, announcer, mode, held } = setup({ services: true });
    wanted.claim('static', { address: '192.0.2.50' });
    mode.start();
    candidates.get(CONTROL_PLANE_GROUP)!.lead();
    mode.reconciled({ added: ['192.0.2.50/32'], removed: [] });
    await mode.stop();
    assert.deepEqual([...candidates.values()].map((c) => c.stops), [[{ release: true }], [{ release: true }]]);
    assert.equal(announcer.refreshing.size, 0);
    assert.deepEqual(held(), []);
    assert.deepEqual(mode.arpStatus().groups, []);
  });
});

describe('SoloCandidate', () => {
  it('leads from start to stop', async () => {
    const c = new SoloCandidate('node1');
    const events: string[] = [];
    c.on('leading', () => events.push('leading'));
    c.on('newLeader', (id: string) => events.push(`leader ${id}`));
    c.on('stoppedLeading', (why: string) => events.push(`stopped ${why}`));
    assert.equal(c.isLeader, false);
    c.start();
    assert.equal(c.isLeader, true);
    assert.equal(c.leader, 'node1');
    await c.stop();
    assert.equal(c.isLeader, false);
    assert.deepEqual(events, ['leader node1', 'leading', 'stopped stopped']);
  });
});
