import { strict as assert } from 'node:assert';
import { CapabilityCode } from '../../../bgp/codec/constants.js';
import type { Capability } from '../../../bgp/codec/messages.js';
import type { SessionOptions } from '../../../bgp/session/config.js';
import { negotiate } from '../../../bgp/session/negotiate.js';
import type { NegotiatedSession } from '../../../bgp/session/types.js';
import { config, LOCAL_AS, LOCAL_ID, peerCapabilities, peerOpen, PEER_AS } from './harness.js';

type OpenFields = Parameters<typeof peerOpen>[0];

/** The NOTIFICATION that refuses the OPEN, as "code/subcode" and data in hex. */
function refusal(open: OpenFields, options: Partial<SessionOptions> = {}): string {
  const result = negotiate(config(options), peerOpen(open));
  assert.equal(result.ok, false, 'the OPEN was accepted');
  const { code, subcode, data } = result.ok ? assert.fail() : result.error;
  return `${code}/${subcode}${data.length ? ` ${Buffer.from(data).toString('hex')}` : ''}`;
}

function accepted(open: OpenFields = {}, options: Partial<SessionOptions> = {}): NegotiatedSession {
  const result = negotiate(config(options), peerOpen(open));
  if (!result.ok) assert.fail(`the OPEN was refused: ${result.error.message}`);
  return result.value;
}

const mp = (afi: number, safi = 1): Capability => ({ code: CapabilityCode.Multiprotocol, afi, safi });
const fourOctet = (asn: number): Capability => ({ code: CapabilityCode.FourOctetAs, asn });

