// ROUTE-REFRESH (RFC 2918 §3) with the message subtypes of enhanced route refresh (RFC 7313).
import { ErrorCode, HeaderErrorSubcode, MessageType, RouteRefreshErrorSubcode, RouteRefreshSubtype } from './constants.js';
import { type Result, fail, notificationError, ok, u16Data } from './errors.js';
import type { RouteRefreshMessage } from './messages.js';
import type { Writer } from './writer.js';

/**
 * buf[start, end) is the body; RFC 7313 §5: a body other than 4 octets with subtype 1 or 2 is a
 * ROUTE-REFRESH Message Error / Invalid Message Length carrying the whole message; otherwise a
 * bad length is a header error. A subtype other than 0..2 decodes, and RFC 7313 §5 tells the
 * receiver to ignore it (see `isKnownRouteRefreshSubtype`).
 */
export function decodeRouteRefresh(msg: Uint8Array, start: number, end: number): Result<RouteRefreshMessage> {
  const length = end - start;
  if (length !== 4) {
    const subtype = msg[start + 2];
    if (subtype === RouteRefreshSubtype.BeginningOfRouteRefresh || subtype === RouteRefreshSubtype.EndOfRouteRefresh) {
      return fail(
        notificationError(
          'BGP_ERR_ROUTE_REFRESH_LENGTH',
          ErrorCode.RouteRefreshMessageError,
          RouteRefreshErrorSubcode.InvalidMessageLength,
          `ROUTE-REFRESH body is ${length} octets, expected 4`,
          msg.slice(0, end),
        ),
      );
    }
    return fail(
      notificationError('BGP_ERR_BAD_MESSAGE_LENGTH', ErrorCode.MessageHeaderError, HeaderErrorSubcode.BadMessageLength, `ROUTE-REFRESH body is ${length} octets, expected 4`, u16Data(end)),
    );
  }
  return ok({ type: MessageType.RouteRefresh, afi: (msg[start]! << 8) | msg[start + 1]!, subtype: msg[start + 2]!, safi: msg[start + 3]! });
}

export function isKnownRouteRefreshSubtype(subtype: number): boolean {
  return subtype <= RouteRefreshSubtype.EndOfRouteRefresh;
}

export function encodeRouteRefreshBody(w: Writer, msg: RouteRefreshMessage): void {
  w.u16(msg.afi);
  w.u8(msg.subtype);
  w.u8(msg.safi);
}
