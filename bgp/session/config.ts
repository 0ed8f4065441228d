// The immutable per-peer configuration of a session, checked once: a SessionConfig that
// exists is one the state machine can run (a hold time of 1 or 2 cannot exist).
import { Afi, AS_TRANS, BGP_VERSION, CapabilityCode, GracefulRestartFamilyFlag, GracefulRestartFlag, MessageType, OptionalParameterType, Safi } from '../codec/constants.js';
import { fail, ok, type Result } from '../codec/errors.js';
import type { Capability, Family, OpenMessage } from '../codec/messages.js';
import { parseBgpIdentifier } from './identifier.js';

export const DEFAULT_HOLD_TIME = 90;
/** RFC 4271 §10 suggests 120 s. */
export const DEFAULT_CONNECT_RETRY_TIME = 120;
export const DEFAULT_DELAY_OPEN_TIME = 5;
export const DEFAULT_IDLE_HOLD_TIME = 5;
export const DEFAULT_MAX_IDLE_HOLD_TIME = 120;
export const DEFAULT_IDLE_HOLD_RESET_TIME = 60;
export const IPV4_UNICAST: Family = { afi: Afi.Ipv4, safi: Safi.Unicast };
export const IPV6_UNICAST: Family = { afi: Afi.Ipv6, safi: Safi.Unicast };

export interface GracefulRestartOptions {
  /** Seconds the peer should keep our routes after the session drops; 12 bits (RFC 4724 §3). */
  restartTime: number;
  /** Set the Restart State bit: we have just restarted. */
  restarting?: boolean;
  /** Families whose forwarding state we preserve across a restart. */
  families?: { afi: number; safi: number; forwardingState?: boolean }[];
}

/** What the operator writes; every field but the three identities has a default. */
export interface SessionOptions {
  /** Our AS, up to four octets (RFC 6793). */
  localAs: number;
  /** The AS the peer must announce (RFC 4271 §6.2 Bad Peer AS otherwise). */
  peerAs: number;
  /** Our BGP Identifier, a non-zero dotted quad (RFC 6286 §2.1). */
  localBgpId: string;
  /** 0, or at least 3 seconds (RFC 4271 §4.2); 90 by default. */
  holdTime?: number;
  /** Defaults to a third of the hold time, and may not exceed it (RFC 4271 §10). */
  keepaliveTime?: number;
  connectRetryTime?: number;
  /** Never connect out: wait in Active for the peer (RFC 4271 §8.1.1 PassiveTcpEstablishment). */
  passive?: boolean;
  /** Wait for the peer's OPEN before sending ours (RFC 4271 §8.1.1 DelayOpen). */
  delayOpen?: boolean;
  delayOpenTime?: number;
  /** Send a NOTIFICATION even before our OPEN went out (RFC 4271 §8.1.1 SendNOTIFICATIONwithoutOPEN). */
  sendNotificationWithoutOpen?: boolean;
  /** First back-off before an automatic restart; doubles on each failure in a row (DampPeerOscillations). */
  idleHoldTime?: number;
  maxIdleHoldTime?: number;
  /** Seconds in Established after which the back-off starts over. */
  idleHoldResetTime?: number;
  /** Multiprotocol families to advertise (RFC 4760); IPv4 and IPv6 unicast by default. */
  families?: Family[];
  /** Route refresh (RFC 2918); on by default. */
  routeRefresh?: boolean;
  /** Enhanced route refresh (RFC 7313); off by default. */
  enhancedRouteRefresh?: boolean;
  /** Four-octet AS numbers (RFC 6793); on by default, and needed when either AS exceeds 65535. */
  fourOctetAs?: boolean;
  /** Extended messages (RFC 8654); off by default. */
  extendedMessage?: boolean;
  gracefulRestart?: GracefulRestartOptions;
  /** FQDN capability (draft-walton-bgp-hostname-capability). */
  hostname?: { hostname: string; domainName?: string };
}

