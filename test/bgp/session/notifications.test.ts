import { strict as assert } from 'node:assert';
import { MessageType } from '../../../bgp/codec/constants.js';
import { notificationError } from '../../../bgp/codec/errors.js';
import type { UpdateMessage } from '../../../bgp/codec/messages.js';
import { errorEvent, messageEvent } from '../../../bgp/session/events.js';
import { parseBgpIdentifier } from '../../../bgp/session/identifier.js';
import { jitteredSeconds } from '../../../bgp/session/jitter.js';
import * as n from '../../../bgp/session/notifications.js';
import { SessionState } from '../../../bgp/session/types.js';
import { peerOpen } from './harness.js';

const wire = (e: { code: number; subcode: number; data: Uint8Array }) => `${e.code}/${e.subcode} ${Buffer.from(e.data).toString('hex')}`.trim();

describe('session NOTIFICATIONs', () => {
  it('Administrative Shutdown carries the RFC 9003 length-prefixed UTF-8 message', () => {
    assert.equal(wire(n.administrativeShutdown('bye')), '6/2 03627965');
    assert.equal(wire(n.administrativeShutdown()), '6/2');
    assert.equal(n.administrativeShutdown('maintenance').message, 'administrative shutdown: "maintenance"');
  });

  it('Administrative Reset carries the shutdown communication too', () => {
    assert.equal(wire(n.administrativeReset('rolling')), '6/4 07726f6c6c696e67');
  });

  it('a shutdown communication is cut at 255 octets without splitting a character', () => {
    const data = n.shutdownCommunication('é'.repeat(200)); // 2 octets each
    assert.equal(data[0], 254);
    assert.equal(data.length, 255);
    assert.equal(new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(1)), 'é'.repeat(127));
    assert.equal(n.shutdownCommunication('x'.repeat(300))[0], 255);
  });

  it('Maximum Number of Prefixes Reached carries AFI, SAFI and the limit (RFC 4486 §4)', () => {
    assert.equal(wire(n.maximumNumberOfPrefixesReached(2, 1, 1000)), '6/1 000201000003e8');
  });

  it('the other Cease subcodes are as RFC 4486 and RFC 9384 number them', () => {
    const subcodes = [n.ceaseUnspecific(), n.peerDeconfigured(), n.connectionRejected(), n.otherConfigurationChange(), n.connectionCollisionResolution(), n.outOfResources(), n.bfdDown()].map(wire);
    assert.deepEqual(subcodes, ['6/0', '6/3', '6/5', '6/6', '6/7', '6/8', '6/10']);
  });

  it('FSM Error names the state of an unexpected message (RFC 6608), and 0 for other events', () => {
    assert.equal(wire(n.fsmError(SessionState.OpenSent, 'a KEEPALIVE', true)), '5/1');
    assert.equal(wire(n.fsmError(SessionState.OpenConfirm, 'an UPDATE', true)), '5/2');
    assert.equal(wire(n.fsmError(SessionState.Established, 'an OPEN', true)), '5/3');
    assert.equal(wire(n.fsmError(SessionState.Established, 'ConnectRetryTimer_Expires', false)), '5/0');
    assert.equal(n.fsmError(SessionState.OpenSent, 'a KEEPALIVE', true).message, 'a KEEPALIVE was not expected in OpenSent');
  });

  it('Hold Timer Expired is 4/0 with no data', () => {
    assert.equal(wire(n.holdTimerExpired(90)), '4/0');
  });
});

describe('session events from the codec', () => {
  it('each decoded message becomes its RFC 4271 event', () => {
    const open = peerOpen();
    assert.deepEqual(messageEvent(open), { type: 'BGPOpen', open });
    assert.deepEqual(messageEvent({ type: MessageType.Keepalive }), { type: 'KeepAliveMsg' });
    const update: UpdateMessage = { type: MessageType.Update, withdrawn: [], attributes: [], nlri: [] };
    assert.deepEqual(messageEvent(update), { type: 'UpdateMsg', update });
    const notification = { type: MessageType.Notification, code: 6, subcode: 2, data: new Uint8Array(0) } as const;
    assert.deepEqual(messageEvent(notification), { type: 'NotifMsg', notification });
    const routeRefresh = { type: MessageType.RouteRefresh, afi: 1, subtype: 0, safi: 1 } as const;
    assert.deepEqual(messageEvent(routeRefresh), { type: 'RouteRefreshMsg', routeRefresh });
  });

  it('each decode error becomes the event of its error code', () => {
    const types = [1, 2, 3, 7].map((code) => errorEvent(notificationError('BGP_ERR_FSM', code, 0, 'x')).type);
    assert.deepEqual(types, ['BGPHeaderErr', 'BGPOpenMsgErr', 'UpdateMsgErr', 'RouteRefreshMsgErr']);
  });
});

describe('session helpers', () => {
  it('BGP Identifiers parse to unsigned 32-bit numbers', () => {
    assert.equal(parseBgpIdentifier('255.255.255.255'), 0xffffffff);
    assert.equal(parseBgpIdentifier('10.0.0.1'), 0x0a000001);
    assert.equal(parseBgpIdentifier('10.0.0'), undefined);
    assert.equal(parseBgpIdentifier('10.0.0.-1'), undefined);
  });

  it('jitter shortens ConnectRetry, Keepalive and IdleHold by up to a quarter, never Hold (RFC 4271 §10)', () => {
    assert.equal(jitteredSeconds('ConnectRetry', 120, () => 0), 90);
    assert.equal(jitteredSeconds('Keepalive', 30, () => 0.5), 26.25);
    assert.equal(jitteredSeconds('IdleHold', 8, () => 0), 6);
    assert.equal(jitteredSeconds('Hold', 90, () => 0), 90);
    assert.equal(jitteredSeconds('DelayOpen', 5, () => 0), 5);
  });
});
