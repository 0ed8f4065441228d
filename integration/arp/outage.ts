// What the client saw: its attempts (prober.ts) read back, and the outage they show. The
// outage is the longest stretch between two answered attempts, measured from the start of the
// last answered attempt before it to the start of the first answered one after it, so that its
// resolution is the prober's pace (20 ms), not its timeout.
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type Lab, waitFor } from '../support/lab.js';
import type { Attempt } from './prober.js';

export type { Attempt } from './prober.js';

const PROBER = fileURLToPath(new URL('./prober.js', import.meta.url));

export interface Outage {
  /** From the last answer before to the first answer after, ms. */
  gapMs: number;
  /** Start of the last answered attempt before the outage (ms since the epoch). */
  from: number;
  /** Start of the first answered attempt after it. */
  to: number;
  /** Attempts that failed in between. */
  failed: number;
  /** Who answered before and after. */
  before: string | undefined;
  after: string | undefined;
}

/**
 * The longest stretch without an answer that ends after `after` (the fault), between two
 * answered attempts; undefined when no answered attempt came both before and after `after`.
 */
export function longestOutage(attempts: readonly Attempt[], after: number): Outage | undefined {
  const sorted = [...attempts].sort((a, b) => a.t - b.t);
  let best: Outage | undefined;
  let previous: Attempt | undefined;
  let failed = 0;
  for (const a of sorted) {
    if (!a.ok) {
      failed++;
      continue;
    }
    if (previous && a.t > after) {
      const gapMs = a.t - previous.t;
      if (!best || gapMs > best.gapMs) best = { gapMs, from: previous.t, to: a.t, failed, before: previous.node, after: a.node };
    }
    previous = a;
    failed = 0;
  }
  return best;
}

/** The prober running in the client namespace, its attempts collected as they finish. */
export class ClientProber {
  readonly attempts: Attempt[] = [];
  private child: ChildProcess | undefined;

  constructor(
    private readonly lab: Lab,
    private readonly nsName: string,
  ) {}

  start(address: string, port: number, everyMs = 20, timeoutMs = 200): void {
    this.child = this.lab.spawn(this.nsName, process.execPath, [PROBER, address, String(port), String(everyMs), String(timeoutMs)]);
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      try {
        this.attempts.push(JSON.parse(line) as Attempt);
      } catch {
        // a partial line at exit
      }
    });
  }

  stop(): void {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
  }

  /** Waits for `count` answers in a row from `node`, among the attempts started after `since`. */
  async waitForAnswers(node: string, count: number, since: number, timeoutMs = 30_000): Promise<void> {
    await waitFor(`${count} answers in a row from ${node} at the client`, () => {
      const recent = this.attempts.filter((a) => a.t > since).sort((a, b) => a.t - b.t);
      let run = 0;
      for (const a of recent) run = a.ok && a.node === node ? run + 1 : 0;
      return run >= count ? true : undefined;
    }, timeoutMs, 20);
  }

  /** A short account of the attempts since `since`, for failure messages. */
  summary(since: number): string {
    const recent = this.attempts.filter((a) => a.t >= since).sort((a, b) => a.t - b.t);
    const counts = new Map<string, number>();
    for (const a of recent) {
      const key = a.ok ? `ok ${a.node}` : `failed ${a.error}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return [...counts].map(([k, n]) => `${k}: ${n}`).join(', ') || 'no attempts';
  }
}
