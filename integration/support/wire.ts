// A lab link that can be made lossy, slow or silently cut: what `tc netem` does, in user space
// (wire.py), because the kernels the labs run on may lack sch_netem (this machine's has no
// CONFIG_NET_SCH_NETEM and loads no modules). Each end is a TAP device in its namespace; the
// wire process carries the frames between them. A cut drops every frame while both carriers stay
// up, so only the BGP hold timer notices, as with a failed switch or optic between two routers.
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type Lab, haveProgram } from './lab.js';

const WIRE_PY = fileURLToPath(new URL('../../../integration/support/wire.py', import.meta.url));
const TUN_DEVICE = '/dev/net/tun';
/** How long the wire may take to create its devices or answer a command. */
const WIRE_ANSWER_MS = 10_000;

export interface Impairment {
  /** Added to every frame, ms. */
  delayMs?: number;
  /** Each frame's delay varies uniformly by ± this, ms (frames keep their order). */
  jitterMs?: number;
  /** Share of frames dropped, 0 to 1, each direction on its own. */
  loss?: number;
  /** Drop every frame (the carrier stays up). */
  cut?: boolean;
}

export interface WireStats {
  forwarded: number;
  dropped: number;
  cutDropped: number;
  writeErrors: number;
}

export function wireSkipReason(): string | undefined {
  if (!haveProgram('python3')) return 'python3 is needed for the lab wire (integration/support/wire.py)';
  if (!existsSync(TUN_DEVICE)) return `${TUN_DEVICE} is missing: the lab wire needs TAP devices`;
  return undefined;
}

export class Wire {
  private child: ChildProcess | undefined;
  private readonly lines: string[] = [];
  private waiter: (() => void) | undefined;

  constructor(
    private readonly lab: Lab,
    readonly a: { ns: string; ifname: string },
    readonly b: { ns: string; ifname: string },
  ) {}

  /** Creates both devices (down, without addresses: the caller sets them up as it would a veth). */
  async start(seed = 1): Promise<void> {
    const args = [WIRE_PY, this.lab.ns(this.a.ns), this.a.ifname, this.lab.ns(this.b.ns), this.b.ifname, String(seed)];
    this.child = this.lab.spawn(this.a.ns, 'python3', args, { stdio: ['pipe', 'pipe', 'inherit'] });
    this.child.on('error', () => undefined);
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      this.lines.push(line);
      this.waiter?.();
    });
    const first = JSON.parse(await this.next()) as { ready?: boolean };
    if (!first.ready) throw new Error(`the wire did not start: ${JSON.stringify(first)}`);
    await this.lab.exec(this.a.ns, 'ip', ['link', 'set', this.a.ifname, 'up']);
    await this.lab.exec(this.b.ns, 'ip', ['link', 'set', this.b.ifname, 'up']);
  }

  /** Sets the impairment (keys left out keep their value); resolves with the counters so far. */
  async set(impairment: Impairment): Promise<WireStats> {
    if (!this.child?.stdin?.writable) throw new Error('the wire is not running');
    this.child.stdin.write(JSON.stringify(impairment) + '\n');
    const answer = JSON.parse(await this.next()) as { ok: boolean; stats: WireStats };
    return answer.stats;
  }

  cut(): Promise<WireStats> {
    return this.set({ cut: true });
  }

  /** Back to a clean wire: no cut, no loss, no delay. */
  heal(): Promise<WireStats> {
    return this.set({ cut: false, loss: 0, delayMs: 0, jitterMs: 0 });
  }

  stats(): Promise<WireStats> {
    return this.set({});
  }

  private async next(): Promise<string> {
    const deadline = Date.now() + WIRE_ANSWER_MS;
    while (this.lines.length === 0) {
      if (Date.now() > deadline) throw new Error('the wire did not answer');
      if (this.child && (this.child.exitCode !== null || this.child.signalCode !== null)) throw new Error('the wire exited');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.lines.shift()!;
  }
}
