// The README's "run the main job": builds the end-to-end lab, shows what vip-speaker does in
// it, step by step, and tears it down. Run as root: `npm run lab`.
import { frrSkipReason } from '../support/frr.js';
import { labSkipReason, waitFor } from '../support/lab.js';
import { request } from '../support/probe.js';
import { VipSpeakerNode } from '../support/vip-speaker-node.js';
import { nodeConfig } from './configs.js';
import { NODES, buildE2eLab, type E2eLab } from './topology.js';

const VIPS = ['203.0.113.10', '2001:db8:f::10'];
const PORT = 8080;

function say(text: string): void {
  process.stdout.write(`\n=== ${text}\n`);
}

function show(text: string): void {
  process.stdout.write(text.replace(/^/gm, '    ').trimEnd() + '\n');
}

async function main(): Promise<number> {
  const skip = labSkipReason() ?? frrSkipReason();
  if (skip) {
    process.stderr.write(`npm run lab: ${skip}\n`);
    return 1;
  }
  say('Building the lab: network namespaces "tor" (FRR, AS 65000), "node1" and "node2" (vip-speaker, AS 65100), "client"');
  show('client 198.51.100.2 -- tor -- node1 192.0.2.2 / node2 192.0.2.6; VIPs 203.0.113.10 and 2001:db8:f::10 on each node\'s lo');
  const e: E2eLab = await buildE2eLab('demo');
  const nodes: VipSpeakerNode[] = [];
  try {
    for (const n of NODES) {
      e.lab.spawn(n.name, process.execPath, [new URL('../support/echo-server.js', import.meta.url).pathname, n.name, String(PORT)]);
      nodes.push(new VipSpeakerNode(e.lab, n.name, nodeConfig(n, VIPS)));
    }
    say('Starting vip-speaker on node1 and node2 (config: one peer in kube-vip\'s format "192.0.2.1:65000::false", two static VIPs)');
    show(nodeConfig(NODES[0]!, VIPS));
    for (const n of nodes) await n.start();
    for (const n of nodes) await waitFor(`${n.nsName} ready`, async () => ((await n.status()).ready.ok ? true : undefined), 30_000);
    await waitFor('both paths at the tor', async () => {
      const r = await e.tor.route('ipv4', `${VIPS[0]}/32`);
      return (r?.paths?.length ?? 0) === 2 ? true : undefined;
    }, 30_000);

    say('node1: vip-speaker status');
    show((await e.lab.exec('node1', process.execPath, [new URL('../../src/cli.js', import.meta.url).pathname, 'status'])).stdout);
    say('node1: the VIPs on lo (added by vip-speaker, marked with address protocol 86)');
    show((await nodes[0]!.loAddresses()).join('\n'));
    say('tor: FRR\'s BGP table: each VIP has two paths, one per node (ECMP)');
    show(await e.tor.vtysh('show bgp ipv4 unicast'));
    show(await e.tor.vtysh('show bgp ipv6 unicast'));
    say('tor: the kernel route FRR installed');
    show((await e.lab.exec('tor', 'ip', ['route', 'show', VIPS[0]!])).stdout);

    say(`client: requests to the VIPs (a TCP service on port ${PORT} on each node)`);
    for (const vip of VIPS) show(`${vip} -> ${(await request(e.lab, 'client', vip, PORT)) ?? 'NO ANSWER'}`);

    say('Stopping vip-speaker on node1 (SIGTERM): it withdraws its routes, sends Cease, removes its VIPs');
    await nodes[0]!.stop();
    await waitFor('one path left', async () => {
      const r = await e.tor.route('ipv4', `${VIPS[0]}/32`);
      return (r?.paths?.length ?? 0) === 1 ? true : undefined;
    }, 15_000);
    show(await e.tor.vtysh(`show bgp ipv4 unicast ${VIPS[0]}/32`));
    show(`node1 lo now: ${(await nodes[0]!.loAddresses()).join(', ') || '(no VIPs)'}`);
    for (const vip of VIPS) show(`${vip} -> ${(await request(e.lab, 'client', vip, PORT)) ?? 'NO ANSWER'}`);

    say('Stopping node2 too: the VIPs become unreachable');
    await nodes[1]!.stop();
    await waitFor('no path left', async () => ((await e.tor.route('ipv4', `${VIPS[0]}/32`)) ? undefined : true), 15_000);
    for (const vip of VIPS) show(`${vip} -> ${(await request(e.lab, 'client', vip, PORT, 1)) ?? 'no answer (withdrawn)'}`);
    return 0;
  } finally {
    for (const n of nodes) await n.kill();
    say('Tearing the lab down (namespaces and processes removed)');
    e.lab.destroySync();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`npm run lab: ${err.message}\n`);
    process.exit(1);
  },
);
