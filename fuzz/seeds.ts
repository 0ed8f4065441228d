// Starting inputs for each fuzz target, written into its corpus folder before a run: real
// routers' messages from the capture fixtures, the example config, peer strings and objects of
// the kinds the readers meet. The engine mutates from these; it needs none of them to run.
import { readFileSync, readdirSync } from 'node:fs';
import { KUBE_VIP_VARIABLES } from '../src/config/index.js';

const ROOT = new URL('../../', import.meta.url);
const CAPTURES = new URL('test/fixtures/captures/', ROOT);

interface Capture {
  context: { fourOctetAs: boolean; extendedMessage: boolean };
  messages: string[];
}

function captures(): Capture[] {
  return readdirSync(CAPTURES)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(new URL(f, CAPTURES), 'utf8')) as Capture);
}

/** The index of a context in fuzz/support/codec-checks.ts CONTEXTS. */
function contextIndex(c: Capture['context']): number {
  if (c.extendedMessage) return c.fourOctetAs ? 2 : 3;
  return c.fourOctetAs ? 1 : 0;
}

const text = (s: string) => Buffer.from(s, 'utf8');

function framerSeeds(): Uint8Array[] {
  // context, no cuts, then a whole session's stream; and the same cut in three places.
  return captures().flatMap((c) => {
    const stream = Buffer.concat(c.messages.map((m) => Buffer.from(m, 'hex')));
    const cut = (at: number) => [at >> 8, at & 0xff];
    return [
      Buffer.concat([Uint8Array.of(contextIndex(c.context), 0), stream]),
      Buffer.concat([Uint8Array.of(contextIndex(c.context), 3, ...cut(1), ...cut(19), ...cut(stream.length >> 1)), stream]),
    ];
  });
}

function roundtripSeeds(): Uint8Array[] {
  const seen = new Set<string>();
  return captures().flatMap((c) =>
    c.messages.filter((m) => !seen.has(m) && seen.add(m)).map((m) => Buffer.concat([Uint8Array.of(contextIndex(c.context), 0), Buffer.from(m, 'hex')])),
  );
}

function configSeeds(): Uint8Array[] {
  return [
    readFileSync(new URL('peers.example.yaml', ROOT)),
    text('asn: 65010\nrouterId: 198.51.100.7\nvips: [192.0.2.10]\npeers:\n  - 192.0.2.1:65001::false\n'),
    text('asn: 65010\nrouterInterface: eth0\nholdTime: 9\nkeepaliveTime: 3\nvips:\n  - address: 2001:db8::10\n    communities: [no-export]\npeers:\n  - address: 192.0.2.2\n    asn: 65001\n    passwordFile: /run/secret/p\n  - address: 2001:db8::1\n    asn: 65001\n    passwordEnv: FZ_PASSWORD\n    gtsmHops: 1\n'),
    text('mode: arp\nvipInterface: eth0\nvips: [192.0.2.10]\narp:\n  prefixLength: 24\n  refreshInterval: 3\n'),
    text('asn: 65010\nrouterId: 198.51.100.7\nkubernetes:\n  services: true\n  nodeName: node-a\n  loadBalancerClass: ""\npeers:\n  - "[2001:db8::1]:65001:pw:true:1179:mpbgp_nexthop=fixed;mpbgp_ipv4=198.51.100.7:true;300;300;3"\n'),
  ];
}

function peerStringSeeds(): Uint8Array[] {
  return [
    '192.0.2.1:65001::false', '192.0.2.1:65001:secret:true:179', '[2001:db8::1]:65001::false:179',
    '192.0.2.1:65001::false::mpbgp_nexthop=fixed;mpbgp_ipv4=198.51.100.7;mpbgp_ipv6=x', '192.0.2.1:65001::false:::true;300;300;3',
    '192.0.2.1:65001:pa:ss:true', '192.0.2.1,192.0.2.2:65001', 'unnumbered:eth0', '2001:db8::1:65001', '192.0.2.1:65001::false/mpbgp_nexthop=fixed',
  ].map(text);
}

function envSeeds(): Uint8Array[] {
  const v = (name: string) => (KUBE_VIP_VARIABLES as readonly string[]).indexOf(name);
  // count, then per variable: its index, 0 (a raw value follows: length, bytes).
  const env = (pairs: [string, string][]) =>
    Buffer.concat([Uint8Array.of(pairs.length), ...pairs.flatMap(([name, value]) => [Uint8Array.of(v(name), 0, Buffer.byteLength(value)), text(value)])]);
  return [
    env([['bgp_enable', 'true'], ['bgp_as', '65010'], ['bgp_routerid', '198.51.100.7'], ['bgp_peers', '192.0.2.1:65001::false,192.0.2.2:65001:pw:true'], ['cp_enable', 'true'], ['address', '192.0.2.10']]),
    env([['bgp_enable', 'true'], ['bgp_peeraddress', '192.0.2.1'], ['bgp_peeras', '65001'], ['bgp_peerpass', 'x'], ['svc_enable', 'true'], ['lb_class_name', 'c'], ['prometheus_server', ':2112']]),
    env([['vip_arp', 'true'], ['vip_interface', 'eth0'], ['vip_subnet', '24'], ['cp_enable', 'true'], ['vip_address', '192.0.2.10'], ['vip_arpRate', '100'], ['vip_leaderelection', 'true']]),
  ];
}

function kubernetesSeeds(): Uint8Array[] {
  // kind (0 Service, 1 EndpointSlices, 2 Node, 3 Lease), 1 (JSON text follows), the JSON.
  const json = (kind: number, value: unknown) => Buffer.concat([Uint8Array.of(kind, 1), text(JSON.stringify(value))]);
  return [
    json(0, {
      metadata: { name: 'web', namespace: 'default', annotations: { 'kube-vip.io/loadbalancerIPs': '192.0.2.10,2001:db8::10', 'vip-speaker.io/bgp-communities': '65000:100,no-export', 'vip-speaker.io/bgp-large-communities': '4200000000:1:2' } },
      spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', loadBalancerIP: '192.0.2.11' },
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.10', ipMode: 'VIP' }] } },
    }),
    json(1, [{ metadata: { namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } }, endpoints: [{ addresses: ['10.0.0.1'], nodeName: 'node-a', conditions: { ready: true, serving: true } }, { nodeName: 'node-b', conditions: { serving: false } }] }]),
    json(2, { metadata: { name: 'node-a', annotations: { 'kube-vip.io/node-asn': '65010', 'kube-vip.io/src-ip': '198.51.100.7', 'kube-vip.io/peer-asn': '65001', 'kube-vip.io/peer-ip': '192.0.2.1,2001:db8::1', 'kube-vip.io/bgp-pass': Buffer.from('FUZZSECRET-annotation').toString('base64') } } }),
    json(3, { metadata: { name: 'plndr-svcs-lock' }, spec: { holderIdentity: 'node-a', leaseDurationSeconds: 15, acquireTime: '2024-01-01T00:00:00.000000Z', renewTime: '2024-01-01T00:00:05.000000Z', leaseTransitions: 3 } }),
  ];
}

export const SEEDS: Record<string, () => Uint8Array[]> = {
  framer: framerSeeds,
  roundtrip: roundtripSeeds,
  'config-file': configSeeds,
  'peer-string': peerStringSeeds,
  env: envSeeds,
  kubernetes: kubernetesSeeds,
};
