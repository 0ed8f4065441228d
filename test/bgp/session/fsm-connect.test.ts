import { strict as assert } from 'node:assert';
import { MessageType } from '../../../bgp/codec/constants.js';
import { SessionState } from '../../../bgp/session/types.js';
import { transitionTable, type Row } from './fixtures.js';
import { Harness, harnessIn, peerOpen } from './harness.js';

const { Idle, Connect, Active, OpenSent, OpenConfirm } = SessionState;
const ignored: Row = ['is ignored', Connect, []];
const fsmError: Row = ['drops the attempt and goes Idle without a NOTIFICATION', Idle, ['StopTimer ConnectRetry', 'Disconnect', 'SessionDown FsmError', 'SetTimer IdleHold 5']];
const opens: Row = ['sends OPEN under the large hold timer and moves to OpenSent', OpenSent, ['StopTimer ConnectRetry', 'SendOpen', 'SetTimer Hold 240']];

/** Connect with the TCP connection up and the DelayOpen timer running. */
function delayingOpen(options = {}): Harness {
  const h = new Harness({ delayOpen: true, ...options });
  h.send({ type: 'ManualStart' });
  assert.deepEqual(h.send({ type: 'Tcp_CR_Acked' }), ['StopTimer ConnectRetry', 'SetTimer DelayOpen 5']);
  assert.equal(h.state, Connect);
  return h;
}

describe('session FSM: Connect', () => {
  transitionTable('in Connect', () => harnessIn(Connect), {
    ManualStart: ignored,
    ManualStart_with_PassiveTcpEstablishment: ignored,
    ManualStop: ['abandons the attempt and goes Idle with no restart', Idle, ['StopTimer ConnectRetry', 'Disconnect', 'SessionDown ManualStop']],
    AutomaticStart: ignored,
    AutomaticStart_with_PassiveTcpEstablishment: ignored,
    AutomaticStop: ['abandons the attempt and goes Idle to restart later', Idle, ['StopTimer ConnectRetry', 'Disconnect', 'SessionDown AutomaticStop', 'SetTimer IdleHold 5']],
    ConnectRetryTimer_Expires: ['abandons the attempt and connects again', Connect, ['Disconnect', 'SetTimer ConnectRetry 120', 'Connect']],
    HoldTimer_Expires: ['is stale and ignored', Connect, []],
    KeepaliveTimer_Expires: ['is stale and ignored', Connect, []],
    DelayOpenTimer_Expires: ['is stale and ignored', Connect, []],
    IdleHoldTimer_Expires: ['is stale and ignored', Connect, []],
    IdleHoldResetTimer_Expires: ['is stale and ignored', Connect, []],
    Tcp_CR_Acked: opens,
    TcpConnectionConfirmed: opens,
    TcpConnectionFails: ['goes Idle to restart after the back-off', Idle, ['StopTimer ConnectRetry', 'Disconnect', 'SessionDown TcpConnectionFails', 'SetTimer IdleHold 5']],
    BGPOpen: fsmError,
    BGPHeaderErr: ['goes Idle without a NOTIFICATION', Idle, ['StopTimer ConnectRetry', 'Disconnect', 'SessionDown HeaderError', 'SetTimer IdleHold 5']],
    BGPOpenMsgErr: ['goes Idle without a NOTIFICATION', Idle, ['StopTimer ConnectRetry', 'Disconnect', 'SessionDown OpenMessageError', 'SetTimer IdleHold 5']],
    UpdateMsgErr: fsmError,
    RouteRefreshMsgErr: fsmError,
    NotifMsg: ['goes Idle', Idle, ['StopTimer ConnectRetry', 'Disconnect', 'SessionDown NotificationReceived received 6/2', 'SetTimer IdleHold 5']],
    KeepAliveMsg: fsmError,
    UpdateMsg: fsmError,
    RouteRefreshMsg: fsmError,
    OpenCollisionDump: ['goes Idle without a NOTIFICATION', Idle, ['StopTimer ConnectRetry', 'Disconnect', 'SessionDown ConnectionCollision', 'SetTimer IdleHold 5']],
    UpdateMsgSent: ignored,
    BfdDown: ['abandons the attempt, goes Idle and waits for BFD', Idle, ['StopTimer ConnectRetry', 'Disconnect', 'SessionDown BfdDown']],
    BfdUp: ignored,
  });

  it('Tcp_CR_Acked records an outbound connection and TcpConnectionConfirmed an inbound one', () => {
    const out = harnessIn(Connect);
    out.send({ type: 'Tcp_CR_Acked' });
    assert.equal(out.session.connection, 'outbound');
    const inbound = harnessIn(Connect);
    inbound.send({ type: 'TcpConnectionConfirmed' });
    assert.equal(inbound.session.connection, 'inbound');
  });

  it('SendOpen carries the OPEN built from the config', () => {
    const h = harnessIn(Connect);
    const [, sendOpen] = h.sendRaw({ type: 'Tcp_CR_Acked' });
    assert.deepEqual(sendOpen, { type: 'SendOpen', open: h.session.config.open });
  });

  it('TcpConnectionFails in Connect leaves the ConnectRetryCounter alone (RFC 4271 §8.2.2)', () => {
    const h = harnessIn(Connect);
    h.send({ type: 'TcpConnectionFails' });
    assert.equal(h.session.connectRetryCounter, 0);
  });

  it('ManualStop in Connect forbids an automatic restart', () => {
    const h = harnessIn(Connect);
    h.send({ type: 'ManualStop' });
    assert.equal(h.session.allowAutomaticStart, false);
    assert.deepEqual(h.advance(3600), []);
  });

  it('with no answer, the ConnectRetry timer retries every 120 seconds', () => {
    const h = harnessIn(Connect);
    assert.deepEqual(h.advance(119), []);
    assert.deepEqual(h.advance(1), ['Disconnect', 'SetTimer ConnectRetry 120', 'Connect']);
    assert.deepEqual(h.advance(120), ['Disconnect', 'SetTimer ConnectRetry 120', 'Connect']);
  });
});

