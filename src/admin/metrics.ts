// Prometheus metrics. Gauges are read from the live state at scrape time (no duplicated
// bookkeeping); counters of events (session downs by reason, reconcile failures) are bumped
// as the events happen. Names carry the vip_speaker_ prefix and Prometheus units.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PeerStatus } from '../../bgp/index.js';
import type { ReconcileResult } from '../reconcile.js';

/** RFC 4271 state numbers, as routers export them (bgpPeerState in the BGP4-MIB). */
const STATE_NUMBER: Record<string, number> = { Idle: 1, Connect: 2, Active: 3, OpenSent: 4, OpenConfirm: 5, Established: 6 };

/** One VIP's holder: in ARP mode the elected node; in BGP mode every node announces ('' leader). */
export interface VipHolder {
  address: string;
  mode: 'bgp' | 'arp';
  /** On this node's interface now. */
  holding: boolean;
  leader: string;
  lastTakeover: Date | null;
  /** BGP mode: to how many peers the route was sent in their current session, of how many peers. */
  advertised?: { peers: number; of: number };
}

export interface MetricsSource {
  peers(): PeerStatus[];
  vips(): { desired: number; inPlace: number; announced: number };
  /**
   * Wanted VIPs not announced, and announced VIPs not wanted. BGP mode: the registry against the
   * routes handed to the speaker. ARP mode: the VIPs this node was elected for against the ones on
   * its interface.
   */
  vipMismatch?(): { wantedNotAnnounced: number; announcedNotWanted: number };
  /** Wanted VIPs per kind of owner ('static', 'control-plane', 'service'). */
  vipOwners?(): ReadonlyMap<string, number>;
  /** Whether the Kubernetes watches are connected; undefined when nothing watches the cluster. */
  kubernetesConnected?(): boolean | undefined;
  /** Per VIP: mode, holder and last takeover. */
  vipHolders?(): VipHolder[];
  /** ARP mode, per holding group: changes of holder seen, and takeovers by this node. */
  leaderChanges?(): Array<{ group: string; leaderChanges: number; takeovers: number }>;
  /** ARP mode: takeover bursts sent, failed bursts and refreshes by ArpError code. */
  arpAnnouncements?(): { bursts: number; failures: ReadonlyMap<string, number> } | undefined;
}

export class DaemonMetrics {
  readonly registry = new Registry();
  private readonly reconcileDuration: Histogram;
  private readonly reconcileFailures: Counter;
  private readonly sessionDowns: Counter;
  private readonly peerErrors: Counter;

