// Builds the interop lab around one router under test and two speaker processes.
import type { PeerConfig } from '../../bgp/index.js';
import { Lab, waitFor } from '../support/lab.js';
import { SpeakerProcess } from '../support/speaker-client.js';
import { EBGP_AS, IBGP_AS, NODE_ADDRESSES, type Neighbor, ROUTER_ADDRESSES, type RouterUnderTest, neighbors, speakerRoutes } from './topology.js';

export const HOLD_TIME = 9;

export interface InteropLab {
  lab: Lab;
  router: RouterUnderTest;
  ebgp: SpeakerProcess;
  ibgp: SpeakerProcess;
  neighbors: Neighbor[];
  speakerFor(n: Neighbor): SpeakerProcess;
}

function peerConfig(n: Neighbor): PeerConfig {
  const p: PeerConfig = {
    address: n.routerAddress,
    peerAs: 65000,
    localAddress: n.address,
    holdTime: HOLD_TIME,
    connectRetryTime: 3,
    idleHoldTime: 1,
    connectTimeoutMs: 3000,
  };
  if (n.speakerPassword) p.password = n.speakerPassword;
  return p;
}

/** Speaker peers are keyed by the router's address; each speaker has one source per router address. */
function speakerPeers(asn: number, all: Neighbor[]): PeerConfig[] {
  return all.filter((n) => n.asn === asn).map(peerConfig);
}

export async function buildInteropLab(label: string, makeRouter: (lab: Lab, ns: string, neighbors: Neighbor[]) => RouterUnderTest): Promise<InteropLab> {
  const lab = new Lab(label);
  try {
    await lab.addNamespace('router');
    await lab.addNamespace('node');
    await lab.link('router', 'eth0', 'node', 'eth0');
    for (const a of ROUTER_ADDRESSES) await lab.addAddress('router', 'eth0', a);
    for (const a of NODE_ADDRESSES) await lab.addAddress('node', 'eth0', a);
    const all = neighbors();
    const router = makeRouter(lab, 'router', all);
    await router.start();
    const ebgp = new SpeakerProcess(lab, 'node', { localAs: EBGP_AS, routerId: '192.0.2.2', peers: speakerPeers(EBGP_AS, all) });
    const ibgp = new SpeakerProcess(lab, 'node', { localAs: IBGP_AS, routerId: '192.0.2.3', peers: speakerPeers(IBGP_AS, all) });
    await ebgp.start();
    await ibgp.start();
    return {
      lab,
      router,
      ebgp,
      ibgp,
      neighbors: all,
      speakerFor: (n) => (n.asn === EBGP_AS ? ebgp : ibgp),
    };
  } catch (err) {
    lab.destroySync();
    throw err;
  }
}

/** The sessions expected to come up (all but the wrong password). */
export function goodNeighbors(l: InteropLab): Neighbor[] {
  return l.neighbors.filter((n) => n.password === n.speakerPassword);
}

export async function allEstablished(l: InteropLab, timeoutMs = 60_000): Promise<void> {
  for (const n of goodNeighbors(l)) {
    await waitFor(`${l.router.name} session with ${n.label} (${n.address})`, async () => ((await l.router.established(n)) ? true : undefined), timeoutMs, 250);
  }
}

export function expectedPrefixes(n: Neighbor): string[] {
  const r = speakerRoutes(n.asn);
  return [...r.ipv4, ...r.ipv6].sort();
}

export function announceAll(l: InteropLab): void {
  for (const [speaker, asn] of [[l.ebgp, EBGP_AS], [l.ibgp, IBGP_AS]] as const) {
    const r = speakerRoutes(asn);
    for (const p of [...r.ipv4, ...r.ipv6]) speaker.announce(p, { communities: [0xfde80064], largeCommunities: [[asn, 1, 2]] });
  }
}

export async function routesArrived(l: InteropLab, timeoutMs = 60_000): Promise<void> {
  for (const n of goodNeighbors(l)) {
    const want = expectedPrefixes(n);
    await waitFor(
      `${l.router.name} to hold ${want.length} prefixes from ${n.label}`,
      async () => {
        const got = await l.router.prefixesFrom(n);
        return want.every((p) => got.includes(p)) ? true : undefined;
      },
      timeoutMs,
      250,
    );
  }
}
