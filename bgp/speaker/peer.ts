// One configured peer of the speaker: its session driver, its Adj-RIB-Out, what it sent us
// (counted, never kept beyond the prefix keys needed for the maximum-prefix limit) and its
// counters.
import { EventEmitter } from 'node:events';
import {
  Afi,
  AttrType,
  MessageType,
  Prefix,
  RouteRefreshSubtype,
  Safi,
  endOfRibFamily,
  makeEndOfRib,
  reachablePrefixes,
  withdrawnPrefixes,
  encodeMessage,
  type RouteRefreshMessage,
  type Family,
  type DecodedUpdate,
  type LargeCommunity,
} from '../codec/index.js';
import { findAttribute } from '../codec/attribute-access.js';
import { maximumNumberOfPrefixesReached } from '../session/notifications.js';
import type { ConnectionInfo, PeerDriver } from '../session/driver.js';
import { SessionState, type NegotiatedSession, type SessionDownAction } from '../session/types.js';
import { AdjRibOut } from './adj-rib-out.js';
import { nextHopsFor, type NextHops } from './nexthop.js';
import { type Route, familyKey } from './route.js';

export interface PeerCounters {
  messagesReceived: Record<string, number>;
  messagesSent: Record<string, number>;
  updatesReceived: number;
  updatesSent: number;
  prefixesAnnounced: number;
  prefixesWithdrawn: number;
  /** Times the session left Established. */
  flaps: number;
  /** RFC 7606 problems in received UPDATEs. */
  malformedUpdates: number;
}

export interface PeerEvents {
  /** Prefixes sent to the peer in one flush. */
  sent: [announced: number, withdrawn: number];
  /** An UPDATE from the peer, after the maximum-prefix check. */
  received: [update: DecodedUpdate];
  endOfRib: [family: Family];
  /** A family could not be announced (no usable next hop). */
  problem: [message: string];
}

export interface PeerSettings {
  localAs: number;
  peerAs: number;
  /** Next hops to use instead of the session's own addresses. */
  nextHopIpv4?: string;
  nextHopIpv6?: string[];
  /** Most prefixes accepted from the peer per family before the session is closed (RFC 4486). */
  maxPrefixes: number;
  /** Send IPv4 unicast in MP_REACH_NLRI. */
  ipv4InMp?: boolean;
  /** Added to every route sent to this peer. */
  communities?: number[];
  largeCommunities?: LargeCommunity[];
}

export class SpeakerPeer extends EventEmitter<PeerEvents> {
  readonly rib: AdjRibOut;
  readonly counters: PeerCounters = {
    messagesReceived: {},
    messagesSent: {},
    updatesReceived: 0,
    updatesSent: 0,
    prefixesAnnounced: 0,
    prefixesWithdrawn: 0,
    flaps: 0,
    malformedUpdates: 0,
  };
  /** Prefixes the peer announced to us, per family; only keys, to enforce maxPrefixes. */
  private readonly received = new Map<string, Set<string>>();
  private nextHops: NextHops = {};
  /** Problems already reported in this session, so that each is said once. */
  private readonly reported = new Set<string>();
  private endOfRibSent = false;
  private establishedAt: number | undefined;
  lastError: string | undefined;
  lastDown: SessionDownAction | undefined;

  constructor(
    readonly address: string,
    readonly driver: PeerDriver,
    readonly settings: PeerSettings,
    private readonly now: () => number,
    /** The speaker's routes, shared by every peer's Adj-RIB-Out; its own table when absent. */
    table?: Map<string, Route>,
  ) {
    super();
    this.rib = new AdjRibOut(table);
    driver.on('message', (dir, type) => {
      const bucket = dir === 'rx' ? this.counters.messagesReceived : this.counters.messagesSent;
      const name = MessageType[type] ?? String(type);
      bucket[name] = (bucket[name] ?? 0) + 1;
    });
    driver.on('established', (_n, conn) => this.onEstablished(conn));
    driver.on('down', (down) => this.onDown(down));
    driver.on('update', (u) => this.onUpdate(u));
    driver.on('routeRefresh', (m) => this.onRouteRefresh(m));
    driver.on('drain', () => this.flush());
    driver.on('connectError', (err) => {
      this.lastError = err.message;
    });
  }

  get state(): SessionState {
    return this.driver.state;
  }

  get negotiated(): NegotiatedSession | undefined {
    return this.driver.negotiated;
  }

  /** Seconds since the session reached Established, or undefined. */
  uptimeSeconds(): number | undefined {
    return this.establishedAt === undefined ? undefined : Math.floor((this.now() - this.establishedAt) / 1000);
  }

  receivedCount(): number {
    let n = 0;
    for (const s of this.received.values()) n += s.size;
    return n;
  }

  private onEstablished(conn: ConnectionInfo): void {
    this.establishedAt = this.now();
    this.lastError = undefined;
    const auto = nextHopsFor(conn.localAddress);
    this.nextHops = {
      ipv4: this.settings.nextHopIpv4 ?? auto.ipv4,
      ipv6: this.settings.nextHopIpv6 ?? auto.ipv6,
    } as NextHops;
    this.endOfRibSent = false;
    this.reported.clear();
    this.rib.sessionDown();
    this.flush();
  }

  private onDown(down: SessionDownAction): void {
    if (down.wasEstablished) this.counters.flaps++;
    this.establishedAt = undefined;
    this.lastDown = down;
    this.lastError = down.message;
    this.received.clear();
    this.rib.sessionDown();
  }

