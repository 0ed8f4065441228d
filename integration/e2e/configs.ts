// The nodes' vip-speaker configuration in the end-to-end lab.
import { NODE_AS, type NodeSpec, TOR_AS } from './topology.js';

export function nodeConfig(node: NodeSpec, vips: string[], extra = ''): string {
  return [
    `# vip-speaker on ${node.name} (end-to-end lab)`,
    `asn: ${NODE_AS}`,
    `routerId: ${node.ipv4}`,
    'holdTime: 9',
    'connectRetryTime: 2',
    'peers:',
    `  - "${node.torIpv4}:${TOR_AS}::false"`,
    vips.length ? 'vips:' : 'vips: []',
    ...vips.map((v) => `  - ${v}`),
    'log:',
    '  level: info',
    extra,
  ].join('\n') + '\n';
}
