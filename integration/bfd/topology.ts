// The BFD labs' namespaces:
//
//   single hop:  tor (FRR: zebra, bfdd, bgpd)  --  wire (a bridge)  --  node (vip-speaker)
//                192.0.2.1/24, 2001:db8:1::1/64                        192.0.2.2/24, 2001:db8:1::2/64
//
//   multihop:    tor (FRR, AS 65000) -- mid (a router) -- node (vip-speaker, AS 65100)
//                198.51.100.1/24                       192.0.2.2/24 (default route via 192.0.2.1)
//
// The wire between tor and node is a bridge of its own so that "cutting the link" can happen
// where neither end sees its carrier drop: FRR learns of the cut only from BFD or from its hold
// timer, as with a failure in a switch or a fibre between the two (a carrier loss at FRR's own
// port would let FRR drop the session at once, with or without BFD).
//
// Routes arriving at and leaving FRR's kernel table are watched with `ip monitor route` in the
// tor namespace: the moment zebra removes a VIP's route is when traffic stops going to the node.
import { type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Frr } from '../support/frr.js';
import { Lab, waitFor } from '../support/lab.js';

export const TOR_AS = 65000;
export const NODE_AS = 65100;
export const TOR = { ipv4: '192.0.2.1', ipv6: '2001:db8:1::1' };
export const NODE = { ipv4: '192.0.2.2', ipv6: '2001:db8:1::2' };
export const VIP4 = '203.0.113.10';
export const VIP6 = '2001:db8:f::10';

/** Where a route change was seen, and when (performance.now() of this process). */
export interface RouteEvent {
  at: number;
  kind: 'added' | 'deleted';
  prefix: string;
}

/** `ip monitor route` in a namespace, kept for the length of the lab. */
export class RouteWatch {
  readonly events: RouteEvent[] = [];
  private readonly child: ChildProcess;

  constructor(lab: Lab, nsName: string) {
    this.child = lab.spawn(nsName, 'ip', ['-o', 'monitor', 'route']);
    this.child.on('error', () => undefined);
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      const at = performance.now();
      const m = /^(Deleted )?(\S+)/.exec(line);
      if (!m) return;
      const prefix = m[2]!;
      this.events.push({ at, kind: m[1] ? 'deleted' : 'added', prefix });
    });
  }

  /** The first deletion of `address` after `since` (ms, performance.now()). */
  deletedAfter(address: string, since: number): RouteEvent | undefined {
    return this.events.find((e) => e.kind === 'deleted' && e.at >= since && stripLength(e.prefix) === address);
  }
}

function stripLength(prefix: string): string {
  return prefix.replace(/\/(32|128)$/, '');
}

/** tor — wire — node, with nothing running yet. */
export interface SingleHopNetwork {
  lab: Lab;
  routes: RouteWatch;
  /** Takes the node's side of the wire down: the tor keeps its carrier. */
  cut(): Promise<void>;
  heal(): Promise<void>;
}

export interface SingleHopLab extends SingleHopNetwork {
  tor: Frr;
}

/** The namespaces, the bridge and the addresses of the single-hop labs. */
export async function buildSingleHopNetwork(label: string): Promise<SingleHopNetwork> {
  const lab = new Lab(label);
  try {
    for (const ns of ['tor', 'wire', 'node']) await lab.addNamespace(ns);
    await lab.link('tor', 'eth0', 'wire', 't0');
    await lab.link('node', 'eth0', 'wire', 'n0');
    await lab.exec('wire', 'ip', ['link', 'add', 'br0', 'type', 'bridge']);
    for (const port of ['t0', 'n0']) await lab.exec('wire', 'ip', ['link', 'set', port, 'master', 'br0']);
    await lab.exec('wire', 'ip', ['link', 'set', 'br0', 'up']);
    await lab.addAddress('tor', 'eth0', `${TOR.ipv4}/24`);
    await lab.addAddress('tor', 'eth0', `${TOR.ipv6}/64`);
    await lab.addAddress('node', 'eth0', `${NODE.ipv4}/24`);
    await lab.addAddress('node', 'eth0', `${NODE.ipv6}/64`);
    return {
      lab,
      routes: new RouteWatch(lab, 'tor'),
      cut: async () => void (await lab.exec('wire', 'ip', ['link', 'set', 'n0', 'down'])),
      heal: async () => void (await lab.exec('wire', 'ip', ['link', 'set', 'n0', 'up'])),
    };
  } catch (error) {
    lab.destroySync();
    throw error;
  }
}

/** tor — wire — node, FRR on the tor with `bgpd` and `bfdd` as given. */
export async function buildSingleHopLab(label: string, bgpd: string, bfdd: string): Promise<SingleHopLab> {
  const network = await buildSingleHopNetwork(label);
  try {
    const tor = new Frr(network.lab, 'tor', bgpd, { bfdd });
    await tor.start();
    return { ...network, tor };
  } catch (error) {
    network.lab.destroySync();
    throw error;
  }
}

export interface MultihopLab {
  lab: Lab;
  tor: Frr;
  routes: RouteWatch;
}

export const MULTIHOP = { tor: '198.51.100.1', torGateway: '198.51.100.254', node: '192.0.2.2', nodeGateway: '192.0.2.1' };

/** tor — mid — node: a router in between, so that every packet arrives with one hop less. */
export async function buildMultihopLab(label: string, bgpd: string, bfdd: string): Promise<MultihopLab> {
  const lab = new Lab(label);
  try {
    for (const ns of ['tor', 'mid', 'node']) await lab.addNamespace(ns);
    await lab.exec('mid', 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
    await lab.link('tor', 'eth0', 'mid', 'tor0');
    await lab.link('node', 'eth0', 'mid', 'node0');
    await lab.addAddress('tor', 'eth0', `${MULTIHOP.tor}/24`);
    await lab.addAddress('mid', 'tor0', `${MULTIHOP.torGateway}/24`);
    await lab.addAddress('mid', 'node0', `${MULTIHOP.nodeGateway}/24`);
    await lab.addAddress('node', 'eth0', `${MULTIHOP.node}/24`);
    await lab.exec('tor', 'ip', ['route', 'add', '192.0.2.0/24', 'via', MULTIHOP.torGateway]);
    await lab.exec('node', 'ip', ['route', 'add', 'default', 'via', MULTIHOP.nodeGateway]);
    const routes = new RouteWatch(lab, 'tor');
    const tor = new Frr(lab, 'tor', bgpd, { bfdd });
    await tor.start();
    return { lab, tor, routes };
  } catch (error) {
    lab.destroySync();
    throw error;
  }
}

/** Waits until FRR's BFD session with `peer` is in `status` ("up", "down"...). */
export async function bfdStatusAt(tor: Frr, peer: string, status: string, timeoutMs = 20_000): Promise<void> {
  await waitFor(`FRR's BFD session with ${peer} ${status}`, async () => ((await tor.bfdPeers()).find((p) => p.peer === peer)?.status === status ? true : undefined), timeoutMs, 100);
}
