// Faults in the namespace lab, one test each, run in a row on one lab (each starts from a lab
// that agrees with the desired set, and must end in one): the invariant checker times every
// divergence between the routers' tables and the nodes' interfaces and the desired set, and each
// fault's outcome goes to results.json. `npm test` runs the short version of each; `npm run
// lab:faults` the long one (minutes of API outage, longer loss and cuts) and writes the table
// of docs/faults.md.
import { strict as assert } from 'node:assert';
import { RECONCILE_VERIFY_MS } from '../../src/reconcile.js';
import { NODES, NODE_AS } from '../e2e/topology.js';
import { frrSkipReason } from '../support/frr.js';
import { labSkipReason } from '../support/lab.js';
import { wireSkipReason } from '../support/wire.js';
import { lbService } from './churn.js';
import { killDuringReconcile, prepareKill, staleRemoved } from './kill.js';
import { CONVERGE_TIMEOUT_MS, LONG, STABLE_MS, runFault, seconds } from './scenario.js';
import { FaultLab, HOLD_TIME_S } from './topology.js';

const [NODE1] = NODES;
const BASE = {
  node1: ['203.0.113.10', '2001:db8:f::10'],
  node2: ['203.0.113.11', '2001:db8:f::11'],
};
/** Beyond the periodic check's interval: the run it starts, the router's own work, the sampling. */
const UNBACKED_MARGIN_MS = 10_000;
const pick = (short: number, long: number) => (LONG ? long : short);

