// An interface in memory for daemon tests that run without root: addresses "placed" are kept in
// a set, as the kernel would keep them on lo; MemoryInterfaces keeps several, one manager each.
import type { AddressPlacer, PlacementResult } from '../../src/reconcile.js';
import type { BatchResult, VipAddressManager } from '../../src/vip/index.js';

export class MemoryInterface implements AddressPlacer {
  readonly owned = new Set<string>();
  async listOwned(): Promise<string[]> {
    return [...this.owned];
  }
  async countOwned(): Promise<number> {
    return this.owned.size;
  }
  async add(addresses: string[]): Promise<PlacementResult> {
    for (const a of addresses) this.owned.add(a);
    return { done: addresses, failed: [] };
  }
  async remove(addresses: string[]): Promise<PlacementResult> {
    for (const a of addresses) this.owned.delete(a);
    return { done: addresses, failed: [] };
  }
}

/**
 * Several interfaces in memory, each behind a VipAddressManager as src/vip makes one per
 * interface: for the InterfacePlacer. `missing` names interfaces this "host" lacks: their
 * manager refuses every call, as the kernel would refuse an unknown link.
 */
export class MemoryInterfaces {
  readonly owned = new Map<string, Set<string>>();
  readonly missing = new Set<string>();

  on(iface: string): Set<string> {
    let set = this.owned.get(iface);
    if (!set) this.owned.set(iface, (set = new Set()));
    return set;
  }

  /** The interfaces holding `address` now. */
  where(address: string): string[] {
    return [...this.owned].filter(([, set]) => set.has(address)).map(([iface]) => iface).sort();
  }

  manager(iface: string): VipAddressManager {
    const check = () => {
      if (this.missing.has(iface)) throw new Error(`no interface named ${iface}`);
    };
    const result = (done: readonly string[]): BatchResult => ({ done: [...done], foreign: [], failed: [], interfaceUp: true });
    return {
      listOwned: async () => (check(), [...this.on(iface)]),
      countOwned: async () => (check(), this.on(iface).size),
      add: async (addresses) => {
        check();
        for (const a of addresses) this.on(iface).add(a);
        return result(addresses);
      },
      remove: async (addresses) => {
        check();
        for (const a of addresses) this.on(iface).delete(a);
        return result(addresses);
      },
      removeStale: async (keep) => {
        check();
        const stale = [...this.on(iface)].filter((a) => !keep.has(a));
        for (const a of stale) this.on(iface).delete(a);
        return result(stale);
      },
    };
  }
}
