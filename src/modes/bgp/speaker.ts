// BGP mode's speaker, made from the configuration: kube-vip's peer fields mapped onto the BGP
// library's PeerConfig, and the speaker's events (BFD's included) as one log line each; failed
// attempts of a session not up yet go through failures.ts, which logs them without a flood.
import { BfdDiagnostic, BfdState, BgpSpeaker, type Clock, type PeerConfig } from '../../../bgp/index.js';
import { communitiesOf, largeCommunitiesOf } from '../../communities.js';
import type { DaemonConfig, PeerSpec } from '../../config/index.js';
import type { Logger } from '../../log.js';
import type { PeerFailureReporter } from './failures.js';

export function peerConfigOf(spec: PeerSpec): PeerConfig {
  const p: PeerConfig = { address: spec.address, peerAs: spec.asn, port: spec.port };
  if (spec.password) p.password = spec.password;
  if (spec.gtsmHops !== undefined) p.gtsmHops = spec.gtsmHops;
  // The config fills `ttl` (kube-vip's 50) whenever multihop is on.
  else if (spec.ttl !== undefined) p.multihop = spec.ttl;
  if (spec.sourceAddress) p.localAddress = spec.sourceAddress;
  if (spec.sourceInterface) p.sourceInterface = spec.sourceInterface;
  if (spec.holdTime !== undefined) p.holdTime = spec.holdTime;
  if (spec.keepaliveTime !== undefined) p.keepaliveTime = spec.keepaliveTime;
  if (spec.passive) p.passive = true;
  // kube-vip's mpbgp_nexthop=fixed: the next hops for each family are given.
  if (spec.mpbgp?.nexthop === 'fixed') {
    if (spec.mpbgp.ipv4) p.nextHopIpv4 = spec.mpbgp.ipv4;
    if (spec.mpbgp.ipv6) p.nextHopIpv6 = [spec.mpbgp.ipv6];
  }
  if (spec.communities.length) p.communities = communitiesOf(spec.communities);
  if (spec.largeCommunities.length) p.largeCommunities = largeCommunitiesOf(spec.largeCommunities);
  if (spec.bfd?.enabled) p.bfd = { minTxMs: spec.bfd.tx, minRxMs: spec.bfd.rx, multiplier: spec.bfd.multiplier };
  return p;
}

export interface SpeakerHooks {
  log: Logger;
  clock: Clock;
  /** Replaces the TCP transport (tests). */
  speakerOptions?: Partial<ConstructorParameters<typeof BgpSpeaker>[0]>;
  /** A peer's first connection attempt ended one way or another (for /readyz). */
  tried(peer: string): void;
  sessionDown(peer: string, reason: string): void;
  connectError(peer: string, code: string): void;
  /** Failed attempts of sessions not up yet: the first one and each change of reason, logged. */
  failures: PeerFailureReporter;
}

/** A speaker for the node and peers of `config` (not started), its events logged. */
export function createSpeaker(config: DaemonConfig, hooks: SpeakerHooks): BgpSpeaker {
  const { log } = hooks;
  const speaker = new BgpSpeaker({
    localAs: config.node.asn,
    routerId: config.node.routerId,
    ...(config.listen ? { listen: { host: config.listen.address, port: config.listen.port } } : {}),
    holdTime: config.timers.holdTime,
    keepaliveTime: config.timers.keepaliveTime,
    connectRetryTime: config.timers.connectRetryTime,
    gracefulRestart: config.gracefulRestart.enabled ? { restartTime: config.gracefulRestart.restartTime } : false,
    clock: hooks.clock,
    ...hooks.speakerOptions,
  });
  for (const spec of config.peers) speaker.addPeer(peerConfigOf(spec));
  const { failures } = hooks;
  speaker.on('peerUp', (peer, n) => {
    hooks.tried(peer);
    const attempts = failures.up(peer);
    log.info({ peer, peerAs: n.peerAs, holdTime: n.holdTime, families: n.families.map((f) => `${f.afi}/${f.safi}`), ibgp: n.ibgp, ...(attempts ? { afterFailedAttempts: attempts } : {}) }, 'BGP session established');
  });
  speaker.on('peerDown', (peer, d) => {
    hooks.tried(peer);
    hooks.sessionDown(peer, d.reason);
    const fields: Record<string, unknown> = { peer, reason: d.reason, wasEstablished: d.wasEstablished, detail: d.message };
    if (d.notificationSent) fields.notificationSent = `${d.notificationSent.code}/${d.notificationSent.subcode}`;
    if (d.notificationReceived) fields.notificationReceived = `${d.notificationReceived.code}/${d.notificationReceived.subcode}`;
    if (d.wasEstablished) log.warn(fields, 'BGP session down');
    // A failed connect comes as connectError first, with the socket's own reason.
    else if (d.reason === 'TcpConnectionFails') log.debug(fields, 'BGP connection attempt failed');
    else failures.failed(peer, d.notificationReceived ? `NotificationReceived ${fields.notificationReceived as string}` : d.reason, d.message);
  });
  speaker.on('connectError', (peer, err) => {
    hooks.tried(peer);
    const code = (err as { code?: string }).code ?? 'UNKNOWN';
    hooks.connectError(peer, code);
    failures.failed(peer, code, err.message);
  });
  speaker.on('bfdState', (peer, to, from, diagnostic, remoteAdminDown) => {
    const fields = { peer, from: BfdState[from], to: BfdState[to], diagnostic: BfdDiagnostic[diagnostic], ...(remoteAdminDown ? { remoteAdminDown } : {}) };
    // Down from Up is what takes the BGP session down (its own line follows); the rest is routine.
    if (from === BfdState.Up && to === BfdState.Down && !remoteAdminDown) log.warn(fields, 'BFD session down: taking the BGP session down until BFD is Up again');
    else log.info(fields, `BFD session ${BfdState[to]}`);
  });
  speaker.on('bfdError', (peer, err) => log.error({ peer, code: err.code, error: err.message }, 'BFD cannot run for this peer; BGP runs without it'));
  speaker.on('refused', (address) => log.warn({ address }, 'refused a BGP connection from an address that is no configured peer'));
  speaker.on('problem', (peer, message) => log.error({ peer, problem: message }, 'cannot announce to peer'));
  return speaker;
}
