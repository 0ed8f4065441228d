// BFD errors: values with a stable name to count and alert on, and a sentence saying what
// arrived and what was expected. A received packet that fails a check of RFC 5880 §6.8.6 is
// discarded, never answered, so these only ever reach counters and debug logs; the transport's
// errors (a port taken, no FFI) reach the operator as a session that cannot run.

/** Stable names for every reason a BFD packet is dropped or a BFD socket cannot be used. */
export type BfdErrorCode =
  /** Fewer octets than the 24 of the mandatory section (RFC 5880 §4.1). */
  | 'BFD_ERR_TOO_SHORT'
  /** Version other than 1 (RFC 5880 §6.8.6). */
  | 'BFD_ERR_VERSION'
  /** Length field under the minimum for the A bit, or the auth section's length is wrong. */
  | 'BFD_ERR_LENGTH'
  /** Length field larger than the UDP payload (RFC 5880 §6.8.6). */
  | 'BFD_ERR_TRUNCATED'
  | 'BFD_ERR_DETECT_MULT_ZERO'
  /** The Multipoint bit is set (RFC 5880 §6.8.6: reserved for future point-to-multipoint). */
  | 'BFD_ERR_MULTIPOINT'
  | 'BFD_ERR_MY_DISCRIMINATOR_ZERO'
  /** Your Discriminator is zero while State is neither Down nor AdminDown. */
  | 'BFD_ERR_YOUR_DISCRIMINATOR_ZERO'
  /** No session for the discriminator, or for the source address of a packet without one. */
  | 'BFD_ERR_NO_SESSION'
  /** The A bit does not match whether the session authenticates (RFC 5880 §6.8.6). */
  | 'BFD_ERR_AUTH_MISMATCH'
  /** Another auth type or key id than the session's. */
  | 'BFD_ERR_AUTH_TYPE'
  /** The digest or password does not verify. */
  | 'BFD_ERR_AUTH_FAILED'
  /** The sequence number is outside the window of RFC 5880 §6.7.3/§6.7.4 (a replay). */
  | 'BFD_ERR_AUTH_SEQUENCE'
  /** koffi or libc cannot be reached, or this is not Linux. */
  | 'BFD_ERR_UNAVAILABLE'
  /** socket(2), setsockopt(2) or the kernel filter failed. */
  | 'BFD_ERR_SOCKET'
  /** The port (3784, 4784, or every source port tried) is taken, or the address is not ours. */
  | 'BFD_ERR_BIND_FAILED'
  /** An option is out of range: a TTL, an interval, a multiplier. */
  | 'BFD_ERR_INVALID_OPTION';

export interface BfdError {
  code: BfdErrorCode;
  message: string;
}

export function bfdError(code: BfdErrorCode, message: string): BfdError {
  return { code, message };
}

/** The error thrown (or emitted) where a BFD socket cannot be made: Node-style, with the stable code. */
export class BfdTransportError extends Error {
  override readonly name = 'BfdTransportError';
  constructor(
    readonly code: BfdErrorCode,
    message: string,
    readonly errno?: string,
  ) {
    super(message);
  }
}
