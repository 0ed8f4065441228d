// The fault lab: the end-to-end lab's tor and two nodes (integration/e2e/topology.ts), with
// what faults need around them:
//
//   tor (FRR, AS 65000) ── fake API server on 198.51.100.1:6443 (tor's lo)
//     n1 ═ wire ═ node1 eth0   (a TAP pair through wire.py: loss, delay, silent cuts)
//     n2 ─ veth ─ node2 eth0
//
// node1 puts its VIPs on lo; node2 on vip0, a veth of its own (vip0 ─ vip0p inside node2), so
// that a test can take the interface away and give it back. Both serve LoadBalancer Services
// and their static VIPs, and the invariant checker watches the tor, both interfaces and the API.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NODES, NODE_AS, type NodeSpec, TOR_AS, torConfig } from '../e2e/topology.js';
import { LabApiServer } from '../support/apiserver-client.js';
import { Frr } from '../support/frr.js';
import { InvariantChecker } from '../support/invariants.js';
import { Lab } from '../support/lab.js';
import { VipSpeakerNode } from '../support/vip-speaker-node.js';
import { Wire } from '../support/wire.js';

export const API_ADDRESS = '198.51.100.1';
export const API_PORT = 6443;
/** node2's VIP interface, a veth inside node2 that tests delete and recreate. */
export const NODE2_VIP_INTERFACE = 'vip0';
/** Negotiated with the tor (timers 3 9): what "shorter" and "longer than the hold time" mean. */
export const HOLD_TIME_S = 9;
/** The AS the tor expects from a node it is told to refuse. */
const WRONG_AS = 65199;

export interface NodeSettings {
  staticVips: string[];
  /** The config file is written broken (a YAML syntax error) when set. */
  broken?: boolean;
  /** Peers beside the tor, in kube-vip's `addr:AS:password:multihop` form. */
  extraPeers?: string[];
  /** Extra YAML at the end (lines). */
  extra?: string[];
}

/** A node's config: the e2e lab's, with Services from the fake API server. */
export function faultNodeConfig(node: NodeSpec, kubeconfig: string, settings: NodeSettings): string {
  const lines = [
    `# vip-speaker on ${node.name} (fault lab)`,
    'asn: 65100',
    `routerId: ${node.ipv4}`,
    'holdTime: 9',
    'connectRetryTime: 2',
    'peers:',
    `  - "${node.torIpv4}:65000::false"`,
    ...(settings.extraPeers ?? []).map((p) => `  - "${p}"`),
    ...(node.name === 'node2' ? [`vipInterface: ${NODE2_VIP_INTERFACE}`] : []),
    settings.staticVips.length ? 'vips:' : 'vips: []',
    ...settings.staticVips.map((v) => `  - ${v}`),
    'kubernetes:',
    '  services: true',
    `  kubeconfig: ${kubeconfig}`,
    `  nodeName: ${node.name}`,
    'log:',
    '  level: info',
    ...(settings.extra ?? []),
  ];
  // A reload in the middle of an edit: an unclosed flow sequence, refused by the YAML parser.
  if (settings.broken) lines.push('vips: [203.0.113.250');
  return lines.join('\n') + '\n';
}

export class FaultLab {
  readonly nodes: VipSpeakerNode[] = [];
  readonly settings = new Map<string, NodeSettings>();
  checker!: InvariantChecker;
  api!: LabApiServer;
  wire!: Wire;
  tor!: Frr;
  kubeconfig = '';
  private restoreTor: (() => void) | undefined;

  private constructor(
    readonly lab: Lab,
    private readonly checkIntervalMs: number | undefined,
  ) {}

  /** `checkIntervalMs`: the pause between two samples of the invariant checker. */
  static async build(label = 'faults', options: { checkIntervalMs?: number } = {}): Promise<FaultLab> {
    const f = new FaultLab(new Lab(label), options.checkIntervalMs);
    try {
      await f.setUp();
      return f;
    } catch (err) {
      f.lab.destroySync();
      throw err;
    }
  }

  node(name: 'node1' | 'node2'): VipSpeakerNode {
    return this.nodes.find((n) => n.nsName === name)!;
  }

  spec(name: 'node1' | 'node2'): NodeSpec {
    return NODES.find((n) => n.name === name)!;
  }

  /** Rewrites a node's config file (the daemon reloads it); `settings` replaces the old ones. */
  configure(name: 'node1' | 'node2', settings: NodeSettings): void {
    this.settings.set(name, settings);
    this.node(name).writeConfig(faultNodeConfig(this.spec(name), this.kubeconfig, settings));
  }

