import { strict as assert } from 'node:assert';
import { SessionState } from '../../../bgp/session/types.js';
import { transitionTable, type Row } from './fixtures.js';
import { Harness } from './harness.js';

const { Idle, Connect, Active } = SessionState;
const ignored: Row = ['is ignored', Idle, []];
const connects: Row = ['starts the ConnectRetry timer, connects and moves to Connect', Connect, ['SetTimer ConnectRetry 120', 'Connect']];
const waits: Row = ['starts the ConnectRetry timer and waits in Active', Active, ['SetTimer ConnectRetry 120']];
const refuses: Row = ['refuses the connection and stays Idle', Idle, ['Disconnect']];

/** Idle after a failure: the back-off timer runs and an automatic restart is allowed. */
function failedOnce(): Harness {
  const h = new Harness();
  h.send({ type: 'ManualStart' }, { type: 'TcpConnectionFails' });
  return h;
}

describe('session FSM: Idle', () => {
  transitionTable('in a fresh Idle', () => new Harness(), {
    ManualStart: connects,
    ManualStart_with_PassiveTcpEstablishment: waits,
    ManualStop: ignored,
    AutomaticStart: connects,
    AutomaticStart_with_PassiveTcpEstablishment: waits,
    AutomaticStop: ignored,
    ConnectRetryTimer_Expires: ignored,
    HoldTimer_Expires: ignored,
    KeepaliveTimer_Expires: ignored,
    DelayOpenTimer_Expires: ignored,
    IdleHoldTimer_Expires: ignored,
    IdleHoldResetTimer_Expires: ignored,
    Tcp_CR_Acked: refuses,
    TcpConnectionConfirmed: refuses,
    TcpConnectionFails: ignored,
    BGPOpen: ignored,
    BGPHeaderErr: ignored,
    BGPOpenMsgErr: ignored,
    UpdateMsgErr: ignored,
    RouteRefreshMsgErr: ignored,
    NotifMsg: ignored,
    KeepAliveMsg: ignored,
    UpdateMsg: ignored,
    RouteRefreshMsg: ignored,
    OpenCollisionDump: ignored,
    UpdateMsgSent: ignored,
    BfdDown: ignored,
    BfdUp: ignored,
  });

  it('a fresh session waits in Idle with nothing running', () => {
    const h = new Harness();
    assert.equal(h.state, Idle);
    assert.equal(h.session.allowAutomaticStart, false);
    assert.deepEqual(Object.values(h.session.timers), [false, false, false, false, false, false]);
  });

  it('a passive peer config makes ManualStart wait in Active without ever connecting out', () => {
    const h = new Harness({ passive: true });
    assert.deepEqual(h.send({ type: 'ManualStart' }), []);
    assert.equal(h.state, Active);
    assert.deepEqual(h.advance(3600), []);
    assert.equal(h.state, Active);
  });

  it('a failure leaves Idle with the IdleHold timer running', () => {
    const h = failedOnce();
    assert.equal(h.state, Idle);
    assert.equal(h.timer('IdleHold'), 5);
    assert.equal(h.session.idleHoldTime, 10);
  });

  it('IdleHoldTimer_Expires after a failure restarts the session in Connect', () => {
    const h = failedOnce();
    assert.deepEqual(h.send({ type: 'IdleHoldTimer_Expires' }), ['SetTimer ConnectRetry 120', 'Connect']);
    assert.equal(h.state, Connect);
  });

  it('IdleHoldTimer_Expires after a passive start restarts the session in Active', () => {
    const h = new Harness();
    h.send({ type: 'ManualStart_with_PassiveTcpEstablishment' }, { type: 'TcpConnectionFails' });
    assert.deepEqual(h.send({ type: 'IdleHoldTimer_Expires' }), ['SetTimer ConnectRetry 120']);
    assert.equal(h.state, Active);
  });

  it('AutomaticStart while the IdleHold back-off runs is ignored', () => {
    const h = failedOnce();
    assert.deepEqual(h.send({ type: 'AutomaticStart' }), []);
    assert.deepEqual(h.send({ type: 'AutomaticStart_with_PassiveTcpEstablishment' }), []);
    assert.equal(h.state, Idle);
  });

  it('ManualStart during the back-off stops it, resets it and connects at once', () => {
    const h = failedOnce();
    assert.deepEqual(h.send({ type: 'ManualStart' }), ['StopTimer IdleHold', 'SetTimer ConnectRetry 120', 'Connect']);
    assert.equal(h.state, Connect);
    assert.equal(h.session.idleHoldTime, 5);
    assert.equal(h.session.connectRetryCounter, 0);
  });

  it('ManualStop during the back-off cancels the automatic restart', () => {
    const h = failedOnce();
    assert.deepEqual(h.send({ type: 'ManualStop' }), ['StopTimer IdleHold']);
    assert.equal(h.session.allowAutomaticStart, false);
    assert.deepEqual(h.advance(600), []);
    assert.equal(h.state, Idle);
  });

  it('a stale IdleHoldTimer_Expires after ManualStop is ignored', () => {
    const h = failedOnce();
    h.send({ type: 'ManualStop' });
    assert.deepEqual(h.send({ type: 'IdleHoldTimer_Expires' }), []);
    assert.equal(h.state, Idle);
  });
});
