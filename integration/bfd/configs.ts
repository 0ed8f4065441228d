// The BFD labs' configurations: FRR's bgpd and bfdd on the tor, BIRD for the interop lab, and
// vip-speaker's own file, whose peers are kube-vip peer strings (the BFD field is what turns
// BFD on, as with kube-vip).
import { MULTIHOP, NODE, NODE_AS, TOR, TOR_AS, VIP4, VIP6 } from './topology.js';

export interface TorOptions {
  bfd: boolean;
  gracefulRestart: boolean;
  /** `neighbor ... bfd check-control-plane-failure`. */
  checkControlPlaneFailure?: boolean;
}

/** FRR on the tor: one neighbour per family, hold time 9 s (the shortest that operators dare). */
export function torBgpd(o: TorOptions): string {
  const lines = ['frr defaults datacenter', 'hostname tor', `router bgp ${TOR_AS}`, ` bgp router-id ${TOR.ipv4}`, ' no bgp ebgp-requires-policy'];
  lines.push(o.gracefulRestart ? ' bgp graceful-restart' : ' bgp graceful-restart-disable');
  for (const n of [NODE.ipv4, NODE.ipv6]) {
    lines.push(` neighbor ${n} remote-as ${NODE_AS}`, ` neighbor ${n} timers 3 9`, ` neighbor ${n} timers connect 2`);
    if (o.bfd) lines.push(` neighbor ${n} bfd`, ` neighbor ${n} bfd profile vip-speaker`);
    if (o.bfd && o.checkControlPlaneFailure) lines.push(` neighbor ${n} bfd check-control-plane-failure`);
  }
  lines.push(' address-family ipv4 unicast', `  neighbor ${NODE.ipv4} activate`, `  no neighbor ${NODE.ipv6} activate`, ' exit-address-family');
  lines.push(' address-family ipv6 unicast', `  neighbor ${NODE.ipv6} activate`, ' exit-address-family');
  return lines.join('\n') + '\n';
}

/** bfdd's profile: 300 ms both ways, × 3, as kube-vip's `true;300;300;3`. */
export const TOR_BFDD = ['bfd', ' profile vip-speaker', '  receive-interval 300', '  transmit-interval 300', '  detect-multiplier 3', ' !', '!', ''].join('\n');

/** vip-speaker on the node: both peers as kube-vip peer strings, with or without the BFD field. */
export function nodeConfig(o: { bfd: boolean; gracefulRestart: boolean }): string {
  const field = o.bfd ? ':::true;300;300;3' : '';
  return [
    `asn: ${NODE_AS}`,
    `routerId: ${NODE.ipv4}`,
    'holdTime: 9',
    'connectRetryTime: 2',
    `gracefulRestart: { enabled: ${o.gracefulRestart}, restartTime: 60 }`,
    'peers:',
    `  - "${TOR.ipv4}:${TOR_AS}::false${field}"`,
    `  - "[${TOR.ipv6}]:${TOR_AS}::false${field}"`,
    `vips: [${VIP4}, ${VIP6}]`,
    'log: { level: info }',
    '',
  ].join('\n');
}

/** The multihop lab: eBGP multihop across the router in between, BFD over RFC 5883. */
export function multihopTorBgpd(): string {
  return [
    'frr defaults datacenter',
    'hostname tor',
    `router bgp ${TOR_AS}`,
    ` bgp router-id ${MULTIHOP.tor}`,
    ' no bgp ebgp-requires-policy',
    ` neighbor ${MULTIHOP.node} remote-as ${NODE_AS}`,
    ` neighbor ${MULTIHOP.node} ebgp-multihop 2`,
    ` neighbor ${MULTIHOP.node} update-source ${MULTIHOP.tor}`,
    ` neighbor ${MULTIHOP.node} timers 3 9`,
    ` neighbor ${MULTIHOP.node} timers connect 2`,
    ` neighbor ${MULTIHOP.node} bfd`,
    ` neighbor ${MULTIHOP.node} bfd profile vip-speaker`,
    ' address-family ipv4 unicast',
    `  neighbor ${MULTIHOP.node} activate`,
    ' exit-address-family',
    '',
  ].join('\n');
}

/** bfdd for multihop: a multihop profile accepts packets that crossed one router (TTL 254). */
export const MULTIHOP_BFDD = ['bfd', ' profile vip-speaker', '  receive-interval 300', '  transmit-interval 300', '  detect-multiplier 3', '  minimum-ttl 254', ' !', '!', ''].join('\n');

/** vip-speaker across the router: kube-vip's multihop field (TTL 50 unless set) and BFD. */
export function multihopNodeConfig(): string {
  return [
    `asn: ${NODE_AS}`,
    `routerId: ${MULTIHOP.node}`,
    'holdTime: 9',
    'connectRetryTime: 2',
    'peers:',
    `  - "${MULTIHOP.tor}:${TOR_AS}::true:::true;300;300;3"`,
    `vips: [${VIP4}]`,
    'log: { level: info }',
    '',
  ].join('\n');
}
