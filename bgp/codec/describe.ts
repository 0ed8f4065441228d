// One-line human descriptions of messages, for logs and the CLI's decoder.
import { AsPathSegmentType, AttrType, CapabilityCode, ErrorCode, MessageType, Origin } from './constants.js';
import type { BgpMessage, Capability, PathAttribute } from './messages.js';

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');

export function familyName(afi: number, safi: number): string {
  const a = afi === 1 ? 'ipv4' : afi === 2 ? 'ipv6' : `afi${afi}`;
  const s = safi === 1 ? 'unicast' : safi === 2 ? 'multicast' : `safi${safi}`;
  return `${a}-${s}`;
}

export function describeCapability(c: Capability): string {
  if ('value' in c) return `${CapabilityCode[c.code] ?? `capability-${c.code}`}(${hex(c.value)}${c.malformed ? ', malformed' : ''})`;
  switch (c.code) {
    case CapabilityCode.Multiprotocol:
      return `mp(${familyName(c.afi, c.safi)})`;
    case CapabilityCode.FourOctetAs:
      return `as4(${c.asn})`;
    case CapabilityCode.GracefulRestart: {
      const flags = [c.flags & 0x8 ? 'R' : '', c.flags & 0x4 ? 'N' : ''].join('');
      const fams = c.families.map((f) => `${familyName(f.afi, f.safi)}${f.flags & 0x80 ? '+F' : ''}`).join(',');
      return `graceful-restart(time=${c.restartTime}${flags ? ` flags=${flags}` : ''}${fams ? ` ${fams}` : ''})`;
    }
    case CapabilityCode.Fqdn:
      return `fqdn(${c.hostname}${c.domainName ? `.${c.domainName}` : ''})`;
    case CapabilityCode.RouteRefresh:
      return 'route-refresh';
    case CapabilityCode.EnhancedRouteRefresh:
      return 'enhanced-route-refresh';
    case CapabilityCode.ExtendedMessage:
      return 'extended-message';
  }
}

function community(c: number): string {
  return `${c >>> 16}:${c & 0xffff}`;
}

export function describeAttribute(a: PathAttribute): string {
  if ('value' in a) return `attr${a.type}(flags=0x${a.flags.toString(16)} ${hex(a.value)})`;
  switch (a.type) {
    case AttrType.Origin:
      return `origin ${Origin[a.origin]?.toLowerCase() ?? a.origin}`;
    case AttrType.AsPath:
    case AttrType.As4Path: {
      const path = a.segments.map((s) => (s.type === AsPathSegmentType.AsSet ? `{${s.asns.join(',')}}` : s.type === AsPathSegmentType.AsSequence ? s.asns.join(' ') : `(${s.asns.join(' ')})`)).join(' ');
      return `${a.type === AttrType.AsPath ? 'as-path' : 'as4-path'} [${path}]`;
    }
    case AttrType.NextHop:
      return `next-hop ${a.nextHop}`;
    case AttrType.MultiExitDisc:
      return `med ${a.med}`;
    case AttrType.LocalPref:
      return `local-pref ${a.localPref}`;
    case AttrType.AtomicAggregate:
      return 'atomic-aggregate';
    case AttrType.Aggregator:
    case AttrType.As4Aggregator:
      return `${a.type === AttrType.Aggregator ? 'aggregator' : 'as4-aggregator'} ${a.asn} ${a.address}`;
    case AttrType.Communities:
      return `communities ${a.communities.map(community).join(' ')}`;
    case AttrType.ExtendedCommunities:
      return `ext-communities ${a.communities.map(hex).join(' ')}`;
    case AttrType.LargeCommunities:
      return `large-communities ${a.communities.map((c) => `${c.globalAdmin}:${c.localData1}:${c.localData2}`).join(' ')}`;
    case AttrType.OriginatorId:
      return `originator-id ${a.originatorId}`;
    case AttrType.ClusterList:
      return `cluster-list ${a.clusterIds.join(' ')}`;
    case AttrType.MpReachNlri:
      return `mp-reach ${familyName(a.afi, a.safi)} via ${a.nextHops.join(',') || hex(a.rawNextHop ?? new Uint8Array())} [${a.nlri.map(String).join(' ')}]`;
    case AttrType.MpUnreachNlri:
      return `mp-unreach ${familyName(a.afi, a.safi)} [${a.withdrawn.map(String).join(' ')}]`;
  }
}

export function describeMessage(m: BgpMessage): string {
  switch (m.type) {
    case MessageType.Open: {
      const caps = m.parameters.flatMap((p) => ('capabilities' in p ? p.capabilities : []));
      return `OPEN version ${m.version} as ${m.myAs} hold ${m.holdTime} id ${m.bgpId}${m.extendedParameters ? ' (rfc9072 params)' : ''} caps ${caps.map(describeCapability).join(' ')}`;
    }
    case MessageType.Update: {
      const parts: string[] = [];
      if (m.withdrawn.length) parts.push(`withdraw [${m.withdrawn.map(String).join(' ')}]`);
      for (const a of m.attributes) parts.push(describeAttribute(a));
      if (m.nlri.length) parts.push(`nlri [${m.nlri.map(String).join(' ')}]`);
      return `UPDATE ${parts.length ? parts.join('; ') : '(end-of-rib ipv4-unicast)'}`;
    }
    case MessageType.Notification:
      return `NOTIFICATION ${ErrorCode[m.code] ?? m.code}/${m.subcode}${m.shutdownMessage !== undefined ? ` "${m.shutdownMessage}"` : m.data.length ? ` data ${hex(m.data)}` : ''}`;
    case MessageType.Keepalive:
      return 'KEEPALIVE';
    case MessageType.RouteRefresh:
      return `ROUTE-REFRESH ${familyName(m.afi, m.safi)} subtype ${m.subtype}`;
  }
}
