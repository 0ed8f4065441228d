// The peer's OPEN, checked and turned into what the session runs with. Each check returns
// the exact NOTIFICATION to send (RFC 4271 §6.2, RFC 5492, RFC 6286, RFC 6793); a passing
// OPEN yields the negotiated parameters (RFC 4271 §4.2, RFC 4760, RFC 8654, RFC 4724).
import {
  Afi,
  AS_TRANS,
  BGP_VERSION,
  CapabilityCode,
  ErrorCode,
  GracefulRestartFamilyFlag,
  GracefulRestartFlag,
  MAX_EXTENDED_MESSAGE_LENGTH,
  MAX_MESSAGE_LENGTH,
  OpenErrorSubcode,
  OptionalParameterType,
  Safi,
} from '../codec/constants.js';
import { fail, notificationError, ok, u16Data, type NotificationError, type Result } from '../codec/errors.js';
import type {
  Capability,
  CapabilitiesParameter,
  Family,
  FourOctetAsCapability,
  FqdnCapability,
  GracefulRestartCapability,
  MultiprotocolCapability,
  OpenMessage,
  OptionalParameter,
} from '../codec/messages.js';
import type { SessionConfig } from './config.js';
import { parseBgpIdentifier } from './identifier.js';
import type { NegotiatedSession } from './types.js';

/**
 * Checks the peer's OPEN in the order of RFC 4271 §6.2 (version, AS, hold time, identifier,
 * optional parameters), then the capabilities we cannot do without (RFC 5492 §5), and
 * returns either the negotiated session or the NOTIFICATION that refuses it.
 */
export function negotiate(config: SessionConfig, open: OpenMessage): Result<NegotiatedSession, NotificationError> {
  // RFC 4271 §6.2: the data is the version we support, as two octets.
  if (open.version !== BGP_VERSION) {
    return openError('BGP_ERR_UNSUPPORTED_VERSION', OpenErrorSubcode.UnsupportedVersionNumber, `OPEN has version ${open.version}, only version ${BGP_VERSION} is supported`, u16Data(BGP_VERSION));
  }
  const capabilities = peerCapabilities(open.parameters);
  const peerAs = checkPeerAs(config, open, capabilities);
  if (!peerAs.ok) return peerAs;

  // RFC 4271 §4.2, §6.2: a hold time of one or two seconds MUST be rejected.
  if (open.holdTime === 1 || open.holdTime === 2) {
    return openError('BGP_ERR_UNACCEPTABLE_HOLD_TIME', OpenErrorSubcode.UnacceptableHoldTime, `OPEN has hold time ${open.holdTime} s; it must be 0 or at least 3 s`);
  }

  const peerBgpId = parseBgpIdentifier(open.bgpId);
  const ibgp = peerAs.value === config.localAs;
  // RFC 6286 §2.2: non-zero; and within one AS, different from ours.
  if (!peerBgpId) {
    return openError('BGP_ERR_BAD_BGP_IDENTIFIER', OpenErrorSubcode.BadBgpIdentifier, `OPEN has BGP Identifier ${open.bgpId}; it must be a non-zero 4-octet value`);
  }
  if (ibgp && peerBgpId === parseBgpIdentifier(config.localBgpId)) {
    return openError('BGP_ERR_BAD_BGP_IDENTIFIER', OpenErrorSubcode.BadBgpIdentifier, `OPEN from an internal peer has our own BGP Identifier ${open.bgpId}`);
  }

  // RFC 4271 §6.2, RFC 5492: the Capabilities parameter is the only optional parameter defined.
  const unknown = open.parameters.find((p) => p.type !== OptionalParameterType.Capabilities);
  if (unknown) {
    return openError('BGP_ERR_UNSUPPORTED_OPTIONAL_PARAMETER', OpenErrorSubcode.UnsupportedOptionalParameter, `OPEN has optional parameter type ${unknown.type}; only Capabilities (2) is supported`);
  }

  const peerFamilies = capabilities.filter(isMultiprotocol).map((c) => ({ afi: c.afi, safi: c.safi }));
  // RFC 4760 §8: a peer that sends no Multiprotocol capability speaks IPv4 unicast only.
  if (peerFamilies.length === 0) peerFamilies.push({ afi: Afi.Ipv4, safi: Safi.Unicast });
  const families = config.families.filter((ours) => peerFamilies.some((theirs) => sameFamily(ours, theirs)));
  if (families.length === 0) {
    // RFC 5492 §5: the data lists the capabilities the peer lacks, here our Multiprotocol ones.
    return openError(
      'BGP_ERR_UNSUPPORTED_CAPABILITY',
      OpenErrorSubcode.UnsupportedCapability,
      `no address family in common: we advertise ${config.families.map(familyName).join(', ')}, the peer ${peerFamilies.map(familyName).join(', ')}`,
      multiprotocolCapabilityData(config.families),
    );
  }

  const has = (code: CapabilityCode) => capabilities.some((c) => c.code === code && !('malformed' in c && c.malformed));
  const holdTime = Math.min(config.holdTime, open.holdTime);
  const extendedMessage = config.extendedMessage && has(CapabilityCode.ExtendedMessage);
  const gracefulRestart = capabilities.find(isGracefulRestart);
  const fqdn = capabilities.find(isFqdn);
  return ok({
    peerAs: peerAs.value,
    peerBgpId: open.bgpId,
    ibgp,
    holdTime,
    // RFC 4271 §10: a third of the hold time, or less when configured so.
    keepaliveTime: holdTime === 0 ? 0 : Math.min(config.keepaliveTime, Math.floor(holdTime / 3)),
    families,
    fourOctetAs: config.fourOctetAs && capabilities.some(isFourOctetAs),
    routeRefresh: has(CapabilityCode.RouteRefresh),
    enhancedRouteRefresh: config.enhancedRouteRefresh && has(CapabilityCode.EnhancedRouteRefresh),
    extendedMessage,
    maxMessageLength: extendedMessage ? MAX_EXTENDED_MESSAGE_LENGTH : MAX_MESSAGE_LENGTH,
    ...(gracefulRestart && {
      peerGracefulRestart: {
        restarting: (gracefulRestart.flags & GracefulRestartFlag.Restart) !== 0,
        notification: (gracefulRestart.flags & GracefulRestartFlag.Notification) !== 0,
        restartTime: gracefulRestart.restartTime,
        families: gracefulRestart.families.map((f) => ({ afi: f.afi, safi: f.safi, forwardingState: (f.flags & GracefulRestartFamilyFlag.ForwardingState) !== 0 })),
      },
    }),
    ...(fqdn && { peerHostname: { hostname: fqdn.hostname, domainName: fqdn.domainName } }),
    peerCapabilities: capabilities,
  });
}

