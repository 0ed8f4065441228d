// Graceful restart (RFC 4724) proven with FRR: the speaker is killed without a NOTIFICATION
// and restarted; FRR keeps its routes as stale the whole time, and they are fresh again after
// the restarted speaker's End-of-RIB.
import { strict as assert } from 'node:assert';
import { Frr, frrSkipReason } from '../support/frr.js';
import { Lab, labSkipReason, waitFor } from '../support/lab.js';
import { SpeakerProcess } from '../support/speaker-client.js';

const ROUTES = ['198.51.100.10/32', '198.51.100.11/32', '2001:db8:e::10/128'];

const FRR_CONF = `frr defaults datacenter
hostname gr-frr
router bgp 65000
 bgp router-id 192.0.2.1
 no bgp ebgp-requires-policy
 bgp graceful-restart
 neighbor 192.0.2.2 remote-as 65001
 neighbor 192.0.2.2 timers 3 9
 neighbor 192.0.2.2 passive
 address-family ipv4 unicast
  neighbor 192.0.2.2 activate
 exit-address-family
 address-family ipv6 unicast
  neighbor 192.0.2.2 activate
 exit-address-family
`;

interface PathView {
  present: boolean;
  stale: boolean;
}

describe('graceful restart with FRR', function () {
  this.timeout(120_000);
  let lab: Lab | undefined;
  let frr: Frr;
  let speaker: SpeakerProcess | undefined;

  const speakerConfig = (restarting: boolean) => ({
    localAs: 65001,
    routerId: '192.0.2.2',
    gracefulRestart: { restartTime: 60, restarting },
    peers: [{ address: '192.0.2.1', peerAs: 65000, holdTime: 9, connectRetryTime: 2, idleHoldTime: 1 }],
    routes: ROUTES,
  });

  async function view(prefix: string): Promise<PathView> {
    const family = prefix.includes(':') ? 'ipv6' : 'ipv4';
    const r = await frr.route(family, prefix);
    const path = r?.paths?.find((p) => (p.peer?.peerId ?? p.peerId) === '192.0.2.2');
    return { present: !!path, stale: path?.stale === true };
  }

  before(async function () {
    const reason = labSkipReason() ?? frrSkipReason();
    if (reason) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
    lab = new Lab('gr');
    await lab.addNamespace('tor');
    await lab.addNamespace('node');
    await lab.link('tor', 'eth0', 'node', 'eth0');
    await lab.addAddress('tor', 'eth0', '192.0.2.1/24');
    await lab.addAddress('tor', 'eth0', '2001:db8:1::1/64');
    await lab.addAddress('node', 'eth0', '192.0.2.2/24');
    await lab.addAddress('node', 'eth0', '2001:db8:1::2/64');
    frr = new Frr(lab, 'tor', FRR_CONF);
    await frr.start();
  });

  after(async () => {
    await speaker?.killAndWait();
    lab?.destroySync();
  });

  it('keeps the routes as stale while the speaker is down and refreshes them after End-of-RIB', async () => {
    speaker = new SpeakerProcess(lab!, 'node', speakerConfig(false));
    await speaker.start();
    await waitFor('routes at FRR', async () => ((await Promise.all(ROUTES.map(view))).every((v) => v.present && !v.stale) ? true : undefined));
    const nbr = await frr.json<Record<string, { gracefulRestartInfo?: { remoteGrMode?: string } }>>('show bgp neighbors 192.0.2.2 json');
    assert.equal(nbr['192.0.2.2']?.gracefulRestartInfo?.remoteGrMode, 'Restart', `FRR sees our graceful restart capability: ${JSON.stringify(nbr['192.0.2.2']?.gracefulRestartInfo)}`);

    // A crash: no NOTIFICATION, the kernel closes the socket.
    await speaker.killAndWait();
    await waitFor('FRR to mark the routes stale', async () => ((await Promise.all(ROUTES.map(view))).every((v) => v.stale) ? true : undefined), 20_000, 100);

    // Down for a while, then back: sample FRR's table all along.
    const samples: PathView[][] = [];
    const sampleUntil = Date.now() + 3000;
    while (Date.now() < sampleUntil) {
      samples.push(await Promise.all(ROUTES.map(view)));
      await new Promise((r) => setTimeout(r, 200));
    }
    // Samples while down: each reads FRR through vtysh (40-80 ms on a loaded machine) every 200 ms.
    const whileDown = samples.length;
    speaker = new SpeakerProcess(lab!, 'node', speakerConfig(true));
    await speaker.start();
    for (;;) {
      const now = await Promise.all(ROUTES.map(view));
      samples.push(now);
      if (now.every((v) => v.present && !v.stale)) break;
      if (samples.length > 400) assert.fail('routes did not become fresh after the restart');
      await new Promise((r) => setTimeout(r, 100));
    }
    // The restart itself may take one sample or none now: it is the down time that must be watched.
    assert.ok(whileDown >= 5, `${whileDown} samples while the speaker was down`);
    for (const s of samples) for (const [i, v] of s.entries()) assert.ok(v.present, `${ROUTES[i]} disappeared from FRR during the restart`);
    assert.ok(samples.some((s) => s.every((v) => v.stale)), 'routes were stale during the restart');
  });

  it('withdraws at once on a clean stop (no graceful restart then)', async () => {
    await speaker!.stop({ message: 'decommissioned' });
    await waitFor('routes gone from FRR', async () => ((await Promise.all(ROUTES.map(view))).every((v) => !v.present) ? true : undefined), 10_000, 100);
  });
});
