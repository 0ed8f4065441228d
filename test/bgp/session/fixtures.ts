// One sample of every event, and a runner for transition tables: one row per event type,
// so the compiler refuses a table that forgets an event.
import { strict as assert } from 'node:assert';
import { ErrorCode, HeaderErrorSubcode, MessageType, OpenErrorSubcode, RouteRefreshErrorSubcode, UpdateErrorSubcode } from '../../../bgp/codec/constants.js';
import { notificationError, u16Data } from '../../../bgp/codec/errors.js';
import type { SessionEvent, SessionEventType } from '../../../bgp/session/events.js';
import type { SessionState } from '../../../bgp/session/types.js';
import { peerOpen, type Harness } from './harness.js';

type EventOf<K extends SessionEventType> = SessionEvent & { type: K };

export const EVENTS: { [K in SessionEventType]: EventOf<K> } = {
  ManualStart: { type: 'ManualStart' },
  ManualStart_with_PassiveTcpEstablishment: { type: 'ManualStart_with_PassiveTcpEstablishment' },
  ManualStop: { type: 'ManualStop' },
  AutomaticStart: { type: 'AutomaticStart' },
  AutomaticStart_with_PassiveTcpEstablishment: { type: 'AutomaticStart_with_PassiveTcpEstablishment' },
  AutomaticStop: { type: 'AutomaticStop' },
  ConnectRetryTimer_Expires: { type: 'ConnectRetryTimer_Expires' },
  HoldTimer_Expires: { type: 'HoldTimer_Expires' },
  KeepaliveTimer_Expires: { type: 'KeepaliveTimer_Expires' },
  DelayOpenTimer_Expires: { type: 'DelayOpenTimer_Expires' },
  IdleHoldTimer_Expires: { type: 'IdleHoldTimer_Expires' },
  IdleHoldResetTimer_Expires: { type: 'IdleHoldResetTimer_Expires' },
  Tcp_CR_Acked: { type: 'Tcp_CR_Acked' },
  TcpConnectionConfirmed: { type: 'TcpConnectionConfirmed' },
  TcpConnectionFails: { type: 'TcpConnectionFails' },
  BGPOpen: { type: 'BGPOpen', open: peerOpen() },
  // A header whose length field says 18: too short for any message (RFC 4271 §6.1).
  BGPHeaderErr: {
    type: 'BGPHeaderErr',
    error: notificationError('BGP_ERR_BAD_MESSAGE_LENGTH', ErrorCode.MessageHeaderError, HeaderErrorSubcode.BadMessageLength, 'length 18', u16Data(18)),
  },
  BGPOpenMsgErr: {
    type: 'BGPOpenMsgErr',
    error: notificationError('BGP_ERR_MALFORMED_OPTIONAL_PARAMETER', ErrorCode.OpenMessageError, OpenErrorSubcode.Unspecific, 'bad parameter length'),
  },
  UpdateMsgErr: {
    type: 'UpdateMsgErr',
    error: notificationError('BGP_ERR_MALFORMED_ATTRIBUTE_LIST', ErrorCode.UpdateMessageError, UpdateErrorSubcode.MalformedAttributeList, 'attributes overrun'),
  },
  RouteRefreshMsgErr: {
    type: 'RouteRefreshMsgErr',
    error: notificationError('BGP_ERR_ROUTE_REFRESH_LENGTH', ErrorCode.RouteRefreshMessageError, RouteRefreshErrorSubcode.InvalidMessageLength, 'length 24'),
  },
  NotifMsg: { type: 'NotifMsg', notification: { type: MessageType.Notification, code: 6, subcode: 2, data: new Uint8Array(0) } },
  KeepAliveMsg: { type: 'KeepAliveMsg' },
  UpdateMsg: { type: 'UpdateMsg', update: { type: MessageType.Update, withdrawn: [], attributes: [], nlri: [] } },
  RouteRefreshMsg: { type: 'RouteRefreshMsg', routeRefresh: { type: MessageType.RouteRefresh, afi: 1, subtype: 0, safi: 1 } },
  OpenCollisionDump: { type: 'OpenCollisionDump' },
  UpdateMsgSent: { type: 'UpdateMsgSent' },
  BfdDown: { type: 'BfdDown' },
  BfdUp: { type: 'BfdUp' },
};

export const ALL_EVENTS: SessionEvent[] = Object.values(EVENTS);

/** What an event does: a sentence for the test name, the state it leads to, the exact actions. */
export type Row = [does: string, next: SessionState, actions: string[]];

/** One test per event type: from a fresh `setup()`, the event yields exactly `actions` and `next`. */
export function transitionTable(where: string, setup: () => Harness, rows: { [K in SessionEventType]: Row }): void {
  for (const type of Object.keys(rows) as SessionEventType[]) {
    const [does, next, actions] = rows[type];
    it(`${where}, ${type} ${does}`, () => {
      const h = setup();
      assert.deepEqual(h.send(EVENTS[type]), actions);
      assert.equal(h.state, next);
    });
  }
}
