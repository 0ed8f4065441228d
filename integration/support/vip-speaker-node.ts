// vip-speaker itself (the built CLI) running as a daemon inside a lab namespace, configured by
// a YAML file in the lab folder; read back through `vip-speaker status --json` in the same
// namespace (its admin endpoint is on the namespace's loopback).
import { type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Lab, waitFor } from './lab.js';

export const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));

export interface NodeStatus {
  ready: { ok: boolean; reasons: string[] };
  peers: Array<{ address: string; state: string; prefixesSent: number; lastError: string | null }>;
  vips: Array<{ address: string; owners: string[]; inPlace: boolean; announced: boolean }>;
}

export class VipSpeakerNode {
  readonly configPath: string;
  readonly logPath: string;
  private child: ChildProcess | undefined;

  constructor(
    private readonly lab: Lab,
    readonly nsName: string,
    config: string,
    /** A config file the test keeps itself (a ConfigMap-style volume); `config` is then not written. */
    options: { configPath?: string } = {},
  ) {
    this.configPath = options.configPath ?? join(lab.dir, `${nsName}.yaml`);
    this.logPath = join(lab.dir, `${nsName}.log`);
    if (options.configPath === undefined) writeFileSync(this.configPath, config);
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The daemon's process id while it runs (`ip netns exec` and `setpriv` exec it in place). */
  get pid(): number | undefined {
    return this.running ? this.child!.pid : undefined;
  }

  /**
   * Starts the daemon and waits until its admin endpoint answers. With `env`, it runs from
   * those environment variables alone (kube-vip's), without the config file. `prefix` runs it
   * through a command that execs it (`setpriv --bounding-set -net_admin`, say).
   */
  async start(extraArgs: string[] = [], env?: Record<string, string>, options: { prefix?: string[] } = {}): Promise<void> {
    const fd = openSync(this.logPath, 'a');
    try {
      const args = env ? ['--enable-source-maps', CLI, 'run', ...extraArgs] : ['--enable-source-maps', CLI, 'run', '--config', this.configPath, ...extraArgs];
      const childEnv = env ? { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } : process.env;
      const [cmd, ...rest] = [...(options.prefix ?? []), process.execPath, ...args];
      this.child = this.lab.spawn(this.nsName, cmd!, rest, { stdio: ['ignore', fd, fd], env: childEnv });
    } finally {
      closeSync(fd);
    }
    await waitFor(`vip-speaker on ${this.nsName} to answer (log: ${this.logPath})`, async () => {
      if (!this.running) throw new Error(`vip-speaker on ${this.nsName} exited: ${this.log().slice(-2000)}`);
      return (await this.status().catch(() => undefined)) ? true : undefined;
    }, 20_000, 100);
  }

  log(): string {
    try {
      return readFileSync(this.logPath, 'utf8');
    } catch {
      return '';
    }
  }

  /** Rewrites the config; the daemon sees the change (file watch) and applies it. */
  writeConfig(config: string): void {
    writeFileSync(this.configPath, config);
  }

  async status(): Promise<NodeStatus> {
    const { stdout } = await this.lab.exec(this.nsName, process.execPath, [CLI, 'status', '--json'], { timeoutMs: 5000 });
    return JSON.parse(stdout) as NodeStatus;
  }

  /** The daemon's /metrics (the admin endpoint on the namespace's loopback, default port). */
  async metrics(port = 9469): Promise<string> {
    const script = `fetch('http://127.0.0.1:${port}/metrics').then((r) => r.text()).then((t) => process.stdout.write(t))`;
    const { stdout } = await this.lab.exec(this.nsName, process.execPath, ['-e', script], { timeoutMs: 5000 });
    return stdout;
  }

  /** One sample of the metrics: the series `name` whose labels include `labels`; 0 when absent. */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
    for (const line of (await this.metrics()).split('\n')) {
      const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (m?.[1] !== name) continue;
      const have = (m[2] ?? '').split(',');
      if (wanted.every((w) => have.includes(w))) return Number(m[3]);
    }
    return 0;
  }

  /** SIGTERM, as Kubernetes stops a pod; resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (!this.running) return this.child?.exitCode ?? null;
    const exited = new Promise<number | null>((r) => this.child!.once('exit', (code) => r(code)));
    this.child!.kill('SIGTERM');
    return exited;
  }

  /** Sends a signal as is (SIGSTOP freezes the daemon, SIGCONT lets it go on). */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child!.kill(signal);
  }

  /** SIGKILL: no withdrawal, no cleanup, as a crash. */
  async kill(): Promise<void> {
    if (!this.running) return;
    const exited = new Promise<void>((r) => this.child!.once('exit', () => r()));
    this.child!.kill('SIGKILL');
    await exited;
  }

  /** Addresses on the namespace's lo other than the loopback ones. */
  async loAddresses(): Promise<string[]> {
    const { stdout } = await this.lab.exec(this.nsName, 'ip', ['-j', 'addr', 'show', 'dev', 'lo']);
    const [link] = JSON.parse(stdout) as Array<{ addr_info: Array<{ local: string; prefixlen: number }> }>;
    return (link?.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`).filter((a) => a !== '127.0.0.1/8' && a !== '::1/128');
  }
}
