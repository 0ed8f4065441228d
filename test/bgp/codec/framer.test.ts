// The framer cuts a TCP byte stream into whole messages however it is split (pg-protocol's
// habit: every input split at the start, the middle and the end of each message).
import { strict as assert } from 'node:assert';
import { MessageFramer, MessageType, decodeMessage, MODERN_CONTEXT, type FramerOutput } from '../../../bgp/index.js';
import { attr, bytes, capability, header, hex, ipv4, marker, message, open, parameter, prefix, repeat, u16, u32, update } from '../../support/bytes.js';

/** Five messages of every type, as they might follow each other on a session. */
const MESSAGES: Uint8Array[] = [
  open(parameter(2, capability(1, u16(1), 0x00, 0x01), capability(65, u32(65001)))),
  message(MessageType.Keepalive),
  update({
    attributes: [attr(0x40, 1, 0x00), attr(0x40, 2, 0x02, 0x01, u32(65001)), attr(0x40, 3, ipv4('192.0.2.1'))],
    nlri: [prefix('198.51.100.0/24'), prefix('192.0.2.1/32')],
  }),
  message(MessageType.RouteRefresh, u16(1), 0x00, 0x01),
  message(MessageType.Notification, 0x06, 0x02, 0x03, 0x62, 0x79, 0x65),
];
const STREAM = bytes(MESSAGES);
const EXPECTED = MESSAGES.map(hex);

/** Feeds the chunks in order; returns every message as hex and the first error, if any. */
function feed(framer: MessageFramer, chunks: Uint8Array[]): { messages: string[]; errors: FramerOutput['error'][] } {
  const messages: string[] = [];
  const errors: FramerOutput['error'][] = [];
  for (const c of chunks) {
    const out = framer.push(c);
    messages.push(...out.messages.map(hex));
    if (out.error) errors.push(out.error);
  }
  return { messages, errors };
}

/** The error of a push that must fail, as [code, subcode, data hex, name]. */
function errorOf(out: FramerOutput): [number, number, string, string] {
  assert.ok(out.error, 'expected an error');
  return [out.error.code, out.error.subcode, hex(out.error.data), out.error.name];
}

/** Cuts `data` at the given offsets (sorted, possibly repeated: empty chunks are fine). */
function cut(data: Uint8Array, offsets: number[]): Uint8Array[] {
  const points = [0, ...offsets, data.length];
  const chunks: Uint8Array[] = [];
  for (let i = 0; i + 1 < points.length; i++) chunks.push(data.subarray(points[i]!, points[i + 1]!));
  return chunks;
}

