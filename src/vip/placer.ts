// How each VIP is made local: an address on the interface, or (IPv4 only) a local route. The
// placer decides per VIP when it is placed and keeps that form until the VIP is removed; see
// index.ts for the measurements behind the rule.
import { DEFAULT_VIP_ADDRESS_PROTO, createVipAddressManager, type BatchResult, type VipAddressManager } from './manager.js';
import { createLocalRoutePlacer, type LocalRoutePlacer, type PlacementProgress } from './local-routes.js';

/**
 * 'addresses': every VIP an address (what `ip addr` shows; ARP mode always).
 * 'routes': IPv4 VIPs as local routes, IPv6 VIPs as addresses.
 * 'auto': IPv4 VIPs as addresses while the node holds at most `routeThreshold` IPv4 VIPs, as
 * local routes beyond; IPv6 VIPs as addresses.
 */
export type VipPlacement = 'auto' | 'addresses' | 'routes';

export const VIP_PLACEMENTS: readonly VipPlacement[] = ['auto', 'addresses', 'routes'];

/**
 * Above this many IPv4 VIPs, 'auto' places new ones as local routes. At 1,000 addresses each new
 * one costs the kernel a walk of 1,000 list entries (40 ms for all of them on a quiet 2-core
 * machine, see bench/README.md); at 10,000 the walks add up to over a second.
 */
export const AUTO_ROUTE_THRESHOLD = 1000;

/** What one placed VIP is on the node. */
export type PlacedForm = 'address' | 'route';

export interface VipPlacer {
  /** Ours on the node in either form, canonical text. Reading it also teaches the placer each one's form. */
  listOwned(): Promise<string[]>;
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
  readonly addresses?: Pick<VipAddressManager, 'listOwned' | 'add' | 'remove'>;
  readonly routes?: LocalRoutePlacer;
}

/** Addresses per call to the address manager: it dumps the interface before and after each. */
const ADDRESS_CHUNK = 1024;

const isIpv6 = (address: string) => address.includes(':');

export function createVipPlacer(options: VipPlacerOptions): VipPlacer {
  const proto = options.proto ?? DEFAULT_VIP_ADDRESS_PROTO;
  const addresses =
    options.addresses ??
    createVipAddressManager({ interface: options.interface, proto, ...(options.netns ? { netns: options.netns } : {}), ...(options.prefixLength ? { prefixLength: options.prefixLength } : {}) });
  const routes = options.routes ?? createLocalRoutePlacer({ interface: options.interface, protocol: proto, ...(options.netns ? { netns: options.netns } : {}) });
  const threshold = options.routeThreshold ?? AUTO_ROUTE_THRESHOLD;
  /** IPv4 VIPs of ours placed as addresses; every other IPv4 VIP of ours is a route. */
  const ipv4Addresses = new Set<string>();
  let ipv4Routes = 0;
  // Every form comes from the answers; IPv6 never goes to the route side.
  const usesRoutes = (newIpv4: number) =>
    options.placement === 'routes' || (options.placement === 'auto' && ipv4Addresses.size + ipv4Routes + newIpv4 > threshold);

  const merge = (into: { done: string[]; foreign: string[]; failed: BatchResult['failed']; interfaceUp: boolean }, r: BatchResult) => {
    into.done.push(...r.done);
    into.foreign.push(...r.foreign);
    into.failed.push(...r.failed);
    into.interfaceUp = r.interfaceUp;
  };

  return {
    async listOwned() {
      const asAddresses = await addresses.listOwned();
      // Routes too in 'addresses': a run with another placement may have left some.
      const asRoutes = await routes.listOwned();
      ipv4Addresses.clear();
      for (const a of asAddresses) if (!isIpv6(a)) ipv4Addresses.add(a);
      // One VIP in both forms (a crash between two runs of different placements): keep the address.
      const twice = asRoutes.filter((a) => ipv4Addresses.has(a));
      if (twice.length > 0) await routes.remove(twice);
      ipv4Routes = asRoutes.length - twice.length;
      return [...asAddresses, ...asRoutes.filter((a) => !ipv4Addresses.has(a))];
    },

    async add(inputs, progress) {
      const v6: string[] = [];
      const v4: string[] = [];
      for (const a of inputs) (isIpv6(a) ? v6 : v4).push(a);
      const toRoutes = usesRoutes(v4.length) ? v4 : [];
      const toAddresses = toRoutes.length > 0 ? v6 : [...v4, ...v6];
      const result = { done: [] as string[], foreign: [] as string[], failed: [] as BatchResult['failed'], interfaceUp: true };
      for (let start = 0; start < toAddresses.length; start += ADDRESS_CHUNK) {
        const r = await addresses.add(toAddresses.slice(start, start + ADDRESS_CHUNK));
        for (const a of r.done) if (!isIpv6(a)) ipv4Addresses.add(a);
        merge(result, r);
        if (r.done.length + r.foreign.length > 0) progress?.({ done: r.done, foreign: r.foreign });
      }
      if (toRoutes.length > 0) {
        const r = await routes.add(toRoutes, (placed) => {
          ipv4Routes += placed.done.length;
          progress?.(placed);
        });
        merge(result, r);
      }
      return result;
    },

    async remove(inputs) {
      const asAddress: string[] = [];
      const asRoute: string[] = [];
      for (const a of inputs) (isIpv6(a) || ipv4Addresses.has(a) ? asAddress : asRoute).push(a);
      const result = { done: [] as string[], foreign: [] as string[], failed: [] as BatchResult['failed'], interfaceUp: true };
      if (asAddress.length > 0) {
        const r = await addresses.remove(asAddress);
        for (const a of r.done) ipv4Addresses.delete(a);
        merge(result, r);
      }
      if (asRoute.length > 0) {
        const r = await routes.remove(asRoute);
        ipv4Routes = Math.max(0, ipv4Routes - r.done.length);
        merge(result, r);
      }
      return result;
    },

    formOfPlaced: (address) => (isIpv6(address) || ipv4Addresses.has(address) ? 'address' : 'route'),
  };
}
