import { strict as assert } from 'node:assert';
import { resolveCollision } from '../../../bgp/session/collision.js';
import { SessionState } from '../../../bgp/session/types.js';
import { Harness, harnessIn, LOCAL_ID, peerOpen, PEER_ID } from './harness.js';

const { Idle, Connect, Active, OpenSent, OpenConfirm, Established } = SessionState;
const open = { type: 'BGPOpen', open: peerOpen() } as const;

/** Fails a Connect attempt and returns the IdleHold back-off it set. */
function failOnce(h: Harness): number | undefined {
  h.send({ type: 'TcpConnectionFails' });
  const backOff = h.timer('IdleHold');
  h.advance(backOff ?? 0);
  return backOff;
}

describe('session FSM: scenarios', () => {
  it('open then keepalive reaches Established', () => {
    const h = new Harness();
    assert.deepEqual(h.send({ type: 'ManualStart' }), ['SetTimer ConnectRetry 120', 'Connect']);
    assert.deepEqual(h.send({ type: 'Tcp_CR_Acked' }), ['StopTimer ConnectRetry', 'SendOpen', 'SetTimer Hold 240']);
    assert.deepEqual(h.send(open), ['SendKeepalive', 'SetTimer Keepalive 30', 'SetTimer Hold 90']);
    assert.deepEqual(h.send({ type: 'KeepAliveMsg' }), ['SetTimer Hold 90', 'SessionEstablished']);
    assert.equal(h.state, Established);
  });

  it('a peer that connects to a passive session reaches Established the same way', () => {
    const h = new Harness({ passive: true });
    assert.deepEqual(h.send({ type: 'ManualStart' }), []);
    assert.deepEqual(h.send({ type: 'TcpConnectionConfirmed' }), ['SendOpen', 'SetTimer Hold 240']);
    h.send(open, { type: 'KeepAliveMsg' });
    assert.equal(h.state, Established);
    assert.equal(h.session.connection, 'inbound');
  });

  it('with DelayOpen, the OPEN goes out after the delay if the peer says nothing', () => {
    const h = new Harness({ delayOpen: true, delayOpenTime: 3 });
    h.send({ type: 'ManualStart' }, { type: 'Tcp_CR_Acked' });
    assert.deepEqual(h.advance(2), []);
    assert.deepEqual(h.advance(1), ['SendOpen', 'SetTimer Hold 240']);
    h.send(open, { type: 'KeepAliveMsg' });
    assert.equal(h.state, Established);
  });

  it('peer hold time of 2 is refused with 2/6', () => {
    const h = harnessIn(OpenSent);
    const actions = h.send({ type: 'BGPOpen', open: peerOpen({ holdTime: 2 }) });
    assert.deepEqual(actions, ['SendNotification 2/6', 'StopTimer Hold', 'Disconnect', 'SessionDown OpenMessageError sent 2/6', 'SetTimer IdleHold 5']);
    assert.equal(h.state, Idle);
  });

  it('a wrong peer AS is refused with 2/2, and the session tries again after the back-off', () => {
    const h = harnessIn(OpenSent);
    assert.equal(h.send({ type: 'BGPOpen', open: peerOpen({ myAs: 65099, capabilities: [] }) })[0], 'SendNotification 2/2');
    assert.deepEqual(h.advance(5), ['SetTimer ConnectRetry 120', 'Connect']);
    assert.equal(h.state, Connect);
  });

  it('an OPEN of version 3 is refused with 2/1 and data 0x0004', () => {
    const h = harnessIn(OpenSent);
    assert.equal(h.send({ type: 'BGPOpen', open: peerOpen({ version: 3 }) })[0], 'SendNotification 2/1 0004');
  });

  it('the peer closing the connection in OpenSent sends us to Active, and ConnectRetry connects out again', () => {
    const h = harnessIn(OpenSent);
    h.send({ type: 'TcpConnectionFails' });
    assert.equal(h.state, Active);
    assert.deepEqual(h.advance(120), ['SetTimer ConnectRetry 120', 'Connect']);
    assert.equal(h.state, Connect);
  });

  it('a peer that keeps failing waits twice as long each time, up to the cap', () => {
    const h = new Harness();
    h.send({ type: 'ManualStart' });
    const backOffs = Array.from({ length: 7 }, () => failOnce(h));
    assert.deepEqual(backOffs, [5, 10, 20, 40, 80, 120, 120]);
    assert.equal(h.state, Connect);
  });

  it('staying Established for idleHoldResetTime starts the back-off over', () => {
    const h = new Harness();
    h.send({ type: 'ManualStart' });
    failOnce(h);
    failOnce(h);
    h.send({ type: 'Tcp_CR_Acked' }, open);
    assert.deepEqual(h.send({ type: 'KeepAliveMsg' }), ['SetTimer Hold 90', 'SetTimer IdleHoldReset 60', 'SessionEstablished']);
    h.advance(59);
    assert.equal(h.session.idleHoldTime, 20);
    h.advance(1);
    assert.equal(h.session.idleHoldTime, 5);
    assert.deepEqual(h.send({ type: 'TcpConnectionFails' }), ['StopTimer Hold', 'StopTimer Keepalive', 'Disconnect', 'SessionDown TcpConnectionFails', 'SetTimer IdleHold 5']);
  });

  it('a session that flaps before idleHoldResetTime keeps backing off', () => {
    const h = new Harness();
    h.send({ type: 'ManualStart' });
    failOnce(h);
    failOnce(h);
    h.send({ type: 'Tcp_CR_Acked' }, open, { type: 'KeepAliveMsg' });
    h.advance(10);
    const actions = h.send({ type: 'TcpConnectionFails' });
    assert.deepEqual(actions, ['StopTimer Hold', 'StopTimer Keepalive', 'StopTimer IdleHoldReset', 'Disconnect', 'SessionDown TcpConnectionFails', 'SetTimer IdleHold 20']);
    assert.equal(h.session.connectRetryCounter, 1);
  });

  it('ManualStop then ManualStart starts at once with a fresh back-off', () => {
    const h = new Harness();
    h.send({ type: 'ManualStart' });
    failOnce(h);
    failOnce(h);
    h.send({ type: 'ManualStop' });
    assert.deepEqual(h.send({ type: 'ManualStart' }), ['SetTimer ConnectRetry 120', 'Connect']);
    assert.equal(h.session.idleHoldTime, 5);
  });

  it('simultaneous connections: the one opened by the higher BGP Identifier survives', () => {
    // We are 192.0.2.1, the peer 192.0.2.2: the peer's (inbound) connection must survive.
    const outbound = new Harness();
    outbound.send({ type: 'ManualStart' }, { type: 'Tcp_CR_Acked' }, open);
    assert.equal(outbound.state, OpenConfirm);
    const inbound = new Harness();
    inbound.send({ type: 'ManualStart_with_PassiveTcpEstablishment' }, { type: 'TcpConnectionConfirmed' }, open);
    const decision = resolveCollision({
      localBgpId: LOCAL_ID,
      remoteBgpId: PEER_ID,
      localAs: 65001,
      remoteAs: 65002,
      received: { direction: 'inbound' },
      other: { direction: 'outbound', state: outbound.state, openReceived: true },
    });
    assert.ok(decision.collision && decision.close === 'other');
    assert.equal(outbound.send({ type: 'OpenCollisionDump' })[0], 'SendNotification 6/7');
    inbound.send({ type: 'KeepAliveMsg' });
    assert.equal(inbound.state, Established);
  });
});
