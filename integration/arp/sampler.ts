// The address sampler: every ~50 ms, which nodes hold a VIP on eth0, and which nodes are live
// (vip-speaker running and switch port up). The invariant it checks: no two live nodes ever
// hold one VIP at once.
//
// One round is one `sh` running `ip -n NS -j addr show dev eth0` for node1, node2, node3, node2,
// node1 in turn (about 1.5 ms each), then the switch's port states. The reads cannot be one
// instant across namespaces, so a round claims two holders only when it is sure: X held the VIP
// at two reads that bracket a read at which Y held it, so both held it at Y's read. A handover
// (the old holder removing, the new one adding) seen across the reads is thus never mistaken
// for an overlap, and every pair of nodes is bracketed by the palindromic order.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type ArpLab, NODES, type NodeName, SWITCH, portOf } from './topology.js';

const execFileP = promisify(execFile);

const READ_ORDER: readonly NodeName[] = ['node1', 'node2', 'node3', 'node2', 'node1'];

export interface Sample {
  /** Start of the round, ms since the epoch. */
  t: number;
  /** For each VIP, the nodes that held it at some read of the round. */
  holders: Record<string, NodeName[]>;
  /** Nodes whose vip-speaker ran for the whole round and whose port was up. */
  live: NodeName[];
  /** For each VIP, pairs of live nodes that certainly held it at one moment. */
  overlaps: Array<{ vip: string; nodes: [NodeName, NodeName] }>;
}

export class AddressSampler {
  readonly samples: Sample[] = [];
  readonly errors: string[] = [];
  private running: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly arp: ArpLab,
    private readonly vips: readonly string[],
    private readonly everyMs = 50,
  ) {}

  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
    this.running = undefined;
  }

  /** Two live holders of one VIP, in the samples taken outside [from, to] (an exempt window). */
  overlaps(exempt?: { from: number; to: number }): Array<{ t: number; vip: string; nodes: [NodeName, NodeName] }> {
    return this.samples
      .filter((s) => !exempt || s.t < exempt.from || s.t > exempt.to)
      .flatMap((s) => s.overlaps.map((o) => ({ t: s.t, ...o })));
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      const started = Date.now();
      try {
        this.samples.push(await this.round(started));
      } catch (err) {
        // The lab going away under the last round; anything else shows in the report.
        if (this.errors.length < 20) this.errors.push((err as Error).message);
      }
      const wait = this.everyMs - (Date.now() - started);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }

  private async round(t: number): Promise<Sample> {
    const runningBefore = this.runningNodes();
    const script = [
      ...READ_ORDER.map((n) => `ip -n ${this.arp.lab.ns(n)} -j addr show dev eth0 || echo null`),
      `ip -n ${this.arp.lab.ns(SWITCH)} -j link show`,
    ].join('; ');
    const { stdout } = await execFileP('sh', ['-c', script], { timeout: 5_000 });
    const runningAfter = this.runningNodes();
    const lines = stdout.split('\n').filter((l) => l.trim());
    if (lines.length !== READ_ORDER.length + 1) throw new Error(`sampler: ${lines.length} lines from one round`);
    const reads = READ_ORDER.map((node, i) => {
      const [link] = (JSON.parse(lines[i]!) ?? []) as Array<{ addr_info?: Array<{ local: string }> }>;
      return { node, addresses: new Set((link?.addr_info ?? []).map((a) => a.local)) };
    });
    const ports = JSON.parse(lines[READ_ORDER.length]!) as Array<{ ifname: string; flags?: string[] }>;
    const portUp = (n: NodeName) => ports.find((p) => p.ifname === portOf(n))?.flags?.includes('UP') ?? false;
    const live = NODES.map((n) => n.name).filter((n) => runningBefore.has(n) && runningAfter.has(n) && portUp(n));

    const holders: Record<string, NodeName[]> = {};
    const overlaps: Sample['overlaps'] = [];
    for (const vip of this.vips) {
      const heldAt = (n: NodeName) => reads.flatMap((r, i) => (r.node === n && r.addresses.has(vip) ? [i] : []));
      holders[vip] = NODES.map((n) => n.name).filter((n) => heldAt(n).length > 0);
      for (const x of live) {
        for (const y of live) {
          if (x >= y) continue;
          if (bracketed(heldAt(x), heldAt(y)) || bracketed(heldAt(y), heldAt(x))) overlaps.push({ vip, nodes: [x, y] });
        }
      }
    }
    return { t, holders, live, overlaps };
  }

  private runningNodes(): Set<NodeName> {
    return new Set(NODES.map((n) => n.name).filter((n) => this.arp.speakers.get(n)?.running));
  }
}

/** Whether two of `outer`'s reads (positions in a round) enclose one of `inner`'s. */
export function bracketed(outer: number[], inner: number[]): boolean {
  return inner.some((r) => outer.some((p) => p < r) && outer.some((q) => q > r));
}
