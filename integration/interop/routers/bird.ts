// BIRD 2 as the router under test: one `protocol bgp` per neighbour, named after its address.
import { Bird, birdVersion } from '../../support/bird.js';
import { type Lab, waitFor } from '../../support/lab.js';
import { type Neighbor, ROUTER_AS, type RouterUnderTest } from '../topology.js';

/** BIRD symbols are letters, digits and underscores: `peer_192_0_2_2`, `peer_2001_db8_1__2`. */
export function birdProtocolName(n: Neighbor): string {
  return `peer_${n.address.replace(/[.:]/g, '_')}`;
}

export function birdConfig(neighbors: Neighbor[], options: { holdTime: number }): string {
  const lines = [
    // stderr goes to the daemon's log file in the lab folder.
    'log stderr all;',
    'router id 192.0.2.1;',
    // Interfaces and their connected routes: eBGP next hops must be on a connected network and
    // iBGP next hops are resolved recursively through the master tables.
    'protocol device { }',
    'protocol direct { ipv4; ipv6; }',
    'template bgp speaker {',
    // Session state changes in the log, which BIRD leaves out by default.
    '  debug { states, events };',
    `  hold time ${options.holdTime};`,
    `  keepalive time ${Math.floor(options.holdTime / 3)};`,
    // The speaker connects; BIRD waits, as a ToR facing nodes usually does.
    '  passive on;',
    // After a session error BIRD refuses connections for 60 s by default: too long for a lab.
    '  error wait time 1, 2;',
    // Import everything from the speakers; nothing is exported to them.
    '  ipv4 { import all; export none; };',
    '  ipv6 { import all; export none; };',
    '}',
  ];
  for (const n of neighbors) {
    lines.push(`protocol bgp ${birdProtocolName(n)} from speaker {`);
    lines.push(`  description "${n.label}";`);
    lines.push(`  local ${n.routerAddress} as ${ROUTER_AS};`);
    lines.push(`  neighbor ${n.address} as ${n.asn};`);
    if (n.password) lines.push(`  password "${n.password}";`);
    lines.push('}');
  }
  return lines.join('\n') + '\n';
}

export class BirdRouter implements RouterUnderTest {
  readonly name = 'BIRD';
  readonly bird: Bird;

  constructor(lab: Lab, nsName: string, neighbors: Neighbor[], holdTime = 9) {
    this.bird = new Bird(lab, nsName, birdConfig(neighbors, { holdTime }));
  }

  async version(): Promise<string> {
    return birdVersion();
  }

  start(): Promise<void> {
    return this.bird.start();
  }

  async established(n: Neighbor): Promise<boolean> {
    return (await this.bird.bgpState(birdProtocolName(n))) === 'Established';
  }

  prefixesFrom(n: Neighbor): Promise<string[]> {
    return this.bird.prefixesFrom(birdProtocolName(n));
  }

  restart(): Promise<void> {
    return this.bird.restart();
  }

  /** `birdc restart` takes the protocol down with a Cease (Administrative Reset) and up again. */
  async resetSession(n: Neighbor): Promise<void> {
    await this.bird.birdc('restart', birdProtocolName(n));
    // Returns once BIRD itself has left Established, so no later reading sees the old session.
    await waitFor(`BIRD to reset ${n.label}`, async () => ((await this.established(n)) ? undefined : true), 10_000, 50);
  }

  stop(): void {
    this.bird.killSync();
  }
}
