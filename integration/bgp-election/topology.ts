// The election lab: the end-to-end lab (integration/e2e/topology.ts: FRR at the tor, two nodes,
// a client) with the fake API server in the tor namespace, and on each node a stand-in for its
// own API server (front.ts) at https://127.0.0.1:6443. The nodes run vip-speaker from kube-vip's
// environment variables alone, as a kube-vip DaemonSet's env block would run it, with
// vip_leaderelection or svc_election: the lab shows which paths FRR holds, and how long the
// other node takes to announce once the leader stops.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeCertificate } from '../../test/support/livez.js';
import { CLIENT, type E2eLab, NODES, type NodeSpec, TOR_AS, buildE2eLab } from '../e2e/topology.js';
import { LabApiServer } from '../support/apiserver-client.js';
import { waitFor } from '../support/lab.js';
import { VipSpeakerNode } from '../support/vip-speaker-node.js';

const FRONT = fileURLToPath(new URL('./front.js', import.meta.url));
const ECHO = fileURLToPath(new URL('../support/echo-server.js', import.meta.url));
export const ECHO_PORT = 8080;
const API_PORT = 6443;
export const NODE_AS = 65100;

export interface ElectionLab extends E2eLab {
  api: LabApiServer;
  kubeconfig: string;
  nodes: Map<NodeSpec['name'], VipSpeakerNode>;
}

/** Builds the lab, the fake API server, each node's API server front and echo server. */
export async function buildElectionLab(): Promise<ElectionLab> {
  const e = await buildE2eLab('bgpel');
  try {
    const api = new LabApiServer(e.lab, 'tor', CLIENT.torIpv4, API_PORT);
    await api.start();
    const tls = makeCertificate(e.lab.dir, 'apiserver');
    const token = /token: "?([^"\n]+)"?/.exec(api.kubeconfig)?.[1];
    if (!token) throw new Error('no token in the fake API server\'s kubeconfig');
    // Every call goes to the node's own API server, as on a control-plane node.
    const kubeconfig = join(e.lab.dir, 'kubeconfig.yaml');
    writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config',
      'clusters:', '  - name: lab', '    cluster:', `      server: https://127.0.0.1:${API_PORT}`, `      certificate-authority: ${tls.cert}`, '      tls-server-name: kubernetes',
      'users:', '  - name: lab', '    user:', `      token: ${JSON.stringify(token)}`,
      'contexts:', '  - name: lab', '    context:', '      cluster: lab', '      user: lab',
      'current-context: lab', '',
    ].join('\n'));
    for (const n of NODES) {
      await api.create('Node', { metadata: { name: n.name } });
      const front = e.lab.spawn(n.name, process.execPath, [FRONT, tls.cert, tls.key, api.url]);
      await new Promise<void>((resolve, reject) => {
        front.stdout!.once('data', () => resolve());
        front.once('exit', (code) => reject(new Error(`the API server front on ${n.name} exited (${code})`)));
      });
      e.lab.spawn(n.name, process.execPath, [ECHO, n.name, String(ECHO_PORT)]);
    }
    return { ...e, api, kubeconfig, nodes: new Map() };
  } catch (err) {
    e.lab.destroySync();
    throw err;
  }
}

/** kube-vip's env block for a node of the lab (BGP mode), with the variables given on top. */
export function kubeVipEnv(lab: ElectionLab, node: NodeSpec, extra: Record<string, string>): Record<string, string> {
  return {
    bgp_enable: 'true',
    bgp_as: String(NODE_AS),
    bgp_routerid: node.ipv4,
    bgp_peers: `${node.torIpv4}:${TOR_AS}::false`,
    bgp_hold_time: '9',
    k8s_config_file: lab.kubeconfig,
    vip_nodename: node.name,
    ...extra,
  };
}

/** Starts vip-speaker on every node from kube-vip's variables. */
export async function startNodes(lab: ElectionLab, extra: Record<string, string>): Promise<void> {
  for (const n of NODES) {
    const node = lab.nodes.get(n.name) ?? new VipSpeakerNode(lab.lab, n.name, '');
    lab.nodes.set(n.name, node);
    await node.start([], kubeVipEnv(lab, n, extra));
  }
}

/** The node a path came from, by its session address. */
export function nodeOf(peer: string | undefined): string {
  return NODES.find((n) => n.ipv4 === peer)?.name ?? `?${peer ?? ''}`;
}

/** The nodes FRR holds a path for the prefix from, sorted. */
export async function pathsAt(lab: ElectionLab, prefix: string): Promise<string[]> {
  const r = await lab.tor.route('ipv4', prefix);
  return (r?.paths ?? []).map((p) => nodeOf(p.peer?.peerId ?? p.nexthops[0]?.ip)).sort();
}

/** Waits until FRR holds exactly one path for the prefix, and returns its node. */
export async function oneHolder(lab: ElectionLab, prefix: string, not?: string, timeoutMs = 30_000): Promise<string> {
  return waitFor(`one path for ${prefix} at the tor${not ? `, not from ${not}` : ''}`, async () => {
    const paths = await pathsAt(lab, prefix);
    return paths.length === 1 && paths[0] !== not ? paths[0] : undefined;
  }, timeoutMs, 100);
}

export interface PathSample {
  t: number;
  paths: string[];
}

/** Samples FRR's paths for the prefix as fast as vtysh answers, until `done` holds or the time is up. */
export async function samplePaths(lab: ElectionLab, prefix: string, done: (paths: string[]) => boolean, timeoutMs: number): Promise<PathSample[]> {
  const samples: PathSample[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const paths = await pathsAt(lab, prefix);
    samples.push({ t: Date.now(), paths });
    if (done(paths)) return samples;
    if (Date.now() > deadline) throw new Error(`FRR's paths for ${prefix} did not settle within ${timeoutMs} ms: last ${JSON.stringify(paths)}`);
  }
}
