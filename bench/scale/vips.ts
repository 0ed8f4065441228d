// The VIPs of the scale bench. 100,000 IPv4 host routes do not fit the documentation ranges
// (RFC 5737 holds 768 addresses), so IPv4 VIPs come from 198.18.0.0/15, the block RFC 2544 and
// RFC 6890 set aside for benchmarking (131,072 addresses, never routed on the Internet), and only
// ever exist inside the bench's own namespaces; IPv6 VIPs from the documentation prefix 2001:db8::/32.

export type VipFamily = 'ipv4' | 'ipv6';

export interface BenchVips {
  family: VipFamily;
  /** Addresses without a length, in order. */
  addresses: string[];
}

/** 198.18.0.0/15 holds 2^17 addresses. */
export const MAX_IPV4_VIPS = 1 << 17;
const IPV4_BASE = (198 << 24) | (18 << 16);

/** The i-th IPv4 VIP, i from 0: 198.18.0.1, 198.18.0.2, ... */
export function ipv4Vip(i: number): string {
  const v = (IPV4_BASE + i + 1) >>> 0;
  return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}

/** The i-th IPv6 VIP, i from 0: 2001:db8:b::1, ... */
export function ipv6Vip(i: number): string {
  const v = i + 1;
  return `2001:db8:b::${v > 0xffff ? `${(v >>> 16).toString(16)}:` : ''}${(v & 0xffff).toString(16)}`;
}

export function benchVips(family: VipFamily, count: number, offset = 0): BenchVips {
  if (family === 'ipv4' && offset + count >= MAX_IPV4_VIPS) throw new Error(`198.18.0.0/15 holds fewer than ${offset + count} VIPs`);
  const addresses = new Array<string>(count);
  for (let i = 0; i < count; i++) addresses[i] = family === 'ipv4' ? ipv4Vip(offset + i) : ipv6Vip(offset + i);
  return { family, addresses };
}

export const hostLength = (family: VipFamily) => (family === 'ipv4' ? 32 : 128);
