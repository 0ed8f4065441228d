// What goes on during the soak, each on its own loop until the deadline:
//
// - the flap: tor2 shuts its session with node1 (a Cease, as an operator's `neighbor shutdown`
//   or a peer's restart), lets it come back, and node1's config drops tor2 and takes it back.
//   The reload is what keeps the flapping going every few seconds: a peer that keeps failing is
//   damped by vip-speaker (RFC 4271 §8.1.1: 5 s doubling to 120 s), and only a peer configured
//   afresh starts over;
// - the reloads of the flap also move one static VIP along 203.0.113.40-49, and one reload in
//   ten is a broken file (refused, the running config kept);
// - API outages: the API server down for a while every few minutes, every other one with its
//   history compacted, while the Services churn on in its store.
import { BASE_VIPS } from './plan.js';
import { TOR2, TOR2_PEER, type SoakLab } from './topology.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface SoakCounters {
  /** tor2 shut an Established session. */
  remoteFlaps: number;
  reloadsWritten: number;
  brokenWritten: number;
  outages: Array<[number, number]>;
}

export interface SoakTimings {
  flapCycleMs: number;
  outageEveryMs: number;
  outageMs: number;
}

/** One static VIP that moves along with each reload. */
const ROTATING_BASE = 40;
const ROTATING_SPAN = 10;
const BROKEN_EVERY = 10;

export class SoakActivities {
  readonly counters: SoakCounters = { remoteFlaps: 0, reloadsWritten: 0, brokenWritten: 0, outages: [] };
  private stopping = false;
  private readonly loops: Array<Promise<void>> = [];

  constructor(
    private readonly soak: SoakLab,
    private readonly timings: SoakTimings,
    /** Seconds since the soak's start, for the outage spans. */
    private readonly clock: () => number,
  ) {}

  start(): void {
    this.loops.push(this.flapLoop(), this.outageLoop());
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops);
  }

  /** node1's config: the base VIPs, the rotating one, tor2 or not. */
  writeNode1(withTor2: boolean, broken = false): void {
    const n = this.counters.reloadsWritten++;
    if (broken) this.counters.brokenWritten++;
    const rotating = `203.0.113.${ROTATING_BASE + (n % ROTATING_SPAN)}`;
    this.soak.f.configure('node1', { staticVips: [...BASE_VIPS.node1, rotating], extraPeers: withTor2 ? [TOR2_PEER] : [], broken });
  }

  private async flapLoop(): Promise<void> {
    const tor2 = this.soak.tor2;
    while (!this.stopping) {
      const began = Date.now();
      try {
        if ((await tor2.neighborState(TOR2.node1Address)) === 'Established') {
          await tor2.configure(`router bgp ${TOR2.asn}`, `neighbor ${TOR2.node1Address} shutdown`);
          this.counters.remoteFlaps++;
          await sleep(1000);
          await tor2.configure(`router bgp ${TOR2.asn}`, `no neighbor ${TOR2.node1Address} shutdown`);
        }
        this.writeNode1(false, this.counters.reloadsWritten % BROKEN_EVERY === BROKEN_EVERY - 1);
        await sleep(1500);
        this.writeNode1(true);
      } catch (err) {
        console.error(`soak: the flap failed this time: ${(err as Error).message}`);
      }
      await sleep(Math.max(0, this.timings.flapCycleMs - (Date.now() - began)));
    }
  }

  private async outageLoop(): Promise<void> {
    const api = this.soak.f.api;
    let n = 0;
    for (;;) {
      const deadline = Date.now() + this.timings.outageEveryMs;
      while (Date.now() < deadline && !this.stopping) await sleep(200);
      if (this.stopping) return;
      const from = this.clock();
      await api.down();
      await sleep(this.timings.outageMs);
      if (n++ % 2 === 1) await api.compact();
      await api.up();
      this.counters.outages.push([from, this.clock()]);
    }
  }
}
