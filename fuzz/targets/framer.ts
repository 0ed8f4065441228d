// Fuzz target: the framer and the message decoder. The input is a context, a list of cut
// points and a byte stream. Pushed whole or cut anywhere, the stream must frame into the same
// messages and the same error; every framed message must be as long as its header says and
// decode to a message or a NOTIFICATION; after an error the framer must refuse everything.
import { strict as assert } from 'node:assert';
import { HEADER_LENGTH, MessageFramer, decodeMessage, maxMessageLength, type FramerOutput } from '../../bgp/index.js';
import { CONTEXTS, assertDecodeResult, assertNotification } from '../support/codec-checks.js';
import { FuzzInput } from '../support/input.js';

export const name = 'framer';

const MAX_CUTS = 8;
const LENGTH_OFFSET = 16;

export function fuzz(data: Uint8Array): void {
  const input = new FuzzInput(data);
  const ctx = CONTEXTS[input.int(CONTEXTS.length - 1)]!;
  const cutCount = input.int(MAX_CUTS);
  const cutSeeds = Array.from({ length: cutCount }, () => input.int(0xffff));
  const stream = input.rest();
  const cuts = [...new Set(cutSeeds.map((s) => s % (stream.length + 1)))].sort((a, b) => a - b);

  const whole = frameAll(new MessageFramer({ extendedMessage: ctx.extendedMessage }), [stream]);
  const pieces: Uint8Array[] = [];
  let last = 0;
  for (const at of [...cuts, stream.length]) {
    pieces.push(stream.slice(last, at));
    last = at;
  }
  const split = frameAll(new MessageFramer({ extendedMessage: ctx.extendedMessage }), pieces);

  assert.deepStrictEqual(split.messages.map(hex), whole.messages.map(hex), 'a split stream framed other messages than the whole one');
  assert.equal(split.error?.name, whole.error?.name, 'a split stream ended in another error than the whole one');

  const max = maxMessageLength(ctx.extendedMessage);
  for (const m of whole.messages) {
    assert.ok(m.length >= HEADER_LENGTH && m.length <= max, `framed a message of ${m.length} octets`);
    assert.equal((m[LENGTH_OFFSET]! << 8) | m[LENGTH_OFFSET + 1]!, m.length, 'framed a message whose header gives another length');
    assertDecodeResult(decodeMessage(m, ctx));
  }
  if (whole.error) assertNotification(whole.error);
}

/** Pushes every piece; after the first error, checks that the framer refuses the rest. */
function frameAll(framer: MessageFramer, pieces: Uint8Array[]): { messages: Buffer[]; error?: FramerOutput['error'] } {
  const messages: Buffer[] = [];
  let error: FramerOutput['error'];
  for (const piece of pieces) {
    const out = framer.push(piece);
    // The framer may hand out views into its buffers: copy before the next push.
    messages.push(...out.messages.map((m) => Buffer.from(m)));
    if (error) assert.equal(out.messages.length, 0, 'a broken framer framed more messages');
    error ??= out.error;
  }
  return error ? { messages, error } : { messages };
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
