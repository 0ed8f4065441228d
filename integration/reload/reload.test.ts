// Reload as Kubernetes really does it: vip-speaker runs with `run --config` on a ConfigMap-style
// volume, and each of ten updates (the kubelet's ..data swap, the old folder deleted) moves the
// node to another VIP. After each one FRR on the top-of-rack must hold the new VIP's route from
// the node and no longer the old one: the watch re-armed every time, not only the first.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { frrSkipReason } from '../support/frr.js';
import { labSkipReason, waitFor } from '../support/lab.js';
import { VipSpeakerNode } from '../support/vip-speaker-node.js';
import { nodeConfig } from '../e2e/configs.js';
import { type E2eLab, NODES, buildE2eLab } from '../e2e/topology.js';
import { ConfigMapVolume } from './configmap.js';

const SWAPS = 10;
const NODE = NODES[0]!;
/** A VIP per version of the config: 203.0.113.20, .21, ... and 2001:db8:f::20, ::21, ... */
const vip4 = (i: number) => `203.0.113.${20 + i}`;
const vip6 = (i: number) => `2001:db8:f::${20 + i}`;
const ROUTE_WAIT_MS = 30_000;

describe('reload: ten ConfigMap-style updates, each followed by the change at the router', function () {
  this.timeout(600_000);
  let e: E2eLab | undefined;
  let node: VipSpeakerNode | undefined;

  async function hasRoute(prefix: string): Promise<boolean> {
    const r = await e!.tor.route(prefix.includes(':') ? 'ipv6' : 'ipv4', prefix);
    return (r?.paths ?? []).some((p) => p.valid !== false);
  }

  before(async function () {
    const reason = labSkipReason() ?? frrSkipReason();
    if (reason) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
    e = await buildE2eLab('reload');
  });

  after(async () => {
    await node?.kill();
    e?.lab.destroySync();
  });

  it(`applies each of ${SWAPS} ..data swaps in a row: FRR gains the new VIPs and loses the old`, async () => {
    const volume = new ConfigMapVolume(join(e!.lab.dir, 'node1-configmap'));
    volume.write(nodeConfig(NODE, [vip4(0), vip6(0)]));
    node = new VipSpeakerNode(e!.lab, NODE.name, '', { configPath: volume.path });
    await node.start();
    await waitFor('the first VIPs at the tor', async () => ((await hasRoute(`${vip4(0)}/32`)) && (await hasRoute(`${vip6(0)}/128`)) ? true : undefined), ROUTE_WAIT_MS);

    for (let i = 1; i <= SWAPS; i++) {
      volume.write(nodeConfig(NODE, [vip4(i), vip6(i)]));
      await waitFor(`swap ${i}: ${vip4(i)} and ${vip6(i)} at the tor, ${vip4(i - 1)} and ${vip6(i - 1)} gone`, async () => {
        const now = (await hasRoute(`${vip4(i)}/32`)) && (await hasRoute(`${vip6(i)}/128`));
        const before = (await hasRoute(`${vip4(i - 1)}/32`)) || (await hasRoute(`${vip6(i - 1)}/128`));
        return now && !before ? true : undefined;
      }, ROUTE_WAIT_MS);
    }
    const reloads = node.log().match(/configuration reloaded/g)?.length ?? 0;
    assert.equal(reloads, SWAPS, `one reload per swap; the log says ${reloads}`);
    assert.doesNotMatch(node.log(), /reload refused|reload failed/);
    assert.equal(await node.stop(), 0);
  });
});
