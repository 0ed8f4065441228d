// What a session agreed that changes how bytes are read and written.
export interface CodecContext {
  /** RFC 6793: both sides advertised 4-octet AS numbers, so AS_PATH and AGGREGATOR carry 4-octet ASNs. */
  fourOctetAs: boolean;
  /** RFC 8654: both sides advertised extended messages, so messages may be up to 65535 octets. */
  extendedMessage: boolean;
}

/** Before an OPEN exchange nothing is agreed. */
export const DEFAULT_CONTEXT: CodecContext = Object.freeze({ fourOctetAs: false, extendedMessage: false });

/** The usual context of a modern session (every router this project meets speaks both). */
export const MODERN_CONTEXT: CodecContext = Object.freeze({ fourOctetAs: true, extendedMessage: false });
