// The interop lab: a "router" namespace running a real BGP implementation and a "node"
// namespace running speakers of this library, joined by one veth pair.
//
//   router  192.0.2.1  2001:db8:1::1   plain sessions
//           192.0.2.11 2001:db8:1::11  MD5 sessions
//           192.0.2.12                 the wrong-password session
//   node    eBGP speaker, AS 4200000002 (a 4-octet AS): sources .2 (plain), .4 (MD5), .6 (wrong password)
//           iBGP speaker, AS 65000:                      sources .3 (plain), .5 (MD5)
//
// Every speaker session carries both families (MP-BGP), so IPv6 routes cross IPv4 sessions and
// the reverse.
export const ROUTER_AS = 65000;
export const EBGP_AS = 4200000002;
export const IBGP_AS = ROUTER_AS;
export const PASSWORD = 'interop-md5-secret';
export const WRONG_PASSWORD = 'not-the-password';

export interface Neighbor {
  /** The speaker's source address: the router's neighbour address. */
  address: string;
  asn: number;
  /** The router's own address this neighbour talks to. */
  routerAddress: string;
  password?: string;
  /** The speaker's side uses this password (differs from `password` in the wrong-password case). */
  speakerPassword?: string;
  label: string;
}

function pair(family: 4 | 6, host: number): string {
  return family === 4 ? `192.0.2.${host}` : `2001:db8:1::${host}`;
}

export function neighbors(): Neighbor[] {
  const out: Neighbor[] = [];
  for (const family of [4, 6] as const) {
    out.push({ label: `eBGP IPv${family}`, address: pair(family, 2), asn: EBGP_AS, routerAddress: pair(family, 1) });
    out.push({ label: `eBGP IPv${family} MD5`, address: pair(family, 4), asn: EBGP_AS, routerAddress: pair(family, 11), password: PASSWORD, speakerPassword: PASSWORD });
    out.push({ label: `iBGP IPv${family}`, address: pair(family, 3), asn: IBGP_AS, routerAddress: pair(family, 1) });
    out.push({ label: `iBGP IPv${family} MD5`, address: pair(family, 5), asn: IBGP_AS, routerAddress: pair(family, 11), password: PASSWORD, speakerPassword: PASSWORD });
  }
  out.push({ label: 'eBGP IPv4 wrong MD5', address: pair(4, 6), asn: EBGP_AS, routerAddress: pair(4, 12), password: PASSWORD, speakerPassword: WRONG_PASSWORD });
  return out;
}

export const ROUTER_ADDRESSES = ['192.0.2.1/24', '192.0.2.11/24', '192.0.2.12/24', '2001:db8:1::1/64', '2001:db8:1::11/64'];
export const NODE_ADDRESSES = [2, 3, 4, 5, 6].flatMap((h) => [`192.0.2.${h}/24`, `2001:db8:1::${h}/64`]);

/** Routes each speaker announces: eBGP from 198.51.100.0/24, iBGP from 203.0.113.0/24. */
export function speakerRoutes(asn: number): { ipv4: string[]; ipv6: string[] } {
  const base = asn === EBGP_AS ? { v4: '198.51.100', v6: '2001:db8:e' } : { v4: '203.0.113', v6: '2001:db8:f' };
  return {
    ipv4: [1, 2, 3].map((i) => `${base.v4}.${i}/32`),
    ipv6: [1, 2, 3].map((i) => `${base.v6}::${i}/128`),
  };
}

/** The router's view of what one neighbour should have given it. */
export interface RouterUnderTest {
  readonly name: string;
  version(): Promise<string>;
  start(): Promise<void>;
  /** Whether the session with this neighbour is established, as the router sees it. */
  established(neighbor: Neighbor): Promise<boolean>;
  /** Prefixes (both families) the router holds from this neighbour. */
  prefixesFrom(neighbor: Neighbor): Promise<string[]>;
  /** Restart the routing daemon (FRR, BIRD and GoBGP send Cease on the way down; ExaBGP just closes). */
  restart(): Promise<void>;
  /** Make the router send a NOTIFICATION to this neighbour (reset the session). */
  resetSession(neighbor: Neighbor): Promise<void>;
  stop(): void;
}
