// How each VIP is made local: an address on the interface, or (IPv4 only) a local route. The
// placer decides per VIP when it is placed and keeps that form until the VIP is removed; see
// index.ts for the measurements behind the rule.
import { DEFAULT_VIP_ADDRESS_PROTO, createVipAddressManager, type BatchResult, type VipAddressManager } from './manager.js';
import { createLocalRoutePlacer, type LocalRoutePlacer, type PlacementProgress } from './local-routes.js';

/**
 * 'addresses': every VIP an address (what `ip addr` shows; ARP mode always).
 * 'routes': every VIP a local route (IPv6 ones then need IPV6_FREEBIND to be bound to).
 * 'auto': IPv4 VIPs as addresses while the node holds at most `routeThreshold` IPv4 VIPs, as
 * local routes beyond; IPv6 VIPs as addresses.
 */
export type VipPlacement = 'auto' | 'addresses' | 'routes';

export const VIP_PLACEMENTS: readonly VipPlacement[] = ['auto', 'addresses', 'routes'];

/**
 * Above this many IPv4 VIPs, 'auto' places new ones as local routes. Each new IPv4 address costs
 * the kernel a walk of the interface's list: 1,000 take 20-100 ms in all, 10,000 over a second
 * (bench/vip-addresses.ts).
 */
export const AUTO_ROUTE_THRESHOLD = 1000;

/** What one placed VIP is on the node. */
export type PlacedForm = 'address' | 'route';

export interface VipPlacer {
  /** Ours on the node in either form, canonical text. Reading it also teaches the placer each one's form. */
  listOwned(): Promise<string[]>;
  /** How many of ours there are in either form (a VIP in both forms counts twice), without their text. */
  countOwned(): Promise<number>;
  /** Places what is missing; `progress` hears of each chunk as soon as it is in place, to announce it. */
  add(addresses: readonly string[], progress?: PlacementProgress): Promise<BatchResult>;
  remove(addresses: readonly string[]): Promise<BatchResult>;
  /** The form a VIP of ours has, given that it is placed: an IPv4 VIP not placed as an address is a route. */
  formOfPlaced(address: string): PlacedForm;
}

export interface VipPlacerOptions {
  readonly interface: string;
  readonly placement: VipPlacement;
  /** ARP mode's prefix length for addresses (see VipAddressManagerOptions). */
  readonly prefixLength?: { readonly ipv4: number; readonly ipv6: number };
  /** The ownership mark of addresses (IFA_PROTO) and routes (rtm_protocol) alike. */
  readonly proto?: number;
  readonly netns?: string;
  readonly routeThreshold?: number;
  /** Replace the two sides (unit tests). */
  readonly addresses?: Pick<VipAddressManager, 'listOwned' | 'countOwned' | 'add' | 'remove'>;
  readonly routes?: LocalRoutePlacer;
}

/** Addresses per call to the address manager: 256, then four times more each call, up to 16,384. */
const FIRST_ADDRESS_CHUNK = 256;
const ADDRESS_CHUNK_GROWTH = 4;
const MAX_ADDRESS_CHUNK = 16_384;

const isIpv6 = (address: string) => address.includes(':');

