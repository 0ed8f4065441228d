import { strict as assert } from 'node:assert';
import { MessageType } from '../../../bgp/codec/constants.js';
import { SessionState } from '../../../bgp/session/types.js';
import { transitionTable, type Row } from './fixtures.js';
import { harnessIn, peerOpen } from './harness.js';

const { Idle, OpenConfirm, Established } = SessionState;
const ignored: Row = ['is ignored', OpenConfirm, []];
const stale: Row = ['is stale and ignored', OpenConfirm, []];
const released = ['StopTimer Hold', 'StopTimer Keepalive', 'Disconnect'];
const unexpected: Row = ['is refused with FSM Error 5/2 (RFC 6608)', Idle, ['SendNotification 5/2', ...released, 'SessionDown FsmError sent 5/2', 'SetTimer IdleHold 5']];

describe('session FSM: OpenConfirm', () => {
  transitionTable('in OpenConfirm', () => harnessIn(OpenConfirm), {
    ManualStart: ignored,
    ManualStart_with_PassiveTcpEstablishment: ignored,
    ManualStop: ['sends Cease 6/2 and goes Idle with no restart', Idle, ['SendNotification 6/2', ...released, 'SessionDown ManualStop sent 6/2']],
    AutomaticStart: ignored,
    AutomaticStart_with_PassiveTcpEstablishment: ignored,
    AutomaticStop: ['sends Cease 6/0 and goes Idle to restart later', Idle, ['SendNotification 6/0', ...released, 'SessionDown AutomaticStop sent 6/0', 'SetTimer IdleHold 5']],
    ConnectRetryTimer_Expires: stale,
    HoldTimer_Expires: ['sends 4/0 and goes Idle', Idle, ['SendNotification 4/0', 'StopTimer Keepalive', 'Disconnect', 'SessionDown HoldTimerExpired sent 4/0', 'SetTimer IdleHold 5']],
    KeepaliveTimer_Expires: ['sends KEEPALIVE and restarts the keepalive timer', OpenConfirm, ['SendKeepalive', 'SetTimer Keepalive 30']],
    DelayOpenTimer_Expires: stale,
    IdleHoldTimer_Expires: stale,
    IdleHoldResetTimer_Expires: stale,
    Tcp_CR_Acked: ['(a second connection) is left to collision detection', OpenConfirm, []],
    TcpConnectionConfirmed: ['(a second connection) is left to collision detection', OpenConfirm, []],
    TcpConnectionFails: ['goes Idle', Idle, [...released, 'SessionDown TcpConnectionFails', 'SetTimer IdleHold 5']],
    BGPOpen: unexpected,
    BGPHeaderErr: ['sends the header error and goes Idle', Idle, ['SendNotification 1/2 0012', ...released, 'SessionDown HeaderError sent 1/2', 'SetTimer IdleHold 5']],
    BGPOpenMsgErr: ['sends the OPEN error and goes Idle', Idle, ['SendNotification 2/0', ...released, 'SessionDown OpenMessageError sent 2/0', 'SetTimer IdleHold 5']],
    UpdateMsgErr: unexpected,
    RouteRefreshMsgErr: unexpected,
    NotifMsg: ['goes Idle without answering', Idle, [...released, 'SessionDown NotificationReceived received 6/2', 'SetTimer IdleHold 5']],
    KeepAliveMsg: ['restarts the hold timer and reaches Established', Established, ['SetTimer Hold 90', 'SessionEstablished']],
    UpdateMsg: unexpected,
    RouteRefreshMsg: unexpected,
    OpenCollisionDump: ['sends Cease 6/7 and goes Idle', Idle, ['SendNotification 6/7', ...released, 'SessionDown ConnectionCollision sent 6/7', 'SetTimer IdleHold 5']],
    UpdateMsgSent: ignored,
    BfdDown: ['sends Cease / BFD Down 6/10 (RFC 9384), goes Idle and waits for BFD', Idle, ['SendNotification 6/10', ...released, 'SessionDown BfdDown sent 6/10']],
    BfdUp: ignored,
  });

  it('SessionEstablished carries the negotiated session', () => {
    const h = harnessIn(OpenConfirm);
    const [, established] = h.sendRaw({ type: 'KeepAliveMsg' });
    assert.equal(established?.type, 'SessionEstablished');
    assert.equal(established.negotiated, h.session.negotiated);
    assert.equal(established.negotiated.peerAs, 65002);
    assert.equal(established.negotiated.holdTime, 90);
  });

  it('a version-error NOTIFICATION in OpenConfirm counts a failure (RFC 4271 §8.2.2)', () => {
    const h = harnessIn(OpenConfirm);
    h.send({ type: 'NotifMsg', notification: { type: MessageType.Notification, code: 2, subcode: 1, data: Uint8Array.of(0, 4) } });
    assert.equal(h.session.connectRetryCounter, 1);
  });

  it('keepalives go out every third of the hold time while the peer is silent, until the hold timer fires', () => {
    const h = harnessIn(OpenConfirm, {}, peerOpen({ holdTime: 10 }));
    assert.deepEqual(h.advance(9), ['SendKeepalive', 'SetTimer Keepalive 3', 'SendKeepalive', 'SetTimer Keepalive 3', 'SendKeepalive', 'SetTimer Keepalive 3']);
    assert.deepEqual(h.advance(1), ['SendNotification 4/0', 'StopTimer Keepalive', 'Disconnect', 'SessionDown HoldTimerExpired sent 4/0', 'SetTimer IdleHold 5']);
  });

  it('a second OPEN that fails the OPEN checks is an OPEN Message Error, not an FSM error (RFC 4271 §8.2.2; found by the session fuzzer)', () => {
    const h = harnessIn(OpenConfirm);
    const actions = h.send({ type: 'BGPOpen', open: peerOpen({ myAs: 65003, capabilities: [] }) });
    assert.equal(h.session.state, Idle);
    assert.equal(actions[0], 'SendNotification 2/2');
  });

  it('the SessionDown of a collision names the Cease it sent', () => {
    const h = harnessIn(OpenConfirm);
    const down = h.sendRaw({ type: 'OpenCollisionDump' }).find((a) => a.type === 'SessionDown');
    assert.equal(down?.type, 'SessionDown');
    assert.equal(down.reason, 'ConnectionCollision');
    assert.equal(down.state, OpenConfirm);
    assert.equal(down.wasEstablished, false);
    assert.equal(down.notificationSent?.name, 'BGP_ERR_CEASE');
  });
});
