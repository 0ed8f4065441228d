// GoBGP as a contender: gobgpd started with its neighbour (configs/gobgpd.toml), and the routes
// fed through its gRPC API (AddPathStream) as soon as it answers, by gobgp-feed.ts running in the
// speaker namespace, itself started before the clock. The cold start counts from gobgpd's start,
// the feeding included.
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { gobgpSkipReason, gobgpVersion } from '../../../integration/support/gobgp.js';
import { type Contender, type Running, startLogged } from '../contender.js';
import { type ScaleLab, configTemplate } from '../topology.js';
import type { VipFamily } from '../vips.js';

const FEEDER = fileURLToPath(new URL('../gobgp-feed.js', import.meta.url));
const FEED_TIMEOUT_MS = 300_000;

const configPath = (lab: ScaleLab) => join(lab.lab.dir, 'gobgpd.toml');

/** The feeder process: one per lab, kept for the churn figures too. */
class Feeder {
  private readonly lines: Interface;
  private readonly answers: string[] = [];
  private waiting: (() => void) | undefined;

  constructor(readonly child: ChildProcess) {
    this.lines = createInterface({ input: child.stdout! });
    this.lines.on('line', (l) => {
      this.answers.push(l);
      this.waiting?.();
    });
  }

  /** Streams `count` bench VIPs from `offset`; resolves once gobgpd has taken them. */
  async add(family: VipFamily, count: number, offset = 0): Promise<void> {
    this.child.stdin!.write(`add ${family} ${count} ${offset}\n`);
    const answer = await this.next();
    if (answer !== 'done') throw new Error(`GoBGP feeder: ${answer}`);
  }

  /** Resolves once the feeder runs and reads its commands. */
  async ready(): Promise<void> {
    const answer = await this.next();
    if (answer !== 'ready') throw new Error(`GoBGP feeder: ${answer}`);
  }

  private async next(): Promise<string> {
    const deadline = Date.now() + FEED_TIMEOUT_MS;
    while (this.answers.length === 0) {
      if (Date.now() > deadline || this.child.exitCode !== null) throw new Error('the GoBGP feeder did not answer');
      await new Promise<void>((r) => {
        this.waiting = r;
        setTimeout(r, 100);
      });
    }
    return this.answers.shift()!;
  }
}

const feeders = new WeakMap<ScaleLab, Feeder>();
const pending = new WeakMap<ScaleLab, { family: VipFamily; count: number }>();

/** The lab's feeder, started (and waited for) on first use. */
export async function gobgpFeeder(lab: ScaleLab): Promise<Feeder> {
  let feeder = feeders.get(lab);
  if (!feeder || feeder.child.exitCode !== null) {
    feeder = new Feeder(lab.lab.spawn('speaker', process.execPath, [FEEDER], { stdio: ['pipe', 'pipe', 'inherit'] }));
    feeders.set(lab, feeder);
    await feeder.ready();
  }
  return feeder;
}

export const gobgp: Contender = {
  name: 'GoBGP',
  logName: 'gobgpd',
  version: () => gobgpVersion(),
  skipReason: () => gobgpSkipReason(),
  async prepare(lab, vips) {
    writeFileSync(configPath(lab), configTemplate('gobgpd.toml'));
    pending.set(lab, { family: vips.family, count: vips.addresses.length });
    await gobgpFeeder(lab);
  },
  start(lab): Running {
    const running = startLogged(lab, 'gobgpd', 'gobgpd', ['-f', configPath(lab), '-t', 'toml', '--api-hosts', '127.0.0.1:50051', '--pprof-disable', '--log-level', 'warn']);
    const { family, count } = pending.get(lab)!;
    const feeding = gobgpFeeder(lab).then((f) => f.add(family, count));
    feeding.catch(() => undefined);
    return { ...running, feeding };
  },
};
