// The ARP mode lab: one layer-2 segment, as the nodes of a small cluster share a VLAN.
//
//                         switch (br0: a plain Linux bridge, no STP, no multicast snooping)
//        p-node1    p-node2    p-node3    p-client    p-api        (switch-side veth ports)
//           |          |          |           |          |
//         node1      node2      node3      client       api         (each side's eth0)
//          .11        .12        .13        .100        .200        192.0.2.0/24, 2001:db8::/64
//
// node1..3 run vip-speaker (mode: arp, vipInterface eth0) and an echo server on :8080; the api
// namespace runs the fake API server, reached over the bridge, so that cutting a node's port
// also cuts it off from the API, as a dead node would be. The VIPs, 192.0.2.50 and
// 2001:db8::50, live on the segment: whoever holds one on its eth0 answers ARP / NDP for it.
import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { LabApiServer } from '../support/apiserver-client.js';
import { Lab, haveProgram, labSkipReason, waitFor } from '../support/lab.js';
import { VipSpeakerNode } from '../support/vip-speaker-node.js';

const execFileP = promisify(execFile);

export const VIP4 = '192.0.2.50';
export const VIP6 = '2001:db8::50';
export const ECHO_PORT = 8080;
const API_PORT = 6443;
const ECHO_SERVER = fileURLToPath(new URL('../support/echo-server.js', import.meta.url));

export type NodeName = 'node1' | 'node2' | 'node3';

export interface NodeSpec {
  name: NodeName;
  ipv4: string;
  ipv6: string;
}

export const NODES: readonly NodeSpec[] = [
  { name: 'node1', ipv4: '192.0.2.11', ipv6: '2001:db8::11' },
  { name: 'node2', ipv4: '192.0.2.12', ipv6: '2001:db8::12' },
  { name: 'node3', ipv4: '192.0.2.13', ipv6: '2001:db8::13' },
];
export const CLIENT = { name: 'client', ipv4: '192.0.2.100', ipv6: '2001:db8::100' } as const;
export const API = { name: 'api', ipv4: '192.0.2.200', ipv6: '2001:db8::200' } as const;
export const SWITCH = 'switch';
const ALL_NAMESPACES = [SWITCH, ...NODES.map((n) => n.name), CLIENT.name, API.name];

/** kube-vip's vip_leaseduration / vip_renewdeadline / vip_retryperiod, in seconds. */
export interface LeaseTimings {
  leaseDuration: number;
  renewDeadline: number;
  retryPeriod: number;
}

/** The daemon's defaults, used when the config has no timing keys. */
export const DEFAULT_TIMINGS: LeaseTimings = { leaseDuration: 5, renewDeadline: 3, retryPeriod: 1 };

/** Why this lab cannot run here: not root, no `ip netns`, or no bridge support. */
export function arpLabSkipReason(): string | undefined {
  const reason = labSkipReason();
  if (reason) return reason;
  if (!haveProgram('ip')) return 'iproute2 (`ip`) is not on PATH';
  // A bridge in a throw-away namespace: the kernel may lack the bridge module.
  const probe = `vsarpprobe${process.pid.toString(36)}`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'ignore' });
    execFileSync('ip', ['-n', probe, 'link', 'add', 'br0', 'type', 'bridge'], { stdio: 'ignore' });
  } catch {
    return 'no Linux bridge support (`ip link add type bridge` failed)';
  } finally {
    try {
      execFileSync('ip', ['netns', 'del', probe], { stdio: 'ignore' });
    } catch {
      // never made
    }
  }
  return undefined;
}

/** The switch-side port of a namespace's eth0. */
export function portOf(name: string): string {
  return `p-${name}`;
}

export function nodeConfig(spec: NodeSpec, vips: string[], kubeconfig: string, timings?: LeaseTimings): string {
  const kube = [`kubeconfig: ${kubeconfig}`, `nodeName: ${spec.name}`];
  if (timings) kube.push(`leaseDuration: ${timings.leaseDuration}`, `renewDeadline: ${timings.renewDeadline}`, `retryPeriod: ${timings.retryPeriod}`);
  return [
    `# vip-speaker on ${spec.name} (ARP lab)`,
    'mode: arp',
    `routerId: ${spec.ipv4}`,
    'vipInterface: eth0',
    `vips: [${vips.join(', ')}]`,
    'admin: { address: 127.0.0.1, port: 9469 }',
    'log: { level: info }',
    `kubernetes: { ${kube.join(', ')} }`,
  ].join('\n') + '\n';
}

