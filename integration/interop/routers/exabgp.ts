// ExaBGP 4.2 as the router under test: one passive neighbour block per neighbour, each with its
// own listener (and MD5 key), every event reported to our API helper as JSON.
import { EXABGP_API_PROCESS, Exabgp, exabgpVersion } from '../../support/exabgp.js';
import type { Lab } from '../../support/lab.js';
import { type Neighbor, ROUTER_AS, type RouterUnderTest } from '../topology.js';

export function exabgpConfig(neighbors: Neighbor[], options: { holdTime: number; helperCommand: string }): string {
  const lines = [
    `process ${EXABGP_API_PROCESS} {`,
    `  run ${options.helperCommand};`,
    '  encoder json;',
    '}',
  ];
  for (const n of neighbors) {
    lines.push(
      '',
      `neighbor ${n.address} {`,
      `  description "${n.label}";`,
      '  router-id 192.0.2.1;',
      `  local-address ${n.routerAddress};`,
      `  local-as ${ROUTER_AS};`,
      `  peer-as ${n.asn};`,
      `  hold-time ${options.holdTime};`,
      // The speaker connects; ExaBGP waits on its own listener for this neighbour, which also
      // carries the neighbour's MD5 key.
      '  passive true;',
      '  listen 179;',
    );
    if (n.password) lines.push(`  md5-password "${n.password}";`);
    lines.push(
      '  family {',
      '    ipv4 unicast;',
      '    ipv6 unicast;',
      '  }',
      '  api {',
      `    processes [ ${EXABGP_API_PROCESS} ];`,
      '    neighbor-changes;',
      '    receive {',
      '      parsed;',
      '      update;',
      '      notification;',
      '    }',
      '  }',
      '}',
    );
  }
  return lines.join('\n') + '\n';
}

export class ExabgpRouter implements RouterUnderTest {
  readonly name = 'ExaBGP';
  readonly exabgp: Exabgp;

  constructor(lab: Lab, nsName: string, neighbors: Neighbor[], holdTime = 9) {
    this.exabgp = new Exabgp(lab, nsName, (helperCommand) => exabgpConfig(neighbors, { holdTime, helperCommand }));
  }

  async version(): Promise<string> {
    return exabgpVersion();
  }

  start(): Promise<void> {
    return this.exabgp.start();
  }

  async established(n: Neighbor): Promise<boolean> {
    return this.exabgp.peer(n.address).established;
  }

  async prefixesFrom(n: Neighbor): Promise<string[]> {
    return [...this.exabgp.peer(n.address).prefixes].sort();
  }

  /** Unlike the others, ExaBGP closes its sessions without a Cease here (see support/exabgp.ts). */
  restart(): Promise<void> {
    return this.exabgp.restart();
  }

  /** Cease/Administrative Shutdown (RFC 4486 subcode 2); passive, ExaBGP then waits for the speaker. */
  resetSession(n: Neighbor): Promise<void> {
    return this.exabgp.teardown(n.address, 2);
  }

  stop(): void {
    this.exabgp.killSync();
  }
}
