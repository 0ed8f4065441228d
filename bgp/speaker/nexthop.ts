// Next-hop-self: the addresses of this host that a peer can reach us at. The session's own
// local address serves its family; for the other family (IPv6 routes over an IPv4 session, or
// the reverse) we take an address of the same family on the interface that holds it.
import { networkInterfaces } from 'node:os';

export interface NextHops {
  ipv4?: string;
  ipv6?: string[];
}

/** Strips the IPv4-mapped prefix Node reports for IPv4 peers on a dual-stack socket. */
export function unmapped(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

export function nextHopsFor(localAddress: string, interfaces = networkInterfaces()): NextHops {
  const local = unmapped(localAddress).split('%')[0]!;
  const isV4 = local.includes('.');
  const out: NextHops = isV4 ? { ipv4: local } : { ipv6: [local] };
  for (const addrs of Object.values(interfaces)) {
    if (!addrs?.some((a) => a.address === local)) continue;
    if (isV4) {
      const global = addrs.find((a) => a.family === 'IPv6' && !a.address.toLowerCase().startsWith('fe80') && !a.internal);
      if (global) out.ipv6 = [global.address];
    } else {
      const v4 = addrs.find((a) => a.family === 'IPv4');
      if (v4) out.ipv4 = v4.address;
    }
    break;
  }
  return out;
}
