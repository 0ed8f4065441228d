// ARP mode made from the configuration, and who stands for its leases: the cluster's elections
// (the services Lease shared with the status writer, a Service's own, plndr-cp-lock), or the
// node alone.
import { strict as assert } from 'node:assert';
import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { ManualClock } from '../../../../bgp/index.js';
import { parseConfig } from '../../../../src/config/index.js';
import { type Candidate, type Elections, type LeaseRef, SoloCandidate } from '../../../../src/kubernetes/index.js';
import { candidateFor, createArpMode, soloIdentity } from '../../../../src/modes/arp/create.js';
import { CONTROL_PLANE_GROUP, SERVICES_GROUP } from '../../../../src/modes/arp/holders.js';
import { VipRegistry } from '../../../../src/registry/index.js';

function arpConfig(extra = '') {
  const r = parseConfig(['mode: arp', 'routerId: 192.0.2.2', 'vipInterface: eth0', 'vips: [192.0.2.50]', extra].join('\n'), {
    env: {},
    readFile: () => {
      throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
    },
    listInterfaces: () => ({ eth0: [{ address: '192.0.2.2', family: 'IPv4', internal: false }] }),
  });
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.error));
  return r.value;
}

class NamedCandidate extends EventEmitter implements Candidate {
  readonly isLeader = false;
  readonly leader = '';
  constructor(readonly lease: string) {
    super();
  }
  start(): void {}
  async stop(): Promise<void> {}
}

/** Elections that say which Lease each candidate was made for. */
function recordingElections(): Elections & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    candidate(lease: LeaseRef) {
      const name = lease.kind === 'service' ? `service ${lease.namespace}/${lease.name}` : lease.kind;
      asked.push(name);
      return new NamedCandidate(name);
    },
  };
}

describe('ARP mode from the configuration', () => {
  const deps = () => ({ registry: new VipRegistry(), log: pino({ level: 'silent' }), clock: new ManualClock(), reconcile: async () => undefined, events: { sessionDown: () => undefined, connectError: () => undefined } });

  it('holds VIPs by lease with leader election, alone without it', () => {
    assert.equal(createArpMode(arpConfig(), deps()).holdsVipsByLease, true);
    assert.equal(createArpMode(arpConfig('arp: { leaderElection: false }'), deps()).holdsVipsByLease, false);
  });

  it('names a lone node after kubernetes.nodeName, NODE_NAME or the hostname', () => {
    assert.equal(soloIdentity(arpConfig('kubernetes: { nodeName: node7 }')), 'node7');
    assert.ok(soloIdentity(arpConfig()).length > 0);
  });

  it('makes a lone candidate that leads under the node name when there are no elections', () => {
    const c = candidateFor({ key: CONTROL_PLANE_GROUP }, undefined, 'node1');
    assert.ok(c instanceof SoloCandidate);
    c.start();
    assert.equal(c.leader, 'node1');
  });

  it('asks the elections for plndr-cp-lock, the services Lease and a Service\'s own', () => {
    const elections = recordingElections();
    assert.equal((candidateFor({ key: CONTROL_PLANE_GROUP }, elections, 'node1') as NamedCandidate).lease, 'control-plane');
    assert.equal((candidateFor({ key: SERVICES_GROUP }, elections, 'node1') as NamedCandidate).lease, 'services');
    assert.equal((candidateFor({ key: 'service:shop/web', service: { namespace: 'shop', name: 'web' } }, elections, 'node1') as NamedCandidate).lease, 'service shop/web');
    assert.deepEqual(elections.asked, ['control-plane', 'services', 'service shop/web']);
  });

  it('refuses a holding group that has no lease', () => {
    assert.throws(() => candidateFor({ key: 'elsewhere' }, recordingElections(), 'node1'), /no lease for the holding group elsewhere/);
  });
});
