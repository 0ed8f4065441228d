// The labs' invariant checker. Over and over, it reads every router's BGP table (FRR, through
// vtysh) and every node's VIP interface (ip -j addr), works out the desired set from the same
// sources the daemons serve (desired.ts: each node's config file, the fake API server's
// Services, EndpointSlices and services Lease), and compares. Every difference is keyed (where,
// kind, subject) and timed from the first sample that saw it to the first that did not, so a
// run ends with each divergence and its duration; a fault is judged by how long the state took
// to come back to exactly the desired set once the fault was over.
//
// The kinds, per node and VIP:
//   missing-address  desired, not on the node's interface
//   extra-address    on the interface, not desired
//   missing-route    desired on the node, no path from it at the router
//   extra-route      a path from the node at the router, not desired there
//   unbacked-route   a path from the node for a VIP it should serve while its interface lacks
//                    the address: a blackhole of live traffic, the one the daemon must never
//                    cause (it announces only what is in place). A VIP no longer wanted is only
//                    an extra-route while its withdrawal travels: its address goes right after
//                    the withdrawal is sent, and nothing serves it any more anyway. To keep the
//                    race of the reads out, the interfaces and the cluster are read before and
//                    after the routers, and a blackhole needs the VIP wanted at both cluster
//                    reads and missing at both interface reads.
// and on the API side: `status` (an announced Service's status does not list its VIPs) and
// `lease` (the services Lease is not held by a node now).
//
// Durations are as fine as the sampling: each sample is a handful of processes (two vtysh, two ip
// per node), so a few hundred ms on a loaded machine; every report gives its resolution.
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { loadConfigFile } from '../../src/config/index.js';
import type { LabApiServer } from './apiserver-client.js';
import { type EndpointSliceLike, type LeaseLike, type NodeIntent, type ServiceLike, apiDifferences, desiredVips, hostPrefix } from './desired.js';
import { type Difference, type DifferenceKind, type Divergence, DivergenceTracker, type SampleRecord, type WindowReport } from './divergences.js';
import type { Frr } from './frr.js';
import type { Lab } from './lab.js';

export type { DifferenceKind, Divergence, SampleRecord, WindowReport } from './divergences.js';

export interface CheckedNode {
  name: string;
  /** The node's namespace (lab name). */
  ns: string;
  /** Its address as the routers see it: the peer of its paths. */
  peerAddress: string;
  configPath: string;
}

export interface CheckedRouter {
  name: string;
  frr: Frr;
}

export interface CheckerOptions {
  lab: Lab;
  nodes: CheckedNode[];
  routers: CheckedRouter[];
  api?: LabApiServer;
  /** The services Lease to check (namespace/name); checked when some node serves Services. */
  servicesLease?: { namespace: string; name: string };
  /** Pause between two samples, ms. */
  intervalMs?: number;
}

const SERVICES_LEASE = { namespace: 'kube-system', name: 'plndr-svcs-lock' };
const NOT_A_VIP = (a: string) => a.startsWith('127.') || a === '::1/128' || /^fe[89ab]/i.test(a);

interface FrrPathLite {
  valid?: boolean;
  peerId?: string;
}

export class InvariantChecker {
  private readonly t0 = performance.now();
  private readonly tracker = new DivergenceTracker();
  private readonly intents = new Map<string, { text: string; intent: NodeIntent | undefined }>();
  private running: Promise<void> | undefined;
  private stopping = false;
  private readonly listeners = new Set<(s: SampleRecord) => void>();

  constructor(private readonly options: CheckerOptions) {}

