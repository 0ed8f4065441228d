// The NOTIFICATIONs the session itself decides to send, as values the driver encodes:
// Hold Timer Expired, Finite State Machine Error (RFC 6608) and the Cease family (RFC 4486),
// with the RFC 9003 shutdown communication.
import { CeaseSubcode, ErrorCode, FsmErrorSubcode } from '../codec/constants.js';
import { notificationError, type NotificationError } from '../codec/errors.js';
import { SessionState } from './types.js';

/** RFC 9003 §2: the shutdown communication is at most 255 octets of UTF-8. */
export const MAX_SHUTDOWN_COMMUNICATION_LENGTH = 255;

/** RFC 4271 §6.5. */
export function holdTimerExpired(holdTime: number): NotificationError {
  return notificationError(
    'BGP_ERR_HOLD_TIMER_EXPIRED',
    ErrorCode.HoldTimerExpired,
    0,
    `no KEEPALIVE or UPDATE from the peer within the hold time of ${holdTime} s`,
  );
}

/**
 * RFC 4271 §6.6 with the RFC 6608 subcodes: an unexpected message in OpenSent, OpenConfirm or
 * Established gets subcode 1, 2 or 3; any other unexpected event gets 0 (Unspecified Error).
 */
export function fsmError(state: SessionState, what: string, isMessage: boolean): NotificationError {
  let subcode = FsmErrorSubcode.UnspecifiedError;
  if (isMessage && state === SessionState.OpenSent) subcode = FsmErrorSubcode.UnexpectedMessageInOpenSent;
  if (isMessage && state === SessionState.OpenConfirm) subcode = FsmErrorSubcode.UnexpectedMessageInOpenConfirm;
  if (isMessage && state === SessionState.Established) subcode = FsmErrorSubcode.UnexpectedMessageInEstablished;
  return notificationError('BGP_ERR_FSM', ErrorCode.FiniteStateMachineError, subcode, `${what} was not expected in ${state}`);
}

function cease(subcode: number, message: string, data?: Uint8Array): NotificationError {
  return notificationError('BGP_ERR_CEASE', ErrorCode.Cease, subcode, message, data);
}

/** RFC 4271 §6.7: a Cease without a more specific reason. */
export function ceaseUnspecific(): NotificationError {
  return cease(0, 'the session was stopped');
}

/**
 * RFC 9003 §2: a length octet then the UTF-8 text, cut to 255 octets without splitting a
 * character. No text at all gives no data, as before RFC 8203.
 */
export function shutdownCommunication(message: string | undefined): Uint8Array {
  if (message === undefined || message === '') return new Uint8Array(0);
  const encoder = new TextEncoder();
  const out = new Uint8Array(1 + MAX_SHUTDOWN_COMMUNICATION_LENGTH);
  let length = 0;
  for (const char of message) {
    const bytes = encoder.encode(char);
    if (length + bytes.length > MAX_SHUTDOWN_COMMUNICATION_LENGTH) break;
    out.set(bytes, 1 + length);
    length += bytes.length;
  }
  out[0] = length;
  return out.slice(0, 1 + length);
}

function withCommunication(what: string, message: string | undefined): string {
  return message ? `${what}: ${JSON.stringify(message)}` : what;
}

/** RFC 4486 §4 subcode 2, with the RFC 9003 shutdown communication. */
export function administrativeShutdown(message?: string): NotificationError {
  return cease(CeaseSubcode.AdministrativeShutdown, withCommunication('administrative shutdown', message), shutdownCommunication(message));
}

/** RFC 4486 §4 subcode 4, with the RFC 9003 shutdown communication. */
export function administrativeReset(message?: string): NotificationError {
  return cease(CeaseSubcode.AdministrativeReset, withCommunication('administrative reset', message), shutdownCommunication(message));
}

/** RFC 4486 §4 subcode 3: the peer was removed from the configuration. */
export function peerDeconfigured(): NotificationError {
  return cease(CeaseSubcode.PeerDeconfigured, 'the peer was removed from the configuration');
}

/** RFC 4486 §4 subcode 1; data is AFI (2 octets), SAFI (1) and the prefix limit (4). */
export function maximumNumberOfPrefixesReached(afi: number, safi: number, limit: number): NotificationError {
  const data = new Uint8Array(7);
  const view = new DataView(data.buffer);
  view.setUint16(0, afi);
  view.setUint8(2, safi);
  view.setUint32(3, limit >>> 0);
  return cease(CeaseSubcode.MaximumNumberOfPrefixesReached, `the peer sent more than ${limit} prefixes of AFI ${afi} SAFI ${safi}`, data);
}

/** RFC 4486 §4 subcode 5: a connection from a peer we do not accept. */
export function connectionRejected(): NotificationError {
  return cease(CeaseSubcode.ConnectionRejected, 'the connection was rejected');
}

/** RFC 4486 §4 subcode 6: the session restarts to apply a configuration change. */
export function otherConfigurationChange(): NotificationError {
  return cease(CeaseSubcode.OtherConfigurationChange, 'the session restarts to apply a configuration change');
}

/** RFC 4486 §4 subcode 7, sent on the connection that collision detection closes (RFC 4271 §6.8). */
export function connectionCollisionResolution(): NotificationError {
  return cease(CeaseSubcode.ConnectionCollisionResolution, 'closed by connection collision resolution');
}

/** RFC 4486 §4 subcode 8. */
export function outOfResources(): NotificationError {
  return cease(CeaseSubcode.OutOfResources, 'out of resources');
}

/** RFC 9384 subcode 10: BFD declared the peer down. */
export function bfdDown(): NotificationError {
  return cease(CeaseSubcode.BfdDown, 'BFD declared the peer down');
}
