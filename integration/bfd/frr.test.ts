// BFD with FRR's bfdd tied to FRR's BGP neighbours, IPv4 and IPv6, vip-speaker configured by
// kube-vip peer strings: the BFD session comes up from the peer string's BFD field alone, and
// a frozen speaker (SIGSTOP) or a cut link makes FRR drop the VIPs' routes within 3 × 300 ms
// plus a margin. The same faults without BFD show what the hold timer alone gives (9 s).
import { strict as assert } from 'node:assert';
import { frrSkipReason } from '../support/frr.js';
import { labSkipReason } from '../support/lab.js';
import { VipSpeakerNode } from '../support/vip-speaker-node.js';
import { nodeConfig, torBgpd, TOR_BFDD } from './configs.js';
import { FAMILIES, ready, routeLoss } from './measure.js';
import { recordBfdResult } from './results.js';
import { buildSingleHopLab, type SingleHopLab } from './topology.js';

/** RFC 5880 §6.8.4: FRR's detection time for us, 3 × max(300 ms, 300 ms). */
const DETECTION_MS = 900;
/** bgpd taking the neighbour down, zebra removing the route, and a loaded 2-core machine. */
const MARGIN_MS = 600;
/** The hold time both sides were given. */
const HOLD_MS = 9000;

describe('BFD with FRR, single hop, IPv4 and IPv6', function () {
  this.timeout(180_000);
  const measured: string[] = [];

  before(function () {
    const reason = labSkipReason() ?? frrSkipReason();
    if (reason) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
  });

  after(() => {
    if (measured.length) console.log(`\n      FRR dropped the VIPs' routes after:\n${measured.map((m) => `        ${m}`).join('\n')}\n`);
  });

  for (const bfd of [true, false]) {
    for (const fault of ['SIGSTOP', 'link cut'] as const) {
      const name = `${fault}, ${bfd ? 'with BFD 300 ms × 3' : `without BFD (hold time ${HOLD_MS / 1000} s)`}`;
      it(`${name}: FRR drops the routes ${bfd ? `within ${DETECTION_MS} + ${MARGIN_MS} ms` : 'when the hold timer expires'}`, async () => {
        let l: SingleHopLab | undefined;
        try {
          l = await buildSingleHopLab(bfd ? 'bfd' : 'nobfd', torBgpd({ bfd, gracefulRestart: false }), TOR_BFDD);
          const node = new VipSpeakerNode(l.lab, 'node', nodeConfig({ bfd, gracefulRestart: false }));
          await node.start();
          await ready(l.tor, bfd);
          if (bfd) {
            // Up from the peer string alone, with what it asked for, on both sides.
            const ours = (await node.status()) as unknown as { peers: Array<{ bfd: { state: string; txIntervalMs: number; detectTimeMs: number } | null }> };
            assert.deepEqual(ours.peers.map((p) => [p.bfd?.state, p.bfd?.txIntervalMs, p.bfd?.detectTimeMs]), [['Up', 300, 900], ['Up', 300, 900]]);
            const theirs = await l.tor.bfdPeers();
            assert.deepEqual(theirs.map((p) => [p.status, p['remote-transmit-interval'], p['remote-detect-multiplier']]).sort(), [['up', 300, 3], ['up', 300, 3]]);
          }
          const lab = l;
          const loss = await routeLoss(l.routes, fault === 'SIGSTOP' ? () => node.signal('SIGSTOP') : () => lab.cut(), bfd ? 10_000 : 20_000);
          for (const f of FAMILIES) {
            const ms = loss[f.family]!;
            measured.push(`${name}, ${f.family}: ${ms} ms`);
            recordBfdResult({ test: `${name}, ${f.family}`, fault, bfd, family: f.family, routeGoneMs: ms });
            if (bfd) assert.ok(ms <= DETECTION_MS + MARGIN_MS, `${f.family}: ${ms} ms, beyond ${DETECTION_MS} + ${MARGIN_MS} ms`);
            else assert.ok(ms >= HOLD_MS - 3000 && ms <= HOLD_MS + MARGIN_MS + 1000, `${f.family}: ${ms} ms, not the hold time`);
          }
          if (bfd) {
            const peers = await l.tor.bfdPeers();
            assert.ok(peers.every((p) => p.status === 'down'), `FRR's BFD sessions: ${JSON.stringify(peers.map((p) => p.status))}`);
          }
          if (bfd && fault === 'link cut') {
            // The speaker held its sessions down while BFD was; once the link heals, BFD comes
            // Up and BGP follows, and the routes are back.
            const held = (await node.status()) as unknown as { peers: Array<{ state: string; bfd: { holdingBgp: boolean } }> };
            assert.deepEqual(held.peers.map((p) => [p.state, p.bfd.holdingBgp]), [['Idle', true], ['Idle', true]]);
            await l.heal();
            await ready(l.tor, true);
          }
          node.signal('SIGCONT');
          await node.kill();
        } finally {
          l?.lab.destroySync();
        }
      });
    }
  }
});
