// Multihop BFD (RFC 5883) with FRR across a router: eBGP multihop from kube-vip's peer string
// (multihop true, TTL 50), BFD on UDP 4784. Each side's packets arrive with TTL 254, one router
// away: FRR accepts them with `minimum-ttl 254`, vip-speaker with 256 − 50 = 206 (its kernel
// filter drops anything lower). A frozen speaker loses its route at BFD speed.
import { strict as assert } from 'node:assert';
import { frrSkipReason } from '../support/frr.js';
import { labSkipReason, waitFor } from '../support/lab.js';
import { VipSpeakerNode } from '../support/vip-speaker-node.js';
import { MULTIHOP_BFDD, multihopNodeConfig, multihopTorBgpd } from './configs.js';
import { routeLoss } from './measure.js';
import { recordBfdResult } from './results.js';
import { MULTIHOP, VIP4, bfdStatusAt, buildMultihopLab, type MultihopLab } from './topology.js';

const DETECTION_MS = 900;
const MARGIN_MS = 600;

describe('multihop BFD with FRR across a router', function () {
  this.timeout(120_000);
  let l: MultihopLab | undefined;

  before(function () {
    const reason = labSkipReason() ?? frrSkipReason();
    if (reason) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
  });

  after(() => l?.lab.destroySync());

  it('comes up as a multihop session on both sides and drops the route within 900 + 600 ms of a SIGSTOP', async () => {
    l = await buildMultihopLab('bfdmh', multihopTorBgpd(), MULTIHOP_BFDD);
    const node = new VipSpeakerNode(l.lab, 'node', multihopNodeConfig());
    await node.start();
    const tor = l.tor;
    await waitFor(`${VIP4} at the tor`, async () => ((await tor.route('ipv4', `${VIP4}/32`))?.paths?.length ? true : undefined), 30_000, 100);
    await bfdStatusAt(tor, MULTIHOP.node, 'up');
    const theirs = (await tor.bfdPeers()).find((p) => p.peer === MULTIHOP.node)!;
    assert.deepEqual([theirs.multihop, theirs.local, theirs['remote-transmit-interval']], [true, MULTIHOP.tor, 300]);
    const ours = ((await node.status()) as unknown as { peers: Array<{ bfd: { state: string; multihop: boolean; txIntervalMs: number } }> }).peers[0]!.bfd;
    assert.deepEqual([ours.state, ours.multihop, ours.txIntervalMs], ['Up', true, 300]);

    const loss = await routeLoss(l.routes, () => node.signal('SIGSTOP'), 10_000, [{ family: 'IPv4', vip: VIP4 }]);
    console.log(`      multihop, SIGSTOP: FRR dropped ${VIP4} after ${loss.IPv4} ms`);
    recordBfdResult({ test: 'multihop across a router, SIGSTOP, with BFD 300 ms × 3, IPv4', fault: 'SIGSTOP', bfd: true, family: 'IPv4', routeGoneMs: loss.IPv4! });
    assert.ok(loss.IPv4! <= DETECTION_MS + MARGIN_MS, `${loss.IPv4} ms`);
    node.signal('SIGCONT');
    await node.kill();
  });
});