  constructor(source: MetricsSource, info: { version: string; mode: string }) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'vip_speaker_' });
    new Gauge({ name: 'vip_speaker_info', help: 'Version and mode of this vip-speaker.', labelNames: ['version', 'mode'], registers }).set(info, 1);

    const perPeer = <T>(name: string, help: string, value: (p: PeerStatus) => number, extra: string[] = []) =>
      new Gauge({
        name,
        help,
        labelNames: ['peer', ...extra],
        registers,
        collect() {
          this.reset();
          for (const p of source.peers()) this.set({ peer: p.address }, value(p));
        },
      }) as unknown as T;
    perPeer('vip_speaker_bgp_session_up', '1 when the BGP session with the peer is Established.', (p) => (p.state === 'Established' ? 1 : 0));
    perPeer('vip_speaker_bgp_session_state', 'RFC 4271 state of the session: 1 Idle, 2 Connect, 3 Active, 4 OpenSent, 5 OpenConfirm, 6 Established.', (p) => STATE_NUMBER[p.state] ?? 0);
    perPeer('vip_speaker_bgp_session_uptime_seconds', 'Seconds since the session reached Established (0 when it is not).', (p) => p.uptimeSeconds ?? 0);
    perPeer('vip_speaker_bgp_prefixes_sent', 'Prefixes the peer was sent and holds from us (Adj-RIB-Out).', (p) => p.prefixesSent);
    perPeer('vip_speaker_bgp_prefixes_received', 'Prefixes the peer announced to us (counted, not kept).', (p) => p.prefixesReceived);
    perPeer('vip_speaker_bgp_pending_changes', 'Route changes not yet sent to the peer.', (p) => p.pendingChanges);
    perPeer('vip_speaker_bgp_send_queue_bytes', 'Octets queued for the peer in user space (back-pressure).', (p) => p.sendQueueBytes);

    new Counter({
      name: 'vip_speaker_bgp_session_flaps_total',
      help: 'Times the session left Established.',
      labelNames: ['peer'],
      registers,
      collect() {
        this.reset();
        for (const p of source.peers()) this.inc({ peer: p.address }, p.counters.flaps);
      },
    });
    for (const [dir, key] of [['received', 'messagesReceived'], ['sent', 'messagesSent']] as const) {
      new Counter({
        name: `vip_speaker_bgp_messages_${dir}_total`,
        help: `BGP messages ${dir}, by type.`,
        labelNames: ['peer', 'type'],
        registers,
        collect() {
          this.reset();
          for (const p of source.peers()) for (const [type, n] of Object.entries(p.counters[key])) this.inc({ peer: p.address, type }, n);
        },
      });
    }
    new Counter({
      name: 'vip_speaker_bgp_malformed_updates_total',
      help: 'UPDATEs from the peer with RFC 7606 errors (treat-as-withdraw or attribute-discard).',
      labelNames: ['peer'],
      registers,
      collect() {
        this.reset();
        for (const p of source.peers()) this.inc({ peer: p.address }, p.counters.malformedUpdates);
      },
    });
    // BFD, for the peers that run it: read from each session's own counters at scrape time.
    new Gauge({
      name: 'vip_speaker_bfd_session_up',
      help: '1 while the peer\'s BFD session is Up, 0 otherwise; only peers with BFD have a series.',
      labelNames: ['peer'],
      registers,
      collect() {
        this.reset();
        for (const p of source.peers()) if (p.bfd) this.set({ peer: p.address }, p.bfd.state === 'Up' ? 1 : 0);
      },
    });
    new Counter({
      name: 'vip_speaker_bfd_transitions_total',
      help: 'BFD session state changes, by the diagnostic that came with them (RFC 5880 §4.1 names: ControlDetectionTimeExpired, NeighborSignaledSessionDown, NoDiagnostic for coming Up, ...).',
      labelNames: ['peer', 'diagnostic'],
      registers,
      collect() {
        this.reset();
        for (const p of source.peers()) for (const [diagnostic, n] of Object.entries(p.bfd?.counters.transitions ?? {})) this.inc({ peer: p.address, diagnostic }, n);
      },
    });
    for (const [dir, key] of [['sent', 'packetsSent'], ['received', 'packetsReceived']] as const) {
      new Counter({
        name: `vip_speaker_bfd_packets_${dir}_total`,
        help: `BFD Control packets ${dir} on the peer's session${dir === 'received' ? ' (those that reached it: the kernel drops wrong TTLs first)' : ''}.`,
        labelNames: ['peer'],
        registers,
        collect() {
          this.reset();
          for (const p of source.peers()) if (p.bfd) this.inc({ peer: p.address }, p.bfd.counters[key]);
        },
      });
    }
    const vipGauge = (name: string, help: string, pick: (v: ReturnType<MetricsSource['vips']>) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(pick(source.vips()));
        },
      });
    new Gauge({
      name: 'vip_speaker_kubernetes_api_connected',
      help: '1 while every Kubernetes watch is connected, 0 during an API outage (the last known state stays announced); absent without Kubernetes.',
      registers,
      collect() {
        this.reset();
        const c = source.kubernetesConnected?.();
        if (c !== undefined) this.set(c ? 1 : 0);
      },
    });
    new Gauge({
      name: 'vip_speaker_vip_info',
      help: 'One series per wanted VIP: its mode and, in ARP mode, the node holding it (its lease holder; empty when unknown).',
      labelNames: ['vip', 'mode', 'leader'],
      registers,
      collect() {
        this.reset();
        for (const v of source.vipHolders?.() ?? []) this.set({ vip: v.address, mode: v.mode, leader: v.leader }, 1);
      },
    });
    new Gauge({
      name: 'vip_speaker_vip_held',
      help: '1 while the VIP is on this node\'s interface (ARP: this node is its elected holder).',
      labelNames: ['vip'],
      registers,
      collect() {
        this.reset();
        for (const v of source.vipHolders?.() ?? []) this.set({ vip: v.address }, v.holding ? 1 : 0);
      },
    });
    new Gauge({
      name: 'vip_speaker_vip_last_takeover_timestamp_seconds',
      help: 'ARP mode: when the VIP\'s current holder took it over, as this node saw it (Unix time).',
      labelNames: ['vip'],
      registers,
      collect() {
        this.reset();
        for (const v of source.vipHolders?.() ?? []) if (v.lastTakeover) this.set({ vip: v.address }, v.lastTakeover.getTime() / 1000);
      },
    });
    for (const [key, name, help] of [
      ['leaderChanges', 'vip_speaker_arp_leader_changes_total', 'ARP mode: changes of holder seen on the group\'s lease.'],
      ['takeovers', 'vip_speaker_arp_takeovers_total', 'ARP mode: times this node became the group\'s holder.'],
    ] as const) {
      new Counter({
        name,
        help,
        labelNames: ['group'],
        registers,
        collect() {
          this.reset();
          for (const g of source.leaderChanges?.() ?? []) this.inc({ group: g.group }, g[key]);
        },
      });
    }
    new Counter({
      name: 'vip_speaker_arp_bursts_total',
      help: 'ARP mode: takeover bursts of gratuitous ARP / unsolicited NA sent.',
      registers,
      collect() {
        this.reset();
        const a = source.arpAnnouncements?.();
        if (a) this.inc(a.bursts);
      },
    });
    new Counter({
      name: 'vip_speaker_arp_failures_total',
      help: 'ARP mode: takeover bursts and refreshes that could not be sent, by ArpError code (ARP_ERR_PERMISSION: no CAP_NET_RAW).',
      labelNames: ['code'],
      registers,
      collect() {
        this.reset();
        for (const [code, n] of source.arpAnnouncements?.()?.failures ?? []) this.inc({ code }, n);
      },
    });
    for (const [key, name, help] of [
      ['wantedNotAnnounced', 'vip_speaker_vips_wanted_not_announced', 'VIPs wanted but not announced: BGP mode, not handed to the speaker (their address could not be placed, or no reconcile yet); ARP mode, elected here but not on the interface.'],
      ['announcedNotWanted', 'vip_speaker_vips_announced_not_wanted', 'VIPs announced but no longer wanted: BGP mode, routes still handed to the speaker; ARP mode, on the interface without being elected here.'],
    ] as const) {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.reset();
          const m = source.vipMismatch?.();
          if (m) this.set(m[key]);
        },
      });
    }
    new Gauge({
      name: 'vip_speaker_vips_owned',
      help: 'Wanted VIPs per kind of owner (static, control-plane, service); a VIP with owners of two kinds counts under each.',
      labelNames: ['owner'],
      registers,
      collect() {
        this.reset();
        for (const [owner, n] of source.vipOwners?.() ?? []) this.set({ owner }, n);
      },
    });
    vipGauge('vip_speaker_vips_desired', 'VIPs the registry wants on this node.', (v) => v.desired);
    vipGauge('vip_speaker_vips_in_place', 'VIPs whose address is on the interface.', (v) => v.inPlace);
    vipGauge('vip_speaker_vips_announced', 'VIPs announced to the peers.', (v) => v.announced);

    this.reconcileDuration = new Histogram({
      name: 'vip_speaker_reconcile_duration_seconds',
      help: 'Time to apply the registry to the interface and the peers.',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
    this.reconcileFailures = new Counter({ name: 'vip_speaker_reconcile_failures_total', help: 'VIP addresses that could not be added or removed, and reconciles that failed as a whole (the interface could not be read).', registers });
    this.sessionDowns = new Counter({ name: 'vip_speaker_bgp_session_down_total', help: 'Session falls to Idle, by stable reason name.', labelNames: ['peer', 'reason'], registers });
    this.peerErrors = new Counter({ name: 'vip_speaker_bgp_connect_errors_total', help: 'Failed outgoing connection attempts, by transport error code.', labelNames: ['peer', 'code'], registers });
  }

  reconciled(r: ReconcileResult): void {
    this.reconcileDuration.observe(r.durationMs / 1000);
    if (r.failures.length) this.reconcileFailures.inc(r.failures.length);
  }

  /** A reconcile failed as a whole; it is tried again. */
  reconcileFailed(): void {
    this.reconcileFailures.inc();
  }

  sessionDown(peer: string, reason: string): void {
    this.sessionDowns.inc({ peer, reason });
  }

  connectError(peer: string, code: string): void {
    this.peerErrors.inc({ peer, code });
  }
}
