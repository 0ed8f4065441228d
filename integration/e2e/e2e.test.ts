// End to end: a "tor" namespace running FRR, two "node" namespaces running vip-speaker, a
// "client" routed through the tor. A VIP added to a node's config becomes a route at FRR and is
// reachable; two nodes give FRR two ECMP paths; stopping nodes withdraws their paths; a kill -9
// and restart leaves no stale or doubled address; no VIP is left on any lo at the end.
import { strict as assert } from 'node:assert';
import { frrSkipReason } from '../support/frr.js';
import { labSkipReason, waitFor } from '../support/lab.js';
import { request } from '../support/probe.js';
import { VipSpeakerNode } from '../support/vip-speaker-node.js';
import { nodeConfig } from './configs.js';
import { type E2eLab, NODES, buildE2eLab } from './topology.js';

const VIP4 = '203.0.113.10';
const VIP6 = '2001:db8:f::10';
const PORT = 8080;

describe('end to end: vip-speaker nodes behind an FRR top-of-rack', function () {
  this.timeout(120_000);
  let e: E2eLab | undefined;
  const nodes: VipSpeakerNode[] = [];

  async function paths(prefix: string): Promise<string[]> {
    const family = prefix.includes(':') ? 'ipv6' : 'ipv4';
    const r = await e!.tor.route(family, prefix);
    return (r?.paths ?? []).filter((p) => p.valid !== false).map((p) => p.peer?.peerId ?? p.peerId ?? '?').sort();
  }

  /** Next hops of the kernel route on the tor (what forwarding uses). */
  async function kernelNextHops(address: string): Promise<number> {
    const { stdout } = await e!.lab.exec('tor', 'ip', ['-j', address.includes(':') ? '-6' : '-4', 'route', 'show', address]);
    const routes = JSON.parse(stdout) as Array<{ nexthops?: unknown[]; gateway?: string }>;
    if (!routes.length) return 0;
    return routes[0]!.nexthops?.length ?? (routes[0]!.gateway ? 1 : 0);
  }

  before(async function () {
    const reason = labSkipReason() ?? frrSkipReason();
    if (reason) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
    e = await buildE2eLab();
    for (const n of NODES) {
      e.lab.spawn(n.name, process.execPath, [new URL('../support/echo-server.js', import.meta.url).pathname, n.name, String(PORT)]);
      nodes.push(new VipSpeakerNode(e.lab, n.name, nodeConfig(n, [])));
    }
  });

  after(async () => {
    for (const n of nodes) await n.kill();
    e?.lab.destroySync();
  });

  it('brings up both nodes\' sessions with the tor', async () => {
    for (const n of nodes) await n.start();
    for (const n of NODES) {
      await waitFor(`tor session with ${n.name}`, async () => ((await e!.tor.neighborState(n.ipv4)) === 'Established' ? true : undefined), 30_000);
    }
    for (const n of nodes) await waitFor(`${n.nsName} ready`, async () => ((await n.status()).ready.ok ? true : undefined), 20_000);
  });

  it('announces a VIP added to a node\'s config, and the client reaches it through the tor', async () => {
    nodes[0]!.writeConfig(nodeConfig(NODES[0]!, [VIP4, VIP6]));
    for (const vip of [`${VIP4}/32`, `${VIP6}/128`]) {
      await waitFor(`${vip} at the tor`, async () => ((await paths(vip)).length === 1 ? true : undefined), 20_000);
    }
    assert.deepEqual((await nodes[0]!.loAddresses()).sort(), [`${VIP4}/32`, `${VIP6}/128`].sort());
    assert.equal(await waitFor('an answer over IPv4', () => request(e!.lab, 'client', VIP4, PORT)), `hello from node1 via ${VIP4}`);
    assert.equal(await waitFor('an answer over IPv6', () => request(e!.lab, 'client', VIP6, PORT)), `hello from node1 via ${VIP6}`);
  });

  it('gives the tor two ECMP paths when both nodes announce the VIP', async () => {
    nodes[1]!.writeConfig(nodeConfig(NODES[1]!, [VIP4, VIP6]));
    for (const vip of [`${VIP4}/32`, `${VIP6}/128`]) {
      await waitFor(`two paths for ${vip}`, async () => ((await paths(vip)).length === 2 ? true : undefined), 20_000);
    }
    await waitFor('two kernel next hops (IPv4)', async () => ((await kernelNextHops(VIP4)) === 2 ? true : undefined), 10_000);
    await waitFor('two kernel next hops (IPv6)', async () => ((await kernelNextHops(VIP6)) === 2 ? true : undefined), 10_000);
  });

  it('withdraws one path when one node stops, and the VIP stays reachable through the other', async () => {
    assert.equal(await nodes[0]!.stop(), 0, 'a clean stop exits 0');
    await waitFor('one path left', async () => ((await paths(`${VIP4}/32`)).length === 1 && (await paths(`${VIP6}/128`)).length === 1 ? true : undefined), 10_000);
    assert.deepEqual(await nodes[0]!.loAddresses(), [], 'no VIP left on node1\'s lo');
    assert.equal(await waitFor('an answer from node2', () => request(e!.lab, 'client', VIP4, PORT)), `hello from node2 via ${VIP4}`);
    assert.match(nodes[0]!.log(), /BGP session established/);
  });

  it('makes the VIP unreachable when both nodes stop, and leaves no VIP on any lo', async () => {
    assert.equal(await nodes[1]!.stop(), 0);
    await waitFor('no path left', async () => ((await paths(`${VIP4}/32`)).length === 0 && (await paths(`${VIP6}/128`)).length === 0 ? true : undefined), 10_000);
    assert.equal(await request(e!.lab, 'client', VIP4, PORT, 1), undefined);
    assert.equal(await request(e!.lab, 'client', VIP6, PORT, 1), undefined);
    for (const n of nodes) assert.deepEqual(await n.loAddresses(), [], `no VIP left on ${n.nsName}'s lo`);
  });

  it('leaves no stale or doubled address after a kill -9 and a restart', async () => {
    const node = nodes[0]!;
    node.writeConfig(nodeConfig(NODES[0]!, [VIP4, VIP6]));
    await node.start();
    await waitFor('the VIP announced', async () => ((await paths(`${VIP4}/32`)).length === 1 ? true : undefined), 20_000);
    await node.kill();
    // The documented window: a crashed speaker's VIPs stay on lo until it starts again.
    assert.deepEqual((await node.loAddresses()).sort(), [`${VIP4}/32`, `${VIP6}/128`].sort());
    // Restart with one VIP fewer: the stale one goes, the kept one is not added twice.
    node.writeConfig(nodeConfig(NODES[0]!, [VIP4]));
    await node.start();
    await waitFor('ready again', async () => ((await node.status()).ready.ok ? true : undefined), 20_000);
    assert.deepEqual(await node.loAddresses(), [`${VIP4}/32`]);
    assert.match(node.log(), /removed a stale VIP left by an earlier run/);
    assert.equal(await node.stop(), 0);
    assert.deepEqual(await node.loAddresses(), []);
  });

  it('refuses an invalid config on reload and keeps running with the old one', async () => {
    const node = nodes[1]!;
    node.writeConfig(nodeConfig(NODES[1]!, [VIP4]));
    await node.start();
    await waitFor('the VIP announced', async () => ((await paths(`${VIP4}/32`)).length === 1 ? true : undefined), 20_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${node.log().slice(-3000)}`);
    });
    node.writeConfig(nodeConfig(NODES[1]!, ['192.0.2.300']));
    await waitFor('the refusal in the log', () => (/configuration reload refused/.test(node.log()) ? true : undefined), 10_000);
    assert.match(node.log(), /192\.0\.2\.300/);
    assert.deepEqual((await node.status()).vips.map((v) => v.address), [`${VIP4}/32`]);
    assert.equal((await paths(`${VIP4}/32`)).length, 1);
    assert.equal(await node.stop(), 0);
  });

  it('runs from kube-vip\'s environment variables alone and announces the control-plane address', async () => {
    const node = nodes[0]!;
    await node.start([], {
      bgp_enable: 'true',
      cp_enable: 'true',
      address: `${VIP4},${VIP6}`,
      bgp_as: '65100',
      bgp_routerid: NODES[0]!.ipv4,
      bgp_peers: `${NODES[0]!.torIpv4}:65000::false`,
    });
    for (const vip of [`${VIP4}/32`, `${VIP6}/128`]) {
      await waitFor(`${vip} at the tor`, async () => ((await paths(vip)).length === 1 ? true : undefined), 20_000);
    }
    assert.equal(await waitFor('an answer', () => request(e!.lab, 'client', VIP4, PORT)), `hello from node1 via ${VIP4}`);
    assert.deepEqual((await node.status()).vips.map((v) => v.address).sort(), [`${VIP4}/32`, `${VIP6}/128`].sort());
    assert.equal(await node.stop(), 0);
    assert.deepEqual(await node.loAddresses(), []);
  });
});
