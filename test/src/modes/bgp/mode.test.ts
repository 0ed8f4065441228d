// BGP mode with kube-vip's election settings: which VIPs are placed (and so announced) while this
// node leads which Lease, what stays with every node, and the order of "routes withdrawn" and
// "lease released" at a stop. Stand-in candidates; a speaker with no peers.
import { strict as assert } from 'node:assert';
import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { ManualClock } from '../../../../bgp/index.js';
import { type DaemonConfig, parseConfig } from '../../../../src/config/index.js';
import type { Candidate, Cluster, Elections, LeaseRef } from '../../../../src/kubernetes/index.js';
import { CONTROL_PLANE_GROUP } from '../../../../src/modes/leases/holders.js';
import { bgpElectionRules, bgpGroupOf } from '../../../../src/modes/bgp/groups.js';
import { BgpMode } from '../../../../src/modes/bgp/mode.js';
import { VipRegistry } from '../../../../src/registry/index.js';

class FakeCandidate extends EventEmitter implements Candidate {
  isLeader = false;
  leader = '';
  started = false;
  stops: Array<{ release?: boolean }> = [];
  constructor(
    readonly lease: string,
    readonly journal: string[],
  ) {
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
  lose(next: string): void {
    this.isLeader = false;
    this.emit('stoppedLeading', 'renew-deadline');
    this.leader = next;
    this.emit('newLeader', next);
  }
  async stop(options: { release?: boolean; beforeRelease?: () => Promise<void> } = {}): Promise<void> {
    this.stops.push({ release: options.release });
    if (this.isLeader) {
      this.isLeader = false;
      this.emit('stoppedLeading', 'stopped');
    }
    if (options.release) {
      await options.beforeRelease?.();
      this.journal.push(`released ${this.lease}`);
    }
  }
}

function bgpConfig(kubernetes: string): DaemonConfig {
  const r = parseConfig(['asn: 65100', 'routerId: 192.0.2.2', 'peers: ["192.0.2.1:65000::false"]', 'vips: [192.0.2.50]', `kubernetes: ${kubernetes}`].join('\n'), {
    env: {},
    readFile: () => {
      throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
    },
    listInterfaces: () => ({}),
  });
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.error));
  // No session: the speaker has nobody to connect to.
  r.value.peers = [];
  return r.value;
}

function setup(kubernetes: string) {
  const journal: string[] = [];
  const registry = new VipRegistry();
  const candidates = new Map<string, FakeCandidate>();
  const elections: Elections = {
    candidate(lease: LeaseRef): Candidate {
      const name = lease.kind === 'service' ? `${lease.namespace}/kubevip-${lease.name}` : lease.kind;
      const c = new FakeCandidate(name, journal);
      candidates.set(name, c);
      return c;
    },
  };
  const config = bgpConfig(kubernetes);
  const mode = new BgpMode(config, {
    registry,
    log: pino({ level: 'silent' }),
    clock: new ManualClock(),
    // The daemon's reconcile: here it records what is placed at that moment.
    reconcile: async () => void journal.push(`reconciled placing [${placed().join(' ')}]`),
    events: { sessionDown: () => undefined, connectError: () => undefined },
  });
  const placed = () => mode.placed.desired().map((v) => v.address).sort();
  const cluster = { elections } as unknown as Cluster;
  return { journal, registry, candidates, mode, placed, start: () => mode.start({ config, cluster }) };
}

describe('BGP mode groups', () => {
  it('announces every VIP from every node without kube-vip\'s election settings', () => {
    const rules = { controlPlane: false, services: false };
    assert.equal(bgpGroupOf('static', rules), undefined);
    assert.equal(bgpGroupOf('service:shop/web', rules), undefined);
  });

  it('puts static and control-plane VIPs under the control-plane lease with leaderElection, Services still unelected', () => {
    const rules = { controlPlane: true, services: false };
    assert.deepEqual(bgpGroupOf('static', rules), { key: CONTROL_PLANE_GROUP });
    assert.deepEqual(bgpGroupOf('control-plane', rules), { key: CONTROL_PLANE_GROUP });
    assert.equal(bgpGroupOf('service:shop/web', rules), undefined);
  });

  it('gives each Service its own lease with servicesElection, leaving the control-plane VIPs to every node', () => {
    const rules = { controlPlane: false, services: true };
    assert.deepEqual(bgpGroupOf('service:shop/web', rules), { key: 'service:shop/web', service: { namespace: 'shop', name: 'web' } });
    assert.equal(bgpGroupOf('static', rules), undefined);
  });

  it('reads the rules from kubernetes.leaderElection and kubernetes.servicesElection', () => {
    assert.deepEqual(bgpElectionRules(bgpConfig('{ leaderElection: true }')), { controlPlane: true, services: false });
    assert.deepEqual(bgpElectionRules(bgpConfig('{ services: true, servicesElection: true }')), { controlPlane: false, services: true });
  });
});

