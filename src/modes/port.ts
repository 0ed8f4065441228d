// The one port through which VIPs reach the network. BGP mode (every node announces a route for
// each VIP) and ARP mode (one elected node holds each VIP and tells the segment) each implement
// it; the daemon composes config → registry → reconcile → the mode chosen and never asks which
// mode it holds. A mode's life, as BIRD's protocol hooks: prepare, start, reconfigure, stop, and
// what it reports meanwhile (readiness, status, metrics).
import type { Clock, PeerStatus, SpeakerOptions } from '../../bgp/index.js';
import type { ModeStatus, VipHolder } from '../admin/index.js';
import type { Announcer } from '../arp/index.js';
import type { ConfigDiff, DaemonConfig } from '../config/index.js';
import type { Cluster } from '../kubernetes/index.js';
import type { Logger } from '../log.js';
import type { ReconcileResult, RouteSink } from '../reconcile.js';
import type { VipRegistry } from '../registry/index.js';

export interface VipMode {
  readonly name: DaemonConfig['mode'];
  /** What the reconcile puts on the interface: every wanted VIP (BGP), or those this node holds (ARP). */
  readonly placed: VipRegistry;
  /** Where the reconcile announces routes; undefined when VIPs reach the network otherwise. */
  readonly routes: RouteSink | undefined;
  /** The cluster's Leases decide which node holds each VIP: the cluster sources watch them. */
  readonly holdsVipsByLease: boolean;
  /** A Service with externalTrafficPolicy: Local is held under a Lease of its own even without per-Service election (ARP mode). */
  readonly localPolicyLeases: boolean;
  /** First of all at start-up, before the slower work (ARP: clear what a killed run left). */
  prepare(): Promise<void>;
  /** With the configuration in force (node annotations applied) and the cluster's sources started. */
  start(context: { config: DaemonConfig; cluster: Cluster }): Promise<void>;
  /** After each reconcile, with what it did. */
  reconciled(result: ReconcileResult): void;
  /**
   * Applies the mode's part of a reloaded configuration (the daemon has refused what needs a
   * restart already); returns what changed, one line each.
   */
  reconfigure(diff: ConfigDiff, next: DaemonConfig): Promise<string[]>;
  /**
   * Stops. `teardown` withdraws every route and takes every VIP off the interface; the mode calls
   * it (unless it keeps routes for a graceful restart) before it releases anything that lets
   * another node take over (BGP mode after its Cease, which takes every route away at once).
   */
  stop(options: ModeStopOptions): Promise<void>;
  /** Why this node is not ready yet, as far as the mode can tell ([] when it is). */
  readiness(): string[];
  /** The BGP sessions (none in ARP mode). */
  peers(): PeerStatus[];
  /** Per wanted VIP: the mode, whether this node holds it, and who does. */
  vipHolders(inPlace: (address: string) => boolean): VipHolder[];
  /** The mode's part of /status. */
  status(): ModeStatus;
  /** The mode's counters for the metrics (ARP: leader changes, takeovers, announcements). */
  readonly counters: ModeCounters;
}

export interface ModeStopOptions {
  /** Keep routes and VIPs for a graceful restart (RFC 4724), where the mode allows it. */
  keepRoutes?: boolean;
  /** Sent to each peer with the Cease (RFC 9003). */
  message?: string;
  teardown(): Promise<unknown>;
}

export interface ModeCounters {
  leaderChanges(): Array<{ group: string; leaderChanges: number; takeovers: number }>;
  announcements(): { bursts: number; failures: ReadonlyMap<string, number> } | undefined;
}

/** What the daemon gives the mode it composes. */
export interface ModeDeps {
  /** What is wanted (the mode reads it; the sources write it). */
  registry: VipRegistry;
  log: Logger;
  clock: Clock;
  /** One reconcile of the interface and the routes with `placed`, resolved once applied. */
  reconcile(): Promise<void>;
  /** Events the metrics count. */
  events: { sessionDown(peer: string, reason: string): void; connectError(peer: string, code: string): void };
  /** ARP mode's link side (tests replace it). */
  announcer?: Announcer;
  /** Replaces the BGP speaker's TCP transport (tests). */
  speakerOptions?: Partial<SpeakerOptions>;
}
