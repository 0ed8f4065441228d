// BGP or ARP mode, and the flags that belong to each. BGP mode (the default): every node announces
// its VIPs to its peers as host routes. ARP mode (kube-vip's --arp): for each VIP one node, elected
// on a Lease, puts it on the segment's interface and answers ARP / NA for it. A flag of one mode
// given in the other is refused by name, so that a kube-vip command line never half-carries over.
//
// The values are checked as the daemon checks the variables they become (src/config/env.ts,
// arp.ts, validate.ts); test/src/manifest feeds the generated env to the daemon's loader to keep
// the two in step.
import { MAX_REFRESH_INTERVAL_MS, MIN_REFRESH_INTERVAL_MS } from '../config/index.js';
import type { Problem } from './errors.js';
import type { ManifestKind } from './kinds.js';

export type SpeakerMode = 'bgp' | 'arp';


/** The flags of BGP mode: ARP mode has no peers and no BGP session. */
export const BGP_ONLY_FLAGS = [
  'localAS', 'bgpRouterID', 'bgppeers', 'peerAddress', 'peerAS', 'multihop', 'peer-password-secret',
  'sourceIF', 'sourceIP', 'bgpHoldTimer', 'bgpKeepAliveInterval', 'graceful-restart', 'annotations',
] as const;

/** The flags of ARP mode: in BGP mode every VIP is a host route, and nothing is sent on the link. */
export const ARP_ONLY_FLAGS = ['vipSubnet', 'arp-rate'] as const;

/** The lease timing flags, kube-vip's names (cmd/kube-vip.go), and the variables they set. */
export const LEASE_FLAGS = { leaseDuration: 'vip_leaseduration', leaseRenewDuration: 'vip_renewdeadline', leaseRetry: 'vip_retryperiod' } as const;
export type LeaseFlag = keyof typeof LEASE_FLAGS;

/**
 * kube-vip's defaults, 5, 3 and 1 s (its --leaseDuration, --leaseRenewDuration, --leaseRetry),
 * which the daemon's elector uses too (src/kubernetes/election.ts KUBE_VIP_ELECTION_DEFAULTS).
 */
export const LEASE_DEFAULTS: Readonly<Record<LeaseFlag, number>> = { leaseDuration: 5, leaseRenewDuration: 3, leaseRetry: 1 };
/** client-go's JitterFactor: a candidate's retries come up to 1.2 retry periods apart. */
export const LEASE_JITTER_FACTOR = 1.2;
/** The daemon takes whole seconds up to an hour (config/validate.ts readElectionTimings). */
const MAX_LEASE_SECONDS = 3600;

/** The timings given, in seconds; absent ones are the daemon's defaults. */
export type LeaseTimings = Partial<Record<LeaseFlag, number>>;

/** Everything about the mode the flags select, reported against the flag concerned. */
export function checkMode(
  mode: SpeakerMode,
  given: ReadonlySet<string>,
  context: { kind: ManifestKind; services: boolean; controlPlane: boolean; vipInterface: string | undefined },
  problem: Problem,
): void {
  const leaseFlags = (Object.keys(LEASE_FLAGS) as LeaseFlag[]).filter((f) => given.has(f));
  if (mode === 'bgp') {
    for (const flag of ARP_ONLY_FLAGS.filter((f) => given.has(f))) {
      problem('MANIFEST_CONFLICT', flag, 'ARP-only (give --arp): in BGP mode every VIP is announced as a host route (/32, /128) and nothing is sent on the link');
    }
    // BGP mode elects the control-plane VIP's announcer (--leaderElection with --controlplane), and
    // Services' status writers or announcers (--services); with neither, a lease means nothing.
    const elects = context.services || (given.has('leaderElection') && context.controlPlane);
    if (!elects) {
      for (const flag of leaseFlags) problem('MANIFEST_CONFLICT', flag, 'nothing is elected in BGP mode without --services or --leaderElection with --controlplane: leases choose the control-plane VIP\'s announcer and the Services\' status writers');
    }
    return;
  }
  if (given.has('bgp')) problem('MANIFEST_CONFLICT', 'bgp', '--bgp and --arp select different modes: give one of them');
  for (const flag of BGP_ONLY_FLAGS.filter((f) => given.has(f))) {
    problem('MANIFEST_CONFLICT', flag, 'BGP-only: ARP mode has no BGP peers; the elected node puts the VIPs on --interface and answers ARP / NA for them');
  }
  if (given.has('keep-routes-on-stop')) {
    problem('MANIFEST_CONFLICT', 'keep-routes-on-stop', 'BGP-only: in ARP mode a VIP left on the interface would answer beside the next holder\'s, so the speaker always takes its VIPs off when it stops');
  }
  // Only a pod runs the speaker on an interface.
  if (context.kind !== 'daemonset' && context.kind !== 'pod') return;
  if (context.vipInterface === undefined && !given.has('interface')) {
    problem('MANIFEST_MISSING', 'interface', 'ARP mode needs the interface on the VIPs\' network, where the elected node puts them and answers ARP: --interface eth0');
  } else if (context.vipInterface === 'lo') {
    problem('MANIFEST_INVALID_VALUE', 'interface', 'ARP mode answers ARP on the VIPs\' own network: name that interface (--interface eth0), not lo');
  }
}

