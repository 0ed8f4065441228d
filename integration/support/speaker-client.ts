// Drives a speaker-proc.ts child inside a lab namespace: JSON commands in, JSON events out.
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { PeerConfig, SpeakerOptions } from '../../bgp/index.js';
import { type Lab, waitFor } from './lab.js';
import { SPEAKER_PROC_CONFIG } from './speaker-proc-config.js';

const PROC = fileURLToPath(new URL('./speaker-proc.js', import.meta.url));

export interface SpeakerEvent {
  event: string;
  [key: string]: unknown;
}

export interface PeerSummary {
  address: string;
  state: string;
  sent: number;
  received: number;
  lastError: string | null;
}

export class SpeakerProcess {
  private child: ChildProcess | undefined;
  readonly events: SpeakerEvent[] = [];
  private waiters: Array<() => void> = [];
  stderr = '';

  constructor(
    private readonly lab: Lab,
    private readonly nsName: string,
    readonly config: SpeakerOptions & { peers: PeerConfig[]; routes?: string[] },
  ) {}

  async start(): Promise<void> {
    this.events.length = 0;
    // The config (MD5 passwords included) goes in the environment, never on the command line,
    // where every user of the machine could read it (ps, /proc/PID/cmdline).
    const env = { ...process.env, [SPEAKER_PROC_CONFIG]: JSON.stringify(this.config) };
    const child = this.lab.spawn(this.nsName, process.execPath, ['--enable-source-maps', PROC], { stdio: ['pipe', 'pipe', 'pipe'], env });
    this.child = child;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        this.events.push(JSON.parse(line) as SpeakerEvent);
      } catch {
        this.events.push({ event: 'garbage', line });
      }
      for (const w of this.waiters.splice(0)) w();
    });
    child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    await this.waitEvent('started', (e) => e.event === 'started' || e.event === 'fatal', 15_000);
    const fatal = this.events.find((e) => e.event === 'fatal');
    if (fatal) throw new Error(`speaker failed to start: ${String(fatal.message)}`);
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  send(command: Record<string, unknown>): void {
    if (!this.running) throw new Error(`speaker is not running (stderr: ${this.stderr.slice(-500)})`);
    this.child!.stdin!.write(JSON.stringify(command) + '\n');
  }

  async waitEvent(what: string, match: (e: SpeakerEvent) => boolean, timeoutMs = 30_000, from = 0): Promise<SpeakerEvent> {
    return waitFor(`speaker event: ${what}`, () => this.events.slice(from).find(match), timeoutMs, 50);
  }

  async status(): Promise<PeerSummary[]> {
    const from = this.events.length;
    this.send({ cmd: 'status' });
    const e = await this.waitEvent('status', (x) => x.event === 'status', 10_000, from);
    return e.peers as PeerSummary[];
  }

  async peerState(address: string): Promise<string | undefined> {
    return (await this.status()).find((p) => p.address === address)?.state;
  }

  announce(prefix: string, extra: Record<string, unknown> = {}): void {
    this.send({ cmd: 'announce', prefix, ...extra });
  }

  withdraw(prefix: string): void {
    this.send({ cmd: 'withdraw', prefix });
  }

  /** Clean stop: withdraw, Cease (or graceful: close without NOTIFICATION), exit. */
  async stop(options: { graceful?: boolean; message?: string } = {}): Promise<void> {
    if (!this.running) return;
    const exited = new Promise<void>((r) => this.child!.once('exit', () => r()));
    this.send({ cmd: 'stop', ...options });
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (this.running) this.kill();
  }

  /** SIGKILL: no NOTIFICATION, no withdrawal, as a crash. */
  kill(): void {
    this.child?.kill('SIGKILL');
  }

  async killAndWait(): Promise<void> {
    if (!this.running) return;
    const exited = new Promise<void>((r) => this.child!.once('exit', () => r()));
    this.kill();
    await exited;
  }
}