describe('OPEN checks (RFC 4271 §6.2)', () => {
  it('version 3 is refused with 2/1 and our version 4 as data', () => assert.equal(refusal({ version: 3 }), '2/1 0004'));
  it('version 5 is refused with 2/1 and our version 4 as data', () => assert.equal(refusal({ version: 5 }), '2/1 0004'));
  it('the version is checked before the AS', () => assert.equal(refusal({ version: 3, myAs: 1 }), '2/1 0004'));

  it('an unexpected peer AS is refused with 2/2', () => assert.equal(refusal({ myAs: 65003, capabilities: [mp(1), fourOctet(65003)] }), '2/2'));
  it('an unexpected peer AS without four-octet capability is refused with 2/2', () => assert.equal(refusal({ myAs: 65003, capabilities: [mp(1)] }), '2/2'));
  it('the four-octet AS capability is authoritative over My AS', () => assert.equal(refusal({ myAs: PEER_AS, capabilities: [mp(1), fourOctet(65003)] }), '2/2'));
  it('AS_TRANS in the four-octet AS capability is refused with 2/2', () => assert.equal(refusal({ myAs: 23456, capabilities: [mp(1), fourOctet(23456)] }), '2/2'));
  it('AS_TRANS in My AS without a four-octet AS capability is refused with 2/2', () => assert.equal(refusal({ myAs: 23456, capabilities: [mp(1)] }), '2/2'));
  it('AS 0 is refused with 2/2 (RFC 7607 §2)', () => assert.equal(refusal({ myAs: 0, capabilities: [mp(1)] }), '2/2'));
  it('a four-octet peer AS is read from the capability behind AS_TRANS', () => {
    const negotiated = accepted({ myAs: 23456, capabilities: [mp(1), fourOctet(4200000000)] }, { peerAs: 4200000000 });
    assert.equal(negotiated.peerAs, 4200000000);
    assert.equal(negotiated.fourOctetAs, true);
  });
  it('a four-octet peer that sends AS_TRANS without the capability is refused with 2/2', () => {
    assert.equal(refusal({ myAs: 23456, capabilities: [mp(1)] }, { peerAs: 4200000000 }), '2/2');
  });
  it('a two-octet peer without the four-octet capability is accepted', () => {
    const negotiated = accepted({ capabilities: [mp(1)] });
    assert.equal(negotiated.peerAs, PEER_AS);
    assert.equal(negotiated.fourOctetAs, false);
  });
  it('a malformed four-octet AS capability counts as absent', () => {
    const malformed: Capability = { code: CapabilityCode.FourOctetAs, value: Uint8Array.of(1, 2), malformed: true };
    assert.equal(accepted({ capabilities: [mp(1), malformed] }).fourOctetAs, false);
  });

  it('a peer hold time of 1 is refused with 2/6', () => assert.equal(refusal({ holdTime: 1 }), '2/6'));
  it('a peer hold time of 2 is refused with 2/6', () => assert.equal(refusal({ holdTime: 2 }), '2/6'));
  it('a peer hold time of 3 is accepted with keepalives every second', () => {
    const negotiated = accepted({ holdTime: 3 });
    assert.deepEqual([negotiated.holdTime, negotiated.keepaliveTime], [3, 1]);
  });
  it('a peer hold time of 0 turns hold timer and keepalives off', () => {
    const negotiated = accepted({ holdTime: 0 });
    assert.deepEqual([negotiated.holdTime, negotiated.keepaliveTime], [0, 0]);
  });
  it('our hold time of 0 turns them off whatever the peer asks', () => {
    const negotiated = accepted({ holdTime: 180 }, { holdTime: 0 });
    assert.deepEqual([negotiated.holdTime, negotiated.keepaliveTime], [0, 0]);
  });
  it('the smaller hold time wins', () => {
    assert.deepEqual([accepted({ holdTime: 180 }).holdTime, accepted({ holdTime: 30 }).holdTime], [90, 30]);
  });
  it('a configured keepalive is kept while it is within a third of the negotiated hold time', () => {
    assert.equal(accepted({ holdTime: 90 }, { keepaliveTime: 10 }).keepaliveTime, 10);
    assert.equal(accepted({ holdTime: 9 }, { keepaliveTime: 10 }).keepaliveTime, 3);
  });

  it('BGP Identifier 0.0.0.0 is refused with 2/3', () => assert.equal(refusal({ bgpId: '0.0.0.0' }), '2/3'));
  it('a BGP Identifier that is not a dotted quad is refused with 2/3', () => assert.equal(refusal({ bgpId: '1.2.3' }), '2/3'));
  it('an internal peer with our own BGP Identifier is refused with 2/3 (RFC 6286 §2.2)', () => {
    assert.equal(refusal({ bgpId: LOCAL_ID, myAs: LOCAL_AS, capabilities: [mp(1), fourOctet(LOCAL_AS)] }, { peerAs: LOCAL_AS }), '2/3');
  });
  it('an external peer with our own BGP Identifier is accepted (RFC 6286 §2.2)', () => {
    assert.equal(accepted({ bgpId: LOCAL_ID }).peerBgpId, LOCAL_ID);
  });

  it('an unknown optional parameter is refused with 2/4', () => {
    const parameters = [{ type: 1, value: Uint8Array.of(0) }];
    assert.equal(refusal({ parameters }), '2/4');
  });

  it('no family in common is refused with 2/7 listing our Multiprotocol capabilities', () => {
    // code 1, length 4, AFI 1, reserved 0, SAFI 1
    assert.equal(refusal({ capabilities: [mp(2), fourOctet(PEER_AS)] }, { families: [{ afi: 1, safi: 1 }] }), '2/7 010400010001');
  });
  it('a peer with no Multiprotocol capability speaks IPv4 unicast only (RFC 4760 §8)', () => {
    assert.equal(refusal({ capabilities: [fourOctet(PEER_AS)] }, { families: [{ afi: 2, safi: 1 }] }), '2/7 010400020001');
    assert.deepEqual(accepted({ capabilities: [fourOctet(PEER_AS)] }).families, [{ afi: 1, safi: 1 }]);
  });
});

