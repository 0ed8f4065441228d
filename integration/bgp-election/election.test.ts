// BGP mode with kube-vip's election settings, in the namespace lab (topology.ts): two nodes run
// vip-speaker from kube-vip's env block alone, FRR at the tor, the fake API server holding the
// Leases. With vip_leaderelection and cp_enable, and with svc_election, FRR holds the VIP's path
// from the Lease's holder only (active/standby, as kube-vip); when the holder stops (SIGTERM: it
// withdraws, then releases the Lease) or dies (SIGKILL: the Lease runs out), the other node's
// path replaces it. Each measurement goes to results.json and to the test's output.
import { strict as assert } from 'node:assert';
import { frrSkipReason } from '../support/frr.js';
import { labSkipReason, waitFor } from '../support/lab.js';
import { request } from '../support/probe.js';
import { CLIENT, NODES } from '../e2e/topology.js';
import { type ElectionMeasurement, recordElectionResult } from './results.js';
import { ECHO_PORT, type ElectionLab, type PathSample, buildElectionLab, kubeVipEnv, oneHolder, pathsAt, samplePaths, startNodes } from './topology.js';

const CP_VIP = '203.0.113.10';
const WEB_VIP = '203.0.113.21';
const SHOP_VIP = '203.0.113.22';
/** kube-vip's lease timings (vip_leaseduration 5, vip_renewdeadline 3, vip_retryperiod 1), left at their defaults. */
const LEASE_DURATION_MS = 5000;
/** How long FRR is watched with both nodes up, to see that it never holds two paths. */
const STEADY_WATCH_MS = 3000;

/** FRR's paths sampled for a while: the most it held at once. */
async function mostPaths(lab: ElectionLab, prefix: string): Promise<{ most: number; samples: number }> {
  const end = Date.now() + STEADY_WATCH_MS;
  let most = 0;
  let samples = 0;
  while (Date.now() < end) {
    most = Math.max(most, (await pathsAt(lab, prefix)).length);
    samples++;
  }
  return { most, samples };
}

/** From the samples after a fault at `fault`: when the leader's path went, when the successor's came. */
function measure(samples: PathSample[], fault: number, leader: string, successor: string): Pick<ElectionMeasurement, 'takeoverMs' | 'withdrawnMs' | 'noPathMs'> {
  const gone = samples.find((s) => !s.paths.includes(leader));
  const came = samples.find((s) => s.paths.includes(successor));
  assert.ok(gone && came, 'the leader\'s path went and the successor\'s came');
  return { takeoverMs: came.t - fault, withdrawnMs: gone.t - fault, noPathMs: Math.max(0, came.t - gone.t) };
}

function print(m: ElectionMeasurement): void {
  console.log(`      election lab: ${m.test}: FRR held [${m.pathsBefore.join(', ')}] (never more than ${m.mostPathsSeen} path); ${m.successor}'s path ${m.takeoverMs} ms after the fault, ${m.leader}'s gone after ${m.withdrawnMs} ms, no path for ${m.noPathMs} ms`);
}

/** Stops or kills the leader, samples FRR until the successor's path alone is there, records the figures. */
async function failover(lab: ElectionLab, test: string, vip: string, fault: 'SIGTERM' | 'SIGKILL', steady: { most: number; samples: number }): Promise<ElectionMeasurement> {
  const prefix = `${vip}/32`;
  const leader = await oneHolder(lab, prefix);
  const successor = leader === 'node1' ? 'node2' : 'node1';
  const node = lab.nodes.get(leader as 'node1' | 'node2')!;
  const t0 = Date.now();
  const stopped = fault === 'SIGTERM' ? node.stop() : node.kill();
  const samples = await samplePaths(lab, prefix, (p) => p.length === 1 && p[0] === successor, LEASE_DURATION_MS * 4);
  await stopped;
  const m: ElectionMeasurement = { test, vip: prefix, pathsBefore: [leader], mostPathsSeen: steady.most, leader, successor, ...measure(samples, t0, leader, successor), samples: samples.length + steady.samples };
  recordElectionResult(m);
  print(m);
  return m;
}

