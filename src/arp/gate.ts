// ARP mode: only the elected node holds the VIPs. The gate mirrors the registry's wanted VIPs into
// a registry of its own while this node leads, and empties it the moment it stops leading, so
// that the reconcile takes the VIPs off the interface before the lease can pass to another node
// (the renew deadline is shorter than the lease duration).
import { VipRegistry } from '../registry/registry.js';

const ELECTED_OWNER = 'elected';

export class ArpGate {
  /** What this node holds now: the reconcile of ARP mode reads this one. */
  readonly held = new VipRegistry();
  private leading = false;

  constructor(private readonly wanted: VipRegistry) {
    wanted.on('change', () => this.sync());
  }

  get isLeading(): boolean {
    return this.leading;
  }

  setLeading(leading: boolean): void {
    if (this.leading === leading) return;
    this.leading = leading;
    this.sync();
  }

  private sync(): void {
    const claims = this.leading ? this.wanted.desired().map((d) => ({ address: d.address, attributes: d.attributes })) : [];
    this.held.replaceOwner(ELECTED_OWNER, claims);
  }
}