describe('OPEN negotiation', () => {
  it('the families are those both sides advertised, in our order', () => {
    assert.deepEqual(accepted({ capabilities: [mp(2), mp(1, 2), mp(1)] }).families, [{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }]);
    assert.deepEqual(accepted({ capabilities: [mp(2)] }).families, [{ afi: 2, safi: 1 }]);
  });

  it('four-octet AS needs both sides', () => {
    assert.equal(accepted().fourOctetAs, true);
    assert.equal(accepted({}, { fourOctetAs: false }).fourOctetAs, false);
  });

  it('route refresh follows the peer; enhanced route refresh needs both sides', () => {
    const err: Capability = { code: CapabilityCode.EnhancedRouteRefresh };
    assert.equal(accepted().routeRefresh, true);
    assert.equal(accepted({ capabilities: [mp(1)] }).routeRefresh, false);
    assert.equal(accepted({ capabilities: [...peerCapabilities(), err] }).enhancedRouteRefresh, false);
    assert.equal(accepted({ capabilities: [...peerCapabilities(), err] }, { enhancedRouteRefresh: true }).enhancedRouteRefresh, true);
    assert.equal(accepted({}, { enhancedRouteRefresh: true }).enhancedRouteRefresh, false);
  });

  it('extended messages need both sides and then allow 65535 octets (RFC 8654)', () => {
    const ext: Capability = { code: CapabilityCode.ExtendedMessage };
    assert.deepEqual(pick(accepted({ capabilities: [mp(1), ext] }, { extendedMessage: true })), [true, 65535]);
    assert.deepEqual(pick(accepted({ capabilities: [mp(1), ext] })), [false, 4096]);
    assert.deepEqual(pick(accepted({ capabilities: [mp(1)] }, { extendedMessage: true })), [false, 4096]);
    function pick(n: NegotiatedSession) {
      return [n.extendedMessage, n.maxMessageLength];
    }
  });

  it("the peer's graceful restart capability is read out (RFC 4724 §3, RFC 8538)", () => {
    const gr: Capability = {
      code: CapabilityCode.GracefulRestart,
      flags: 0x8 | 0x4,
      restartTime: 120,
      families: [{ afi: 1, safi: 1, flags: 0x80 }, { afi: 2, safi: 1, flags: 0 }],
    };
    assert.deepEqual(accepted({ capabilities: [mp(1), gr] }).peerGracefulRestart, {
      restarting: true,
      notification: true,
      restartTime: 120,
      families: [{ afi: 1, safi: 1, forwardingState: true }, { afi: 2, safi: 1, forwardingState: false }],
    });
    assert.equal(accepted().peerGracefulRestart, undefined);
  });

  it("the peer's hostname is read from the FQDN capability", () => {
    const fqdn: Capability = { code: CapabilityCode.Fqdn, hostname: 'tor1', domainName: 'dc1.example' };
    assert.deepEqual(accepted({ capabilities: [mp(1), fqdn] }).peerHostname, { hostname: 'tor1', domainName: 'dc1.example' });
  });

  it('the peer identity, iBGP flag and every capability are kept', () => {
    const negotiated = accepted();
    assert.equal(negotiated.peerBgpId, '192.0.2.2');
    assert.equal(negotiated.ibgp, false);
    assert.deepEqual(negotiated.peerCapabilities, peerCapabilities());
    assert.equal(accepted({ myAs: LOCAL_AS, capabilities: [mp(1), fourOctet(LOCAL_AS)] }, { peerAs: LOCAL_AS }).ibgp, true);
  });

  it('each refusal carries a stable name and a sentence', () => {
    const result = negotiate(config(), peerOpen({ holdTime: 2 }));
    assert.ok(!result.ok);
    assert.equal(result.error.name, 'BGP_ERR_UNACCEPTABLE_HOLD_TIME');
    assert.match(result.error.message, /hold time 2 s/);
  });
});
