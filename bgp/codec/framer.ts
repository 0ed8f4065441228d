// Cuts a TCP byte stream into whole BGP messages, however the stream is split. A bad marker or
// length is reported as soon as the 19 header octets are in, without waiting for the body
// (RFC 4271 §6.1); after an error the framer refuses everything, since the stream is lost.
import { HEADER_LENGTH } from './constants.js';
import type { NotificationError } from './errors.js';
import { checkMarkerAndLength, maxMessageLength } from './header.js';

export interface FramerOutput {
  /** Whole messages, header included; views into the pushed chunks where possible. */
  messages: Buffer[];
  error?: NotificationError;
}

export class MessageFramer {
  private pending: Buffer = Buffer.alloc(0);
  private maxLength: number;
  private broken: NotificationError | undefined;

  constructor(options: { extendedMessage?: boolean } = {}) {
    this.maxLength = maxMessageLength(options.extendedMessage ?? false);
  }

  /** RFC 8654: once both sides advertised extended messages, lengths up to 65535 are legal. */
  setExtendedMessage(enabled: boolean): void {
    this.maxLength = maxMessageLength(enabled);
  }

  /** Octets received but not yet part of a whole message. */
  get buffered(): number {
    return this.pending.length;
  }

  push(chunk: Uint8Array): FramerOutput {
    if (this.broken) return { messages: [], error: this.broken };
    const data = this.pending.length === 0 ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length) : Buffer.concat([this.pending, chunk]);
    const messages: Buffer[] = [];
    let offset = 0;
    while (data.length - offset >= HEADER_LENGTH) {
      const checked = checkMarkerAndLength(data, offset, this.maxLength);
      if (!checked.ok) {
        this.broken = checked.error;
        this.pending = Buffer.alloc(0);
        return { messages, error: checked.error };
      }
      const length = checked.value;
      if (data.length - offset < length) break;
      messages.push(data.subarray(offset, offset + length));
      offset += length;
    }
    // Keep a copy of the tail only: the caller may reuse its chunk buffer.
    this.pending = offset === data.length ? Buffer.alloc(0) : Buffer.from(data.subarray(offset));
    return { messages };
  }
}
