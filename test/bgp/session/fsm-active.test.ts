import { strict as assert } from 'node:assert';
import { SessionState } from '../../../bgp/session/types.js';
import { transitionTable, type Row } from './fixtures.js';
import { Harness, harnessIn, peerOpen } from './harness.js';

const { Idle, Connect, Active, OpenSent, OpenConfirm } = SessionState;
const ignored: Row = ['is ignored', Active, []];
const stale: Row = ['is stale and ignored', Active, []];
const fsmError: Row = ['goes Idle without a NOTIFICATION', Idle, ['StopTimer ConnectRetry', 'SessionDown FsmError', 'SetTimer IdleHold 5']];
const opens: Row = ['sends OPEN under the large hold timer and moves to OpenSent', OpenSent, ['StopTimer ConnectRetry', 'SendOpen', 'SetTimer Hold 240']];

/** Active with the peer's connection up and the DelayOpen timer running. */
function delayingOpen(): Harness {
  const h = new Harness({ delayOpen: true });
  h.send({ type: 'ManualStart_with_PassiveTcpEstablishment' });
  assert.deepEqual(h.send({ type: 'TcpConnectionConfirmed' }), ['StopTimer ConnectRetry', 'SetTimer DelayOpen 5']);
  assert.equal(h.state, Active);
  return h;
}

describe('session FSM: Active', () => {
  transitionTable('in Active', () => harnessIn(Active), {
    ManualStart: ignored,
    ManualStart_with_PassiveTcpEstablishment: ignored,
    ManualStop: ['stops listening and goes Idle with no restart', Idle, ['StopTimer ConnectRetry', 'SessionDown ManualStop']],
    AutomaticStart: ignored,
    AutomaticStart_with_PassiveTcpEstablishment: ignored,
    AutomaticStop: ['goes Idle to restart later', Idle, ['StopTimer ConnectRetry', 'SessionDown AutomaticStop', 'SetTimer IdleHold 5']],
    ConnectRetryTimer_Expires: ['connects out and moves to Connect', Connect, ['SetTimer ConnectRetry 120', 'Connect']],
    HoldTimer_Expires: stale,
    KeepaliveTimer_Expires: stale,
    DelayOpenTimer_Expires: stale,
    IdleHoldTimer_Expires: stale,
    IdleHoldResetTimer_Expires: stale,
    Tcp_CR_Acked: opens,
    TcpConnectionConfirmed: opens,
    TcpConnectionFails: ['goes Idle and counts a failure', Idle, ['StopTimer ConnectRetry', 'SessionDown TcpConnectionFails', 'SetTimer IdleHold 5']],
    BGPOpen: fsmError,
    BGPHeaderErr: ['goes Idle without a NOTIFICATION', Idle, ['StopTimer ConnectRetry', 'SessionDown HeaderError', 'SetTimer IdleHold 5']],
    BGPOpenMsgErr: ['goes Idle without a NOTIFICATION', Idle, ['StopTimer ConnectRetry', 'SessionDown OpenMessageError', 'SetTimer IdleHold 5']],
    UpdateMsgErr: fsmError,
    RouteRefreshMsgErr: fsmError,
    NotifMsg: ['goes Idle', Idle, ['StopTimer ConnectRetry', 'SessionDown NotificationReceived received 6/2', 'SetTimer IdleHold 5']],
    KeepAliveMsg: fsmError,
    UpdateMsg: fsmError,
    RouteRefreshMsg: fsmError,
    OpenCollisionDump: ['goes Idle without a NOTIFICATION', Idle, ['StopTimer ConnectRetry', 'SessionDown ConnectionCollision', 'SetTimer IdleHold 5']],
    UpdateMsgSent: ignored,
    BfdDown: ['goes Idle and waits for BFD, without restarting', Idle, ['StopTimer ConnectRetry', 'SessionDown BfdDown']],
    BfdUp: ignored,
  });

  it('TcpConnectionFails in Active counts a failure', () => {
    const h = harnessIn(Active);
    h.send({ type: 'TcpConnectionFails' });
    assert.equal(h.session.connectRetryCounter, 1);
  });

  it('after the ConnectRetry time a passive start connects out (RFC 4271 §8.2.2)', () => {
    const h = harnessIn(Active);
    assert.deepEqual(h.advance(120), ['SetTimer ConnectRetry 120', 'Connect']);
    assert.equal(h.state, Connect);
  });

  it('a passive-only peer waits in Active with no timer at all', () => {
    const h = harnessIn(Active, { passive: true });
    assert.equal(h.timer('ConnectRetry'), undefined);
    assert.deepEqual(h.send({ type: 'TcpConnectionConfirmed' }), ['SendOpen', 'SetTimer Hold 240']);
    assert.equal(h.state, OpenSent);
    assert.equal(h.session.connection, 'inbound');
  });
});

describe('session FSM: Active with DelayOpen', () => {
  it('DelayOpenTimer_Expires sends OPEN and moves to OpenSent', () => {
    const h = delayingOpen();
    assert.deepEqual(h.advance(5), ['SendOpen', 'SetTimer Hold 240']);
    assert.equal(h.state, OpenSent);
  });

  it("the peer's OPEN while DelayOpen runs moves to OpenConfirm", () => {
    const h = delayingOpen();
    const actions = h.send({ type: 'BGPOpen', open: peerOpen() });
    assert.deepEqual(actions, ['StopTimer DelayOpen', 'SendOpen', 'SendKeepalive', 'SetTimer Keepalive 30', 'SetTimer Hold 90']);
    assert.equal(h.state, OpenConfirm);
  });

  it('TcpConnectionFails while DelayOpen runs goes Idle', () => {
    const h = delayingOpen();
    assert.deepEqual(h.send({ type: 'TcpConnectionFails' }), ['StopTimer DelayOpen', 'Disconnect', 'SessionDown TcpConnectionFails', 'SetTimer IdleHold 5']);
    assert.equal(h.state, Idle);
  });

  it('a header error while DelayOpen runs goes Idle without a NOTIFICATION by default', () => {
    const h = delayingOpen();
    const error = { type: 'BGPHeaderErr', error: { kind: 'notification', name: 'BGP_ERR_BAD_MESSAGE_TYPE', code: 1, subcode: 3, data: Uint8Array.of(9), message: 'type 9' } } as const;
    assert.deepEqual(h.send(error), ['StopTimer DelayOpen', 'Disconnect', 'SessionDown HeaderError', 'SetTimer IdleHold 5']);
  });
});