describe('MessageFramer', () => {
  describe('with a valid stream', () => {
    it('yields every message when the stream arrives in one chunk', () => {
      const framer = new MessageFramer();
      assert.deepStrictEqual(feed(framer, [STREAM]), { messages: EXPECTED, errors: [] });
      assert.equal(framer.buffered, 0);
    });

    it('yields every message when the stream arrives one octet at a time', () => {
      const framer = new MessageFramer();
      const chunks = Array.from(STREAM, (b) => Uint8Array.of(b));
      assert.deepStrictEqual(feed(framer, chunks), { messages: EXPECTED, errors: [] });
      assert.equal(framer.buffered, 0);
    });

    it('yields every message when the stream is cut in two at any offset', () => {
      for (let at = 0; at <= STREAM.length; at++) {
        assert.deepStrictEqual(feed(new MessageFramer(), cut(STREAM, [at])), { messages: EXPECTED, errors: [] }, `cut at ${at}`);
      }
    });

    it('yields every message when cut at the start, inside the header, in the middle and at the last octet of each message', () => {
      let start = 0;
      for (const m of MESSAGES) {
        const points = [start, start + 1, start + 18, start + 19, start + (m.length >> 1), start + m.length - 1];
        for (const a of points) {
          for (const b of points) {
            if (b < a) continue;
            assert.deepStrictEqual(feed(new MessageFramer(), cut(STREAM, [a, b])), { messages: EXPECTED, errors: [] }, `cut at ${a} and ${b}`);
          }
        }
        start += m.length;
      }
    });

    it('yields each message as soon as its last octet arrives and keeps the rest buffered', () => {
      const framer = new MessageFramer();
      const first = MESSAGES[0]!;
      assert.deepStrictEqual(framer.push(STREAM.subarray(0, first.length - 1)).messages, []);
      assert.equal(framer.buffered, first.length - 1);
      const out = framer.push(STREAM.subarray(first.length - 1, first.length + 5));
      assert.deepStrictEqual(out.messages.map(hex), [hex(first)]);
      assert.equal(framer.buffered, 5);
    });

    it('accepts empty chunks', () => {
      const framer = new MessageFramer();
      assert.deepStrictEqual(feed(framer, [new Uint8Array(0), STREAM, new Uint8Array(0)]), { messages: EXPECTED, errors: [] });
    });

    it('keeps its own copy of a partial message, so that the caller may reuse its chunk buffer', () => {
      const framer = new MessageFramer();
      const update = MESSAGES[2]!;
      const chunk = Buffer.from(update.subarray(0, 30));
      assert.deepStrictEqual(framer.push(chunk).messages, []);
      chunk.fill(0);
      assert.deepStrictEqual(framer.push(update.subarray(30)).messages.map(hex), [hex(update)]);
    });

    it('frames whole messages that decode', () => {
      const { messages } = feed(new MessageFramer(), cut(STREAM, [7, 50, 51]));
      for (const m of messages) assert.equal(decodeMessage(Buffer.from(m, 'hex'), MODERN_CONTEXT).ok, true);
    });

    it('leaves the type to decodeMessage: a message of unknown type is framed', () => {
      const odd = message(9, 0x01);
      assert.deepStrictEqual(feed(new MessageFramer(), [odd]), { messages: [hex(odd)], errors: [] });
    });
  });

  describe('with a broken stream', () => {
    const badMarker = bytes(repeat(0xff, 15), 0x00, u16(19), MessageType.Keepalive);

    it('reports a bad marker as Connection Not Synchronized once 19 octets are in', () => {
      const framer = new MessageFramer();
      assert.deepStrictEqual(framer.push(badMarker.subarray(0, 18)), { messages: [] });
      const out = framer.push(badMarker.subarray(18));
      assert.deepStrictEqual(out.messages, []);
      assert.deepStrictEqual(errorOf(out), [1, 1, '', 'BGP_ERR_CONNECTION_NOT_SYNCHRONIZED']);
    });

    it('reports a length above 4096 from the header alone, before the body arrives', () => {
      const framer = new MessageFramer();
      const out = framer.push(bytes(header(MessageType.Update, 4097 - 19)));
      assert.deepStrictEqual(errorOf(out), [1, 2, '1001', 'BGP_ERR_BAD_MESSAGE_LENGTH']);
    });

    it('reports a length below 19 from the header alone', () => {
      const out = new MessageFramer().push(bytes(marker(), u16(18), MessageType.Keepalive));
      assert.deepStrictEqual(errorOf(out), [1, 2, '0012', 'BGP_ERR_BAD_MESSAGE_LENGTH']);
    });

    it('yields the messages before the error, then refuses everything after it', () => {
      const framer = new MessageFramer();
      const first = framer.push(bytes(MESSAGES[1]!, MESSAGES[3]!, badMarker, MESSAGES[1]!));
      assert.deepStrictEqual(first.messages.map(hex), [hex(MESSAGES[1]!), hex(MESSAGES[3]!)]);
      assert.equal(first.error?.name, 'BGP_ERR_CONNECTION_NOT_SYNCHRONIZED');
      const later = framer.push(STREAM);
      assert.deepStrictEqual(later.messages, []);
      assert.equal(later.error, first.error);
      assert.equal(framer.buffered, 0);
    });

    it('reports the error whichever way the stream before it was split', () => {
      const broken = bytes(STREAM, badMarker);
      for (let at = 0; at <= broken.length; at++) {
        const { messages, errors } = feed(new MessageFramer(), cut(broken, [at]));
        assert.deepStrictEqual(messages, EXPECTED, `cut at ${at}`);
        assert.equal(errors[0]?.name, 'BGP_ERR_CONNECTION_NOT_SYNCHRONIZED', `cut at ${at}`);
      }
    });
  });

  describe('with extended messages (RFC 8654)', () => {
    const big = update({ attributes: attr(0xd0, 99, repeat(0xab, 65535 - 27)) });

    it('refuses a 65535-octet message until extended messages are agreed', () => {
      assert.equal(big.length, 65535);
      const out = new MessageFramer().push(big.subarray(0, 19));
      assert.deepStrictEqual(errorOf(out), [1, 2, 'ffff', 'BGP_ERR_BAD_MESSAGE_LENGTH']);
    });

    it('accepts 65535 octets after setExtendedMessage(true), cut anywhere', () => {
      for (const at of [0, 1, 19, 4096, 4097, 32768, 65534, 65535]) {
        const framer = new MessageFramer();
        framer.setExtendedMessage(true);
        assert.deepStrictEqual(feed(framer, cut(bytes(big, MESSAGES[1]!), [at])), { messages: [hex(big), hex(MESSAGES[1]!)], errors: [] }, `cut at ${at}`);
      }
    });

    it('accepts 65535 octets when built with extendedMessage, and refuses 4097 again after setExtendedMessage(false)', () => {
      const framer = new MessageFramer({ extendedMessage: true });
      assert.deepStrictEqual(framer.push(big).messages.length, 1);
      framer.setExtendedMessage(false);
      const out = framer.push(big.subarray(0, 19));
      assert.equal(out.error?.name, 'BGP_ERR_BAD_MESSAGE_LENGTH');
    });
  });
});