describe('session FSM: Connect with DelayOpen', () => {
  it('DelayOpenTimer_Expires sends OPEN and moves to OpenSent', () => {
    const h = delayingOpen();
    assert.deepEqual(h.advance(5), ['SendOpen', 'SetTimer Hold 240']);
    assert.equal(h.state, OpenSent);
  });

  it("the peer's OPEN while DelayOpen runs is answered with OPEN and KEEPALIVE and moves to OpenConfirm", () => {
    const h = delayingOpen();
    const actions = h.send({ type: 'BGPOpen', open: peerOpen() });
    assert.deepEqual(actions, ['StopTimer DelayOpen', 'SendOpen', 'SendKeepalive', 'SetTimer Keepalive 30', 'SetTimer Hold 90']);
    assert.equal(h.state, OpenConfirm);
  });

  it('a bad OPEN while DelayOpen runs goes Idle silently by default', () => {
    const h = delayingOpen();
    assert.deepEqual(h.send({ type: 'BGPOpen', open: peerOpen({ holdTime: 2 }) }), ['StopTimer DelayOpen', 'Disconnect', 'SessionDown OpenMessageError', 'SetTimer IdleHold 5']);
    assert.equal(h.state, Idle);
  });

  it('a bad OPEN while DelayOpen runs is refused with 2/6 under SendNOTIFICATIONwithoutOPEN', () => {
    const h = delayingOpen({ sendNotificationWithoutOpen: true });
    const actions = h.send({ type: 'BGPOpen', open: peerOpen({ holdTime: 2 }) });
    assert.deepEqual(actions, ['SendNotification 2/6', 'StopTimer DelayOpen', 'Disconnect', 'SessionDown OpenMessageError sent 2/6', 'SetTimer IdleHold 5']);
  });

  it('TcpConnectionFails while DelayOpen runs falls back to Active and retries later', () => {
    const h = delayingOpen();
    assert.deepEqual(h.send({ type: 'TcpConnectionFails' }), ['SetTimer ConnectRetry 120', 'StopTimer DelayOpen', 'Disconnect']);
    assert.equal(h.state, Active);
    assert.equal(h.session.connection, undefined);
  });

  it('ManualStop while DelayOpen runs closes the connection silently by default', () => {
    const h = delayingOpen();
    assert.deepEqual(h.send({ type: 'ManualStop' }), ['StopTimer DelayOpen', 'Disconnect', 'SessionDown ManualStop']);
  });

  it('ManualStop while DelayOpen runs sends Cease 6/2 under SendNOTIFICATIONwithoutOPEN', () => {
    const h = delayingOpen({ sendNotificationWithoutOpen: true });
    assert.deepEqual(h.send({ type: 'ManualStop' }), ['SendNotification 6/2', 'StopTimer DelayOpen', 'Disconnect', 'SessionDown ManualStop sent 6/2']);
  });

  it('a version-error NOTIFICATION while DelayOpen runs goes Idle without counting a failure', () => {
    const h = delayingOpen();
    const notification = { type: MessageType.Notification, code: 2, subcode: 1, data: Uint8Array.of(0, 4) } as const;
    assert.deepEqual(h.send({ type: 'NotifMsg', notification }), ['StopTimer DelayOpen', 'Disconnect', 'SessionDown NotificationReceived received 2/1', 'SetTimer IdleHold 5']);
    assert.equal(h.session.connectRetryCounter, 0);
  });

  it('any other NOTIFICATION while DelayOpen runs counts a failure', () => {
    const h = delayingOpen();
    h.send({ type: 'NotifMsg', notification: { type: MessageType.Notification, code: 6, subcode: 2, data: new Uint8Array(0) } });
    assert.equal(h.session.connectRetryCounter, 1);
  });

  it('a second connection while DelayOpen runs is left to the driver', () => {
    const h = delayingOpen();
    assert.deepEqual(h.send({ type: 'TcpConnectionConfirmed' }), []);
    assert.equal(h.session.connection, 'outbound');
  });

  it('a KEEPALIVE while DelayOpen runs goes Idle without a NOTIFICATION', () => {
    const h = delayingOpen();
    assert.deepEqual(h.send({ type: 'KeepAliveMsg' }), ['StopTimer DelayOpen', 'Disconnect', 'SessionDown FsmError', 'SetTimer IdleHold 5']);
  });
});