describe('BGP mode with leader election', () => {
  it('does not ask the cluster for leases without kube-vip\'s election settings, and places every wanted VIP', async () => {
    const { mode, registry, placed } = setup('{ services: true }');
    assert.equal(mode.holdsVipsByLease, false);
    registry.claim('static', { address: '192.0.2.50' });
    assert.deepEqual(placed(), ['192.0.2.50/32']);
  });

  it('places the configured VIP only while this node holds the control-plane lease', async () => {
    const { mode, registry, candidates, placed, start } = setup('{ leaderElection: true }');
    assert.equal(mode.holdsVipsByLease, true);
    registry.claim('static', { address: '192.0.2.50' });
    await start();
    const cp = candidates.get('control-plane')!;
    assert.ok(cp.started, 'stands for the control-plane lease once a VIP of its group is wanted');
    assert.deepEqual(placed(), [], 'a standby announces nothing');
    cp.lead('node1');
    assert.deepEqual(placed(), ['192.0.2.50/32']);
    const holder = mode.vipHolders(() => true)[0]!;
    assert.equal(holder.leader, 'node1');
    assert.equal(holder.holding, true);
    cp.lose('node2');
    assert.deepEqual(placed(), [], 'a lost lease withdraws the route');
    assert.equal(mode.vipHolders(() => false)[0]!.leader, 'node2');
    assert.deepEqual(mode.counters.leaderChanges(), [{ group: 'control-plane', leaderChanges: 1, takeovers: 1 }]);
    await mode.stop({ teardown: async () => undefined });
  });

  it('keeps announcing Service VIPs from every node when only the control-plane VIP is elected', async () => {
    const { registry, candidates, placed, start, mode } = setup('{ leaderElection: true, services: true }');
    registry.claim('service:shop/web', { address: '203.0.113.20' });
    await start();
    assert.deepEqual(placed(), ['203.0.113.20/32']);
    assert.deepEqual([...candidates.keys()], [], 'no lease without a VIP of an elected group');
    await mode.stop({ teardown: async () => undefined });
  });

  it('announces each Service\'s VIP only while leading that Service\'s own lease', async () => {
    const { registry, candidates, placed, start, mode } = setup('{ services: true, servicesElection: true }');
    registry.claim('static', { address: '192.0.2.50' });
    registry.claim('service:shop/web', { address: '203.0.113.20' });
    registry.claim('service:shop/api', { address: '203.0.113.21' });
    await start();
    assert.deepEqual([...candidates.keys()].sort(), ['shop/kubevip-api', 'shop/kubevip-web']);
    assert.deepEqual(placed(), ['192.0.2.50/32'], 'the configured VIP stays with every node');
    candidates.get('shop/kubevip-web')!.lead();
    assert.deepEqual(placed(), ['192.0.2.50/32', '203.0.113.20/32']);
    // The Service goes: its lease is released once its VIP is no longer placed.
    registry.releaseOwner('service:shop/web');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(candidates.get('shop/kubevip-web')!.stops, [{ release: true }]);
    await mode.stop({ teardown: async () => undefined });
  });

  it('withdraws the routes before it releases the lease on a clean stop, and keeps the lease for a graceful restart', async () => {
    const clean = setup('{ leaderElection: true }');
    clean.registry.claim('static', { address: '192.0.2.50' });
    await clean.start();
    clean.candidates.get('control-plane')!.lead();
    await clean.mode.stop({ teardown: async () => void clean.journal.push('teardown') });
    assert.deepEqual(clean.journal.filter((l) => l === 'teardown' || l.startsWith('released')), ['teardown', 'released control-plane']);

    const graceful = setup('{ leaderElection: true }');
    graceful.registry.claim('static', { address: '192.0.2.50' });
    await graceful.start();
    graceful.candidates.get('control-plane')!.lead();
    await graceful.mode.stop({ keepRoutes: true, teardown: async () => void graceful.journal.push('teardown') });
    assert.ok(!graceful.journal.includes('teardown'), 'routes and VIPs kept');
    assert.deepEqual(graceful.candidates.get('control-plane')!.stops, [{ release: false }], 'the lease is left to expire, for this node to take back');
  });

  it('shows the leases it stands for and who holds each VIP in its status', async () => {
    const { registry, candidates, start, mode } = setup('{ leaderElection: true }');
    registry.claim('static', { address: '192.0.2.50' });
    await start();
    candidates.get('control-plane')!.lead('node1');
    const status = mode.status() as { elections: { groups: Array<{ group: string; leading: boolean; leader: string }>; vips: Array<{ address: string; groups: string[]; holding: boolean }> } };
    assert.deepEqual(status.elections.groups.map((g) => [g.group, g.leading, g.leader]), [['control-plane', true, 'node1']]);
    assert.deepEqual(status.elections.vips.map((v) => [v.address, v.groups, v.holding]), [['192.0.2.50/32', ['control-plane'], true]]);
    await mode.stop({ teardown: async () => undefined });
  });
});
