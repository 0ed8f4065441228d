// An interface in memory for daemon tests that run without root: addresses "placed" are kept in
// a set, as the kernel would keep them on lo.
import type { AddressPlacer, PlacementResult } from '../../src/reconcile.js';

export class MemoryInterface implements AddressPlacer {
  readonly owned = new Set<string>();
  async listOwned(): Promise<string[]> {
    return [...this.owned];
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
