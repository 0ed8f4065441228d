// The soak lab: the fault lab (tor, node1 behind the wire, node2, the fake API server) and a
// second router for node1, tor2, whose session is the one that flaps:
//
//   tor2 (FRR, AS 65001) 192.0.2.10/30 ── node1 eth1 192.0.2.9/30
//
// tor2 is not one of the invariant checker's routers: its table comes and goes on purpose.
import { FaultLab } from '../faults/topology.js';
import { Frr } from '../support/frr.js';

export const TOR2 = { asn: 65001, address: '192.0.2.10', node1Address: '192.0.2.9', prefixLength: 30 } as const;
/** node1's peer string for tor2. */
export const TOR2_PEER = `${TOR2.address}:${TOR2.asn}::false`;

function tor2Config(): string {
  const n = TOR2.node1Address;
  return [
    'frr defaults datacenter',
    'hostname tor2',
    `router bgp ${TOR2.asn}`,
    ` bgp router-id ${TOR2.address}`,
    ' no bgp ebgp-requires-policy',
    ` neighbor ${n} remote-as 65100`,
    ` neighbor ${n} timers 3 9`,
    ` neighbor ${n} timers connect 1`,
    ' address-family ipv4 unicast',
    `  neighbor ${n} activate`,
    ' exit-address-family',
    ' address-family ipv6 unicast',
    `  neighbor ${n} activate`,
    ' exit-address-family',
  ].join('\n') + '\n';
}

export interface SoakLab {
  f: FaultLab;
  tor2: Frr;
}

export async function buildSoakLab(checkIntervalMs: number): Promise<SoakLab> {
  const f = await FaultLab.build('soak', { checkIntervalMs });
  try {
    await f.lab.addNamespace('tor2');
    await f.lab.link('tor2', 'eth0', 'node1', 'eth1');
    await f.lab.addAddress('tor2', 'eth0', `${TOR2.address}/${TOR2.prefixLength}`);
    await f.lab.addAddress('node1', 'eth1', `${TOR2.node1Address}/${TOR2.prefixLength}`);
    const tor2 = new Frr(f.lab, 'tor2', tor2Config());
    await tor2.start();
    return { f, tor2 };
  } catch (err) {
    await f.destroy();
    throw err;
  }
}
