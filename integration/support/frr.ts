// FRR (zebra + bgpd, and bfdd when asked) inside a lab namespace, configured from a text
// config and read back through `vtysh ... json`.
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { type Lab, waitFor } from './lab.js';

const FRR_LIB = '/usr/lib/frr';

function frrIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'frr'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'frr'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

export function frrSkipReason(): string | undefined {
  return existsSync(join(FRR_LIB, 'bgpd')) ? undefined : 'FRR is not installed (scripts/setup.sh installs it)';
}

export interface FrrRoutePath {
  nexthops: Array<{ ip?: string; afi?: string; used?: boolean }>;
  valid?: boolean;
  stale?: boolean;
  bestpath?: { overall?: boolean };
  multipath?: boolean;
  aspath?: { string?: string };
  community?: { string?: string };
  largeCommunity?: { string?: string };
  med?: number;
  metric?: number;
  locPrf?: number;
  /** Set in `show bgp ... json` (the table view). */
  peerId?: string;
  /** Set in `show bgp ... PREFIX json` (the detail view). */
  peer?: { peerId?: string };
}

/** One BFD session as `show bfd peers json` gives it (the fields the labs read). */
export interface FrrBfdPeer {
  peer: string;
  local?: string;
  multihop?: boolean;
  status: string;
  diagnostic?: string;
  'remote-diagnostic'?: string;
  id?: number;
  'remote-id'?: number;
  'transmit-interval'?: number;
  'receive-interval'?: number;
  'detect-multiplier'?: number;
  'remote-transmit-interval'?: number;
  'remote-receive-interval'?: number;
  'remote-detect-multiplier'?: number;
}

export interface FrrOptions {
  /** Start bfdd with this configuration (bfdd.conf; '' for none), between zebra and bgpd. */
  bfdd?: string;
}

export class Frr {
  readonly dir: string;
  private readonly vtyDir: string;

  constructor(
    private readonly lab: Lab,
    readonly nsName: string,
    private config: string,
    private readonly options: FrrOptions = {},
  ) {
    this.dir = join(lab.dir, `frr-${nsName}`);
    this.vtyDir = `/var/run/frr/${lab.ns(nsName)}`;
  }

  private get ns(): string {
    return this.lab.ns(this.nsName);
  }

  async start(): Promise<void> {
    const { uid, gid } = frrIds();
    mkdirSync(this.dir, { recursive: true });
    mkdirSync(this.vtyDir, { recursive: true });
    writeFileSync(join(this.dir, 'zebra.conf'), `hostname ${this.nsName}\nlog file ${join(this.dir, 'zebra.log')} informational\n`);
    writeFileSync(join(this.dir, 'bgpd.conf'), this.config);
    for (const p of [this.dir, this.vtyDir, join(this.dir, 'zebra.conf'), join(this.dir, 'bgpd.conf')]) chownSync(p, uid, gid);
    // FRR drops privileges to the frr user, which must reach the lab folder.
    execFileSync('chmod', ['755', this.lab.dir]);
    this.lab.onTeardown(() => this.killSync());
    const common = ['-d', '-N', this.ns, '--vty_socket', this.vtyDir, '-z', join(this.vtyDir, 'zserv.api')];
    await this.lab.exec(this.nsName, join(FRR_LIB, 'zebra'), [...common, '-f', join(this.dir, 'zebra.conf'), '-i', join(this.dir, 'zebra.pid')]);
    await waitFor('zebra socket', () => (existsSync(join(this.vtyDir, 'zserv.api')) ? true : undefined), 10_000, 50);
    if (this.options.bfdd !== undefined) await this.startBfdd(this.options.bfdd, common);
    await this.startBgpd();
  }

  /** bfdd, with its control socket in this namespace's folder so that labs never share one. */
  private async startBfdd(config: string, common: string[]): Promise<void> {
    const { uid, gid } = frrIds();
    const file = join(this.dir, 'bfdd.conf');
    writeFileSync(file, config);
    chownSync(file, uid, gid);
    const args = [...common, '--bfdctl', join(this.vtyDir, 'bfdd.sock'), '-f', file, '-i', join(this.dir, 'bfdd.pid'), '--log', `file:${join(this.dir, 'bfdd.log')}`];
    await this.lab.exec(this.nsName, join(FRR_LIB, 'bfdd'), args);
    await waitFor('bfdd vty', async () => ((await this.vtysh('show bfd peers json').catch(() => '')) ? true : undefined), 10_000, 100);
  }

