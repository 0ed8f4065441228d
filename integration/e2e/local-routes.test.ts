// The end-to-end lab with VIPs made local by local routes instead of addresses (vipPlacement:
// routes, which 'auto' uses past 1,000 IPv4 VIPs): the client still reaches a VIP on a node
// through the tor; a kill -9 and a restart leave no stale or doubled route, also when the
// restart places addresses instead; a clean stop leaves nothing on the node.
import { strict as assert } from 'node:assert';
import { frrSkipReason } from '../support/frr.js';
import { labSkipReason, waitFor } from '../support/lab.js';
import { request } from '../support/probe.js';
import { VipSpeakerNode } from '../support/vip-speaker-node.js';
import { nodeConfig } from './configs.js';
import { type E2eLab, NODES, buildE2eLab } from './topology.js';

const VIP4 = '203.0.113.30';
const VIP4B = '203.0.113.31';
const VIP6 = '2001:db8:f::30';
const PORT = 8080;

describe('end to end with VIPs as local routes', function () {
  this.timeout(120_000);
  let e: E2eLab | undefined;
  let node: VipSpeakerNode;
  const config = (vips: string[], placement = 'routes') => nodeConfig(NODES[0]!, vips, `vipPlacement: ${placement}`);

  async function paths(prefix: string): Promise<number> {
    const r = await e!.tor.route(prefix.includes(':') ? 'ipv6' : 'ipv4', prefix);
    return (r?.paths ?? []).filter((p) => p.valid !== false).length;
  }

  /** Our local routes on node1, as 'address/length'. */
  async function localRoutes(): Promise<string[]> {
    const out: string[] = [];
    for (const family of ['-4', '-6']) {
      const { stdout } = await e!.lab.exec(NODES[0]!.name, 'ip', ['-j', family, 'route', 'show', 'table', 'local', 'proto', '86']);
      for (const r of JSON.parse(stdout) as Array<{ dst: string }>) out.push(`${r.dst}/${r.dst.includes(':') ? 128 : 32}`);
    }
    return out.sort();
  }

  before(async function () {
    const reason = labSkipReason() ?? frrSkipReason();
    if (reason) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
    e = await buildE2eLab('routes');
    e.lab.spawn(NODES[0]!.name, process.execPath, [new URL('../support/echo-server.js', import.meta.url).pathname, NODES[0]!.name, String(PORT)]);
    node = new VipSpeakerNode(e.lab, NODES[0]!.name, config([VIP4, VIP6]));
  });

  after(async () => {
    await node?.kill();
    e?.lab.destroySync();
  });

  it('announces VIPs placed as local routes, and the client reaches them through the tor', async () => {
    await node.start();
    for (const vip of [`${VIP4}/32`, `${VIP6}/128`]) await waitFor(`${vip} at the tor`, async () => ((await paths(vip)) === 1 ? true : undefined), 30_000);
    assert.deepEqual(await localRoutes(), [`${VIP4}/32`, `${VIP6}/128`].sort());
    assert.deepEqual(await node.loAddresses(), [], 'no address on lo: the routes make the VIPs local');
    const status = (await node.status()) as unknown as { vips: Array<{ address: string; placedAs: string }> };
    assert.deepEqual(status.vips.map((v) => `${v.address} ${v.placedAs}`).sort(), [`${VIP4}/32 route`, `${VIP6}/128 route`].sort());
    assert.equal(await waitFor('an answer over IPv4', () => request(e!.lab, 'client', VIP4, PORT)), `hello from node1 via ${VIP4}`);
    assert.equal(await waitFor('an answer over IPv6', () => request(e!.lab, 'client', VIP6, PORT)), `hello from node1 via ${VIP6}`);
  });

  it('after a kill -9, a restart with one VIP fewer removes the stale route and does not double the kept one', async () => {
    await node.kill();
    assert.deepEqual(await localRoutes(), [`${VIP4}/32`, `${VIP6}/128`].sort(), 'a crashed speaker leaves its routes until it starts again');
    node.writeConfig(config([VIP4]));
    await node.start();
    await waitFor('ready again', async () => ((await node.status()).ready.ok ? true : undefined), 30_000);
    assert.deepEqual(await localRoutes(), [`${VIP4}/32`]);
    assert.match(node.log(), /removed a stale VIP left by an earlier run/);
    assert.equal(await waitFor('an answer over IPv4', () => request(e!.lab, 'client', VIP4, PORT)), `hello from node1 via ${VIP4}`);
  });

  it('after a kill -9, a restart that places addresses finds the routes of the last run too', async () => {
    node.writeConfig(config([VIP4, VIP4B]));
    await waitFor('the second VIP placed', async () => ((await localRoutes()).includes(`${VIP4B}/32`) ? true : undefined), 30_000);
    await node.kill();
    node.writeConfig(config([VIP4B], 'addresses'));
    await node.start();
    await waitFor('ready again', async () => ((await node.status()).ready.ok ? true : undefined), 30_000);
    // VIP4B was a route of ours and is still wanted: kept as it is; VIP4 is stale: gone.
    assert.deepEqual(await localRoutes(), [`${VIP4B}/32`]);
    assert.deepEqual(await node.loAddresses(), []);
    await waitFor(`${VIP4}/32 withdrawn at the tor`, async () => ((await paths(`${VIP4}/32`)) === 0 ? true : undefined), 30_000);
  });

  it('leaves nothing on the node after a clean stop', async () => {
    assert.equal(await node.stop(), 0);
    assert.deepEqual(await localRoutes(), []);
    assert.deepEqual(await node.loAddresses(), []);
    await waitFor('no path left', async () => ((await paths(`${VIP4B}/32`)) === 0 ? true : undefined), 30_000);
  });
});
