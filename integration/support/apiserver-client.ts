// The fake API server (test/support/fake-apiserver/proc.ts) running inside a lab namespace,
// driven by JSON lines: the nodes' vip-speakers reach it over the lab's network.
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Lab } from './lab.js';

const PROC = fileURLToPath(new URL('../../test/support/fake-apiserver/proc.js', import.meta.url));

export class LabApiServer {
  private child: ChildProcess | undefined;
  private readonly lines: string[] = [];
  private waiters: Array<() => void> = [];
  url = '';
  kubeconfig = '';

  constructor(
    private readonly lab: Lab,
    private readonly nsName: string,
    private readonly host: string,
    private readonly port: number,
    /** Delay before each answer, as a busy control plane has. */
    private readonly latencyMs = 0,
    /** Requests worked on at once (kube-apiserver's max-requests-inflight); the rest queue. */
    private readonly capacity?: number,
  ) {}

  async start(): Promise<void> {
    this.child = this.lab.spawn(this.nsName, process.execPath, [PROC, this.host, String(this.port), String(this.latencyMs), ...(this.capacity !== undefined ? [String(this.capacity)] : [])], { stdio: ['pipe', 'pipe', 'inherit'] });
    createInterface({ input: this.child.stdout! }).on('line', (l) => {
      this.lines.push(l);
      for (const w of this.waiters.splice(0)) w();
    });
    const first = JSON.parse(await this.next()) as { url?: string; kubeconfig?: string; fatal?: string };
    if (first.fatal) throw new Error(`fake API server: ${first.fatal}`);
    this.url = first.url!;
    this.kubeconfig = first.kubeconfig!;
  }

  private async next(timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.lines.length === 0) {
      if (Date.now() > deadline) throw new Error('the fake API server did not answer');
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
    return this.lines.shift()!;
  }

  private async command<T = unknown>(c: object): Promise<T> {
    this.child!.stdin!.write(JSON.stringify(c) + '\n');
    const r = JSON.parse(await this.next()) as { ok: boolean; error?: string; value?: T };
    if (!r.ok) throw new Error(`fake API server refused ${JSON.stringify(c).slice(0, 200)}: ${r.error}`);
    return r.value as T;
  }

  async create(kind: string, object: object): Promise<void> {
    await this.command({ cmd: 'create', kind, object });
  }

  async createMany(kind: string, objects: object[]): Promise<void> {
    await this.command({ cmd: 'createMany', kind, objects });
  }

  /** Connections (open, peak, total), requests in flight (now, peak), the most non-watch requests within one second, and the request count. */
  stats(): Promise<{ connections: { open: number; peak: number; total: number }; inFlight: { now: number; peak: number; workedOnPeak: number }; maxPerSecond: number; requests: number }> {
    return this.command({ cmd: 'stats' });
  }

  async delete(kind: string, namespace: string, name: string): Promise<void> {
    await this.command({ cmd: 'delete', kind, namespace, name });
  }

  /** The object as the server holds it; throws (NotFound) when it does not exist. */
  get<T = Record<string, unknown>>(kind: string, namespace: string, name: string): Promise<T> {
    return this.command<T>({ cmd: 'get', kind, namespace, name });
  }

  /** Every object of a kind the server holds (in one namespace, or all). */
  list<T = Record<string, unknown>>(kind: string, namespace?: string): Promise<T[]> {
    return this.command<T[]>({ cmd: 'list', kind, ...(namespace !== undefined ? { namespace } : {}) });
  }

  /** An outage: watches cut, then connections refused (`refuse`) or answered 503 (`unavailable`). */
  async down(mode: 'refuse' | 'unavailable' = 'refuse'): Promise<void> {
    await this.command({ cmd: 'down', mode });
  }

  /** Back from an outage, listening on the same address. */
  async up(): Promise<void> {
    await this.command({ cmd: 'up' });
  }

  /** Drops the history: every watch or list from an older resourceVersion than the one returned now gets 410 Gone. */
  compact(): Promise<number> {
    return this.command<number>({ cmd: 'compact' });
  }

  /** Requests from now on get no answer until release(). */
  async hold(): Promise<void> {
    await this.command({ cmd: 'hold' });
  }

  async release(): Promise<void> {
    await this.command({ cmd: 'release' });
  }

  /** Ends every watch cleanly, as at a server-side timeout (clients watch again from where they were); returns how many. */
  breakWatches(): Promise<number> {
    return this.command<number>({ cmd: 'breakWatches' });
  }

  /** Every request the server answered so far: method, path, query, code. */
  requests(): Promise<Array<{ method: string; path: string; query: Record<string, string>; code?: number; at: number; connection: number }>> {
    return this.command({ cmd: 'requests' });
  }
}