  /** `show bfd peers json`. */
  async bfdPeers(): Promise<FrrBfdPeer[]> {
    return this.json<FrrBfdPeer[]>('show bfd peers json');
  }

  private async startBgpd(): Promise<void> {
    const common = ['-d', '-N', this.ns, '--vty_socket', this.vtyDir, '-z', join(this.vtyDir, 'zserv.api')];
    rmSync(join(this.dir, 'bgpd.pid'), { force: true });
    await this.lab.exec(this.nsName, join(FRR_LIB, 'bgpd'), [...common, '-f', join(this.dir, 'bgpd.conf'), '-i', join(this.dir, 'bgpd.pid')]);
    await waitFor('bgpd vty', async () => ((await this.vtysh('show bgp summary json').catch(() => '')) ? true : undefined), 10_000, 100);
  }

  /** Stops bgpd (SIGTERM: it sends Cease to its peers) and starts it again with the same config. */
  async restartBgpd(): Promise<void> {
    this.killDaemon('bgpd', 'SIGTERM');
    await waitFor('bgpd to exit', () => (this.pidAlive('bgpd') ? undefined : true), 10_000, 50);
    await this.startBgpd();
  }

  private pid(daemon: string): number | undefined {
    try {
      return Number(readFileSync(join(this.dir, `${daemon}.pid`), 'utf8').trim()) || undefined;
    } catch {
      return undefined;
    }
  }

  private pidAlive(daemon: string): boolean {
    const pid = this.pid(daemon);
    if (!pid) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  private killDaemon(daemon: string, signal: NodeJS.Signals): void {
    const pid = this.pid(daemon);
    if (!pid) return;
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }

  killSync(): void {
    this.killDaemon('bgpd', 'SIGKILL');
    this.killDaemon('bfdd', 'SIGKILL');
    this.killDaemon('zebra', 'SIGKILL');
    rmSync(this.vtyDir, { recursive: true, force: true });
  }

  /** NOTIFICATIONs bgpd sent to a neighbour since it started (its messageStats). */
  async notificationsSentTo(address: string): Promise<number> {
    const j = await this.json<Record<string, { messageStats?: { notificationsSent?: number } }>>(`show bgp neighbors ${address} json`);
    return j[address]?.messageStats?.notificationsSent ?? 0;
  }

  async vtysh(...commands: string[]): Promise<string> {
    const args = ['--vty_socket', this.vtyDir];
    for (const c of commands) args.push('-c', c);
    const { stdout } = await this.lab.exec(this.nsName, 'vtysh', args, { timeoutMs: 15_000 });
    return stdout;
  }

  async json<T = unknown>(command: string): Promise<T> {
    return JSON.parse(await this.vtysh(command)) as T;
  }

  /** Applies configuration lines in `configure terminal`. */
  async configure(...lines: string[]): Promise<void> {
    await this.vtysh('configure terminal', ...lines);
  }

  /** The neighbour's BGP state ("Established", "Active", ...), or undefined if unknown. */
  async neighborState(address: string): Promise<string | undefined> {
    const j = await this.json<Record<string, { bgpState?: string }>>(`show bgp neighbors ${address} json`);
    return j[address]?.bgpState;
  }

  /** Routes of one family, by prefix, with FRR's own path records. */
  async routes(family: 'ipv4' | 'ipv6'): Promise<Record<string, FrrRoutePath[]>> {
    const j = await this.json<{ routes?: Record<string, FrrRoutePath[]> }>(`show bgp ${family} unicast json`);
    return j.routes ?? {};
  }

  /** Full detail of one prefix (communities, large communities, stale flag). */
  async route(family: 'ipv4' | 'ipv6', prefix: string): Promise<{ paths?: FrrRoutePath[] } | undefined> {
    const j = await this.json<{ paths?: FrrRoutePath[]; prefix?: string }>(`show bgp ${family} unicast ${prefix} json`);
    return j.paths ? j : undefined;
  }
}
