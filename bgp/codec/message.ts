// Whole-message decode and encode: header checks, then the body by type.
import { HEADER_LENGTH, MessageType } from './constants.js';
import type { CodecContext } from './context.js';
import { type Result, type UpdateProblem, fail, ok } from './errors.js';
import { beginMessage, decodeHeader, endMessage, maxMessageLength } from './header.js';
import type { BgpMessage } from './messages.js';
import { decodeNotification, encodeNotificationBody } from './notification.js';
import { decodeOpen, encodeOpenBody } from './open.js';
import { decodeRouteRefresh, encodeRouteRefreshBody } from './route-refresh.js';
import { decodeUpdate, encodeUpdateBody } from './update.js';
import { Writer } from './writer.js';

export interface Decoded {
  message: BgpMessage;
  /** RFC 7606 problems of an UPDATE; always empty for other messages. */
  problems: UpdateProblem[];
  treatAsWithdraw: boolean;
}

const NO_PROBLEMS: UpdateProblem[] = Object.freeze([]) as unknown as UpdateProblem[];

/**
 * Decodes one whole message (header included), as the framer cuts them. Never throws: any
 * input ends in a message or in the NOTIFICATION that the session must send.
 */
export function decodeMessage(input: Uint8Array, ctx: CodecContext): Result<Decoded> {
  // Read through a plain Uint8Array view: Buffer.prototype.slice makes views, not copies, and
  // decoded values must not alias the caller's (framer's, socket's) buffer.
  const msg = new Uint8Array(input.buffer, input.byteOffset, input.length);
  const header = decodeHeader(msg, maxMessageLength(ctx.extendedMessage));
  if (!header.ok) return header;
  const start = HEADER_LENGTH;
  const end = header.value.length;
  switch (header.value.type) {
    case MessageType.Open:
      return wrap(decodeOpen(msg, start, end));
    case MessageType.Update: {
      const r = decodeUpdate(msg, start, end, ctx);
      if (!r.ok) return r;
      return ok({ message: r.value.update, problems: r.value.problems, treatAsWithdraw: r.value.treatAsWithdraw });
    }
    case MessageType.Notification:
      return wrap(decodeNotification(msg, start, end));
    case MessageType.Keepalive:
      return ok({ message: { type: MessageType.Keepalive }, problems: NO_PROBLEMS, treatAsWithdraw: false });
    case MessageType.RouteRefresh:
      return wrap(decodeRouteRefresh(msg, start, end));
  }
  // decodeHeader admits only the five types above.
  return fail({ kind: 'notification', name: 'BGP_ERR_BAD_MESSAGE_TYPE', code: 1, subcode: 3, data: Uint8Array.of(header.value.type), message: `unknown message type ${header.value.type}` });
}

function wrap(r: Result<BgpMessage>): Result<Decoded> {
  return r.ok ? ok({ message: r.value, problems: NO_PROBLEMS, treatAsWithdraw: false }) : r;
}

/** Appends one message to `w`. Throws RangeError if it exceeds the session's maximum length. */
export function writeMessage(w: Writer, msg: BgpMessage, ctx: CodecContext): void {
  const start = beginMessage(w, msg.type);
  switch (msg.type) {
    case MessageType.Open:
      encodeOpenBody(w, msg);
      break;
    case MessageType.Update:
      encodeUpdateBody(w, msg, ctx);
      break;
    case MessageType.Notification:
      encodeNotificationBody(w, msg);
      break;
    case MessageType.Keepalive:
      break;
    case MessageType.RouteRefresh:
      encodeRouteRefreshBody(w, msg);
      break;
  }
  const length = w.pos - start;
  const max = maxMessageLength(ctx.extendedMessage && msg.type !== MessageType.Open && msg.type !== MessageType.Keepalive);
  if (length > max) throw new RangeError(`${MessageType[msg.type]} message of ${length} octets exceeds the maximum of ${max}`);
  endMessage(w, start);
}

export function encodeMessage(msg: BgpMessage, ctx: CodecContext): Buffer {
  const w = new Writer(msg.type === MessageType.Keepalive ? HEADER_LENGTH : 512);
  writeMessage(w, msg, ctx);
  return w.finish();
}