describe('faults: the lab comes back to exactly the desired set after each', function () {
  this.timeout(LONG ? 1_800_000 : 400_000);
  let f: FaultLab | undefined;

  /** FRR's count of sessions with a node that went down so far. */
  async function drops(address: string): Promise<number> {
    const j = await f!.tor.json<Record<string, { connectionsDropped?: number }>>(`show bgp neighbors ${address} json`);
    return j[address]?.connectionsDropped ?? 0;
  }

  before(async function () {
    const reason = labSkipReason() ?? frrSkipReason() ?? wireSkipReason();
    if (reason) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
    f = await FaultLab.build();
    f.configure('node1', { staticVips: BASE.node1 });
    f.configure('node2', { staticVips: BASE.node2 });
    await f.api.create('Service', lbService('web', '203.0.113.20'));
    await f.api.create('Service', lbService('web6', '2001:db8:f::20'));
  });

  after(async () => {
    await f?.destroy();
  });

  it('loss and delay on node1\'s link', async () => {
    const ms = pick(20_000, 120_000);
    const impairment = { loss: LONG ? 0.3 : 0.2, delayMs: 50, jitterMs: 25 };
    await runFault(f!, 1, `${impairment.loss * 100}% loss, ${impairment.delayMs}±${impairment.jitterMs} ms delay on the link`, {
      async act({ lab }) {
        const dropsBefore = await drops(NODE1!.ipv4);
        await lab.wire.set(impairment);
        await seconds(ms);
        const stats = await lab.wire.heal();
        const dropped = (await drops(NODE1!.ipv4)) - dropsBefore;
        return `${ms / 1000} s; ${stats.dropped} frames dropped; the session went down ${dropped} time(s)`;
      },
    });
  });

  it('link cut for less than the hold time', async () => {
    const ms = 4000;
    assert.ok(ms < HOLD_TIME_S * 1000);
    await runFault(f!, 2, `link cut for ${ms / 1000} s (hold time ${HOLD_TIME_S} s)`, {
      async act({ lab }) {
        const dropsBefore = await drops(NODE1!.ipv4);
        await lab.wire.cut();
        await seconds(ms);
        await lab.wire.heal();
        await seconds(HOLD_TIME_S * 1000);
        const dropped = (await drops(NODE1!.ipv4)) - dropsBefore;
        return dropped === 0 ? 'the session stayed up' : `the session went down ${dropped} time(s)`;
      },
    });
  });

  it('link cut for more than the hold time', async () => {
    const ms = pick(15_000, 60_000);
    await runFault(f!, 3, `link cut for ${ms / 1000} s (hold time ${HOLD_TIME_S} s)`, {
      async act({ lab }) {
        const dropsBefore = await drops(NODE1!.ipv4);
        await lab.wire.cut();
        await seconds(ms);
        const dropped = (await drops(NODE1!.ipv4)) - dropsBefore;
        await lab.wire.heal();
        return `the tor dropped the session ${dropped} time(s) during the cut`;
      },
    });
  });

  it('router restarted and configured to refuse node1, then to accept it again', async () => {
    const ms = pick(8000, 60_000);
    await runFault(f!, 4, 'router restarted, refusing node1 (wrong remote AS), then reconfigured', {
      async act({ lab }) {
        const node1 = lab.node('node1');
        // What node1 tried meanwhile, from its metrics (its log says only the first of a run of
        // the same failure): OPENs sent, and NOTIFICATIONs back (Bad Peer AS, RFC 4271 §6.2). A
        // node still in its back-off from an earlier fault (5 s doubling to 120 s) may try none.
        const count = (name: string, type: string) => node1.metric(name, { peer: NODE1!.torIpv4, type });
        const opens = () => count('vip_speaker_bgp_messages_sent_total', 'Open');
        const notifications = () => count('vip_speaker_bgp_messages_received_total', 'Notification');
        const [opensBefore, notificationsBefore] = [await opens(), await notifications()];
        await lab.restartTorRefusing(NODE1!.ipv4);
        const configured = await lab.tor.json<Record<string, { remoteAs?: number }>>(`show bgp neighbors ${NODE1!.ipv4} json`);
        assert.notEqual(configured[NODE1!.ipv4]?.remoteAs, NODE_AS, 'the restarted tor expects another AS from node1');
        await seconds(ms);
        const [tried, refused] = [(await opens()) - opensBefore, (await notifications()) - notificationsBefore];
        await lab.acceptAgain(NODE1!.ipv4);
        return `refused for ${ms / 1000} s: node1 sent ${tried} OPEN(s) and got Bad Peer AS ${refused} time(s), trying again after its back-off (5 s doubling to 120 s)`;
      },
    });
  });

  it('API server down, its history compacted meanwhile', async () => {
    const ms = pick(20_000, 180_000);
    await runFault(f!, 5, `API server down for ${ms / 1000} s, its history compacted meanwhile`, {
      async act({ lab }) {
        await lab.api.down();
        await seconds(ms);
        await lab.api.compact();
        await lab.api.up();
        return `down ${ms / 1000} s; the informers list again when they reconnect (after their back-off, up to 30 s)`;
      },
    });
  });

  it('watches ended by the API server, history compacted before they return: 410 Gone', async () => {
    await runFault(f!, 6, 'every watch ended, history compacted before the re-watch: 410 Gone', {
      async act({ lab }) {
        const before = (await lab.api.requests()).length;
        // The re-watches wait until the Service is made and the history compacted: they come
        // back from a resourceVersion the server no longer has, as after a long partition.
        await lab.api.hold();
        const ended = await lab.api.breakWatches();
        await lab.api.create('Service', lbService('after-compaction', '203.0.113.21'));
        const compacted = await lab.api.compact();
        await seconds(1000);
        await lab.api.release();
        await seconds(3000);
        const tooOld = (await lab.api.requests()).slice(before).filter((r) => r.query.watch === 'true' && Number(r.query.resourceVersion) < compacted).length;
        assert.ok(tooOld > 0, 'some watch came back from before the compaction');
        return `${ended} watches ended; ${tooOld} came back from before the compaction and got 410 Gone (then listed again)`;
      },
    });
    await f!.api.delete('Service', 'default', 'after-compaction');
  });

  it('adding an address fails: node2\'s VIP interface deleted, then created again', async () => {
    const ms = pick(10_000, 60_000);
    await runFault(f!, 7, 'VIP interface deleted under node2, created again later', {
      // Nothing tells the daemon at once: its periodic read of the interface finds the addresses gone.
      unbackedBoundMs: RECONCILE_VERIFY_MS + UNBACKED_MARGIN_MS,
      async act({ lab }) {
        await lab.deleteVipInterface();
        await seconds(ms);
        await lab.createVipInterface();
        return `gone for ${ms / 1000} s`;
      },
    });
  });

  it('adding an address fails: node2 without CAP_NET_ADMIN, then restarted with it', async () => {
    const ms = pick(10_000, 60_000);
    await runFault(f!, 8, 'node2 runs without permission to add addresses, then restarted with it', {
      async act({ lab }) {
        const node = lab.node('node2');
        await node.stop();
        await node.start([], undefined, { prefix: ['setpriv', '--bounding-set', '-net_admin', '--'] });
        await seconds(ms);
        const status = await node.status();
        const inPlace = status.vips.filter((v) => v.inPlace).length;
        const announced = status.vips.filter((v) => v.announced).length;
        assert.equal(announced, 0, 'nothing announced without the address in place');
        assert.match(node.log(), /EPERM|permission/i);
        await node.stop();
        await node.start();
        return `${status.vips.length} VIPs wanted, ${inPlace} in place and ${announced} announced while refused (EPERM)`;
      },
    });
  });

  it('reloads with a broken file in the middle of churn', async () => {
    const rounds = pick(6, 20);
    await runFault(f!, 9, 'config reloads during churn, every other one a broken file', {
      async act({ lab }) {
        const refusedBefore = (lab.node('node1').log().match(/configuration reload refused/g) ?? []).length;
        for (let i = 0; i < rounds; i++) {
          const vips = [...BASE.node1, `203.0.113.${60 + i}`];
          lab.configure('node1', { staticVips: vips, broken: i % 2 === 1 });
          await seconds(1500);
        }
        lab.configure('node1', { staticVips: BASE.node1 });
        await seconds(1500);
        const refused = (lab.node('node1').log().match(/configuration reload refused/g) ?? []).length - refusedBefore;
        assert.ok(refused >= Math.floor(rounds / 2), `${refused} reloads refused for ${Math.floor(rounds / 2)} broken files`);
        return `${rounds} reloads, ${refused} refused (broken file), the rest applied`;
      },
    });
  });

  it('SIGKILL in the middle of a reconcile of 5,000 VIPs, then a restart', async () => {
    await prepareKill(f!, NODE1!, BASE.node1);
    await runFault(f!, 10, 'SIGKILL during a reconcile of 5,000 VIPs, restarted 2 s later', {
      quiet: true,
      act: ({ lab }) => killDuringReconcile(lab, NODE1!, BASE.node1),
      after: ({ lab }) => staleRemoved(lab, NODE1!),
    });
    f!.configure('node1', { staticVips: BASE.node1 });
    await f!.checker.converged({ timeoutMs: CONVERGE_TIMEOUT_MS, stableMs: STABLE_MS });
  });
});