describe('election lab: BGP mode with kube-vip\'s leader election, two nodes behind FRR', function () {
  this.timeout(180_000);
  let lab: ElectionLab | undefined;

  before(function () {
    const reason = labSkipReason() ?? frrSkipReason();
    if (reason) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
  });

  afterEach(async function () {
    if (!lab) return;
    // A failure leaves its evidence: the end of each node's log.
    if (this.currentTest?.state === 'failed') {
      for (const n of lab.nodes.values()) {
        const status = n.running ? JSON.stringify(await n.status().catch((err: Error) => err.message)) : 'not running';
        console.log(`--- ${n.nsName}: status ${status}\n${n.log().split('\n').slice(-60).join('\n')}`);
      }
    }
    try {
      for (const n of lab.nodes.values()) await n.kill();
    } finally {
      lab.lab.destroySync();
      lab = undefined;
    }
  });

  describe('vip_leaderelection=true with cp_enable: the control-plane VIP', () => {
    const env = { cp_enable: 'true', address: CP_VIP, vip_leaderelection: 'true' };

    it('is announced by the holder of plndr-cp-lock only; a clean stop hands it to the other node at once', async () => {
      lab = await buildElectionLab();
      await startNodes(lab, env);
      const prefix = `${CP_VIP}/32`;
      const leader = await oneHolder(lab, prefix);
      const lease = await lab.api.get<{ spec: { holderIdentity: string } }>('Lease', 'kube-system', 'plndr-cp-lock');
      assert.equal(lease.spec.holderIdentity, leader, 'FRR\'s one path is the Lease holder\'s');
      const steady = await mostPaths(lab, prefix);
      assert.equal(steady.most, 1, 'never two paths: active/standby, not ECMP');
      assert.match((await waitFor('an answer through the VIP', () => request(lab!.lab, 'client', CP_VIP, ECHO_PORT))) ?? '', new RegExp(`^hello from ${leader} via ${CP_VIP.replace(/\./g, '\\.')}$`));
      const standby = lab.nodes.get(leader === 'node1' ? 'node2' : 'node1')!;
      const status = (await standby.status()) as unknown as { vips: Array<{ address: string; inPlace: boolean; announced: boolean; leader: string | null }> };
      assert.deepEqual(status.vips.map((v) => [v.address, v.inPlace, v.announced, v.leader]), [[prefix, false, false, leader]], 'the standby shows who holds it');
      const m = await failover(lab, 'vip_leaderelection, leader stopped (SIGTERM)', CP_VIP, 'SIGTERM', steady);
      // The stop withdraws, then releases the Lease: the other node takes it at its next try or at once on the watch.
      assert.ok(m.takeoverMs < LEASE_DURATION_MS, `taken over before the lease could expire (${m.takeoverMs} ms)`);
      assert.equal((await lab.api.get<{ spec: { holderIdentity: string } }>('Lease', 'kube-system', 'plndr-cp-lock')).spec.holderIdentity, m.successor);
      assert.match((await waitFor('an answer through the VIP from the successor', async () => {
        const a = await request(lab!.lab, 'client', CP_VIP, ECHO_PORT);
        return a?.startsWith(`hello from ${m.successor}`) ? a : undefined;
      })) ?? '', new RegExp(`^hello from ${m.successor}`));
      // The old leader comes back as the standby: the path stays where it is.
      await lab.nodes.get(m.leader as 'node1' | 'node2')!.start([], kubeVipEnv(lab, NODES.find((n) => n.name === m.leader)!, env));
      await waitFor('the restarted node up and standing by', async () => ((await lab!.nodes.get(m.leader as 'node1' | 'node2')!.status()).peers[0]?.state === 'Established' ? true : undefined));
      const after = await mostPaths(lab, prefix);
      assert.equal(after.most, 1);
      assert.deepEqual(await pathsAt(lab, prefix), [m.successor], 'no flap back to the restarted node');
    });

    it('moves to the other node once the Lease runs out when the holder dies (SIGKILL)', async () => {
      lab = await buildElectionLab();
      await startNodes(lab, env);
      const prefix = `${CP_VIP}/32`;
      await oneHolder(lab, prefix);
      const steady = await mostPaths(lab, prefix);
      assert.equal(steady.most, 1);
      const m = await failover(lab, 'vip_leaderelection, leader killed (SIGKILL)', CP_VIP, 'SIGKILL', steady);
      // The dead node's session closes with its process: FRR drops its path at once; the Lease
      // is free only once it expires by the survivor's clock (5 s), seen at its next try (1 s, jittered).
      assert.ok(m.withdrawnMs < LEASE_DURATION_MS, `the dead leader's path gone at once (${m.withdrawnMs} ms)`);
      assert.ok(m.takeoverMs > LEASE_DURATION_MS - 2500, `the successor waited for the Lease to expire (${m.takeoverMs} ms)`);
    });
  });

  describe('svc_election=true: each Service\'s VIP', () => {
    it('is announced by the holder of the Service\'s own Lease only; a clean stop hands it over', async () => {
      lab = await buildElectionLab();
      await startNodes(lab, { svc_enable: 'true', svc_election: 'true' });
      for (const [name, vip] of [['web', WEB_VIP], ['shop', SHOP_VIP]] as const) {
        await lab.api.create('Service', {
          metadata: { namespace: 'default', name, annotations: { 'kube-vip.io/loadbalancerIPs': vip } },
          spec: { type: 'LoadBalancer', ports: [{ port: ECHO_PORT, protocol: 'TCP' }], externalTrafficPolicy: 'Cluster' },
        });
        await lab.api.create('EndpointSlice', {
          metadata: { namespace: 'default', name: `${name}-1`, labels: { 'kubernetes.io/service-name': name } },
          addressType: 'IPv4',
          endpoints: [{ addresses: ['192.0.2.2'], nodeName: 'node1', conditions: { ready: true, serving: true } }],
          ports: [{ port: ECHO_PORT, protocol: 'TCP' }],
        });
      }
      const holders: Record<string, string> = {};
      for (const [name, vip] of [['web', WEB_VIP], ['shop', SHOP_VIP]] as const) {
        holders[name] = await oneHolder(lab, `${vip}/32`);
        const lease: { spec: { holderIdentity: string } } = await lab.api.get('Lease', 'default', `kubevip-${name}`);
        assert.equal(lease.spec.holderIdentity, holders[name], `FRR's one path for ${name} is its Lease holder's`);
      }
      console.log(`      election lab: svc_election: web held by ${holders.web}, shop by ${holders.shop}`);
      const steady = await mostPaths(lab, `${WEB_VIP}/32`);
      assert.equal(steady.most, 1, 'never two paths for a Service VIP');
      const m = await failover(lab, 'svc_election, the Service\'s leader stopped (SIGTERM)', WEB_VIP, 'SIGTERM', steady);
      assert.ok(m.takeoverMs < LEASE_DURATION_MS, `taken over before the lease could expire (${m.takeoverMs} ms)`);
      assert.equal((await lab.api.get<{ spec: { holderIdentity: string } }>('Lease', 'default', 'kubevip-web')).spec.holderIdentity, m.successor);
      // The other Service's VIP is with the survivor either way now.
      assert.deepEqual(await waitFor('shop with the survivor', async () => {
        const p = await pathsAt(lab!, `${SHOP_VIP}/32`);
        return p.length === 1 && p[0] === m.successor ? p : undefined;
      }), [m.successor]);
    });
  });

  describe('without vip_leaderelection (vip-speaker\'s default in BGP mode)', () => {
    it('announces the control-plane VIP from both nodes: ECMP at FRR', async () => {
      lab = await buildElectionLab();
      await startNodes(lab, { cp_enable: 'true', address: CP_VIP });
      assert.deepEqual(await waitFor('two paths', async () => {
        const p = await pathsAt(lab!, `${CP_VIP}/32`);
        return p.length === 2 ? p : undefined;
      }), ['node1', 'node2']);
      console.log(`      election lab: no election: FRR held [node1, node2] for ${CP_VIP}/32 (client at ${CLIENT.ipv4})`);
    });
  });
});
