// FRR's bgpd as the router under test.
import { execFileSync } from 'node:child_process';
import { Frr } from '../../support/frr.js';
import type { Lab } from '../../support/lab.js';
import { type Neighbor, ROUTER_AS, type RouterUnderTest } from '../topology.js';

export function frrConfig(neighbors: Neighbor[], options: { holdTime: number }): string {
  const lines = [
    'frr defaults datacenter',
    'hostname interop-frr',
    'router bgp ' + ROUTER_AS,
    ' bgp router-id 192.0.2.1',
    ' no bgp ebgp-requires-policy',
    ' bgp graceful-restart',
  ];
  for (const n of neighbors) {
    lines.push(` neighbor ${n.address} remote-as ${n.asn}`);
    lines.push(` neighbor ${n.address} update-source ${n.routerAddress}`);
    lines.push(` neighbor ${n.address} timers ${Math.floor(options.holdTime / 3)} ${options.holdTime}`);
    lines.push(` neighbor ${n.address} timers connect 2`);
    if (n.password) lines.push(` neighbor ${n.address} password ${n.password}`);
    // The speaker connects; FRR waits, as a ToR facing nodes usually does.
    lines.push(` neighbor ${n.address} passive`);
  }
  for (const af of ['ipv4', 'ipv6']) {
    lines.push(` address-family ${af} unicast`);
    for (const n of neighbors) lines.push(`  neighbor ${n.address} activate`);
    lines.push(' exit-address-family');
  }
  return lines.join('\n') + '\n';
}

export class FrrRouter implements RouterUnderTest {
  readonly name = 'FRR';
  readonly frr: Frr;

  constructor(lab: Lab, nsName: string, neighbors: Neighbor[], holdTime = 9) {
    this.frr = new Frr(lab, nsName, frrConfig(neighbors, { holdTime }));
  }

  async version(): Promise<string> {
    return execFileSync('/usr/lib/frr/bgpd', ['--version'], { encoding: 'utf8' }).match(/version (\S+)/)?.[1] ?? 'unknown';
  }

  start(): Promise<void> {
    return this.frr.start();
  }

  async established(n: Neighbor): Promise<boolean> {
    return (await this.frr.neighborState(n.address)) === 'Established';
  }

  async prefixesFrom(n: Neighbor): Promise<string[]> {
    const out: string[] = [];
    for (const family of ['ipv4', 'ipv6'] as const) {
      const routes = await this.frr.routes(family);
      for (const [prefix, paths] of Object.entries(routes)) if (paths.some((p) => p.peerId === n.address)) out.push(prefix);
    }
    return out.sort();
  }

  restart(): Promise<void> {
    return this.frr.restartBgpd();
  }

  async resetSession(n: Neighbor): Promise<void> {
    await this.frr.vtysh(`clear bgp ${n.address}`);
  }

  stop(): void {
    this.frr.killSync();
  }
}
