// One routing daemon kept in the foreground inside a lab namespace. It is started through the
// Lab (so teardown kills it whatever happens), its output goes to a log file rather than a pipe
// nobody drains (a full pipe would stall the daemon), and it can be stopped politely for a
// restart or killed at once.
import type { ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import type { Lab } from './lab.js';

export class Daemon {
  private child: ChildProcess | undefined;

  constructor(
    private readonly lab: Lab,
    private readonly nsName: string,
    readonly logFile: string,
  ) {
    lab.onTeardown(() => this.killSync());
  }

  start(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
    const fd = openSync(this.logFile, 'a');
    try {
      const child = this.lab.spawn(this.nsName, cmd, args, { stdio: ['ignore', fd, fd], env });
      // A failed spawn is seen by the caller's readiness wait; it must not crash the test run.
      child.on('error', () => undefined);
      this.child = child;
    } finally {
      closeSync(fd);
    }
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Signals the daemon (SIGTERM: it says goodbye to its peers) and waits; SIGKILL after the grace time. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  killSync(): void {
    if (this.running) this.child!.kill('SIGKILL');
  }

  /** The end of the daemon's output, for error messages. */
  logTail(chars = 2000): string {
    return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8').slice(-chars) : '';
  }
}