/**
 * RFC 4271 §6.2 Bad Peer AS, read through RFC 6793 §4.1: the four-octet AS capability, when
 * present, carries the peer's real AS. AS_TRANS can never be a peer's own AS, whether in the
 * capability or in My AS without one; AS 0 never either (RFC 7607 §2).
 */
function checkPeerAs(config: SessionConfig, open: OpenMessage, capabilities: Capability[]): Result<number, NotificationError> {
  const fourOctet = capabilities.find(isFourOctetAs);
  const peerAs = fourOctet ? fourOctet.asn : open.myAs;
  const where = fourOctet ? 'four-octet AS capability' : 'My Autonomous System field';
  if (peerAs === AS_TRANS || peerAs === 0) {
    return badPeerAs(`OPEN has AS ${peerAs} in its ${where}; no speaker may use it as its own AS`);
  }
  if (peerAs !== config.peerAs) return badPeerAs(`OPEN has AS ${peerAs} in its ${where}, expected ${config.peerAs}`);
  return ok(peerAs);
}

function badPeerAs(message: string) {
  return openError('BGP_ERR_BAD_PEER_AS', OpenErrorSubcode.BadPeerAs, message);
}

function openError(name: NotificationError['name'], subcode: OpenErrorSubcode, message: string, data?: Uint8Array) {
  return fail(notificationError(name, ErrorCode.OpenMessageError, subcode, message, data));
}

function peerCapabilities(parameters: OptionalParameter[]): Capability[] {
  return parameters.filter((p): p is CapabilitiesParameter => p.type === OptionalParameterType.Capabilities).flatMap((p) => p.capabilities);
}

// Capabilities the decoder could not read keep their code but carry `malformed` and a raw value.
const wellFormed = (c: Capability) => !('malformed' in c && c.malformed);
const isMultiprotocol = (c: Capability): c is MultiprotocolCapability => c.code === CapabilityCode.Multiprotocol && 'afi' in c && wellFormed(c);
const isFourOctetAs = (c: Capability): c is FourOctetAsCapability => c.code === CapabilityCode.FourOctetAs && 'asn' in c && wellFormed(c);
const isGracefulRestart = (c: Capability): c is GracefulRestartCapability => c.code === CapabilityCode.GracefulRestart && 'restartTime' in c && wellFormed(c);
const isFqdn = (c: Capability): c is FqdnCapability => c.code === CapabilityCode.Fqdn && 'hostname' in c && wellFormed(c);

function sameFamily(a: Family, b: Family): boolean {
  return a.afi === b.afi && a.safi === b.safi;
}

function familyName(f: Family): string {
  const afi = f.afi === Afi.Ipv4 ? 'IPv4' : f.afi === Afi.Ipv6 ? 'IPv6' : `AFI ${f.afi}`;
  const safi = f.safi === Safi.Unicast ? 'unicast' : f.safi === Safi.Multicast ? 'multicast' : `SAFI ${f.safi}`;
  return `${afi} ${safi}`;
}

/** Multiprotocol capabilities as on the wire: code 1, length 4, AFI (2), reserved (1), SAFI (1) (RFC 4760 §8). */
export function multiprotocolCapabilityData(families: readonly Family[]): Uint8Array {
  const data = new Uint8Array(families.length * 6);
  families.forEach((f, i) => {
    data.set([CapabilityCode.Multiprotocol, 4, (f.afi >>> 8) & 0xff, f.afi & 0xff, 0, f.safi & 0xff], i * 6);
  });
  return data;
}
