// The end-to-end lab, the namespace twin of integration/containerlab/vip-speaker.clab.yml:
//
//            client 198.51.100.2 / 2001:db8:c::2
//                 |
//   tor (FRR, AS 65000) 198.51.100.1 / 2001:db8:c::1
//        |                          |
//   192.0.2.1/30                 192.0.2.5/30
//   2001:db8:1::1/64             2001:db8:2::1/64
//        |                          |
//   node1 192.0.2.2              node2 192.0.2.6
//   2001:db8:1::2                2001:db8:2::2
//   (vip-speaker, AS 65100)      (vip-speaker, AS 65100)
//
// VIPs come from 203.0.113.0/24 and 2001:db8:f::/64 and live on each node's lo. The tor
// installs the routes it learns (zebra) with ECMP across both nodes, so the client reaches a
// VIP through whichever nodes announce it.
import { Frr } from '../support/frr.js';
import { Lab } from '../support/lab.js';

export const TOR_AS = 65000;
export const NODE_AS = 65100;

export interface NodeSpec {
  name: 'node1' | 'node2';
  ipv4: string;
  ipv6: string;
  torIpv4: string;
  torIpv6: string;
}

export const NODES: readonly NodeSpec[] = [
  { name: 'node1', ipv4: '192.0.2.2', ipv6: '2001:db8:1::2', torIpv4: '192.0.2.1', torIpv6: '2001:db8:1::1' },
  { name: 'node2', ipv4: '192.0.2.6', ipv6: '2001:db8:2::2', torIpv4: '192.0.2.5', torIpv6: '2001:db8:2::1' },
];

export const CLIENT = { ipv4: '198.51.100.2', ipv6: '2001:db8:c::2', torIpv4: '198.51.100.1', torIpv6: '2001:db8:c::1' };

export function torConfig(): string {
  const lines = [
    'frr defaults datacenter',
    'hostname tor',
    `router bgp ${TOR_AS}`,
    ' bgp router-id 198.51.100.1',
    ' no bgp ebgp-requires-policy',
    ' bgp graceful-restart',
    ' bgp bestpath as-path multipath-relax',
  ];
  for (const n of NODES) {
    lines.push(` neighbor ${n.ipv4} remote-as ${NODE_AS}`, ` neighbor ${n.ipv4} timers 3 9`, ` neighbor ${n.ipv4} timers connect 2`);
  }
  for (const af of ['ipv4', 'ipv6']) {
    lines.push(` address-family ${af} unicast`, '  maximum-paths 8');
    for (const n of NODES) lines.push(`  neighbor ${n.ipv4} activate`);
    lines.push(' exit-address-family');
  }
  return lines.join('\n') + '\n';
}

export interface E2eLab {
  lab: Lab;
  tor: Frr;
}

/** Builds the namespaces, links, addresses and routes, and starts FRR on the tor. */
export async function buildE2eLab(label = 'e2e'): Promise<E2eLab> {
  const lab = new Lab(label);
  try {
    for (const ns of ['tor', 'client', ...NODES.map((n) => n.name)]) await lab.addNamespace(ns);
    await lab.exec('tor', 'sysctl', ['-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);
    // ECMP by flow (5-tuple), so that one TCP connection keeps its path.
    await lab.exec('tor', 'sysctl', ['-qw', 'net.ipv4.fib_multipath_hash_policy=1', 'net.ipv6.fib_multipath_hash_policy=1']);
    for (const [i, n] of NODES.entries()) {
      await lab.link('tor', `n${i + 1}`, n.name, 'eth0');
      const plen = 30;
      await lab.addAddress('tor', `n${i + 1}`, `${n.torIpv4}/${plen}`);
      await lab.addAddress('tor', `n${i + 1}`, `${n.torIpv6}/64`);
      await lab.addAddress(n.name, 'eth0', `${n.ipv4}/${plen}`);
      await lab.addAddress(n.name, 'eth0', `${n.ipv6}/64`);
      await lab.exec(n.name, 'ip', ['route', 'add', 'default', 'via', n.torIpv4]);
      await lab.exec(n.name, 'ip', ['-6', 'route', 'add', 'default', 'via', n.torIpv6]);
    }
    await lab.link('tor', 'client', 'client', 'eth0');
    await lab.addAddress('tor', 'client', `${CLIENT.torIpv4}/24`);
    await lab.addAddress('tor', 'client', `${CLIENT.torIpv6}/64`);
    await lab.addAddress('client', 'eth0', `${CLIENT.ipv4}/24`);
    await lab.addAddress('client', 'eth0', `${CLIENT.ipv6}/64`);
    await lab.exec('client', 'ip', ['route', 'add', 'default', 'via', CLIENT.torIpv4]);
    await lab.exec('client', 'ip', ['-6', 'route', 'add', 'default', 'via', CLIENT.torIpv6]);
    const tor = new Frr(lab, 'tor', torConfig());
    await tor.start();
    return { lab, tor };
  } catch (err) {
    lab.destroySync();
    throw err;
  }
}
