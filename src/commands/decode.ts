// `vip-speaker decode FILE`: prints every message of a captured BGP session, one per line.
// FILE is a capture fixture (JSON with a `messages` array of hex strings), a hex dump, or raw
// bytes as read off a TCP stream; the framer cuts it into messages either way.
import { readFileSync } from 'node:fs';
import { type CodecContext, MessageFramer, decodeMessage, describeMessage } from '../../bgp/index.js';

export interface DecodeOptions {
  fourOctetAs: boolean;
  extendedMessage: boolean;
  json: boolean;
}

/** Reads a capture into a byte stream, and the codec context recorded with it if any. */
export function loadCapture(path: string): { stream: Buffer; context?: CodecContext } {
  const raw = readFileSync(path);
  const text = raw.toString('utf8').trim();
  if (text.startsWith('{')) {
    const doc = JSON.parse(text) as { messages?: unknown; context?: CodecContext };
    if (!Array.isArray(doc.messages) || !doc.messages.every((m) => typeof m === 'string')) {
      throw new Error(`${path}: expected a "messages" array of hex strings`);
    }
    const out: { stream: Buffer; context?: CodecContext } = { stream: Buffer.concat(doc.messages.map((m: string) => Buffer.from(m, 'hex'))) };
    if (doc.context) out.context = doc.context;
    return out;
  }
  if (/^[0-9a-fA-F\s]+$/.test(text)) return { stream: Buffer.from(text.replace(/\s+/g, ''), 'hex') };
  return { stream: raw };
}

/** Decodes and prints; returns the number of messages that failed to decode. */
export function decodeCommand(path: string, options: DecodeOptions, print: (line: string) => void): number {
  const capture = loadCapture(path);
  const ctx = capture.context ?? { fourOctetAs: options.fourOctetAs, extendedMessage: options.extendedMessage };
  const framer = new MessageFramer({ extendedMessage: ctx.extendedMessage });
  const { messages, error } = framer.push(capture.stream);
  let failures = 0;
  messages.forEach((bytes, i) => {
    const r = decodeMessage(bytes, ctx);
    if (!r.ok) {
      failures++;
      print(options.json ? JSON.stringify({ index: i, error: r.error.name, message: r.error.message }) : `#${i} ${r.error.name}: ${r.error.message}`);
      return;
    }
    const problems = r.value.problems.map((p) => `${p.action} ${p.name}: ${p.message}`);
    if (options.json) {
      print(JSON.stringify({ index: i, length: bytes.length, message: r.value.message, problems }, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : typeof v === 'object' && v?.constructor?.name === 'Prefix' ? String(v) : v)));
    } else {
      print(`#${i} (${bytes.length} octets) ${describeMessage(r.value.message)}${problems.length ? `  !! ${problems.join('; ')}` : ''}`);
    }
  });
  if (error) {
    failures++;
    print(`stream broken after ${messages.length} message(s): ${error.name}: ${error.message}`);
  } else if (framer.buffered) {
    print(`${framer.buffered} trailing octet(s) do not make a whole message`);
  }
  return failures;
}
