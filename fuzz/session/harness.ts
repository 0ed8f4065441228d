// Runs one fuzz sequence against a real BgpSpeaker: the speaker connects over loopback TCP to
// the fuzzing peer, whose steps come from steps.ts; time is a ManualClock, so that the moments
// (hold timers, keepalives) happen exactly where the sequence puts them. Afterwards everything
// the speaker sent is framed and decoded with the project's codec and checked against the
// model: the right NOTIFICATION or none, nothing after it, Established or Idle at the end.
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import {
  BgpSpeaker,
  DEFAULT_CONTEXT,
  MODERN_CONTEXT,
  ManualClock,
  MessageFramer,
  MessageType,
  Prefix,
  SessionState,
  decodeMessage,
  encodeMessage,
  type BgpMessage,
} from '../../bgp/index.js';
import { assertDecodeResult } from '../support/codec-checks.js';
import { OPEN_SENT_HOLD_TIME, PEER_AS, SPEAKER_AS, SPEAKER_HOLD_TIME, peerOpen, type ModelState, type NotificationCode, type Sequence } from './steps.js';

/** Every wait on the speaker is bounded; a speaker that does not react in this time fails. */
const REACT_MS = 10_000;
const POLL_MS = 2;
const TICK_MS = 1000;
/** Past every hold time the sequence can negotiate, and the OpenSent one. */
const EXPIRE_MS = (OPEN_SENT_HOLD_TIME + 1) * 1000;
/** The driver's grace for a NOTIFICATION to drain before the socket is destroyed, and then some. */
const CLOSE_GRACE_MS = 1500;
/** Idle hold and connect retry long enough that the speaker never reconnects within a sequence. */
const NO_RETRY_SECONDS = 3600;
const HOLD_TIMER_EXPIRED: NotificationCode = [4, 0];

export interface SequenceResult {
  /** Every octet the speaker sent on the connection. */
  stream: Uint8Array;
  messages: number;
  end: SessionState;
  /** The first violated promise, in words. */
  failure?: string;
}