  /** Milliseconds since the checker was made: the time base of every figure. */
  now(): number {
    return performance.now() - this.t0;
  }

  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.running = (async () => {
      while (!this.stopping) {
        await this.sampleOnce();
        await new Promise((r) => setTimeout(r, this.options.intervalMs ?? 200));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
    this.running = undefined;
  }

  /** Takes one sample now: reads everything, compares, updates the divergences. */
  async sampleOnce(): Promise<SampleRecord> {
    const atMs = this.now();
    let record: SampleRecord;
    try {
      const { differences, desired } = await this.compare();
      record = { atMs, tookMs: this.now() - atMs, differences: differences.length, desired };
      this.tracker.observe(record, differences);
    } catch (err) {
      record = { atMs, tookMs: this.now() - atMs, differences: -1, desired: -1, error: (err as Error).message.slice(0, 300) };
      this.tracker.observe(record, undefined);
    }
    for (const l of [...this.listeners]) l(record);
    return record;
  }

  get samples(): readonly SampleRecord[] {
    return this.tracker.samples;
  }

  /** The divergences open now. */
  current(): Divergence[] {
    return this.tracker.current();
  }

  /**
   * Waits until `stableMs` of samples in a row show no difference (none failed); resolves with
   * the time of the first of them. Throws after `timeoutMs`, listing what still differs.
   */
  async converged(options: { timeoutMs: number; stableMs?: number }): Promise<number> {
    const stableMs = options.stableMs ?? 2000;
    const deadline = this.now() + options.timeoutMs;
    let since: number | undefined;
    return new Promise<number>((resolve, reject) => {
      const check = (s: SampleRecord) => {
        if (s.differences === 0) since ??= s.atMs;
        else since = undefined;
        if (since !== undefined && s.atMs - since >= stableMs) return finish(() => resolve(since!));
        if (s.atMs > deadline) {
          const left = this.current().slice(0, 12).map((d) => `${d.where} ${d.kind} ${d.subject}`).join('; ');
          finish(() => reject(new Error(`not converged within ${options.timeoutMs} ms: ${s.error ?? `${this.current().length} difference(s): ${left}`}`)));
        }
      };
      const finish = (f: () => void) => {
        this.listeners.delete(check);
        f();
      };
      this.listeners.add(check);
    });
  }

  /** Judges the window [fromMs, toMs] (toMs: now). */
  report(fromMs = 0, toMs = this.now()): WindowReport {
    return this.tracker.report(fromMs, toMs);
  }

  /** The node's intent from its config file: re-read when the content changes, kept when the new content is refused. */
  private intentOf(node: CheckedNode): NodeIntent | undefined {
    let text: string;
    try {
      text = readFileSync(node.configPath, 'utf8');
    } catch {
      return this.intents.get(node.name)?.intent;
    }
    const last = this.intents.get(node.name);
    if (last?.text === text) return last.intent;
    const loaded = loadConfigFile(node.configPath);
    const intent = loaded.ok
      ? { staticVips: loaded.value.vips.static.map((v) => v.address), vipInterface: loaded.value.vips.interface, services: loaded.value.kubernetes.services }
      : last?.intent;
    this.intents.set(node.name, { text, intent });
    return intent;
  }

  private async compare(): Promise<{ differences: Difference[]; desired: number }> {
    const { lab, nodes, routers, api } = this.options;
    const intents = new Map(nodes.map((n) => [n.name, this.intentOf(n)]));
    const anyServices = [...intents.values()].some((i) => i?.services);
    const lease = this.options.servicesLease ?? SERVICES_LEASE;
    const [services, slices, leases] = api && anyServices
      ? await Promise.all([api.list<ServiceLike>('Service'), api.list<EndpointSliceLike>('EndpointSlice'), api.list<LeaseLike & { metadata?: { namespace?: string; name?: string } }>('Lease', lease.namespace)])
      : [[], [], []];
    const desired = desiredVips(intents, services, slices);
    const interfaces = async () => {
      const read = new Map<string, Set<string>>();
      await Promise.all(nodes.map(async (n) => read.set(n.name, await readInterface(lab, n.ns, intents.get(n.name)?.vipInterface ?? 'lo'))));
      return read;
    };
    // The interfaces are read before and after the routers: an address is added before its
    // route is announced and removed after it is withdrawn, so a route is unbacked only when
    // its address was missing at both reads (else the race of the reads would count as one).
    const before = await interfaces();
    const byPeer = new Map(nodes.map((n) => [n.peerAddress, n.name]));
    const tables = await Promise.all(routers.map(async (r) => ({ router: r.name, paths: await readPaths(r.frr, byPeer) })));
    const onInterface = await interfaces();
    // The cluster read again: a Service deleted during the reads took its VIP off the node
    // rightly, so a blackhole counts only for VIPs wanted at both reads.
    const wantedAfter = api && anyServices
      ? desiredVips(intents, await api.list<ServiceLike>('Service'), await api.list<EndpointSliceLike>('EndpointSlice'))
      : desired;

    const out: Difference[] = [];
    const add = (where: string, kind: DifferenceKind, subject: string) => out.push({ where, kind, subject });
    for (const n of nodes) {
      const want = desired.get(n.name)!;
      const have = onInterface.get(n.name)!;
      const where = `${n.name}:${intents.get(n.name)?.vipInterface ?? 'lo'}`;
      for (const v of want) if (!have.has(v)) add(where, 'missing-address', v);
      for (const v of have) if (!want.has(v)) add(where, 'extra-address', v);
      for (const t of tables) {
        const from = t.paths.get(n.name) ?? new Set<string>();
        const at = `${t.router}<-${n.name}`;
        for (const v of want) if (!from.has(v)) add(at, 'missing-route', v);
        for (const v of from) {
          if (!want.has(v)) add(at, 'extra-route', v);
          if (want.has(v) && wantedAfter.get(n.name)!.has(v) && !have.has(v) && !before.get(n.name)!.has(v)) add(at, 'unbacked-route', v);
        }
      }
    }
    if (api && anyServices) {
      const held = leases.find((l) => l.metadata?.name === lease.name);
      for (const d of apiDifferences(desired, services, held, nodes.map((n) => n.name), Date.now())) add('api', d.kind, d.subject);
    }
    return { differences: out, desired: [...desired.values()].reduce((sum, s) => sum + s.size, 0) };
  }
}

/** The VIP-like addresses on an interface, canonical; empty when the interface does not exist. */
export async function readInterface(lab: Lab, ns: string, ifname: string): Promise<Set<string>> {
  let stdout: string;
  try {
    ({ stdout } = await lab.exec(ns, 'ip', ['-j', 'addr', 'show', 'dev', ifname], { timeoutMs: 15_000 }));
  } catch (err) {
    if (/does not exist/.test((err as Error).message)) return new Set();
    throw err;
  }
  const links = JSON.parse(stdout) as Array<{ addr_info?: Array<{ local: string; prefixlen: number }> }>;
  const out = new Set<string>();
  for (const a of links[0]?.addr_info ?? []) {
    const text = `${a.local}/${a.prefixlen}`;
    if (NOT_A_VIP(text)) continue;
    out.add(hostPrefix(text) ?? text);
  }
  return out;
}

/** Per node (by its peer address), the prefixes the router holds a valid path for from it. */
async function readPaths(frr: Frr, byPeer: ReadonlyMap<string, string>): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  for (const family of ['ipv4', 'ipv6'] as const) {
    const j = await frr.json<{ routes?: Record<string, FrrPathLite[]> }>(`show bgp ${family} unicast json`);
    for (const [prefix, paths] of Object.entries(j.routes ?? {})) {
      for (const p of paths) {
        if (p.valid === false) continue;
        const node = byPeer.get(p.peerId ?? '') ?? `peer ${p.peerId}`;
        const set = out.get(node) ?? new Set<string>();
        set.add(hostPrefix(prefix) ?? prefix);
        out.set(node, set);
      }
    }
  }
  return out;
}