  /** Creates node2's VIP interface again (after a test deleted it). */
  async createVipInterface(): Promise<void> {
    await this.lab.exec('node2', 'ip', ['link', 'add', NODE2_VIP_INTERFACE, 'type', 'veth', 'peer', 'name', `${NODE2_VIP_INTERFACE}p`]);
    await this.lab.exec('node2', 'ip', ['link', 'set', NODE2_VIP_INTERFACE, 'up']);
    await this.lab.exec('node2', 'ip', ['link', 'set', `${NODE2_VIP_INTERFACE}p`, 'up']);
  }

  async deleteVipInterface(): Promise<void> {
    await this.lab.exec('node2', 'ip', ['link', 'del', NODE2_VIP_INTERFACE]);
  }

  /**
   * Restarts the tor's bgpd with node `address` configured under a wrong AS, so that it answers
   * the node's OPEN with a NOTIFICATION (Bad Peer AS) every time.
   */
  async restartTorRefusing(address: string): Promise<void> {
    const file = join(this.tor.dir, 'bgpd.conf');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.replace(`neighbor ${address} remote-as ${NODE_AS}`, `neighbor ${address} remote-as ${WRONG_AS}`));
    this.restoreTor = () => writeFileSync(file, good);
    await this.tor.restartBgpd();
  }

  /** Undoes restartTorRefusing at the running bgpd (and in its file). */
  async acceptAgain(address: string): Promise<void> {
    await this.tor.configure(`router bgp ${TOR_AS}`, `neighbor ${address} remote-as ${NODE_AS}`);
    this.restoreTor?.();
  }

  async destroy(): Promise<void> {
    await this.checker?.stop().catch(() => undefined);
    for (const n of this.nodes) await n.kill().catch(() => undefined);
    this.lab.destroySync();
  }

  private async setUp(): Promise<void> {
    const lab = this.lab;
    for (const ns of ['tor', 'node1', 'node2']) await lab.addNamespace(ns);
    await lab.exec('tor', 'sysctl', ['-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);
    await lab.addAddress('tor', 'lo', `${API_ADDRESS}/32`);
    const [n1, n2] = NODES as [NodeSpec, NodeSpec];
    this.wire = new Wire(lab, { ns: 'tor', ifname: 'n1' }, { ns: 'node1', ifname: 'eth0' });
    await this.wire.start();
    await lab.link('tor', 'n2', 'node2', 'eth0');
    for (const [i, n] of [n1, n2].entries()) {
      await lab.addAddress('tor', `n${i + 1}`, `${n.torIpv4}/30`);
      await lab.addAddress('tor', `n${i + 1}`, `${n.torIpv6}/64`);
      await lab.addAddress(n.name, 'eth0', `${n.ipv4}/30`);
      await lab.addAddress(n.name, 'eth0', `${n.ipv6}/64`);
      await lab.exec(n.name, 'ip', ['route', 'add', 'default', 'via', n.torIpv4]);
      await lab.exec(n.name, 'ip', ['-6', 'route', 'add', 'default', 'via', n.torIpv6]);
    }
    await this.createVipInterface();
    this.tor = new Frr(lab, 'tor', torConfig());
    await this.tor.start();
    this.api = new LabApiServer(lab, 'tor', API_ADDRESS, API_PORT);
    await this.api.start();
    this.kubeconfig = join(lab.dir, 'kubeconfig.yaml');
    writeFileSync(this.kubeconfig, this.api.kubeconfig);
    for (const n of [n1, n2]) {
      await this.api.create('Node', { metadata: { name: n.name } });
      const settings: NodeSettings = { staticVips: [] };
      this.settings.set(n.name, settings);
      this.nodes.push(new VipSpeakerNode(lab, n.name, faultNodeConfig(n, this.kubeconfig, settings)));
    }
    for (const node of this.nodes) await node.start();
    this.checker = new InvariantChecker({
      lab,
      nodes: [n1, n2].map((n, i) => ({ name: n.name, ns: n.name, peerAddress: n.ipv4, configPath: this.nodes[i]!.configPath })),
      routers: [{ name: 'tor', frr: this.tor }],
      api: this.api,
      ...(this.checkIntervalMs !== undefined ? { intervalMs: this.checkIntervalMs } : {}),
    });
    this.checker.start();
  }
}