export async function runSequence(seq: Sequence): Promise<SequenceResult> {
  const clock = new ManualClock();
  const server: Server = createServer();
  const connections: Socket[] = [];
  server.on('connection', (s) => connections.push(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const speaker = new BgpSpeaker({
    localAs: SPEAKER_AS,
    routerId: '192.0.2.1',
    holdTime: SPEAKER_HOLD_TIME,
    keepaliveTime: SPEAKER_HOLD_TIME / 3,
    clock,
    connector: () => () =>
      new Promise<Socket>((resolve, reject) => {
        const s = connect(port, '127.0.0.1', () => resolve(s));
        s.once('error', reject);
      }),
  });
  speaker.addPeer({ address: '192.0.2.2', peerAs: PEER_AS, nextHopIpv4: '192.0.2.1', nextHopIpv6: ['2001:db8::1'], idleHoldTime: NO_RETRY_SECONDS, connectRetryTime: NO_RETRY_SECONDS });
  const chunks: Buffer[] = [];
  let closed = false;
  const state = () => speaker.status()[0]!.state;
  const counted = (which: 'messagesReceived' | 'messagesSent') => Object.values(speaker.status()[0]!.counters[which]).reduce((a, b) => a + b, 0);
  const finish = async (failure?: string): Promise<SequenceResult> => {
    const stream = Buffer.concat(chunks);
    const end = state();
    await stopAll(speaker, clock, server, connections);
    const r: SequenceResult = { stream, messages: new MessageFramer().push(stream).messages.length, end };
    if (failure) r.failure = `sequence ${seq.index}: ${failure}`;
    return r;
  };

  try {
    await speaker.start();
    await until(() => connections.length > 0);
    const socket = connections[0]!;
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => (closed = true));
    socket.on('error', () => undefined);

    let model: ModelState | 'dead' | 'unknown' = 'OpenSent';
    let expected: readonly NotificationCode[] | 'none' | 'any' = 'none';
    let rxExpected = 0;
    const settle = () => until(() => counted('messagesReceived') >= rxExpected || state() === SessionState.Idle);
    const send = (bytes: Uint8Array) => {
      if (!socket.destroyed) socket.write(bytes, () => undefined);
    };

    for (const step of seq.steps) {
      if (step.kind === 'send') {
        send(step.bytes);
        const e = step.effect;
        if (e.type === 'ignored') continue;
        rxExpected++;
        if (e.type === 'fatal') [model, expected] = ['dead', e.expect];
        else if (e.type === 'peer-notification') [model, expected] = ['dead', 'none'];
        else if (e.type === 'unknown') [model, expected] = ['unknown', 'any'];
        else if (model !== 'unknown') model = e.next;
        if (!step.burst) await settle();
      } else if (step.kind === 'tick') {
        await settle();
        await clock.advanceAsync(TICK_MS);
      } else if (step.kind === 'table') {
        for (let i = 0; i < step.count; i++) speaker.announce({ prefix: tablePrefix(i) });
      } else {
        await settle();
        const live = state();
        if (live === SessionState.Idle) break;
        const holdZero = seq.peerHoldTime === 0 && (live === SessionState.OpenConfirm || live === SessionState.Established);
        if (step.how === 'expire' && !holdZero) {
          await clock.advanceAsync(EXPIRE_MS);
          if (model !== 'unknown') expected = [HOLD_TIMER_EXPIRED];
          else expected = 'any';
          await until(() => state() === SessionState.Idle);
        } else {
          // Complete the handshake from wherever the speaker is.
          if (live === SessionState.OpenSent) send(encodeMessage(peerOpen(seq.peerHoldTime), MODERN_CONTEXT));
          send(encodeMessage({ type: MessageType.Keepalive }, MODERN_CONTEXT));
          await until(() => state() === SessionState.Established || state() === SessionState.Idle);
          if (model !== 'unknown' && model !== 'dead' && state() !== SessionState.Established) return await finish(`completing the handshake from ${live} ended in ${state()}`);
        }
      }
    }

    // Everything the speaker sent must have arrived before it is judged.
    if (state() === SessionState.Idle) {
      await clock.advanceAsync(CLOSE_GRACE_MS);
      await until(() => closed);
    } else {
      await until(() => speaker.status()[0]!.pendingChanges === 0 && speaker.status()[0]!.sendQueueBytes === 0);
      await until(() => framedCount(chunks) >= counted('messagesSent'));
    }
    const failure = judge(Buffer.concat(chunks), state(), model, expected);
    return await finish(failure);
  } catch (err) {
    return finish(`the harness failed: ${(err as Error).message}`);
  }
}

/** The promises of the issue, checked on what the speaker sent and where it ended. */
function judge(stream: Uint8Array, end: SessionState, model: ModelState | 'dead' | 'unknown', expected: readonly NotificationCode[] | 'none' | 'any'): string | undefined {
  const framer = new MessageFramer();
  const out = framer.push(stream);
  if (out.error) return `the speaker sent octets that do not frame: ${out.error.name}: ${out.error.message}`;
  if (framer.buffered !== 0) return `the speaker's output ends in ${framer.buffered} octets of a message cut short`;
  const messages: BgpMessage[] = [];
  for (const [i, bytes] of out.messages.entries()) {
    const r = decodeMessage(bytes, i === 0 ? DEFAULT_CONTEXT : MODERN_CONTEXT);
    try {
      assertDecodeResult(r);
    } catch (err) {
      return `message ${i} the speaker sent decodes badly: ${(err as Error).message}`;
    }
    if (!r.ok) return `message ${i} the speaker sent does not decode: ${r.error.name}: ${r.error.message} (${Buffer.from(bytes).toString('hex')})`;
    if (r.value.problems.length > 0) return `the speaker sent an UPDATE with RFC 7606 problems: ${r.value.problems.map((p) => p.name).join(', ')}`;
    messages.push(r.value.message);
  }
  if (messages.length > 0 && messages[0]!.type !== MessageType.Open) return `the speaker's first message is ${MessageType[messages[0]!.type]}, not OPEN`;
  const notifications = messages.filter((m) => m.type === MessageType.Notification);
  if (notifications.length > 1) return `the speaker sent ${notifications.length} NOTIFICATIONs`;
  const last = messages.at(-1);
  if (notifications.length === 1 && last?.type !== MessageType.Notification) return 'the speaker sent messages after its NOTIFICATION';
  if (end !== SessionState.Established && end !== SessionState.Idle) return `the speaker ended in ${end}, neither Established nor Idle`;
  if (end === SessionState.Established && notifications.length > 0) return 'the speaker is Established after sending a NOTIFICATION';
  const sent = notifications[0];
  if (sent && sent.type === MessageType.Notification && (sent.code < 1 || sent.code > 7)) return `the speaker sent NOTIFICATION code ${sent.code}`;
  if (expected === 'any') return undefined;
  if (expected === 'none') {
    if (sent && sent.type === MessageType.Notification) return `the speaker sent NOTIFICATION ${sent.code}/${sent.subcode} where none was due`;
    const want = model === 'dead' ? SessionState.Idle : SessionState.Established;
    return end === want ? undefined : `the speaker ended in ${end}, expected ${want}`;
  }
  if (!sent || sent.type !== MessageType.Notification) return `the speaker sent no NOTIFICATION; expected ${expected.map((c) => c.join('/')).join(' or ')}`;
  if (!expected.some(([c, s]) => c === sent.code && s === sent.subcode)) return `the speaker sent NOTIFICATION ${sent.code}/${sent.subcode}; expected ${expected.map((c) => c.join('/')).join(' or ')}`;
  return end === SessionState.Idle ? undefined : `the speaker sent its NOTIFICATION but ended in ${end}`;
}

function framedCount(chunks: Buffer[]): number {
  return new MessageFramer().push(Buffer.concat(chunks)).messages.length;
}

/** Three documentation ranges of /32s, then /128s: up to any table size. */
function tablePrefix(i: number): Prefix {
  const v4 = ['198.51.100', '203.0.113', '192.0.2'];
  const block = Math.floor(i / 256);
  if (block < v4.length) return Prefix.parse(`${v4[block]}.${i % 256}/32`);
  return Prefix.parse(`2001:db8:f::${i.toString(16)}/128`);
}

async function stopAll(speaker: BgpSpeaker, clock: ManualClock, server: Server, connections: Socket[]): Promise<void> {
  const stopped = speaker.stop();
  // The driver destroys a closing socket after its grace, on the (manual) clock.
  await clock.advanceAsync(CLOSE_GRACE_MS);
  for (const s of connections) s.destroy();
  await Promise.race([stopped, delay(REACT_MS)]);
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Polls a condition of the speaker under test, bounded by REACT_MS. */
async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + REACT_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`the speaker did not react within ${REACT_MS} ms`);
    await delay(POLL_MS);
  }
}

// Real time, deliberately: this harness waits on real sockets, never on the speaker's clock.
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