export interface SessionConfig {
  readonly localAs: number;
  readonly peerAs: number;
  readonly localBgpId: string;
  readonly holdTime: number;
  readonly keepaliveTime: number;
  readonly connectRetryTime: number;
  readonly passive: boolean;
  readonly delayOpen: boolean;
  readonly delayOpenTime: number;
  readonly sendNotificationWithoutOpen: boolean;
  readonly idleHoldTime: number;
  readonly maxIdleHoldTime: number;
  readonly idleHoldResetTime: number;
  readonly families: readonly Family[];
  readonly routeRefresh: boolean;
  readonly enhancedRouteRefresh: boolean;
  readonly fourOctetAs: boolean;
  readonly extendedMessage: boolean;
  /** What our OPEN advertises, built from the options above. */
  readonly capabilities: readonly Capability[];
  /** Our OPEN, ready for the encoder. */
  readonly open: OpenMessage;
}

export type ConfigErrorName =
  | 'BGP_CONFIG_INVALID_AS'
  | 'BGP_CONFIG_INVALID_BGP_ID'
  | 'BGP_CONFIG_INVALID_HOLD_TIME'
  | 'BGP_CONFIG_INVALID_TIMER'
  | 'BGP_CONFIG_INVALID_FAMILY'
  | 'BGP_CONFIG_INVALID_CAPABILITY';

export interface ConfigError {
  name: ConfigErrorName;
  message: string;
}

const isInteger = (value: number, min: number, max: number) => Number.isInteger(value) && value >= min && value <= max;
const problem = (name: ConfigErrorName, message: string) => fail<ConfigError>({ name, message });

/** Checks the options and fills in defaults; every refusal names the option and the rule. */
export function sessionConfig(options: SessionOptions): Result<SessionConfig, ConfigError> {
  const fourOctetAs = options.fourOctetAs ?? true;
  const maxAs = fourOctetAs ? 0xffffffff : 0xffff;
  for (const [field, asn] of [['localAs', options.localAs], ['peerAs', options.peerAs]] as const) {
    // AS 0 (RFC 7607 §2) and AS_TRANS (RFC 6793 §9) are reserved, never a speaker's own AS.
    if (!isInteger(asn, 1, maxAs) || asn === AS_TRANS) {
      return problem('BGP_CONFIG_INVALID_AS', `${field} must be 1..${maxAs} and not AS_TRANS (23456), got ${asn}`);
    }
  }
  const bgpId = parseBgpIdentifier(options.localBgpId);
  if (!bgpId) return problem('BGP_CONFIG_INVALID_BGP_ID', `localBgpId must be a non-zero dotted quad, got ${JSON.stringify(options.localBgpId)}`);

  const holdTime = options.holdTime ?? DEFAULT_HOLD_TIME;
  if (!(holdTime === 0 || isInteger(holdTime, 3, 0xffff))) {
    return problem('BGP_CONFIG_INVALID_HOLD_TIME', `holdTime must be 0 or 3..65535 seconds (RFC 4271 §4.2), got ${holdTime}`);
  }
  const maxKeepalive = Math.floor(holdTime / 3);
  const keepaliveTime = options.keepaliveTime ?? maxKeepalive;
  if (!isInteger(keepaliveTime, holdTime === 0 ? 0 : 1, maxKeepalive)) {
    return problem('BGP_CONFIG_INVALID_TIMER', `keepaliveTime must be ${holdTime === 0 ? '0 when holdTime is 0' : `1..${maxKeepalive}, a third of holdTime at most`}, got ${keepaliveTime}`);
  }
  const timers = {
    connectRetryTime: options.connectRetryTime ?? DEFAULT_CONNECT_RETRY_TIME,
    delayOpenTime: options.delayOpenTime ?? DEFAULT_DELAY_OPEN_TIME,
    idleHoldTime: options.idleHoldTime ?? DEFAULT_IDLE_HOLD_TIME,
    maxIdleHoldTime: options.maxIdleHoldTime ?? Math.max(DEFAULT_MAX_IDLE_HOLD_TIME, options.idleHoldTime ?? 0),
    idleHoldResetTime: options.idleHoldResetTime ?? DEFAULT_IDLE_HOLD_RESET_TIME,
  };
  for (const [field, seconds] of Object.entries(timers)) {
    if (!isInteger(seconds, 1, 0xffff)) return problem('BGP_CONFIG_INVALID_TIMER', `${field} must be 1..65535 seconds, got ${seconds}`);
  }
  if (timers.maxIdleHoldTime < timers.idleHoldTime) {
    return problem('BGP_CONFIG_INVALID_TIMER', `maxIdleHoldTime (${timers.maxIdleHoldTime}) must be at least idleHoldTime (${timers.idleHoldTime})`);
  }

  const families: Family[] = [];
  for (const family of options.families ?? [IPV4_UNICAST, IPV6_UNICAST]) {
    if (!isInteger(family.afi, 1, 0xffff) || !isInteger(family.safi, 1, 0xff)) {
      return problem('BGP_CONFIG_INVALID_FAMILY', `family AFI ${family.afi} SAFI ${family.safi} is not a valid AFI/SAFI pair`);
    }
    if (!families.some((f) => f.afi === family.afi && f.safi === family.safi)) families.push({ afi: family.afi, safi: family.safi });
  }
  if (families.length === 0) return problem('BGP_CONFIG_INVALID_FAMILY', 'families must name at least one address family');

  const resolved = {
    localAs: options.localAs,
    peerAs: options.peerAs,
    localBgpId: options.localBgpId,
    holdTime,
    keepaliveTime,
    ...timers,
    passive: options.passive ?? false,
    delayOpen: options.delayOpen ?? false,
    sendNotificationWithoutOpen: options.sendNotificationWithoutOpen ?? false,
    families,
    routeRefresh: options.routeRefresh ?? true,
    enhancedRouteRefresh: options.enhancedRouteRefresh ?? false,
    fourOctetAs,
    extendedMessage: options.extendedMessage ?? false,
  };
  const capabilities = buildCapabilities(resolved, options);
  if (!capabilities.ok) return capabilities;
  const open: OpenMessage = {
    type: MessageType.Open,
    version: BGP_VERSION,
    // RFC 6793 §4.1: an AS that needs four octets is sent as AS_TRANS, the real one in the capability.
    myAs: options.localAs > 0xffff ? AS_TRANS : options.localAs,
    holdTime,
    bgpId: options.localBgpId,
    parameters: [{ type: OptionalParameterType.Capabilities, capabilities: capabilities.value }],
  };
  return ok({ ...resolved, capabilities: capabilities.value, open });
}