  /** Sends what changed in the Adj-RIB-Out, then End-of-RIB after the initial table (RFC 4724 §2). */
  flush(): void {
    const negotiated = this.driver.negotiated;
    if (!negotiated || this.driver.state !== SessionState.Established) return;
    if (this.driver.writableNeedDrain) return; // back-pressure: resume on 'drain'
    if (this.rib.pending === 0 && this.endOfRibSent) return;
    const families = new Set<string>();
    for (const f of negotiated.families) {
      const key = familyKey(f);
      if (f.safi !== Safi.Unicast) continue;
      if (f.afi === Afi.Ipv4 && !this.nextHops.ipv4) {
        this.report('no IPv4 next hop for this session: IPv4 routes are not announced (set nextHopIpv4)');
        continue;
      }
      if (f.afi === Afi.Ipv6 && !this.nextHops.ipv6?.length) {
        this.report('no IPv6 next hop for this session: IPv6 routes are not announced (set nextHopIpv6)');
        continue;
      }
      families.add(key);
    }
    const peer = {
      localAs: this.settings.localAs,
      ibgp: negotiated.ibgp,
      fourOctetAs: negotiated.fourOctetAs,
      codec: this.driver.codecContext,
      families,
      ipv4InMp: this.settings.ipv4InMp ?? false,
    } as Parameters<AdjRibOut['flush']>[0];
    if (this.settings.communities) peer.communities = this.settings.communities;
    if (this.settings.largeCommunities) peer.largeCommunities = this.settings.largeCommunities;
    if (this.nextHops.ipv4) peer.nextHopIpv4 = this.nextHops.ipv4;
    if (this.nextHops.ipv6) peer.nextHopIpv6 = this.nextHops.ipv6;
    const out = this.rib.flush(peer);
    if (!this.endOfRibSent) {
      for (const f of negotiated.families) out.messages.push(encodeMessage(makeEndOfRib(f), this.driver.codecContext));
      this.endOfRibSent = true;
    }
    if (out.messages.length) {
      this.counters.updatesSent += out.messages.length;
      this.counters.prefixesAnnounced += out.announced;
      this.counters.prefixesWithdrawn += out.withdrawn;
      this.driver.sendUpdates(out.messages);
    }
    if (out.announced || out.withdrawn) this.emit('sent', out.announced, out.withdrawn);
  }

  private report(message: string): void {
    if (this.reported.has(message)) return;
    this.reported.add(message);
    this.lastError = message;
    this.emit('problem', message);
  }

  private onUpdate(decoded: DecodedUpdate): void {
    this.counters.updatesReceived++;
    if (decoded.problems.length) this.counters.malformedUpdates++;
    const eor = endOfRibFamily(decoded.update);
    if (eor) {
      this.emit('endOfRib', eor);
      return;
    }
    // RFC 7606 §2: treat-as-withdraw removes what the UPDATE announced.
    for (const p of withdrawnPrefixes(decoded.update)) this.received.get(afiKey(p))?.delete(p.toString());
    const announced = reachablePrefixes(decoded.update);
    // RFC 4271 §9.1.2: a route whose AS_PATH holds our own AS is a loop, never used; it replaces
    // what the peer sent before for that prefix, and does not count towards maxPrefixes (a
    // router that sends our own routes back must not make us reset the session).
    const loop = this.isLoop(decoded);
    for (const p of announced) {
      const key = afiKey(p);
      if (decoded.treatAsWithdraw || loop) {
        this.received.get(key)?.delete(p.toString());
        continue;
      }
      let set = this.received.get(key);
      if (!set) this.received.set(key, (set = new Set()));
      set.add(p.toString());
      if (set.size > this.settings.maxPrefixes) {
        // RFC 4486 §4: Cease / Maximum Number of Prefixes Reached, with AFI, SAFI and the limit.
        this.lastError = `peer sent more than ${this.settings.maxPrefixes} ${p.afi === Afi.Ipv4 ? 'IPv4' : 'IPv6'} prefixes (maxPrefixes)`;
        this.received.clear();
        this.driver.automaticStop(maximumNumberOfPrefixesReached(p.afi, Safi.Unicast, this.settings.maxPrefixes));
        return;
      }
    }
    this.emit('received', decoded);
  }

  /** Whether the UPDATE's AS_PATH (or AS4_PATH, from a 2-octet peer) holds our AS. */
  private isLoop(decoded: DecodedUpdate): boolean {
    const localAs = this.settings.localAs;
    for (const type of [AttrType.AsPath, AttrType.As4Path] as const) {
      const path = findAttribute(decoded.update.attributes, type);
      if (path?.segments.some((s) => s.asns.includes(localAs))) return true;
    }
    return false;
  }

  private onRouteRefresh(m: RouteRefreshMessage): void {
    // RFC 7313 §4: BoRR/EoRR from the peer concern its own refresh towards us; only a request (0) asks us to resend.
    if (m.subtype !== RouteRefreshSubtype.Normal) return;
    const family = familyKey({ afi: m.afi, safi: m.safi });
    const enhanced = this.driver.negotiated?.enhancedRouteRefresh ?? false;
    if (enhanced) this.driver.sendRouteRefresh({ ...m, subtype: RouteRefreshSubtype.BeginningOfRouteRefresh });
    this.rib.refresh(family);
    this.flush();
    if (enhanced) this.driver.sendRouteRefresh({ ...m, subtype: RouteRefreshSubtype.EndOfRouteRefresh });
  }
}

function afiKey(p: Prefix): string {
  return p.afi === Afi.Ipv4 ? '1/1' : '2/1';
}