/** Whole seconds, each 1..3600, in client-go's order: lease > renew deadline > 1.2 x retry period. */
export function readLeaseTimings(values: Partial<Record<LeaseFlag, string>>, problem: Problem): LeaseTimings {
  const timings: LeaseTimings = {};
  let wrong = false;
  for (const flag of Object.keys(LEASE_FLAGS) as LeaseFlag[]) {
    const text = values[flag];
    if (text === undefined) continue;
    if (/^\d+$/.test(text) && Number(text) >= 1 && Number(text) <= MAX_LEASE_SECONDS) {
      timings[flag] = Number(text);
    } else {
      problem('MANIFEST_INVALID_VALUE', flag, `expected whole seconds 1..${MAX_LEASE_SECONDS}, got ${JSON.stringify(text)}`);
      wrong = true;
    }
  }
  if (wrong) return timings;
  const lease = timings.leaseDuration ?? LEASE_DEFAULTS.leaseDuration;
  const renew = timings.leaseRenewDuration ?? LEASE_DEFAULTS.leaseRenewDuration;
  const retry = timings.leaseRetry ?? LEASE_DEFAULTS.leaseRetry;
  if (lease <= renew) {
    problem('MANIFEST_CONFLICT', 'leaseDuration', `must be longer than --leaseRenewDuration (${lease} s is not more than ${renew} s): a leader must give up the VIPs before its lease can pass to another node`);
  } else if (renew <= LEASE_JITTER_FACTOR * retry) {
    problem('MANIFEST_CONFLICT', 'leaseRenewDuration', `must be longer than ${LEASE_JITTER_FACTOR} x --leaseRetry (${renew} s, --leaseRetry ${retry} s), as client-go requires`);
  }
  return timings;
}

/**
 * kube-vip's --vipSubnet as vip_subnet: "24", or "24,64" with IPv4's first and IPv6's second; a
 * single value goes to the family it fits (the daemon's reading, config/env.ts). Written without
 * the "/" that kube-vip's help shows and without spaces.
 */
export function readVipSubnet(text: string, problem: Problem): string | undefined {
  const parts = text.split(',').map((s) => s.trim().replace(/^\//, ''));
  if (parts.includes('auto')) {
    problem('MANIFEST_UNSUPPORTED', 'vipSubnet', '"auto" (kube-vip finds each Service\'s subnet on the interface) is not supported: give the prefix lengths, e.g. 24 or 24,64');
    return undefined;
  }
  const [first, second] = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  const fits = parts.length === 2 ? inRange(first, 32) && inRange(second, 128) : parts.length === 1 && inRange(first, 128);
  if (!fits) {
    problem('MANIFEST_INVALID_VALUE', 'vipSubnet', `expected a prefix length (1..32 for IPv4, up to 128 for IPv6) or two, IPv4's then IPv6's ("24,64"), got ${JSON.stringify(text)}`);
    return undefined;
  }
  return parts.join(',');
}

/** vip_arpRate: milliseconds between two rounds; the daemon would silently raise less than 500 ms to 3,000. */
export function readArpRate(text: string, problem: Problem): number | undefined {
  if (/^\d+$/.test(text) && Number(text) >= MIN_REFRESH_INTERVAL_MS && Number(text) <= MAX_REFRESH_INTERVAL_MS) return Number(text);
  problem('MANIFEST_INVALID_VALUE', 'arp-rate', `expected milliseconds between two gratuitous ARP / NA rounds, ${MIN_REFRESH_INTERVAL_MS}..${MAX_REFRESH_INTERVAL_MS}, got ${JSON.stringify(text)}`);
  return undefined;
}

function inRange(n: number | undefined, max: number): boolean {
  return n !== undefined && Number.isInteger(n) && n >= 1 && n <= max;
}
