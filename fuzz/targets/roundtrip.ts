// Fuzz target: the decoder followed by the encoder. Whatever decodes must encode back to bytes
// that decode to the same value, and encoding that value again must give the same bytes.
import { strict as assert } from 'node:assert';
import { decodeMessage, encodeMessage } from '../../bgp/index.js';
import { CONTEXTS, assertDecodeResult } from '../support/codec-checks.js';
import { FuzzInput } from '../support/input.js';

export const name = 'roundtrip';

const LENGTH_OFFSET = 16;
const MAX_LENGTH_FIELD = 0xffff;

export function fuzz(data: Uint8Array): void {
  const input = new FuzzInput(data);
  const ctx = CONTEXTS[input.int(CONTEXTS.length - 1)]!;
  const fixLength = input.boolean();
  const message = Uint8Array.from(input.rest());
  // Most mutations break the header's length first: often make it agree, to reach the bodies.
  if (fixLength && message.length > LENGTH_OFFSET + 1 && message.length <= MAX_LENGTH_FIELD) {
    message[LENGTH_OFFSET] = message.length >> 8;
    message[LENGTH_OFFSET + 1] = message.length & 0xff;
  }
  const decoded = decodeMessage(message, ctx);
  assertDecodeResult(decoded);
  if (!decoded.ok) return;

  const encoded = encodeMessage(decoded.value.message, ctx);
  const again = decodeMessage(encoded, ctx);
  if (!again.ok) assert.fail(`a decoded message re-encodes to octets that do not decode: ${again.error.name}: ${again.error.message}`);
  assert.deepStrictEqual(again.value.message, decoded.value.message, 'decode(encode(decode(x))) differs from decode(x)');
  assert.equal(hex(encodeMessage(again.value.message, ctx)), hex(encoded), 'encoding the same value twice gave different octets');
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
