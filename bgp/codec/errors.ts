// Decode errors are values, never exceptions: each one is the NOTIFICATION a session must
// send (RFC 4271 §6) or, for UPDATEs, the lighter RFC 7606 action, with a stable name and a
// sentence that says what arrived and what was expected.
import { ErrorCode } from './constants.js';

/** Stable names for every error this library reports; safe to match on and alert on. */
export type BgpErrorName =
  | 'BGP_ERR_CONNECTION_NOT_SYNCHRONIZED'
  | 'BGP_ERR_BAD_MESSAGE_LENGTH'
  | 'BGP_ERR_BAD_MESSAGE_TYPE'
  | 'BGP_ERR_UNSUPPORTED_VERSION'
  | 'BGP_ERR_BAD_PEER_AS'
  | 'BGP_ERR_BAD_BGP_IDENTIFIER'
  | 'BGP_ERR_UNSUPPORTED_OPTIONAL_PARAMETER'
  | 'BGP_ERR_MALFORMED_OPTIONAL_PARAMETER'
  | 'BGP_ERR_MALFORMED_CAPABILITY'
  | 'BGP_ERR_UNACCEPTABLE_HOLD_TIME'
  | 'BGP_ERR_UNSUPPORTED_CAPABILITY'
  | 'BGP_ERR_MALFORMED_ATTRIBUTE_LIST'
  | 'BGP_ERR_UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE'
  | 'BGP_ERR_MISSING_WELL_KNOWN_ATTRIBUTE'
  | 'BGP_ERR_ATTRIBUTE_FLAGS'
  | 'BGP_ERR_ATTRIBUTE_LENGTH'
  | 'BGP_ERR_INVALID_ORIGIN'
  | 'BGP_ERR_INVALID_NEXT_HOP'
  | 'BGP_ERR_OPTIONAL_ATTRIBUTE'
  | 'BGP_ERR_INVALID_NETWORK_FIELD'
  | 'BGP_ERR_MALFORMED_AS_PATH'
  | 'BGP_ERR_DUPLICATE_ATTRIBUTE'
  | 'BGP_ERR_ROUTE_REFRESH_LENGTH'
  | 'BGP_ERR_HOLD_TIMER_EXPIRED'
  | 'BGP_ERR_FSM'
  | 'BGP_ERR_CEASE';

/** A fatal protocol error: the session must send this NOTIFICATION and close (RFC 4271 §6). */
export interface NotificationError {
  kind: 'notification';
  name: BgpErrorName;
  code: ErrorCode;
  subcode: number;
  data: Uint8Array;
  message: string;
}

export function notificationError(
  name: BgpErrorName,
  code: ErrorCode,
  subcode: number,
  message: string,
  data: Uint8Array = new Uint8Array(0),
): NotificationError {
  return { kind: 'notification', name, code, subcode, data, message };
}

/**
 * RFC 7606 §2 error-handling approaches short of a session reset:
 * - `treat-as-withdraw`: the UPDATE's reachable routes are to be withdrawn.
 * - `attribute-discard`: the attribute is dropped and the UPDATE used without it.
 */
export type UpdateErrorAction = 'treat-as-withdraw' | 'attribute-discard';

/** A recoverable UPDATE error (RFC 7606): the session stays up. */
export interface UpdateProblem {
  action: UpdateErrorAction;
  name: BgpErrorName;
  /** The RFC 4271 §6.3 subcode that would have been sent before RFC 7606; for logs. */
  subcode: number;
  /** The attribute type code concerned, when the problem is in one attribute. */
  attrType?: number;
  message: string;
}

export type Result<T, E = NotificationError> = { ok: true; value: T } | { ok: false; error: E };

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function fail<E>(error: E): { ok: false; error: E } {
  return { ok: false, error };
}

/** Two-octet big-endian data field, as several NOTIFICATIONs carry (e.g. the bad length). */
export function u16Data(value: number): Uint8Array {
  return Uint8Array.of((value >>> 8) & 0xff, value & 0xff);
}