/** One address on an interface, as `ip -j addr` shows it. */
export interface PlacedAddress {
  ns: string;
  ifname: string;
  address: string;
}

interface IpAddrLink {
  ifname: string;
  address?: string;
  flags?: string[];
  addr_info?: Array<{ local: string; prefixlen: number }>;
}

export class ArpLab {
  readonly speakers = new Map<NodeName, VipSpeakerNode>();
  readonly kubeconfigPath: string;
  private readonly portsDown = new Set<string>();

  private constructor(
    readonly lab: Lab,
    readonly api: LabApiServer,
  ) {
    this.kubeconfigPath = join(lab.dir, 'kubeconfig.yaml');
  }

  /** Builds the switch, the five namespaces and their ports, starts the API server and the echo servers. */
  static async build(label = 'arp'): Promise<ArpLab> {
    const lab = new Lab(label);
    try {
      await lab.addNamespace(SWITCH);
      // The switch is layer 2 only: no addresses of its own, no router solicitations on the segment.
      await lab.exec(SWITCH, 'sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
      // No STP (ports forward at once) and no multicast snooping: NDP's multicast is flooded,
      // as by a dumb switch, so the test does not hang on MLD state.
      await lab.exec(SWITCH, 'ip', ['link', 'add', 'br0', 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0', 'mcast_snooping', '0']);
      await lab.exec(SWITCH, 'ip', ['link', 'set', 'br0', 'up']);
      for (const host of [...NODES, CLIENT, API]) {
        await lab.addNamespace(host.name);
        await lab.link(SWITCH, portOf(host.name), host.name, 'eth0');
        await lab.exec(SWITCH, 'ip', ['link', 'set', portOf(host.name), 'master', 'br0']);
        await lab.addAddress(host.name, 'eth0', `${host.ipv4}/24`);
        await lab.addAddress(host.name, 'eth0', `${host.ipv6}/64`);
      }
      const api = new LabApiServer(lab, API.name, API.ipv4, API_PORT);
      await api.start();
      const arpLab = new ArpLab(lab, api);
      writeFileSync(arpLab.kubeconfigPath, api.kubeconfig);
      await Promise.all(NODES.map((n) => arpLab.startEchoServer(n.name)));
      return arpLab;
    } catch (err) {
      lab.destroySync();
      throw err;
    }
  }

  private async startEchoServer(name: NodeName): Promise<void> {
    const child = this.lab.spawn(name, process.execPath, [ECHO_SERVER, name, String(ECHO_PORT)]);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the echo server on ${name} did not start`)), 10_000);
      createInterface({ input: child.stdout! }).once('line', () => {
        clearTimeout(timer);
        resolve();
      });
      child.once('exit', (code) => reject(new Error(`the echo server on ${name} exited (${code})`)));
    });
  }

  /** Writes each node's config and starts the three speakers, node1 first. */
  async startSpeakers(vips: string[], timings?: LeaseTimings): Promise<void> {
    for (const spec of NODES) {
      const speaker = new VipSpeakerNode(this.lab, spec.name, nodeConfig(spec, vips, this.kubeconfigPath, timings));
      this.speakers.set(spec.name, speaker);
      await speaker.start();
    }
  }

  speaker(name: NodeName): VipSpeakerNode {
    const s = this.speakers.get(name);
    if (!s) throw new Error(`no speaker on ${name}`);
    return s;
  }

  /** `ip -n` runs ip inside the namespace without `ip netns exec`'s extra exec: cheap enough to poll. */
  async ip(name: string, args: string[]): Promise<string> {
    const { stdout } = await execFileP('ip', ['-n', this.lab.ns(name), ...args], { timeout: 10_000 });
    return stdout;
  }

  async mac(name: string): Promise<string> {
    const [link] = JSON.parse(await this.ip(name, ['-j', 'link', 'show', 'dev', 'eth0'])) as IpAddrLink[];
    if (!link?.address) throw new Error(`no MAC address on ${name}'s eth0`);
    return link.address;
  }

  /** The addresses on a namespace's eth0, without prefix length. */
  async eth0Addresses(name: string): Promise<string[]> {
    const [link] = JSON.parse(await this.ip(name, ['-j', 'addr', 'show', 'dev', 'eth0'])) as IpAddrLink[];
    return (link?.addr_info ?? []).map((a) => a.local);
  }

  /** The nodes whose eth0 holds the VIP now. */
  async holders(vip: string): Promise<NodeName[]> {
    const held = await Promise.all(NODES.map(async (n) => ((await this.eth0Addresses(n.name)).includes(vip) ? n.name : undefined)));
    return held.filter((n): n is NodeName => n !== undefined);
  }

  /** Waits until exactly one node holds the VIP, and returns it. */
  async waitForOneHolder(vip: string, timeoutMs = 30_000, other?: NodeName): Promise<NodeName> {
    return waitFor(`exactly one node${other ? ` other than ${other}` : ''} holding ${vip}`, async () => {
      const h = (await this.holders(vip)).filter((n) => n !== other);
      return h.length === 1 ? h[0] : undefined;
    }, timeoutMs, 20);
  }

  /** Sets a node's switch-side port down (the cable pulled) or up again. */
  async setPort(name: string, up: boolean): Promise<void> {
    await this.ip(SWITCH, ['link', 'set', portOf(name), up ? 'up' : 'down']);
    if (up) this.portsDown.delete(name);
    else this.portsDown.add(name);
  }

  portUp(name: string): boolean {
    return !this.portsDown.has(name);
  }

  /** The client's neighbour entry for an address: its MAC (if any) and state. */
  async clientNeighbour(address: string): Promise<{ lladdr?: string; state: string[] } | undefined> {
    const family = address.includes(':') ? '-6' : '-4';
    const entries = JSON.parse(await this.ip(CLIENT.name, ['-j', family, 'neigh', 'show', address])) as Array<{ dst: string; lladdr?: string; state?: string[] }>;
    const e = entries.find((x) => x.dst === address);
    return e ? { ...(e.lladdr ? { lladdr: e.lladdr } : {}), state: e.state ?? [] } : undefined;
  }

  /** Every place one of `addresses` sits, on any interface of any namespace of the lab. */
  async find(addresses: string[]): Promise<PlacedAddress[]> {
    const found: PlacedAddress[] = [];
    for (const ns of ALL_NAMESPACES) {
      const links = JSON.parse(await this.ip(ns, ['-j', 'addr', 'show'])) as IpAddrLink[];
      for (const link of links) {
        for (const a of link.addr_info ?? []) if (addresses.includes(a.local)) found.push({ ns, ifname: link.ifname, address: `${a.local}/${a.prefixlen}` });
      }
    }
    return found;
  }

  /**
   * Stops every speaker cleanly and returns the VIPs left anywhere afterwards (empty when all is
   * well). A node whose speaker was killed and whose VIP is still on its eth0 gets its speaker
   * started again first, with its port as it is: a cut-off node cannot reach the API, is no
   * leader, and removes the stale VIP at start-up. A cut port is taken up again only once that
   * node holds no VIP, so that a dead node's VIP never comes back onto the segment beside the
   * live holder's. Non-holders stop first and the holder last, so that no handover happens.
   */
  async stopAll(vips: string[]): Promise<{ left: PlacedAddress[]; problems: string[] }> {
    const problems: string[] = [];
    for (const [name, speaker] of this.speakers) {
      if (speaker.running) continue;
      const held = (await this.eth0Addresses(name)).filter((a) => vips.includes(a));
      if (held.length === 0) continue;
      try {
        await speaker.start();
        await waitFor(`${name} to remove its stale VIP at start-up`, async () => ((await this.eth0Addresses(name)).some((a) => vips.includes(a)) ? undefined : true), 15_000, 50);
      } catch (err) {
        problems.push(`${name}: ${(err as Error).message}`);
      }
    }
    const holders = new Set<string>();
    for (const vip of vips) for (const h of await this.holders(vip)) holders.add(h);
    const order = [...this.speakers.entries()].sort(([a], [b]) => Number(holders.has(a)) - Number(holders.has(b)));
    for (const [name, speaker] of order) {
      const code = await stopWithin(speaker, 20_000);
      if (code !== 0) problems.push(`${name}: vip-speaker exited with ${code} on SIGTERM`);
    }
    for (const name of [...this.portsDown]) {
      const held = (await this.eth0Addresses(name)).filter((a) => vips.includes(a));
      if (held.length === 0) await this.setPort(name, true);
      else problems.push(`${name}'s port left down: it still holds ${held.join(', ')}`);
    }
    return { left: await this.find([VIP4, VIP6]), problems };
  }

  destroy(): void {
    this.lab.destroySync();
  }
}

/** SIGTERM, then SIGKILL after `ms`; the exit code, or 'killed' when it had to be killed. */
async function stopWithin(speaker: VipSpeakerNode, ms: number): Promise<number | null | 'killed'> {
  if (!speaker.running) return 0;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)));
  const r = await Promise.race([speaker.stop(), timedOut]);
  clearTimeout(timer);
  if (r !== 'timeout') return r;
  await speaker.kill();
  return 'killed';
}
