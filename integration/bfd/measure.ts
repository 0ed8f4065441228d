// What the BFD labs measure, shared: when FRR holds the node's VIPs (and BFD is up), and how
// long after a fault the VIPs' routes leave the tor's kernel table.
import { Frr } from '../support/frr.js';
import { waitFor } from '../support/lab.js';
import { NODE, VIP4, VIP6, bfdStatusAt, type RouteWatch } from './topology.js';

export const FAMILIES = [
  { family: 'IPv4' as const, vip: VIP4, peer: NODE.ipv4, afi: 'ipv4' as const },
  { family: 'IPv6' as const, vip: VIP6, peer: NODE.ipv6, afi: 'ipv6' as const },
];

/** Until FRR holds both VIPs from the node (fresh) and, with BFD, both BFD sessions are up. */
export async function ready(tor: Frr, bfd: boolean): Promise<void> {
  for (const f of FAMILIES) {
    await waitFor(`${f.vip} at the tor`, async () => ((await tor.route(f.afi, `${f.vip}/${f.afi === 'ipv4' ? 32 : 128}`))?.paths?.some((p) => !p.stale) ? true : undefined), 30_000, 100);
    if (bfd) await bfdStatusAt(tor, f.peer, 'up');
  }
}

/** Runs `fault` and measures, for each VIP, how long until its route left the tor's kernel. */
export async function routeLoss(routes: RouteWatch, fault: () => Promise<void> | void, boundMs: number, families: ReadonlyArray<{ family: 'IPv4' | 'IPv6'; vip: string }> = FAMILIES): Promise<Partial<Record<'IPv4' | 'IPv6', number>>> {
  const t0 = performance.now();
  await fault();
  const out: Partial<Record<'IPv4' | 'IPv6', number>> = {};
  for (const f of families) {
    const gone = await waitFor(`${f.vip}'s route gone from the tor`, () => routes.deletedAfter(f.vip, t0), boundMs, 20);
    out[f.family] = Math.round(gone.at - t0);
  }
  return out;
}

