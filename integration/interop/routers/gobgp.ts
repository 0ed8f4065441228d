// GoBGP as the router under test: one [[neighbors]] entry per neighbour, both families on each.
import { Gobgp, gobgpVersion } from '../../support/gobgp.js';
import { type Lab, waitFor } from '../../support/lab.js';
import { type Neighbor, ROUTER_AS, type RouterUnderTest } from '../topology.js';

export function gobgpConfig(neighbors: Neighbor[], options: { holdTime: number }): string {
  const lines = [
    '[global.config]',
    `  as = ${ROUTER_AS}`,
    '  router-id = "192.0.2.1"',
    // No global apply-policy: GoBGP's default import policy is accept, for eBGP too.
  ];
  for (const n of neighbors) {
    lines.push(
      '',
      `# ${n.label}`,
      '[[neighbors]]',
      '  [neighbors.config]',
      `    neighbor-address = "${n.address}"`,
      `    peer-as = ${n.asn}`,
    );
    if (n.password) lines.push(`    auth-password = "${n.password}"`);
    lines.push(
      '  [neighbors.timers.config]',
      `    hold-time = ${options.holdTime}`,
      `    keepalive-interval = ${Math.floor(options.holdTime / 3)}`,
      '    connect-retry = 1',
      '  [neighbors.transport.config]',
      `    local-address = "${n.routerAddress}"`,
      // The speaker connects; GoBGP waits, as a ToR facing nodes usually does.
      '    passive-mode = true',
    );
    for (const family of ['ipv4-unicast', 'ipv6-unicast']) {
      lines.push('  [[neighbors.afi-safis]]', '    [neighbors.afi-safis.config]', `      afi-safi-name = "${family}"`);
    }
  }
  return lines.join('\n') + '\n';
}

export class GobgpRouter implements RouterUnderTest {
  readonly name = 'GoBGP';
  readonly gobgp: Gobgp;

  constructor(lab: Lab, nsName: string, neighbors: Neighbor[], holdTime = 9) {
    this.gobgp = new Gobgp(lab, nsName, gobgpConfig(neighbors, { holdTime }));
  }

  async version(): Promise<string> {
    return gobgpVersion();
  }

  start(): Promise<void> {
    return this.gobgp.start();
  }

  established(n: Neighbor): Promise<boolean> {
    return this.gobgp.established(n.address);
  }

  prefixesFrom(n: Neighbor): Promise<string[]> {
    return this.gobgp.adjIn(n.address);
  }

  restart(): Promise<void> {
    return this.gobgp.restart();
  }

  /**
   * `neighbor ADDR reset` sends a Cease (Administrative Reset); GoBGP then refuses the peer for
   * its idle hold time after reset, 30 s (gobgpd 3.10 showed 30 s also with
   * `idle-hold-time-after-reset = 1` in the TOML file), so the session is back after about 31 s.
   */
  async resetSession(n: Neighbor): Promise<void> {
    await this.gobgp.gobgp('neighbor', n.address, 'reset');
    // Returns once GoBGP itself has left Established, so no later reading sees the old session.
    await waitFor(`GoBGP to reset ${n.label}`, async () => ((await this.established(n)) ? undefined : true), 10_000, 50);
  }

  stop(): void {
    this.gobgp.killSync();
  }
}
