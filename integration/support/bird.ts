// BIRD 2 inside a lab namespace, in the foreground, configured from a text config and read back
// through `birdc` on its own control socket.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Daemon } from './daemon.js';
import { type Lab, haveProgram, waitFor } from './lab.js';

export function birdSkipReason(): string | undefined {
  return haveProgram('bird') && haveProgram('birdc') ? undefined : 'BIRD 2 is not installed (apt-get install bird2)';
}

export function birdVersion(): string {
  // BIRD prints its version on stderr.
  const r = spawnSync('bird', ['--version'], { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`.match(/version (\S+)/)?.[1] ?? 'unknown';
}

/** A BGP-ish prefix at the start of a `show route` line: `198.51.100.1/32` or `2001:db8:e::1/128`. */
const ROUTE_LINE = /^([0-9a-fA-F.:]+\/\d+)\s/;

export class Bird {
  private readonly daemon: Daemon;
  private readonly configFile: string;
  private readonly socket: string;

  constructor(
    private readonly lab: Lab,
    readonly nsName: string,
    config: string,
  ) {
    this.configFile = join(lab.dir, `bird-${nsName}.conf`);
    this.socket = join(lab.dir, `bird-${nsName}.ctl`);
    this.daemon = new Daemon(lab, nsName, join(lab.dir, `bird-${nsName}.log`));
    writeFileSync(this.configFile, config);
  }

  async start(): Promise<void> {
    this.daemon.start('bird', ['-f', '-c', this.configFile, '-s', this.socket]);
    await waitFor(
      'BIRD control socket',
      async () => {
        if (!this.daemon.running) throw new Error(`bird exited: ${this.daemon.logTail()}`);
        return /Daemon is up and running/.test(await this.birdc('show', 'status')) ? true : undefined;
      },
      10_000,
      100,
    );
  }

  /** SIGTERM is BIRD's shutdown: every protocol goes down with a Cease before it exits. */
  async restart(): Promise<void> {
    await this.daemon.stop('SIGTERM');
    await this.start();
  }

  killSync(): void {
    this.daemon.killSync();
  }

  async birdc(...command: string[]): Promise<string> {
    const { stdout } = await this.lab.exec(this.nsName, 'birdc', ['-s', this.socket, ...command], { timeoutMs: 15_000 });
    return stdout;
  }

  /** The BGP state of a protocol ("Established", "Active", "Idle", ...), or undefined. */
  async bgpState(protocol: string): Promise<string | undefined> {
    return (await this.birdc('show', 'protocols', 'all', protocol)).match(/BGP state:\s+(\S+)/)?.[1];
  }

  /** Prefixes of every table that this protocol imported (best or not). */
  async prefixesFrom(protocol: string): Promise<string[]> {
    const out = await this.birdc('show', 'route', 'protocol', protocol);
    const prefixes = new Set<string>();
    for (const line of out.split('\n')) {
      const m = ROUTE_LINE.exec(line);
      if (m) prefixes.add(m[1]!);
    }
    return [...prefixes].sort();
  }
}
