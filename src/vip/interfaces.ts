// VIPs on more than one interface: one VipAddressManager per interface, behind the one placer the
// reconcile talks to. Most VIPs go on the VIP interface; a Service's may go on another (kube-vip's
// vip_servicesinterface, kube-vip.io/serviceInterface, bgp_attach_ip_to_interface), named per
// address in `add`. The placer remembers where it put each address, so that `remove` finds it
// and the reconcile can move one whose interface changed (`interfaceOf`).
//
// A failure on one interface (say an annotation names one this node lacks) fails that
// interface's addresses only: the others are placed as usual.
import { networkInterfaces } from 'node:os';
import type { PlacementProgress } from './local-routes.js';
import type { BatchResult } from './manager.js';

/** What places VIPs on one interface: a VipPlacer (addresses or local routes), or a plain address manager. */
export interface OneInterfacePlacer {
  listOwned(): Promise<string[]>;
  /** How many of ours there are, without their text. */
  countOwned(): Promise<number>;
  add(addresses: readonly string[], progress?: PlacementProgress): Promise<BatchResult>;
  remove(addresses: readonly string[]): Promise<BatchResult>;
  /** 'address' or 'route', for a VIP of ours (absent: addresses only). */
  formOfPlaced?(address: string): string;
}

export interface InterfacePlacerOptions {
  /** The VIP interface: where an address goes unless `add` names another. */
  defaultInterface: string;
  /** Makes the placer of one interface (called once per interface, on first use). */
  manager: (iface: string) => OneInterfacePlacer;
  /**
   * The interfaces to look for our leftovers on at start, beside the default one (default: every
   * interface that has an address now: a VIP left by a killed run is one).
   */
  interfaceNames?: () => string[];
}

export interface PlacementBatch {
  done: string[];
  foreign: string[];
  failed: Array<{ address: string; error: Error }>;
}

export class InterfacePlacer {
  readonly defaultInterface: string;
  private readonly managers = new Map<string, OneInterfacePlacer>();
  /** address → the interface it is on, for every address placed or found here other than on the default one. */
  private readonly where = new Map<string, string>();

  constructor(private readonly options: InterfacePlacerOptions) {
    this.defaultInterface = options.defaultInterface;
    // The default interface's manager is made at once, so that a bad name fails at start.
    this.manager(options.defaultInterface);
  }

  /** The interface an address is on now, when not the default one. */
  interfaceOf(address: string): string | undefined {
    return this.where.get(address);
  }

  /** How a VIP of ours is made local on its interface: 'address' or 'route'. */
  formOfPlaced(address: string): string {
    return this.manager(this.where.get(address) ?? this.defaultInterface).formOfPlaced?.(address) ?? 'address';
  }

  /**
   * How many of ours there are on the interfaces where we placed VIPs (the default one and each
   * named for a Service): a quick check that listOwned would find them all.
   */
  async countOwned(): Promise<number> {
    let n = 0;
    for (const iface of new Set([this.defaultInterface, ...this.where.values()])) n += await this.manager(iface).countOwned();
    return n;
  }

  /** Our addresses on every interface looked at; where each is, remembered. */
  async listOwned(): Promise<string[]> {
    const names = new Set([this.defaultInterface, ...(this.options.interfaceNames ?? (() => Object.keys(networkInterfaces())))()]);
    const found: string[] = [];
    for (const iface of names) {
      let owned: string[];
      try {
        owned = await this.manager(iface).listOwned();
      } catch (err) {
        // The default interface must be readable; another that vanished meanwhile holds nothing of ours.
        if (iface === this.defaultInterface) throw err;
        continue;
      }
      for (const address of owned) {
        if (iface !== this.defaultInterface) this.where.set(address, iface);
        found.push(address);
      }
    }
    return found;
  }

  /**
   * Adds each address on the interface `interfaces` names for it, else on the default one;
   * `progress` hears of each chunk in place, where the interface's placer reports chunks.
   */
  async add(addresses: string[], options: { interfaces?: ReadonlyMap<string, string>; progress?: PlacementProgress } = {}): Promise<PlacementBatch> {
    const { interfaces, progress } = options;
    return this.perInterface(addresses, (a) => interfaces?.get(a) ?? this.defaultInterface, async (iface, batch) => {
      const r = await this.manager(iface).add(batch, progress);
      for (const a of [...r.done, ...(r.foreign ?? [])]) this.remember(a, iface);
      return r;
    });
  }

  /** Removes each address from the interface it was put on (or found on). */
  async remove(addresses: string[]): Promise<PlacementBatch> {
    return this.perInterface(addresses, (a) => this.where.get(a) ?? this.defaultInterface, async (iface, batch) => {
      const r = await this.manager(iface).remove(batch);
      for (const a of r.done) this.where.delete(a);
      return r;
    });
  }

  private remember(address: string, iface: string): void {
    if (iface === this.defaultInterface) this.where.delete(address);
    else this.where.set(address, iface);
  }

  private manager(iface: string): OneInterfacePlacer {
    let m = this.managers.get(iface);
    if (!m) {
      m = this.options.manager(iface);
      this.managers.set(iface, m);
    }
    return m;
  }

  /** Splits the addresses by interface, runs each batch, and merges the results; a batch that throws fails its addresses. */
  private async perInterface(addresses: string[], ifaceOf: (a: string) => string, run: (iface: string, batch: string[]) => Promise<BatchResult>): Promise<PlacementBatch> {
    const batches = new Map<string, string[]>();
    for (const a of addresses) {
      const iface = ifaceOf(a);
      const batch = batches.get(iface);
      if (batch) batch.push(a);
      else batches.set(iface, [a]);
    }
    const out: PlacementBatch = { done: [], foreign: [], failed: [] };
    for (const [iface, batch] of batches) {
      try {
        // A bad interface name throws from the manager's factory: caught here like any failure.
        const r = await run(iface, batch);
        out.done.push(...r.done);
        out.foreign.push(...(r.foreign ?? []));
        out.failed.push(...r.failed);
      } catch (err) {
        for (const address of batch) out.failed.push({ address, error: err instanceof Error ? err : new Error(String(err)) });
      }
    }
    return out;
  }
}
