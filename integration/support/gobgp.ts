// GoBGP (gobgpd) inside a lab namespace, in the foreground, configured from a TOML file and read
// back through the `gobgp` CLI over its gRPC API. The API listens on the namespace's own
// loopback, so the fixed port cannot clash with another lab or with the host.
import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Daemon } from './daemon.js';
import { type Lab, haveProgram, waitFor } from './lab.js';

const execFileP = promisify(execFile);

const API_HOST = '127.0.0.1';
const API_PORT = 50051;

export function gobgpSkipReason(): string | undefined {
  return haveProgram('gobgpd') && haveProgram('gobgp') ? undefined : 'GoBGP is not installed (apt-get install gobgpd)';
}

export function gobgpVersion(): string {
  return execFileSync('gobgpd', ['--version'], { encoding: 'utf8' }).match(/version (\S+)/)?.[1] ?? 'unknown';
}

/** The parts of `gobgp neighbor ADDR -j` that the lab reads. */
export interface GobgpPeer {
  conf?: { neighbor_address?: string };
  state?: { session_state?: number | string; admin_state?: number | string };
}

/** gRPC `PeerState.SessionState`: the CLI's JSON prints the enum as its number. */
const SESSION_STATE_ESTABLISHED = 6;

export class Gobgp {
  private readonly daemon: Daemon;
  private readonly configFile: string;

  constructor(
    private readonly lab: Lab,
    readonly nsName: string,
    config: string,
  ) {
    this.configFile = join(lab.dir, `gobgpd-${nsName}.toml`);
    this.daemon = new Daemon(lab, nsName, join(lab.dir, `gobgpd-${nsName}.log`));
    writeFileSync(this.configFile, config);
  }

  async start(): Promise<void> {
    this.daemon.start('gobgpd', ['-f', this.configFile, '-t', 'toml', '--api-hosts', `${API_HOST}:${API_PORT}`, '--pprof-disable', '--log-plain', '--log-level', 'info']);
    // The API answers before the config file is loaded: wait until the neighbours exist.
    await waitFor(
      'gobgpd API and neighbours',
      async () => {
        if (!this.daemon.running) throw new Error(`gobgpd exited: ${this.daemon.logTail()}`);
        return JSON.parse(await this.gobgp('neighbor', '-j')).length > 0 ? true : undefined;
      },
      15_000,
      100,
    );
  }

  /** SIGTERM stops gobgpd, which closes its sessions with a Cease first. */
  async restart(): Promise<void> {
    await this.daemon.stop('SIGTERM');
    await this.start();
  }

  killSync(): void {
    this.daemon.killSync();
  }

  async gobgp(...args: string[]): Promise<string> {
    const { stdout } = await this.lab.exec(this.nsName, 'gobgp', ['-u', API_HOST, '-p', String(API_PORT), ...args], { timeoutMs: 15_000 });
    return stdout;
  }

  async neighbor(address: string): Promise<GobgpPeer> {
    return JSON.parse(await this.gobgp('neighbor', address, '-j')) as GobgpPeer;
  }

  async established(address: string): Promise<boolean> {
    const state = (await this.neighbor(address)).state?.session_state;
    return state === SESSION_STATE_ESTABLISHED || state === 'ESTABLISHED';
  }

  /** Prefixes in the neighbour's Adj-RIB-In (what it sent us, before policy), both families. */
  async adjIn(address: string): Promise<string[]> {
    const out: string[] = [];
    for (const family of ['ipv4', 'ipv6']) {
      const { code, stdout } = await this.gobgpStatus('neighbor', address, 'adj-in', '-a', family, '-j');
      const answer = JSON.parse(stdout || '{}') as Record<string, unknown> & { error?: string };
      if (code !== 0) {
        // GoBGP drops a peer's Adj-RIB-In with its session, and says so instead of printing {}.
        if (/not established/.test(String(answer.error))) return [];
        throw new Error(`gobgp adj-in ${address} ${family}: ${stdout.trim()}`);
      }
      out.push(...Object.keys(answer));
    }
    return out.sort();
  }

  /** Runs the CLI and keeps its exit code and output: with -j, its errors are JSON on stdout. */
  private async gobgpStatus(...args: string[]): Promise<{ code: number; stdout: string }> {
    const argv = ['netns', 'exec', this.lab.ns(this.nsName), 'gobgp', '-u', API_HOST, '-p', String(API_PORT), ...args];
    try {
      const { stdout } = await execFileP('ip', argv, { timeout: 15_000 });
      return { code: 0, stdout };
    } catch (err) {
      const e = err as Error & { code?: number | string; stdout?: string };
      if (typeof e.code !== 'number') throw err;
      return { code: e.code, stdout: e.stdout ?? '' };
    }
  }
}
