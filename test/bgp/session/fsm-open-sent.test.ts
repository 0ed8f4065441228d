import { strict as assert } from 'node:assert';
import { MessageType } from '../../../bgp/codec/constants.js';
import { SessionState } from '../../../bgp/session/types.js';
import { transitionTable, type Row } from './fixtures.js';
import { harnessIn, peerOpen } from './harness.js';

const { Idle, Active, OpenSent, OpenConfirm } = SessionState;
const ignored: Row = ['is ignored', OpenSent, []];
const stale: Row = ['is stale and ignored', OpenSent, []];
const unexpected: Row = ['is refused with FSM Error 5/1 (RFC 6608)', Idle, ['SendNotification 5/1', 'StopTimer Hold', 'Disconnect', 'SessionDown FsmError sent 5/1', 'SetTimer IdleHold 5']];

describe('session FSM: OpenSent', () => {
  transitionTable('in OpenSent', () => harnessIn(OpenSent), {
    ManualStart: ignored,
    ManualStart_with_PassiveTcpEstablishment: ignored,
    ManualStop: ['sends Cease 6/2 and goes Idle with no restart', Idle, ['SendNotification 6/2', 'StopTimer Hold', 'Disconnect', 'SessionDown ManualStop sent 6/2']],
    AutomaticStart: ignored,
    AutomaticStart_with_PassiveTcpEstablishment: ignored,
    AutomaticStop: ['sends Cease 6/0 and goes Idle to restart later', Idle, ['SendNotification 6/0', 'StopTimer Hold', 'Disconnect', 'SessionDown AutomaticStop sent 6/0', 'SetTimer IdleHold 5']],
    ConnectRetryTimer_Expires: stale,
    HoldTimer_Expires: ['sends 4/0 and goes Idle', Idle, ['SendNotification 4/0', 'Disconnect', 'SessionDown HoldTimerExpired sent 4/0', 'SetTimer IdleHold 5']],
    KeepaliveTimer_Expires: stale,
    DelayOpenTimer_Expires: stale,
    IdleHoldTimer_Expires: stale,
    IdleHoldResetTimer_Expires: stale,
    Tcp_CR_Acked: ['(a second connection) is left to collision detection', OpenSent, []],
    TcpConnectionConfirmed: ['(a second connection) is left to collision detection', OpenSent, []],
    TcpConnectionFails: ['closes the connection and falls back to Active', Active, ['Disconnect', 'StopTimer Hold', 'SetTimer ConnectRetry 120']],
    BGPOpen: ['answers with KEEPALIVE, starts the negotiated timers and moves to OpenConfirm', OpenConfirm, ['SendKeepalive', 'SetTimer Keepalive 30', 'SetTimer Hold 90']],
    BGPHeaderErr: ['sends the header error and goes Idle', Idle, ['SendNotification 1/2 0012', 'StopTimer Hold', 'Disconnect', 'SessionDown HeaderError sent 1/2', 'SetTimer IdleHold 5']],
    BGPOpenMsgErr: ['sends the OPEN error and goes Idle', Idle, ['SendNotification 2/0', 'StopTimer Hold', 'Disconnect', 'SessionDown OpenMessageError sent 2/0', 'SetTimer IdleHold 5']],
    UpdateMsgErr: unexpected,
    RouteRefreshMsgErr: unexpected,
    NotifMsg: ['goes Idle without answering', Idle, ['StopTimer Hold', 'Disconnect', 'SessionDown NotificationReceived received 6/2', 'SetTimer IdleHold 5']],
    KeepAliveMsg: unexpected,
    UpdateMsg: unexpected,
    RouteRefreshMsg: unexpected,
    OpenCollisionDump: ['sends Cease 6/7 and goes Idle', Idle, ['SendNotification 6/7', 'StopTimer Hold', 'Disconnect', 'SessionDown ConnectionCollision sent 6/7', 'SetTimer IdleHold 5']],
    UpdateMsgSent: ignored,
    BfdDown: ['sends Cease / BFD Down 6/10 (RFC 9384), goes Idle and waits for BFD', Idle, ['SendNotification 6/10', 'StopTimer Hold', 'Disconnect', 'SessionDown BfdDown sent 6/10']],
    BfdUp: ignored,
  });

  it('the hold timer in OpenSent is four minutes, then 4/0', () => {
    const h = harnessIn(OpenSent);
    assert.deepEqual(h.advance(239), []);
    assert.deepEqual(h.advance(1), ['SendNotification 4/0', 'Disconnect', 'SessionDown HoldTimerExpired sent 4/0', 'SetTimer IdleHold 5']);
  });

  it('a version-error NOTIFICATION in OpenSent does not count a failure', () => {
    const h = harnessIn(OpenSent);
    h.send({ type: 'NotifMsg', notification: { type: MessageType.Notification, code: 2, subcode: 1, data: Uint8Array.of(0, 4) } });
    assert.equal(h.state, Idle);
    assert.equal(h.session.connectRetryCounter, 0);
  });

  it('other failures in OpenSent count one each', () => {
    const h = harnessIn(OpenSent);
    h.send({ type: 'KeepAliveMsg' });
    assert.equal(h.session.connectRetryCounter, 1);
  });

  it('an OPEN with hold time 0 stops the hold timer and starts no keepalives', () => {
    const h = harnessIn(OpenSent);
    assert.deepEqual(h.send({ type: 'BGPOpen', open: peerOpen({ holdTime: 0 }) }), ['SendKeepalive', 'StopTimer Hold']);
    assert.equal(h.state, OpenConfirm);
    assert.equal(h.session.negotiated?.holdTime, 0);
    assert.deepEqual(h.advance(100000), []);
  });

  it('a shorter peer hold time wins and the keepalive is a third of it', () => {
    const h = harnessIn(OpenSent);
    assert.deepEqual(h.send({ type: 'BGPOpen', open: peerOpen({ holdTime: 9 }) }), ['SendKeepalive', 'SetTimer Keepalive 3', 'SetTimer Hold 9']);
  });

  it('TcpConnectionFails in OpenSent of a passive-only peer waits in Active with no ConnectRetry', () => {
    const passive = harnessIn(Active, { passive: true });
    passive.send({ type: 'TcpConnectionConfirmed' });
    assert.deepEqual(passive.send({ type: 'TcpConnectionFails' }), ['Disconnect', 'StopTimer Hold']);
    assert.equal(passive.state, Active);
  });
});