export function createVipPlacer(options: VipPlacerOptions): VipPlacer {
  const proto = options.proto ?? DEFAULT_VIP_ADDRESS_PROTO;
  const addresses =
    options.addresses ??
    createVipAddressManager({ interface: options.interface, proto, ...(options.netns ? { netns: options.netns } : {}), ...(options.prefixLength ? { prefixLength: options.prefixLength } : {}) });
  const routes = options.routes ?? createLocalRoutePlacer({ interface: options.interface, protocol: proto, ...(options.netns ? { netns: options.netns } : {}) });
  const threshold = options.routeThreshold ?? AUTO_ROUTE_THRESHOLD;
  /** VIPs of ours placed as addresses; every other VIP of ours is a local route. */
  const asAddresses = new Set<string>();
  /** How many of ours are IPv4 VIPs placed as addresses, and as routes: the threshold counts both. */
  let ipv4Addresses = 0;
  let ipv4Routes = 0;
  const countAddress = (a: string, delta: number) => {
    if (!isIpv6(a)) ipv4Addresses += delta;
  };
  /** Where this batch's IPv4 VIPs go: routes when forced, or past the threshold in 'auto'. */
  const ipv4ToRoutes = (newIpv4: number) =>
    options.placement === 'routes' || (options.placement === 'auto' && ipv4Addresses + ipv4Routes + newIpv4 > threshold);

  const merge = (into: { done: string[]; foreign: string[]; failed: BatchResult['failed']; interfaceUp: boolean }, r: BatchResult) => {
    into.done.push(...r.done);
    into.foreign.push(...r.foreign);
    into.failed.push(...r.failed);
    into.interfaceUp = r.interfaceUp;
  };

  return {
    async countOwned() {
      return (await addresses.countOwned()) + (await routes.countOwned());
    },

    async listOwned() {
      const asAddress = await addresses.listOwned();
      // Routes too in 'addresses': a run with another placement may have left some.
      const asRoute = await routes.listOwned();
      asAddresses.clear();
      ipv4Addresses = 0;
      for (const a of asAddress) {
        asAddresses.add(a);
        countAddress(a, 1);
      }
      // One VIP in both forms (a crash between two runs of different placements): keep the address.
      const twice = asRoute.filter((a) => asAddresses.has(a));
      if (twice.length > 0) await routes.remove(twice);
      const onlyRoutes = asRoute.filter((a) => !asAddresses.has(a));
      ipv4Routes = onlyRoutes.filter((a) => !isIpv6(a)).length;
      return [...asAddress, ...onlyRoutes];
    },

    async add(inputs, progress) {
      const v6: string[] = [];
      const v4: string[] = [];
      for (const a of inputs) (isIpv6(a) ? v6 : v4).push(a);
      const v4Routes = ipv4ToRoutes(v4.length);
      const v6Routes = options.placement === 'routes';
      const toRoutes = [...(v4Routes ? v4 : []), ...(v6Routes ? v6 : [])];
      const toAddresses = [...(v4Routes ? [] : v4), ...(v6Routes ? [] : v6)];
      const result = { done: [] as string[], foreign: [] as string[], failed: [] as BatchResult['failed'], interfaceUp: true };
      // The address manager dumps the interface before and after each call: small chunks first,
      // so that the first VIPs are announced soon, then larger ones, so that the dumps stay few.
      let chunk = FIRST_ADDRESS_CHUNK;
      for (let start = 0; start < toAddresses.length; start += chunk, chunk = Math.min(chunk * ADDRESS_CHUNK_GROWTH, MAX_ADDRESS_CHUNK)) {
        const r = await addresses.add(toAddresses.slice(start, start + chunk));
        for (const a of r.done) {
          if (asAddresses.has(a)) continue;
          asAddresses.add(a);
          countAddress(a, 1);
        }
        merge(result, r);
        if (r.done.length + r.foreign.length > 0) progress?.({ done: r.done, foreign: r.foreign });
      }
      if (toRoutes.length > 0) {
        const r = await routes.add(toRoutes, (placed) => {
          for (const a of placed.done) if (!isIpv6(a)) ipv4Routes++;
          progress?.(placed);
        });
        merge(result, r);
      }
      return result;
    },

    async remove(inputs) {
      const asAddress: string[] = [];
      const asRoute: string[] = [];
      for (const a of inputs) (asAddresses.has(a) ? asAddress : asRoute).push(a);
      const result = { done: [] as string[], foreign: [] as string[], failed: [] as BatchResult['failed'], interfaceUp: true };
      if (asAddress.length > 0) {
        const r = await addresses.remove(asAddress);
        for (const a of r.done) if (asAddresses.delete(a)) countAddress(a, -1);
        merge(result, r);
      }
      if (asRoute.length > 0) {
        const r = await routes.remove(asRoute);
        ipv4Routes = Math.max(0, ipv4Routes - r.done.filter((a) => !isIpv6(a)).length);
        merge(result, r);
      }
      return result;
    },

    formOfPlaced: (address) => (asAddresses.has(address) ? 'address' : 'route'),
  };
}
