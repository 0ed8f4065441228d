// The 19-octet message header (RFC 4271 §4.1) and its checks (RFC 4271 §6.1).
import {
  ErrorCode,
  HEADER_LENGTH,
  HeaderErrorSubcode,
  MARKER_LENGTH,
  MAX_EXTENDED_MESSAGE_LENGTH,
  MAX_MESSAGE_LENGTH,
  MessageType,
} from './constants.js';
import { type NotificationError, type Result, fail, notificationError, ok, u16Data } from './errors.js';
import type { Writer } from './writer.js';

export interface Header {
  length: number;
  type: number;
}

/** Shortest legal length of each message type (RFC 4271 §4, RFC 2918 §3). */
const MIN_LENGTH: Record<number, number> = {
  [MessageType.Open]: 29,
  [MessageType.Update]: 23,
  [MessageType.Notification]: 21,
  [MessageType.Keepalive]: 19,
  [MessageType.RouteRefresh]: 23,
};

export function maxMessageLength(extendedMessage: boolean): number {
  return extendedMessage ? MAX_EXTENDED_MESSAGE_LENGTH : MAX_MESSAGE_LENGTH;
}

export function badLength(length: number, why: string): NotificationError {
  return notificationError(
    'BGP_ERR_BAD_MESSAGE_LENGTH',
    ErrorCode.MessageHeaderError,
    HeaderErrorSubcode.BadMessageLength,
    `bad message length ${length}: ${why}`,
    u16Data(length),
  );
}

/**
 * Checks the marker and the length field of a header whose 19 octets start at `offset`.
 * The type is checked separately, once the whole message is present.
 */
export function checkMarkerAndLength(buf: Uint8Array, offset: number, maxLength: number): Result<number> {
  for (let i = 0; i < MARKER_LENGTH; i++) {
    if (buf[offset + i] !== 0xff) {
      return fail(
        notificationError(
          'BGP_ERR_CONNECTION_NOT_SYNCHRONIZED',
          ErrorCode.MessageHeaderError,
          HeaderErrorSubcode.ConnectionNotSynchronized,
          `marker octet ${i} is 0x${(buf[offset + i] ?? 0).toString(16).padStart(2, '0')}, expected 0xff`,
        ),
      );
    }
  }
  const length = ((buf[offset + 16] ?? 0) << 8) | (buf[offset + 17] ?? 0);
  if (length < HEADER_LENGTH || length > maxLength) {
    return fail(badLength(length, `expected ${HEADER_LENGTH}..${maxLength}`));
  }
  return ok(length);
}

/** Full header check of one whole message (RFC 4271 §6.1). */
export function decodeHeader(msg: Uint8Array, maxLength: number): Result<Header> {
  if (msg.length < HEADER_LENGTH) return fail(badLength(msg.length, `a message needs at least ${HEADER_LENGTH} octets`));
  const checked = checkMarkerAndLength(msg, 0, maxLength);
  if (!checked.ok) return checked;
  const length = checked.value;
  if (length !== msg.length) return fail(badLength(length, `the header says ${length} octets but ${msg.length} arrived`));
  const type = msg[18] ?? 0;
  const min = MIN_LENGTH[type];
  if (min === undefined) {
    return fail(
      notificationError(
        'BGP_ERR_BAD_MESSAGE_TYPE',
        ErrorCode.MessageHeaderError,
        HeaderErrorSubcode.BadMessageType,
        `unknown message type ${type}, expected 1..5`,
        Uint8Array.of(type),
      ),
    );
  }
  // RFC 8654 §4: the extended length never applies to OPEN (nor KEEPALIVE, fixed at 19 octets).
  if (type === MessageType.Open && length > MAX_MESSAGE_LENGTH) {
    return fail(badLength(length, `an OPEN message is at most ${MAX_MESSAGE_LENGTH} octets, even with extended messages`));
  }
  if (length < min || (type === MessageType.Keepalive && length !== HEADER_LENGTH)) {
    const name = MessageType[type] ?? String(type);
    const expected = type === MessageType.Keepalive ? 'exactly 19' : `at least ${min}`;
    return fail(badLength(length, `a ${name} message is ${expected} octets`));
  }
  return ok({ length, type });
}

/** Writes marker, a length placeholder and the type; returns the message start for endMessage. */
export function beginMessage(w: Writer, type: MessageType): number {
  const start = w.pos;
  for (let i = 0; i < MARKER_LENGTH; i++) w.u8(0xff);
  w.u16(0);
  w.u8(type);
  return start;
}

export function endMessage(w: Writer, start: number): void {
  w.patchU16(start + MARKER_LENGTH, w.pos - start);
}