type CapabilityInputs = Pick<SessionConfig, 'families' | 'routeRefresh' | 'enhancedRouteRefresh' | 'extendedMessage' | 'fourOctetAs' | 'localAs'>;

/** The capabilities of our OPEN (RFC 5492), in a fixed order so that OPENs are reproducible. */
function buildCapabilities(config: CapabilityInputs, options: SessionOptions): Result<Capability[], ConfigError> {
  const capabilities: Capability[] = config.families.map((f) => ({ code: CapabilityCode.Multiprotocol, afi: f.afi, safi: f.safi }));
  if (config.routeRefresh) capabilities.push({ code: CapabilityCode.RouteRefresh });
  if (config.enhancedRouteRefresh) capabilities.push({ code: CapabilityCode.EnhancedRouteRefresh });
  if (config.extendedMessage) capabilities.push({ code: CapabilityCode.ExtendedMessage });
  const gr = options.gracefulRestart;
  if (gr) {
    if (!isInteger(gr.restartTime, 0, 0xfff)) {
      return problem('BGP_CONFIG_INVALID_CAPABILITY', `gracefulRestart.restartTime must be 0..4095 seconds (12 bits, RFC 4724 §3), got ${gr.restartTime}`);
    }
    const families = (gr.families ?? []).map((f) => ({ afi: f.afi, safi: f.safi, flags: f.forwardingState ? GracefulRestartFamilyFlag.ForwardingState : 0 }));
    capabilities.push({ code: CapabilityCode.GracefulRestart, flags: gr.restarting ? GracefulRestartFlag.Restart : 0, restartTime: gr.restartTime, families });
  }
  if (config.fourOctetAs) capabilities.push({ code: CapabilityCode.FourOctetAs, asn: config.localAs });
  if (options.hostname) {
    const { hostname, domainName = '' } = options.hostname;
    const encoder = new TextEncoder();
    // Each name has a length octet, and the whole value must fit the capability's length octet.
    const size = 2 + encoder.encode(hostname).length + encoder.encode(domainName).length;
    if (hostname === '' || size > 0xff) {
      return problem('BGP_CONFIG_INVALID_CAPABILITY', `hostname must be non-empty and hostname plus domain name at most 253 octets, got ${size - 2}`);
    }
    capabilities.push({ code: CapabilityCode.Fqdn, hostname, domainName });
  }
  return ok(capabilities);
}
