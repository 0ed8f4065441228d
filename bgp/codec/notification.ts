// NOTIFICATION (RFC 4271 §4.5) and the shutdown communication of RFC 9003 carried by
// Cease / Administrative Shutdown and Administrative Reset.
import { CeaseSubcode, ErrorCode, MessageType } from './constants.js';
import { type Result, ok } from './errors.js';
import type { NotificationMessage } from './messages.js';
import type { Writer } from './writer.js';

// ignoreBOM: a leading U+FEFF is text to keep, not a mark to strip, so that decode/encode is exact.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** RFC 9003 §2: the longest shutdown communication, in octets of UTF-8. */
export const MAX_SHUTDOWN_MESSAGE_LENGTH = 255;

export function decodeNotification(buf: Uint8Array, start: number, end: number): Result<NotificationMessage> {
  const code = buf[start]!;
  const subcode = buf[start + 1]!;
  const data = buf.slice(start + 2, end);
  const msg: NotificationMessage = { type: MessageType.Notification, code, subcode, data };
  const shutdown = readShutdownMessage(code, subcode, data);
  if (shutdown !== undefined) msg.shutdownMessage = shutdown;
  return ok(msg);
}

function readShutdownMessage(code: number, subcode: number, data: Uint8Array): string | undefined {
  if (code !== ErrorCode.Cease) return undefined;
  if (subcode !== CeaseSubcode.AdministrativeShutdown && subcode !== CeaseSubcode.AdministrativeReset) return undefined;
  // RFC 9003 §2: a length octet then that many octets of UTF-8; anything else is not a message.
  if (data.length < 1 || data[0]! + 1 !== data.length) return undefined;
  try {
    return utf8.decode(data.subarray(1));
  } catch {
    return undefined;
  }
}

/** Data field for a Cease with a shutdown communication, cut to 255 octets on a character boundary. */
export function shutdownData(message: string): Uint8Array {
  let bytes = new TextEncoder().encode(message);
  if (bytes.length > MAX_SHUTDOWN_MESSAGE_LENGTH) {
    let cut = MAX_SHUTDOWN_MESSAGE_LENGTH;
    while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut--;
    bytes = bytes.subarray(0, cut);
  }
  const out = new Uint8Array(bytes.length + 1);
  out[0] = bytes.length;
  out.set(bytes, 1);
  return out;
}

export function encodeNotificationBody(w: Writer, msg: NotificationMessage): void {
  w.u8(msg.code);
  w.u8(msg.subcode);
  if (msg.data.length === 0 && msg.shutdownMessage !== undefined) w.bytes(shutdownData(msg.shutdownMessage));
  else w.bytes(msg.data);
}

export function makeNotification(code: number, subcode: number, data: Uint8Array = new Uint8Array(0)): NotificationMessage {
  return { type: MessageType.Notification, code, subcode, data };
}
