// Who stands for ARP mode's leases: the shared Service electors, a new elector per global lease,
// or the node alone.
import { strict as assert } from 'node:assert';
import { pino } from 'pino';
import { candidateFor, loadArpElections, type ArpElections } from '../../../src/arp-mode/candidates.js';
import { CONTROL_PLANE_GROUP, SERVICES_GROUP } from '../../../src/arp-mode/holders.js';
import { SoloCandidate } from '../../../src/arp-mode/mode.js';
import { parseConfig } from '../../../src/config/index.js';
import * as election from '../../../src/kubernetes/elections/elector.js';
import { electionTimings } from '../../../src/kubernetes/elections/options.js';
import { FakeApiServer } from '../../support/fake-apiserver/index.js';

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

describe('ARP candidates', () => {
  it('maps kube-vip\'s lease timings, leaving unset ones to the elector\'s defaults', () => {
    assert.deepEqual(electionTimings({ ...arpConfig().kubernetes, leaseDuration: 15, renewDeadline: 10, retryPeriod: 2 }), { leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2 });
    assert.deepEqual(electionTimings(arpConfig().kubernetes), {});
  });

  it('runs alone without leader election, whatever the credentials', async () => {
    assert.equal(await loadArpElections(arpConfig('arp: { leaderElection: false }'), pino({ level: 'silent' })), undefined);
  });

  it('runs alone without Kubernetes credentials', async () => {
    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, kubeconfig: process.env.KUBECONFIG };
    delete process.env.KUBERNETES_SERVICE_HOST;
    process.env.KUBECONFIG = '/nonexistent/kubeconfig';
    try {
      assert.equal(await loadArpElections(arpConfig('kubernetes: { kubeconfig: /nonexistent/kubeconfig }'), pino({ level: 'silent' })), undefined);
    } finally {
      if (saved.host !== undefined) process.env.KUBERNETES_SERVICE_HOST = saved.host;
      if (saved.kubeconfig !== undefined) process.env.KUBECONFIG = saved.kubeconfig;
      else delete process.env.KUBECONFIG;
    }
  });

  it('makes a lone candidate that leads under the node name', () => {
    const c = candidateFor({ key: CONTROL_PLANE_GROUP }, undefined, 'node1');
    assert.ok(c instanceof SoloCandidate);
    c.start();
    assert.equal(c.leader, 'node1');
  });

  it('stands for plndr-cp-lock with a new elector, and reuses the shared services elector and Service candidates', async () => {
    const api = new FakeApiServer();
    await api.start();
    try {
      const kubeConfig = api.kubeconfig();
      const shared = new election.LeaderElector({ kubeConfig, namespace: 'kube-system', name: election.SERVICES_LEASE, identity: 'node1' });
      const perService = new SoloCandidate('node1');
      const asked: string[] = [];
      const elections: ArpElections = {
        kubeConfig,
        identity: 'node1',
        namespace: 'kube-system',
        timings: { leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2 },
        makeElector: election,
        servicesElector: shared,
        serviceCandidate: (namespace, name) => {
          asked.push(`${namespace}/${name}`);
          return perService;
        },
      };
      const cp = candidateFor({ key: CONTROL_PLANE_GROUP }, elections, 'node1') as election.LeaderElector;
      assert.ok(cp instanceof election.LeaderElector);
      assert.equal(cp.lease, 'kube-system/plndr-cp-lock');
      assert.equal(cp.leaseDurationMs, 15_000);
      assert.equal(candidateFor({ key: SERVICES_GROUP }, elections, 'node1'), shared);
      assert.equal(candidateFor({ key: 'service:shop/web', service: { namespace: 'shop', name: 'web' } }, elections, 'node1'), perService);
      assert.deepEqual(asked, ['shop/web']);
      const { servicesElector: _s, ...withoutShared } = elections;
      assert.equal((candidateFor({ key: SERVICES_GROUP }, withoutShared, 'node1') as election.LeaderElector).lease, 'kube-system/plndr-svcs-lock');
    } finally {
      await api.stop();
    }
  });
});
