import { strict as assert } from 'node:assert';
import { MessageType } from '../../../bgp/codec/constants.js';
import { SessionState } from '../../../bgp/session/types.js';
import { EVENTS, transitionTable, type Row } from './fixtures.js';
import { harnessIn, peerOpen } from './harness.js';

const { Idle, Established } = SessionState;
const ignored: Row = ['is ignored', Established, []];
const stale: Row = ['is stale and ignored', Established, []];
const released = ['StopTimer Hold', 'StopTimer Keepalive', 'Disconnect'];
const unexpected: Row = ['is refused with FSM Error 5/3 (RFC 6608)', Idle, ['SendNotification 5/3', ...released, 'SessionDown FsmError sent 5/3', 'SetTimer IdleHold 5']];

describe('session FSM: Established', () => {
  transitionTable('in Established', () => harnessIn(Established), {
    ManualStart: ignored,
    ManualStart_with_PassiveTcpEstablishment: ignored,
    ManualStop: ['sends Cease 6/2 and goes Idle with no restart', Idle, ['SendNotification 6/2', ...released, 'SessionDown ManualStop sent 6/2']],
    AutomaticStart: ignored,
    AutomaticStart_with_PassiveTcpEstablishment: ignored,
    AutomaticStop: ['sends Cease 6/0 and goes Idle to restart later', Idle, ['SendNotification 6/0', ...released, 'SessionDown AutomaticStop sent 6/0', 'SetTimer IdleHold 5']],
    ConnectRetryTimer_Expires: stale,
    HoldTimer_Expires: ['sends 4/0 and goes Idle', Idle, ['SendNotification 4/0', 'StopTimer Keepalive', 'Disconnect', 'SessionDown HoldTimerExpired sent 4/0', 'SetTimer IdleHold 5']],
    KeepaliveTimer_Expires: ['sends KEEPALIVE and restarts the keepalive timer', Established, ['SendKeepalive', 'SetTimer Keepalive 30']],
    DelayOpenTimer_Expires: stale,
    IdleHoldTimer_Expires: stale,
    IdleHoldResetTimer_Expires: stale,
    Tcp_CR_Acked: ['(a second connection) is left to collision detection', Established, []],
    TcpConnectionConfirmed: ['(a second connection) is left to collision detection', Established, []],
    TcpConnectionFails: ['goes Idle', Idle, [...released, 'SessionDown TcpConnectionFails', 'SetTimer IdleHold 5']],
    BGPOpen: unexpected,
    BGPHeaderErr: ['sends the header error and goes Idle', Idle, ['SendNotification 1/2 0012', ...released, 'SessionDown HeaderError sent 1/2', 'SetTimer IdleHold 5']],
    BGPOpenMsgErr: unexpected,
    UpdateMsgErr: ['sends the UPDATE error and goes Idle', Idle, ['SendNotification 3/1', ...released, 'SessionDown UpdateMessageError sent 3/1', 'SetTimer IdleHold 5']],
    RouteRefreshMsgErr: ['sends the ROUTE-REFRESH error and goes Idle', Idle, ['SendNotification 7/1', ...released, 'SessionDown RouteRefreshMessageError sent 7/1', 'SetTimer IdleHold 5']],
    NotifMsg: ['goes Idle without answering', Idle, [...released, 'SessionDown NotificationReceived received 6/2', 'SetTimer IdleHold 5']],
    KeepAliveMsg: ['restarts the hold timer', Established, ['SetTimer Hold 90']],
    UpdateMsg: ['restarts the hold timer and delivers the UPDATE', Established, ['SetTimer Hold 90', 'DeliverUpdate']],
    RouteRefreshMsg: ['delivers the ROUTE-REFRESH', Established, ['DeliverRouteRefresh']],
    OpenCollisionDump: ['sends Cease 6/7 and goes Idle', Idle, ['SendNotification 6/7', ...released, 'SessionDown ConnectionCollision sent 6/7', 'SetTimer IdleHold 5']],
    UpdateMsgSent: ['restarts the keepalive timer', Established, ['SetTimer Keepalive 30']],
    BfdDown: ['sends Cease / BFD Down 6/10 (RFC 9384), goes Idle and waits for BFD', Idle, ['SendNotification 6/10', ...released, 'SessionDown BfdDown sent 6/10']],
    BfdUp: ignored,
  });

  it('hold timer expiry in Established sends 4/0 and goes Idle', () => {
    const h = harnessIn(Established);
    assert.deepEqual(h.advance(89), ['SendKeepalive', 'SetTimer Keepalive 30', 'SendKeepalive', 'SetTimer Keepalive 30']);
    h.send({ type: 'KeepAliveMsg' });
    assert.deepEqual(h.advance(89), ['SendKeepalive', 'SetTimer Keepalive 30', 'SendKeepalive', 'SetTimer Keepalive 30', 'SendKeepalive', 'SetTimer Keepalive 30']);
    assert.deepEqual(h.advance(1), ['SendNotification 4/0', 'StopTimer Keepalive', 'Disconnect', 'SessionDown HoldTimerExpired sent 4/0', 'SetTimer IdleHold 5']);
    assert.equal(h.state, Idle);
  });

  it('DeliverUpdate carries the UPDATE as received', () => {
    const h = harnessIn(Established);
    const [, deliver] = h.sendRaw(EVENTS.UpdateMsg);
    assert.deepEqual(deliver, { type: 'DeliverUpdate', update: EVENTS.UpdateMsg.update });
  });

  it('an UPDATE sent pushes the next KEEPALIVE a whole keepalive time away', () => {
    const h = harnessIn(Established);
    h.advance(20);
    h.send({ type: 'UpdateMsgSent' });
    assert.deepEqual(h.advance(29), []);
    assert.deepEqual(h.advance(1), ['SendKeepalive', 'SetTimer Keepalive 30']);
  });

  it('with a negotiated hold time of 0, KEEPALIVE, UPDATE and UPDATE sent touch no timer', () => {
    const h = harnessIn(Established, {}, peerOpen({ holdTime: 0 }));
    assert.equal(h.state, Established);
    assert.deepEqual(h.send({ type: 'KeepAliveMsg' }, EVENTS.UpdateMsg, { type: 'UpdateMsgSent' }), ['DeliverUpdate']);
    assert.deepEqual(h.advance(100000), []);
  });

  it('a ROUTE-REFRESH for a family we did not advertise is ignored (RFC 2918 §4)', () => {
    const h = harnessIn(Established, { families: [{ afi: 1, safi: 1 }] });
    const routeRefresh = { type: MessageType.RouteRefresh, afi: 2, subtype: 0, safi: 1 } as const;
    assert.deepEqual(h.send({ type: 'RouteRefreshMsg', routeRefresh }), []);
  });

  it('a ROUTE-REFRESH with an unknown subtype is ignored (RFC 7313 §5)', () => {
    const h = harnessIn(Established);
    const routeRefresh = { type: MessageType.RouteRefresh, afi: 1, subtype: 3, safi: 1 } as const;
    assert.deepEqual(h.send({ type: 'RouteRefreshMsg', routeRefresh }), []);
  });

  it('BoRR and EoRR are delivered (RFC 7313 §4)', () => {
    const h = harnessIn(Established);
    for (const subtype of [1, 2]) {
      const routeRefresh = { type: MessageType.RouteRefresh, afi: 2, subtype, safi: 1 } as const;
      assert.deepEqual(h.send({ type: 'RouteRefreshMsg', routeRefresh }), ['DeliverRouteRefresh']);
    }
  });

  it('the SessionDown on leaving Established says so and carries what the peer sent', () => {
    const h = harnessIn(Established);
    const notification = { type: MessageType.Notification, code: 6, subcode: 2, data: Uint8Array.of(3, 0x62, 0x79, 0x65), shutdownMessage: 'bye' } as const;
    const down = h.sendRaw({ type: 'NotifMsg', notification }).find((a) => a.type === 'SessionDown');
    assert.deepEqual(down, {
      type: 'SessionDown',
      reason: 'NotificationReceived',
      state: Established,
      wasEstablished: true,
      notificationReceived: notification,
      message: 'the peer sent NOTIFICATION 6/2: "bye"',
    });
    assert.equal(h.session.negotiated, undefined);
    assert.equal(h.session.connection, undefined);
  });

  it('ManualStop with a shutdown message sends it as RFC 9003 data', () => {
    const h = harnessIn(Established);
    const [send] = h.sendRaw({ type: 'ManualStop', shutdownMessage: 'maintenance' });
    assert.equal(send?.type, 'SendNotification');
    assert.deepEqual([...send.notification.data], [11, ...Buffer.from('maintenance')]);
    assert.equal(h.session.allowAutomaticStart, false);
    assert.equal(h.session.connectRetryCounter, 0);
    assert.deepEqual(h.advance(3600), []);
  });

  it('ManualStop with another Cease sends that one instead', () => {
    const h = harnessIn(Established);
    const notification = { kind: 'notification', name: 'BGP_ERR_CEASE', code: 6, subcode: 3, data: new Uint8Array(0), message: 'peer removed' } as const;
    assert.deepEqual(h.send({ type: 'ManualStop', notification }), ['SendNotification 6/3', ...released, 'SessionDown ManualStop sent 6/3']);
  });

  it('AutomaticStop with a Cease sends that one, and the session restarts after the back-off', () => {
    const h = harnessIn(Established);
    const notification = { kind: 'notification', name: 'BGP_ERR_CEASE', code: 6, subcode: 1, data: Uint8Array.of(0, 1, 1, 0, 0, 0, 100), message: 'max prefixes' } as const;
    assert.deepEqual(h.send({ type: 'AutomaticStop', notification }), ['SendNotification 6/1 00010100000064', ...released, 'SessionDown AutomaticStop sent 6/1', 'SetTimer IdleHold 5']);
    assert.deepEqual(h.advance(5), ['SetTimer ConnectRetry 120', 'Connect']);
  });
});
