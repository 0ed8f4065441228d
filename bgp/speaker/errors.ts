// Errors the speaker throws to its caller: a stable `code` to match on, and a sentence naming the
// peer or the route and what is wrong.

export type SpeakerErrorCode =
  /** addPeer() for an address that is configured already. */
  | 'BGP_SPEAKER_DUPLICATE_PEER'
  /** A peer's settings do not make a valid session (a hold time of 1 or 2, say). */
  | 'BGP_SPEAKER_INVALID_PEER'
  /** A route cannot be sent: neither the route nor the session has a next hop of its family. */
  | 'BGP_SPEAKER_NO_NEXT_HOP';

export class SpeakerError extends Error {
  override readonly name = 'SpeakerError';
  constructor(
    readonly code: SpeakerErrorCode,
    message: string,
  ) {
    super(message);
  }
}
