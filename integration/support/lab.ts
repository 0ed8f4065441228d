// Labs from Linux network namespaces: made and torn down by the tests themselves. Every
// namespace gets a name unique to the run; every process started in one is tracked and killed
// on teardown, also when a test fails or the process exits early. Addresses come from the
// documentation ranges only, and traffic never leaves the namespaces.
import { type ChildProcess, execFile, execFileSync, spawn, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

let labCounter = 0;
const liveLabs = new Set<Lab>();

// Last resort: a crashed test run still removes its namespaces and daemons.
process.once('exit', () => {
  for (const lab of liveLabs) lab.destroySync();
});

/** Why labs cannot run here, or undefined when they can. */
export function labSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces';
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
  } catch {
    return 'iproute2 (`ip netns`) is not available';
  }
  return undefined;
}

/** Whether a program is on PATH (or an absolute path exists and runs). */
export function haveProgram(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface ExecResult {
  stdout: string;
  stderr: string;
}

export class Lab {
  /** Short and unique to this run: namespace names are `${id}-${name}`. */
  readonly id: string;
  readonly dir: string;
  private readonly namespaces: string[] = [];
  private readonly processes: ChildProcess[] = [];
  private readonly cleanups: Array<() => void> = [];

  constructor(label = 'lab') {
    this.id = `vs${label.slice(0, 6)}${process.pid.toString(36)}${(labCounter++).toString(36)}`;
    this.dir = mkdtempSync(join(tmpdir(), `${this.id}-`));
    liveLabs.add(this);
  }

  ns(name: string): string {
    return `${this.id}-${name}`;
  }

  async addNamespace(name: string): Promise<string> {
    const ns = this.ns(name);
    await run('ip', ['netns', 'add', ns]);
    this.namespaces.push(ns);
    await this.exec(name, 'ip', ['link', 'set', 'lo', 'up']);
    // Addresses are usable at once: no duplicate address detection delay inside the lab.
    await this.exec(name, 'sysctl', ['-qw', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0']);
    // A link cut must not flush IPv6 addresses, as it does by default: the lab cuts links on purpose.
    await this.exec(name, 'sysctl', ['-qw', 'net.ipv6.conf.all.keep_addr_on_down=1', 'net.ipv6.conf.default.keep_addr_on_down=1']);
    return ns;
  }

  /** A veth pair between two namespaces of this lab, both ends up. */
  async link(a: string, ifA: string, b: string, ifB: string): Promise<void> {
    await run('ip', ['link', 'add', ifA, 'netns', this.ns(a), 'type', 'veth', 'peer', 'name', ifB, 'netns', this.ns(b)]);
    await this.exec(a, 'ip', ['link', 'set', ifA, 'up']);
    await this.exec(b, 'ip', ['link', 'set', ifB, 'up']);
  }

  async addAddress(name: string, ifname: string, cidr: string): Promise<void> {
    const extra = cidr.includes(':') ? ['nodad'] : [];
    await this.exec(name, 'ip', ['addr', 'add', cidr, 'dev', ifname, ...extra]);
  }

  async exec(name: string, cmd: string, args: string[], options: { timeoutMs?: number } = {}): Promise<ExecResult> {
    return run('ip', ['netns', 'exec', this.ns(name), cmd, ...args], options.timeoutMs);
  }

  /** Starts a long-running process inside a namespace; it is killed on teardown. */
  spawn(name: string, cmd: string, args: string[], options: SpawnOptions = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', this.ns(name), cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    this.processes.push(child);
    return child;
  }

  /** Registers a cleanup step run on teardown, before the namespaces are deleted. */
  onTeardown(fn: () => void): void {
    this.cleanups.push(fn);
  }

  async destroy(): Promise<void> {
    this.destroySync();
  }

  /** Kills every process of the lab (tracked or not, by namespace) and deletes the namespaces. */
  destroySync(): void {
    if (!liveLabs.has(this)) return;
    liveLabs.delete(this);
    for (const fn of this.cleanups.reverse()) {
      try {
        fn();
      } catch {
        // keep tearing down
      }
    }
    for (const child of this.processes) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const ns of this.namespaces) {
      try {
        const pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split(/\s+/).filter(Boolean);
        for (const pid of pids) {
          try {
            process.kill(Number(pid), 'SIGKILL');
          } catch {
            // already gone
          }
        }
      } catch {
        // namespace already gone
      }
    }
    for (const ns of this.namespaces) {
      for (let attempt = 0; attempt < 20; attempt++) {
        try {
          execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
          break;
        } catch {
          execFileSync('sleep', ['0.05']);
        }
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function run(cmd: string, args: string[], timeoutMs = 30_000): Promise<ExecResult> {
  try {
    const { stdout, stderr } = await execFileP(cmd, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    return { stdout, stderr };
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
