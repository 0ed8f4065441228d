// The `arp` section: how ARP mode places its VIPs on vipInterface and keeps the segment told.
// It means something in mode: arp only, so writing it in bgp mode is a mistake worth naming;
// DaemonConfig.arp is filled with the defaults either way, so that no consumer has to check.
import { childPath, shown } from './errors.js';
import type { Reader } from './reader.js';
import type { ArpSettings, Mode } from './types.js';
import { ok } from '../result.js';
import { checkInteger, invalid, type Checked } from './values.js';

export const ARP_KEYS = ['prefixLength', 'refreshInterval', 'leaderElection'] as const;

export const ARP_DEFAULTS: Readonly<ArpSettings> = {
  /** A VIP is one address: /32 and /128 unless kube-vip's vip_subnet says otherwise. */
  prefixLength: { ipv4: 32, ipv6: 128 },
  /** src/arp/announcer.ts DEFAULT_REFRESH_INTERVAL_MS: well inside the usual ARP and NDP cache lifetimes. */
  refreshIntervalMs: 30_000,
  /** kube-vip's generated ARP manifests all set vip_leaderelection=true: one node answers for a VIP. */
  leaderElection: true,
};

/** kube-vip raises a vip_arpRate under 500 ms to 3,000 ms; the announcer takes at most an hour. */
export const MIN_REFRESH_INTERVAL_MS = 500;
export const MAX_REFRESH_INTERVAL_MS = 3_600_000;

export function arpDefaults(): ArpSettings {
  return { ...ARP_DEFAULTS, prefixLength: { ...ARP_DEFAULTS.prefixLength } };
}

/** The section checked and filled in; in bgp mode only its presence is reported. `mode` undefined: the mode itself was wrong. */
export function readArp(reader: Reader, value: unknown, mode: Mode | undefined): ArpSettings {
  const settings = arpDefaults();
  if (value === undefined) return settings;
  if (mode === 'bgp') {
    reader.report('CONFIG_CONFLICT', 'arp', `applies to mode: arp only, but mode is ${mode} (remove the arp section, or set mode: arp)`);
    return settings;
  }
  const section = reader.mapping(value, 'arp', ARP_KEYS) ?? {};
  const lengths = reader.mapping(section.prefixLength, 'arp.prefixLength', ['ipv4', 'ipv6']) ?? {};
  const ipv4 = reader.check(lengths.ipv4, childPath('arp.prefixLength', 'ipv4'), (v) => checkInteger(v, 1, 32, 'an IPv4 prefix length'));
  const ipv6 = reader.check(lengths.ipv6, childPath('arp.prefixLength', 'ipv6'), (v) => checkInteger(v, 1, 128, 'an IPv6 prefix length'));
  if (ipv4 !== undefined) settings.prefixLength.ipv4 = ipv4;
  if (ipv6 !== undefined) settings.prefixLength.ipv6 = ipv6;
  const refresh = reader.check(section.refreshInterval, 'arp.refreshInterval', checkRefreshInterval);
  if (refresh !== undefined) settings.refreshIntervalMs = refresh;
  const leaderElection = reader.boolean(section.leaderElection, 'arp.leaderElection');
  if (leaderElection !== undefined) settings.leaderElection = leaderElection;
  return settings;
}

/** Seconds (fractions allowed, to the millisecond) to milliseconds: 0 for none, else 0.5 to 3600. */
export function checkRefreshInterval(value: unknown): Checked<number> {
  const seconds = typeof value === 'number' ? value : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (seconds === 0) return ok(0);
  const ms = Math.round(seconds * 1000);
  if (!Number.isFinite(seconds) || ms < MIN_REFRESH_INTERVAL_MS || ms > MAX_REFRESH_INTERVAL_MS) {
    return invalid(`expected seconds between two gratuitous ARP / NA rounds, 0 (none after the takeover burst) or 0.5..3600, got ${shown(value)}`);
  }
  return ok(ms);
}
