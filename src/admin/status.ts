// The /status document: one JSON object for `vip-speaker status` and for operators' scripts,
// built from what each part of the daemon reports. Its shape is the contract of `status --json`.
import type { PeerBfdStatus } from '../../bgp/index.js';
import type { ReconcileResult } from '../reconcile.js';
import type { DesiredVip } from '../registry/index.js';
import type { VipHolder } from './metrics.js';

/** One BGP session, as /status shows it. */
export interface PeerStatusDoc {
  address: string;
  port: number;
  asn: number;
  state: string;
  uptimeSeconds: number | null;
  prefixesSent: number;
  prefixesReceived: number;
  flaps: number;
  lastError: string | null;
  hostname: string | null;
  /** The BFD session with the peer, when BFD is on for it. */
  bfd: PeerBfdStatus | null;
}

/** What the mode in service reports: its sessions (BGP), its groups (ARP, or BGP with leader election). */
export interface ModeStatus {
  peers: PeerStatusDoc[];
  arp: unknown;
  /** BGP mode with kube-vip's leader election: the Leases stood for, and who announces each VIP. */
  elections?: unknown;
}

export interface StatusParts {
  version: string;
  mode: string;
  /** Wall time the daemon started, ms since the epoch. */
  startedAt: number;
  node: { asn: number; routerId: string };
  ready: { ok: boolean; reasons: string[] };
  modeStatus: ModeStatus;
  vips: readonly DesiredVip[];
  holders: readonly VipHolder[];
  inPlace(address: string): boolean;
  /** How a VIP is made local here: 'address', 'route', 'foreign' (an operator's), undefined when not in place. */
  placedAs(address: string): string | undefined;
  announced(address: string): boolean;
  lastReconcile: ReconcileResult | undefined;
  kubernetes: unknown;
  /** The configuration in force, passwords redacted. */
  config: unknown;
}

export function statusDocument(p: StatusParts): unknown {
  const holders = new Map(p.holders.map((h) => [h.address, h]));
  return {
    version: p.version,
    mode: p.mode,
    startedAt: new Date(p.startedAt).toISOString(),
    node: p.node,
    ready: p.ready,
    peers: p.modeStatus.peers,
    vips: p.vips.map((v) => ({
      address: v.address,
      owners: v.owners,
      inPlace: p.inPlace(v.address),
      placedAs: p.placedAs(v.address) ?? null,
      announced: p.announced(v.address),
      // BGP: to how many peers the route went in their current session (0 while every session is down).
      announcedTo: holders.get(v.address)?.advertised ?? null,
      communities: v.attributes.communities.map((c) => `${c >>> 16}:${c & 0xffff}`),
      mode: p.mode,
      // ARP: the node holding it, as its lease says, and when that node took over.
      leader: holders.get(v.address)?.leader || null,
      lastTakeover: holders.get(v.address)?.lastTakeover?.toISOString() ?? null,
    })),
    arp: p.modeStatus.arp,
    elections: p.modeStatus.elections ?? null,
    lastReconcile: p.lastReconcile ?? null,
    kubernetes: p.kubernetes,
    config: p.config,
  };
}
