// What changed between two validated configurations, so that a reloaded file is applied
// without a restart: peers are matched by address, static VIPs by prefix. A change of the
// node's identity (mode, AS, router id, listener, timers, graceful restart) changes what every
// OPEN says, so the daemon re-peers every session; `nodeChanges` says which part changed.
import type { DaemonConfig, PeerSpec, StaticVip } from './types.js';

export interface ConfigDiff {
  /** Every session must be re-established. */
  nodeChanged: boolean;
  /** Which identity settings changed: 'node.asn', 'timers.holdTime', 'listen', ... */
  nodeChanges: string[];
  peersAdded: PeerSpec[];
  peersRemoved: PeerSpec[];
  /** The new spec of each peer whose settings changed (it is re-peered). */
  peersChanged: PeerSpec[];
  /** For each changed peer, which settings changed ('password', not its value). */
  peerChanges: { address: string; fields: string[] }[];
  vipsAdded: StaticVip[];
  vipsRemoved: StaticVip[];
  /** Same prefix, other communities: the new spec. */
  vipsChanged: StaticVip[];
  /** Other sections that changed: 'vips.interface', 'vips.placement', 'admin', 'log', 'kubernetes', 'arp'. */
  otherChanges: string[];
  unchanged: boolean;
}

export function diffConfig(before: DaemonConfig, after: DaemonConfig): ConfigDiff {
  const nodeChanges = [
    ...changedFields('', { mode: before.mode }, { mode: after.mode }),
    ...changedFields('node', identity(before), identity(after)),
    ...(same(before.listen, after.listen) ? [] : ['listen']),
    ...changedFields('timers', before.timers, after.timers),
    ...changedFields('gracefulRestart', before.gracefulRestart, after.gracefulRestart),
  ];
  const peers = matchBy(before.peers, after.peers, (p) => p.address);
  const peerChanges = peers.both
    .map(([old, next]) => ({ address: next.address, fields: changedFields('', old, next) }))
    .filter((c) => c.fields.length > 0);
  const vips = matchBy(before.vips.static, after.vips.static, (v) => v.address);
  const vipsChanged = vips.both.filter(([old, next]) => !sameVip(old, next)).map(([, next]) => next);
  const otherChanges = [
    ...(before.vips.interface === after.vips.interface ? [] : ['vips.interface']),
    ...(before.vips.placement === after.vips.placement ? [] : ['vips.placement']),
    ...(['admin', 'log', 'kubernetes', 'arp'] as const).filter((key) => !same(before[key], after[key])),
  ];
  const peersChanged = peerChanges.map((c) => after.peers.find((p) => p.address === c.address)!);
  const diff: ConfigDiff = {
    nodeChanged: nodeChanges.length > 0,
    nodeChanges,
    peersAdded: peers.added,
    peersRemoved: peers.removed,
    peersChanged,
    peerChanges,
    vipsAdded: vips.added,
    vipsRemoved: vips.removed,
    vipsChanged,
    otherChanges,
    unchanged: false,
  };
  diff.unchanged = nodeChanges.length + peers.added.length + peers.removed.length + peersChanged.length +
    vips.added.length + vips.removed.length + vipsChanged.length + otherChanges.length === 0;
  return diff;
}

/** The identity fields; where the router id came from does not matter, only its value. */
function identity(config: DaemonConfig): Record<string, unknown> {
  return { asn: config.node.asn, routerId: config.node.routerId };
}

function matchBy<T>(before: readonly T[], after: readonly T[], key: (item: T) => string) {
  // A reload of 100,000 VIPs usually adds or removes a few: match the common head and tail in
  // order, and build maps for the middle only.
  let head = 0;
  while (head < before.length && head < after.length && key(before[head]!) === key(after[head]!)) head++;
  let tail = 0;
  while (tail < before.length - head && tail < after.length - head && key(before[before.length - 1 - tail]!) === key(after[after.length - 1 - tail]!)) tail++;
  const inOrder = (i: number): [T, T] => [before[i]!, after[i]!];
  const both: Array<[T, T]> = [];
  for (let i = 0; i < head; i++) both.push(inOrder(i));
  const restBefore = before.slice(head, before.length - tail);
  const restAfter = after.slice(head, after.length - tail);
  const old = new Map(restBefore.map((item) => [key(item), item]));
  const next = new Map(restAfter.map((item) => [key(item), item]));
  for (const item of restAfter) if (old.has(key(item))) both.push([old.get(key(item))!, item]);
  for (let i = 0; i < tail; i++) both.push([before[before.length - tail + i]!, after[after.length - tail + i]!]);
  return {
    added: restAfter.filter((item) => !old.has(key(item))),
    removed: restBefore.filter((item) => !next.has(key(item))),
    both,
  };
}

/** Names of the keys whose values differ, as `prefix.key`. */
function changedFields(prefix: string, a: object, b: object): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys]
    .filter((key) => !same((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]))
    .sort()
    .map((key) => (prefix === '' ? key : `${prefix}.${key}`));
}

/** Two static VIPs alike: the generic `same` is too slow for 100,000 of them on every reload. */
function sameVip(a: StaticVip, b: StaticVip): boolean {
  if (a === b) return true;
  const list = (x: readonly string[], y: readonly string[]) => x === y || (x.length === y.length && x.every((v, i) => v === y[i]));
  return a.address === b.address && list(a.communities, b.communities) && list(a.largeCommunities, b.largeCommunities);
}

/** Structural equality of plain config values (order of lists matters, key order does not). */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** What cannot change under a running process: a reload that changes one of them is refused whole. */
export const RESTART_ONLY: readonly string[] = ['mode', 'vips.interface', 'vips.placement', 'admin', 'arp', 'kubernetes'];

/** A reloaded configuration that is valid but cannot be applied to a running process. */
export class ReloadRefused extends Error {
  override readonly name = 'ReloadRefused';
  readonly code = 'CONFIG_RELOAD_REFUSED';
}

/** Throws ReloadRefused, naming every setting that needs a restart, when the difference holds one. */
export function refuseRestartOnly(d: ConfigDiff): void {
  const needRestart = [...d.nodeChanges, ...d.otherChanges].filter((c) => RESTART_ONLY.includes(c));
  if (needRestart.length) throw new ReloadRefused(`${needRestart.join(', ')} cannot change without a restart; the running configuration is kept`);
}
