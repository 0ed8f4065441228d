// Graceful restart and BFD together, with FRR: a speaker that crashes and comes back keeps its
// routes at the router (GR), and a speaker that freezes loses them at BFD speed. Our C bit is
// clear (BFD runs in the BGP process and shares its fate).
//
// FRR is run as docs/bfd.md recommends (`neighbor X bfd`, graceful restart on), and then with
// `bfd check-control-plane-failure` added, to show why the recommendation leaves it out: with
// it, FRR ignores a BFD Down from a peer whose C bit is clear whenever graceful restart is
// negotiated with that peer ("BFD DOWN message ignored in the process of graceful restart when
// C bit is cleared" in bgpd's log, FRR 8.4), so a frozen speaker is noticed by the hold timer
// only. A crash keeps its routes either way: the kernel closes the TCP connection at once, FRR
// enters graceful restart on that, and the BFD Down that follows does not end it.
import { strict as assert } from 'node:assert';
import { frrSkipReason } from '../support/frr.js';
import { labSkipReason, waitFor } from '../support/lab.js';
import { VipSpeakerNode } from '../support/vip-speaker-node.js';
import { nodeConfig, torBgpd, TOR_BFDD } from './configs.js';
import { ready, routeLoss } from './measure.js';
import { recordBfdResult } from './results.js';
import { NODE, VIP4, VIP6, bfdStatusAt, buildSingleHopLab, type SingleHopLab } from './topology.js';

const DETECTION_MS = 900;
const MARGIN_MS = 600;

describe('BFD and graceful restart with FRR', function () {
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
    if (measured.length) console.log(`\n      with graceful restart negotiated:\n${measured.map((m) => `        ${m}`).join('\n')}\n`);
  });

  for (const knob of [false, true]) {
    const router = knob ? 'FRR with check-control-plane-failure' : 'FRR as recommended (no check-control-plane-failure)';
    const claim = knob ? 'a SIGKILL and restart keeps the routes; how long a SIGSTOP takes is measured' : 'a SIGKILL and restart keeps the routes, a SIGSTOP loses them at BFD speed';
    it(`${router}: ${claim}`, async () => {
      let l: SingleHopLab | undefined;
      try {
        l = await buildSingleHopLab(knob ? 'grknob' : 'grplain', torBgpd({ bfd: true, gracefulRestart: true, checkControlPlaneFailure: knob }), TOR_BFDD);
        const tor = l.tor;
        const node = new VipSpeakerNode(l.lab, 'node', nodeConfig({ bfd: true, gracefulRestart: true }));
        await node.start();
        await ready(tor, true);
        const status = (await node.status()) as unknown as { peers: Array<{ bfd: { controlPlaneIndependent: boolean } }> };
        assert.deepEqual(status.peers.map((p) => p.bfd.controlPlaneIndependent), [false, false], 'our C bit is clear');

        // A crash: TCP closes at once, BFD falls silent. FRR's BFD goes down, and the routes
        // must stay (stale) until the restarted speaker refreshes them.
        const killedAt = performance.now();
        await node.kill();
        const present = async () => (await Promise.all([tor.route('ipv4', `${VIP4}/32`), tor.route('ipv6', `${VIP6}/128`)])).map((r) => !!r?.paths?.length);
        const samples: boolean[][] = [];
        await waitFor('FRR\'s BFD sessions down', async () => {
          samples.push(await present());
          return (await tor.bfdPeers()).every((p) => p.status === 'down') ? true : undefined;
        }, 10_000, 100);
        const until = performance.now() + 2000;
        while (performance.now() < until) {
          samples.push(await present());
          await new Promise((r) => setTimeout(r, 100));
        }
        await node.start();
        await ready(tor, true);
        const missing = samples.filter((s) => s.includes(false)).length;
        const deleted = [VIP4, VIP6].filter((v) => l!.routes.deletedAfter(v, killedAt));
        measured.push(`${router}, SIGKILL and restart: routes kept (${samples.length} samples, ${missing} without them; kernel route removals: ${deleted.length})`);
        for (const family of ['IPv4', 'IPv6'] as const) recordBfdResult({ test: `graceful restart, ${router}, SIGKILL and restart, ${family}`, fault: 'SIGKILL and restart', bfd: true, family, samples: samples.length, missing });
        assert.equal(missing, 0, 'a route left FRR\'s table during the restart');
        assert.deepEqual(deleted, [], 'zebra removed a route during the restart');

        // A freeze: TCP stays up, BFD falls silent; no restart is coming, the routes must go.
        const loss = await routeLoss(l.routes, () => node.signal('SIGSTOP'), 20_000);
        for (const family of ['IPv4', 'IPv6'] as const) {
          measured.push(`${router}, SIGSTOP, ${family}: routes gone after ${loss[family]} ms`);
          recordBfdResult({ test: `graceful restart, ${router}, SIGSTOP, ${family}`, fault: 'SIGSTOP', bfd: true, family, routeGoneMs: loss[family] });
          if (!knob) assert.ok(loss[family]! <= DETECTION_MS + MARGIN_MS, `${family}: ${loss[family]} ms`);
        }
        await bfdStatusAt(tor, NODE.ipv4, 'down');
        node.signal('SIGCONT');
        await node.kill();
      } finally {
        l?.lab.destroySync();
      }
    });
  }
});
