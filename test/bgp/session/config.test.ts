import { strict as assert } from 'node:assert';
import { CapabilityCode, MessageType, OptionalParameterType } from '../../../bgp/codec/constants.js';
import { sessionConfig, type ConfigErrorName, type SessionOptions } from '../../../bgp/session/config.js';

const base: SessionOptions = { localAs: 65001, peerAs: 65002, localBgpId: '192.0.2.1' };

function refused(options: Partial<SessionOptions>): ConfigErrorName {
  const result = sessionConfig({ ...base, ...options });
  assert.ok(!result.ok, 'the options were accepted');
  return result.error.name;
}

function accepted(options: Partial<SessionOptions> = {}) {
  const result = sessionConfig({ ...base, ...options });
  if (!result.ok) assert.fail(result.error.message);
  return result.value;
}

describe('session configuration', () => {
  it('defaults: hold 90, keepalive 30, connect retry 120, IPv4 and IPv6 unicast, active', () => {
    const c = accepted();
    assert.deepEqual(
      [c.holdTime, c.keepaliveTime, c.connectRetryTime, c.passive, c.delayOpen, c.idleHoldTime, c.maxIdleHoldTime, c.idleHoldResetTime],
      [90, 30, 120, false, false, 5, 120, 60],
    );
    assert.deepEqual(c.families, [{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }]);
  });

  it('the OPEN advertises the default capabilities in a fixed order', () => {
    assert.deepEqual(accepted().open, {
      type: MessageType.Open,
      version: 4,
      myAs: 65001,
      holdTime: 90,
      bgpId: '192.0.2.1',
      parameters: [
        {
          type: OptionalParameterType.Capabilities,
          capabilities: [
            { code: CapabilityCode.Multiprotocol, afi: 1, safi: 1 },
            { code: CapabilityCode.Multiprotocol, afi: 2, safi: 1 },
            { code: CapabilityCode.RouteRefresh },
            { code: CapabilityCode.FourOctetAs, asn: 65001 },
          ],
        },
      ],
    });
  });

  it('every optional capability can be advertised', () => {
    const c = accepted({
      enhancedRouteRefresh: true,
      extendedMessage: true,
      gracefulRestart: { restartTime: 120, restarting: true, families: [{ afi: 1, safi: 1, forwardingState: true }, { afi: 2, safi: 1 }] },
      hostname: { hostname: 'node-1', domainName: 'cluster.local' },
      families: [{ afi: 1, safi: 1 }],
    });
    assert.deepEqual(c.capabilities, [
      { code: CapabilityCode.Multiprotocol, afi: 1, safi: 1 },
      { code: CapabilityCode.RouteRefresh },
      { code: CapabilityCode.EnhancedRouteRefresh },
      { code: CapabilityCode.ExtendedMessage },
      { code: CapabilityCode.GracefulRestart, flags: 0x8, restartTime: 120, families: [{ afi: 1, safi: 1, flags: 0x80 }, { afi: 2, safi: 1, flags: 0 }] },
      { code: CapabilityCode.FourOctetAs, asn: 65001 },
      { code: CapabilityCode.Fqdn, hostname: 'node-1', domainName: 'cluster.local' },
    ]);
  });

  it('a four-octet local AS goes out as AS_TRANS with the real one in the capability (RFC 6793 §4.1)', () => {
    const c = accepted({ localAs: 4200000001 });
    assert.equal(c.open.myAs, 23456);
    assert.ok(c.capabilities.some((cap) => cap.code === CapabilityCode.FourOctetAs && 'asn' in cap && cap.asn === 4200000001));
  });

  it('the keepalive time defaults to a third of the hold time, rounded down', () => {
    assert.equal(accepted({ holdTime: 10 }).keepaliveTime, 3);
    assert.equal(accepted({ holdTime: 0 }).keepaliveTime, 0);
  });

  it('duplicate families are advertised once', () => {
    assert.deepEqual(accepted({ families: [{ afi: 2, safi: 1 }, { afi: 2, safi: 1 }] }).families, [{ afi: 2, safi: 1 }]);
  });

  it('hold times of 1 and 2 cannot exist (RFC 4271 §4.2)', () => {
    assert.equal(refused({ holdTime: 1 }), 'BGP_CONFIG_INVALID_HOLD_TIME');
    assert.equal(refused({ holdTime: 2 }), 'BGP_CONFIG_INVALID_HOLD_TIME');
    assert.equal(refused({ holdTime: 65536 }), 'BGP_CONFIG_INVALID_HOLD_TIME');
    assert.equal(refused({ holdTime: 4.5 }), 'BGP_CONFIG_INVALID_HOLD_TIME');
  });

  it('a keepalive above a third of the hold time is refused', () => {
    assert.equal(refused({ holdTime: 90, keepaliveTime: 31 }), 'BGP_CONFIG_INVALID_TIMER');
    assert.equal(refused({ holdTime: 0, keepaliveTime: 10 }), 'BGP_CONFIG_INVALID_TIMER');
    assert.equal(refused({ holdTime: 90, keepaliveTime: 0 }), 'BGP_CONFIG_INVALID_TIMER');
  });

  it('AS 0, AS_TRANS and numbers past 32 bits are refused', () => {
    assert.equal(refused({ localAs: 0 }), 'BGP_CONFIG_INVALID_AS');
    assert.equal(refused({ peerAs: 23456 }), 'BGP_CONFIG_INVALID_AS');
    assert.equal(refused({ peerAs: 2 ** 32 }), 'BGP_CONFIG_INVALID_AS');
  });

  it('a four-octet AS without the four-octet capability is refused', () => {
    assert.equal(refused({ peerAs: 70000, fourOctetAs: false }), 'BGP_CONFIG_INVALID_AS');
  });

  it('a BGP Identifier must be a non-zero dotted quad', () => {
    assert.equal(refused({ localBgpId: '0.0.0.0' }), 'BGP_CONFIG_INVALID_BGP_ID');
    assert.equal(refused({ localBgpId: '256.0.0.1' }), 'BGP_CONFIG_INVALID_BGP_ID');
    assert.equal(refused({ localBgpId: '01.2.3.4' }), 'BGP_CONFIG_INVALID_BGP_ID');
    assert.equal(refused({ localBgpId: 'router-1' }), 'BGP_CONFIG_INVALID_BGP_ID');
  });

  it('timers must be whole seconds from 1, and the back-off cap at least its start', () => {
    assert.equal(refused({ connectRetryTime: 0 }), 'BGP_CONFIG_INVALID_TIMER');
    assert.equal(refused({ delayOpenTime: 0.5 }), 'BGP_CONFIG_INVALID_TIMER');
    assert.equal(refused({ idleHoldTime: 10, maxIdleHoldTime: 5 }), 'BGP_CONFIG_INVALID_TIMER');
    assert.equal(accepted({ connectRetryTime: 5 }).connectRetryTime, 5);
    assert.equal(accepted({ idleHoldTime: 300 }).maxIdleHoldTime, 300);
  });

  it('families must be valid and not empty', () => {
    assert.equal(refused({ families: [] }), 'BGP_CONFIG_INVALID_FAMILY');
    assert.equal(refused({ families: [{ afi: 0, safi: 1 }] }), 'BGP_CONFIG_INVALID_FAMILY');
    assert.equal(refused({ families: [{ afi: 1, safi: 256 }] }), 'BGP_CONFIG_INVALID_FAMILY');
  });

  it('a graceful restart time past 12 bits is refused', () => {
    assert.equal(refused({ gracefulRestart: { restartTime: 4096 } }), 'BGP_CONFIG_INVALID_CAPABILITY');
    assert.equal(accepted({ gracefulRestart: { restartTime: 4095 } }).capabilities.length, 5);
  });

  it('a hostname must fit the FQDN capability', () => {
    assert.equal(refused({ hostname: { hostname: '' } }), 'BGP_CONFIG_INVALID_CAPABILITY');
    assert.equal(refused({ hostname: { hostname: 'h'.repeat(200), domainName: 'd'.repeat(54) } }), 'BGP_CONFIG_INVALID_CAPABILITY');
    assert.ok(accepted({ hostname: { hostname: 'h'.repeat(200), domainName: 'd'.repeat(53) } }));
  });

  it('each refusal says what was wrong', () => {
    const result = sessionConfig({ ...base, holdTime: 2 });
    assert.ok(!result.ok);
    assert.equal(result.error.message, 'holdTime must be 0 or 3..65535 seconds (RFC 4271 §4.2), got 2');
  });
});
