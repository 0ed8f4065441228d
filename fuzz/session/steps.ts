// The fuzzing peer's script: sequences of steps drawn from a seeded generator, each a message
// (valid or broken in a known way) or a moment (time passing, the speaker starting a full
// table), with what the speaker must do about it. A model of the speaker's state, as the peer
// can know it, says which NOTIFICATION each broken message must earn in that state:
// RFC 4271 §6 for the header, OPEN and UPDATE errors, RFC 6608 for the FSM subcodes, RFC 7606
// for UPDATE errors that do not reset the session, RFC 7313 §5 for ROUTE-REFRESH.
//
// "Chaos" sequences mix in random messages whose effect is not modelled; they are checked only
// against what must always hold (no crash, nothing malformed sent, Established or Idle at the
// end, at most one NOTIFICATION and nothing after it).
import {
  CapabilityCode,
  MODERN_CONTEXT,
  MessageType,
  Prefix,
  encodeMessage,
  makeNotification,
  makeOpen,
  type BgpMessage,
} from '../../bgp/index.js';
import type { Random } from './random.js';

export const SPEAKER_AS = 65001;
export const PEER_AS = 65002;
export const SPEAKER_HOLD_TIME = 90;
/** RFC 4271 §8.2.2: the large hold time set on entering OpenSent (the project uses 240 s). */
export const OPEN_SENT_HOLD_TIME = 240;
const HEADER_LENGTH = 19;
const MAX_LENGTH = 4096;

export type NotificationCode = readonly [code: number, subcode: number];

export type Effect =
  /** The model's next state; no NOTIFICATION. */
  | { type: 'ok'; next: ModelState }
  /** The speaker must send one of these NOTIFICATIONs, then go Idle. */
  | { type: 'fatal'; expect: readonly NotificationCode[] }
  /** The peer's NOTIFICATION: the speaker goes Idle and answers nothing. */
  | { type: 'peer-notification' }
  /** Unknown (chaos): anything the invariants allow. */
  | { type: 'unknown' }
  /** Sent after the session ended: must go unanswered. */
  | { type: 'ignored' };

export type ModelState = 'OpenSent' | 'OpenConfirm' | 'Established';

export type Step =
  | { kind: 'send'; label: string; bytes: Uint8Array; effect: Effect; burst: boolean }
  | { kind: 'tick' }
  | { kind: 'table'; count: number }
  | { kind: 'end'; how: 'complete' | 'expire' };

export interface Sequence {
  index: number;
  chaos: boolean;
  /** The hold time in the peer's OPEN. */
  peerHoldTime: number;
  steps: Step[];
}

/** What the peer sends, in its own right (valid messages). */
export function peerOpen(holdTime: number, asn = PEER_AS): BgpMessage {
  return makeOpen({
    myAs: asn,
    holdTime,
    bgpId: '192.0.2.2',
    capabilities: [
      { code: CapabilityCode.Multiprotocol, afi: 1, safi: 1 },
      { code: CapabilityCode.Multiprotocol, afi: 2, safi: 1 },
      { code: CapabilityCode.RouteRefresh },
      { code: CapabilityCode.FourOctetAs, asn },
    ],
  });
}

const encode = (m: BgpMessage) => encodeMessage(m, MODERN_CONTEXT);
const KEEPALIVE = () => encode({ type: MessageType.Keepalive });

function validUpdate(r: Random): Uint8Array {
  const nlri = Array.from({ length: r.int(0, 3) }, () => Prefix.parse(`203.0.113.${r.int(0, 255)}/32`));
  return encode({
    type: MessageType.Update,
    withdrawn: r.chance(0.3) ? [Prefix.parse(`198.51.100.${r.int(0, 255)}/32`)] : [],
    attributes: nlri.length
      ? [
          { type: 1, flags: 0x40, origin: 0 },
          { type: 2, flags: 0x40, segments: [{ type: 2, asns: [PEER_AS] }] },
          { type: 3, flags: 0x40, nextHop: '192.0.2.2' },
        ]
      : [],
    nlri,
  } as BgpMessage);
}

/** An OPEN with one field broken; the NOTIFICATION subcode RFC 4271 §6.2 gives it. */
function brokenOpen(r: Random, holdTime: number): { label: string; bytes: Uint8Array; subcode: number } {
  const bytes = Uint8Array.from(encode(peerOpen(holdTime)));
  const VERSION = HEADER_LENGTH;
  const HOLD = HEADER_LENGTH + 3;
  const BGP_ID = HEADER_LENGTH + 5;
  switch (r.int(0, 3)) {
    case 0:
      bytes[VERSION] = r.pick([1, 2, 3, 5, 0xff]);
      return { label: 'OPEN with an unsupported version', bytes, subcode: 1 };
    case 1:
      return { label: 'OPEN from another AS than the configured one', bytes: encode(peerOpen(holdTime, PEER_AS + 1)), subcode: 2 };
    case 2:
      bytes.fill(0, BGP_ID, BGP_ID + 4);
      return { label: 'OPEN with BGP Identifier 0.0.0.0', bytes, subcode: 3 };
    default:
      bytes[HOLD] = 0;
      bytes[HOLD + 1] = r.pick([1, 2]);
      return { label: 'OPEN with hold time 1 or 2', bytes, subcode: 6 };
  }
}

/** A message broken in its header: RFC 4271 §6.1. */
function brokenHeader(r: Random): { label: string; bytes: Uint8Array; subcode: number } {
  const bytes = Uint8Array.from(KEEPALIVE());
  switch (r.int(0, 2)) {
    case 0:
      bytes[r.int(0, 15)] = r.int(0, 0xfe);
      return { label: 'a header whose marker is not all ones', bytes, subcode: 1 };
    case 1: {
      const length = r.pick([0, 1, 18, MAX_LENGTH + 1, 0xffff]);
      bytes[16] = length >> 8;
      bytes[17] = length & 0xff;
      return { label: `a header with length ${length}`, bytes, subcode: 2 };
    }
    default:
      bytes[18] = r.pick([0, 6, 7, 128, 255]);
      return { label: `a header with message type ${bytes[18]}`, bytes, subcode: 3 };
  }
}

/** RFC 6608: an unexpected message in OpenSent, OpenConfirm, Established: FSM error 1, 2, 3. */
const FSM: Record<ModelState, NotificationCode> = { OpenSent: [5, 1], OpenConfirm: [5, 2], Established: [5, 3] };

/** One message the peer may send in `state`, with its effect. */
function message(r: Random, state: ModelState, holdTime: number, chaos: boolean): { label: string; bytes: Uint8Array; effect: Effect } {
  if (chaos && r.chance(0.35)) return randomMessage(r);
  // Half the time the message that moves the session on, so that many sequences get to
  // Established and to full tables before something breaks.
  if (r.chance(0.5)) {
    if (state === 'OpenSent') return { label: 'OPEN', bytes: encode(peerOpen(holdTime)), effect: { type: 'ok', next: 'OpenConfirm' } };
    if (state === 'OpenConfirm' || r.chance(0.5)) return { label: 'KEEPALIVE', bytes: KEEPALIVE(), effect: { type: 'ok', next: 'Established' } };
    return { label: 'UPDATE', bytes: validUpdate(r), effect: { type: 'ok', next: 'Established' } };
  }
  const roll = r.int(0, 99);
  if (roll < 22) {
    const effect: Effect = state === 'OpenSent' ? { type: 'ok', next: 'OpenConfirm' } : { type: 'fatal', expect: state === 'OpenConfirm' ? [FSM.OpenConfirm, [6, 7]] : [FSM.Established] };
    return { label: 'OPEN', bytes: encode(peerOpen(holdTime)), effect };
  }
  if (roll < 44) {
    const effect: Effect = state === 'OpenSent' ? { type: 'fatal', expect: [FSM.OpenSent] } : { type: 'ok', next: 'Established' };
    return { label: 'KEEPALIVE', bytes: KEEPALIVE(), effect };
  }
  if (roll < 60) return { label: 'UPDATE', bytes: validUpdate(r), effect: state === 'Established' ? { type: 'ok', next: state } : { type: 'fatal', expect: [FSM[state]] } };
  if (roll < 65) {
    const bytes = encode({ type: MessageType.RouteRefresh, afi: r.pick([1, 2, 25]), subtype: r.pick([0, 1, 2, 9]), safi: 1 });
    return { label: 'ROUTE-REFRESH', bytes, effect: state === 'Established' ? { type: 'ok', next: state } : { type: 'fatal', expect: [FSM[state]] } };
  }
  if (roll < 70) {
    const subtype = r.pick([0, 1, 2]);
    const bytes = Uint8Array.from(encode({ type: MessageType.RouteRefresh, afi: 1, subtype, safi: 1 }));
    const extended = Uint8Array.from([...bytes, ...r.bytes(r.int(1, 3))]);
    extended[17] = extended.length;
    // RFC 7313 §5: with subtype 1 or 2 a body other than 4 octets is a ROUTE-REFRESH Message
    // Error, Invalid Message Length (an unexpected message before Established); RFC 2918 (subtype
    // 0) defines no such error, so the codec reports a header error, Bad Message Length, first.
    const effect: Effect =
      subtype === 0 ? { type: 'fatal', expect: [[1, 2]] } : state === 'Established' ? { type: 'fatal', expect: [[7, 1]] } : { type: 'fatal', expect: [FSM[state]] };
    return { label: `ROUTE-REFRESH subtype ${subtype} with a bad length`, bytes: extended, effect };
  }
  if (roll < 76) {
    const b = brokenOpen(r, holdTime);
    // RFC 4271 §8.2.2: an OPEN error is reported as such in OpenSent and OpenConfirm, as an FSM error in Established.
    return { label: b.label, bytes: b.bytes, effect: { type: 'fatal', expect: state === 'Established' ? [FSM.Established] : [[2, b.subcode]] } };
  }
  if (roll < 84) {
    const b = brokenHeader(r);
    return { label: b.label, bytes: b.bytes, effect: { type: 'fatal', expect: [[1, b.subcode]] } };
  }
  if (roll < 87) {
    // MP_UNREACH_NLRI twice: RFC 7606 §3 (g) keeps this one a session reset, Malformed Attribute List.
    const mpUnreach = [0x80, 15, 3, 0, 1, 1];
    const body = [0, 0, 0, 2 * mpUnreach.length, ...mpUnreach, ...mpUnreach];
    const bytes = Uint8Array.from([...new Uint8Array(16).fill(0xff), 0, HEADER_LENGTH + body.length, MessageType.Update, ...body]);
    return { label: 'UPDATE with MP_UNREACH_NLRI twice', bytes, effect: state === 'Established' ? { type: 'fatal', expect: [[3, 1]] } : { type: 'fatal', expect: [FSM[state]] } };
  }
  if (roll < 90) {
    // An attribute whose length overruns the list: RFC 7606 §4 treat-as-withdraw, the session stays up.
    const bytes = Uint8Array.from([...new Uint8Array(16).fill(0xff), 0, 30, MessageType.Update, 0, 0, 0, 7, 0x40, 1, 9, 0, 0, 0, 0]);
    return { label: 'UPDATE with an attribute overrunning the list (treat-as-withdraw)', bytes, effect: state === 'Established' ? { type: 'ok', next: state } : { type: 'fatal', expect: [FSM[state]] } };
  }
  if (roll < 94) {
    // ORIGIN 7 with NLRI: RFC 7606 §7.1 treat-as-withdraw, the session stays up.
    const bytes = Uint8Array.from(validUpdate(r));
    const originAt = bytes.findIndex((_, i) => bytes[i] === 0x40 && bytes[i + 1] === 1 && bytes[i + 2] === 1);
    if (originAt > 0) bytes[originAt + 3] = 7;
    return { label: 'UPDATE with an invalid ORIGIN (treat-as-withdraw)', bytes, effect: state === 'Established' ? { type: 'ok', next: state } : { type: 'fatal', expect: [FSM[state]] } };
  }
  const n = makeNotification(r.pick([2, 3, 4, 6]), r.int(0, 8), r.bytes(r.int(0, 8)));
  return { label: 'NOTIFICATION', bytes: encode(n), effect: { type: 'peer-notification' } };
}

/** A message of a random type with a random body, its header length right: its effect is not modelled. */
function randomMessage(r: Random): { label: string; bytes: Uint8Array; effect: Effect } {
  const type = r.int(1, 5);
  const body = r.bytes(r.int(0, 64));
  const bytes = Uint8Array.from([...new Uint8Array(16).fill(0xff), 0, HEADER_LENGTH + body.length, type, ...body]);
  return { label: `random type-${type} message`, bytes, effect: { type: 'unknown' } };
}

/** A whole sequence: messages and moments until the first fatal one, some after it, then an end. */
export function generateSequence(r: Random, index: number): Sequence {
  const chaos = r.chance(0.3);
  const peerHoldTime = r.pick([0, 3, 9, 90, 240]);
  const steps: Step[] = [];
  let state: ModelState | 'dead' | 'unknown' = 'OpenSent';
  let ticks = 0;
  const length = r.int(1, 12);
  for (let i = 0; i < length; i++) {
    const roll = r.int(0, 99);
    if (state !== 'dead' && roll < 8 && ticks < 2) {
      // Small moments only: two ticks of 1 s never reach the shortest hold time (3 s).
      steps.push({ kind: 'tick' });
      ticks++;
      continue;
    }
    if (state !== 'dead' && roll < 18) {
      steps.push({ kind: 'table', count: r.pick([1, 50, 700, 1500]) });
      continue;
    }
    const m = message(r, state === 'dead' || state === 'unknown' ? 'Established' : state, peerHoldTime, chaos);
    // After the speaker's NOTIFICATION, anything more goes unanswered: keep sending, marked dead.
    const effect: Effect = state === 'dead' ? { type: 'ignored' } : state === 'unknown' ? { type: 'unknown' } : m.effect;
    steps.push({ kind: 'send', label: state === 'dead' ? `${m.label} after the session ended` : m.label, bytes: m.bytes, effect, burst: r.chance(0.3) });
    if (state === 'dead') continue;
    if (effect.type === 'fatal' || effect.type === 'peer-notification') state = 'dead';
    else if (effect.type === 'unknown') state = 'unknown';
    else if (effect.type === 'ok') state = effect.next;
  }
  steps.push({ kind: 'end', how: r.chance(0.6) ? 'complete' : 'expire' });
  return { index, chaos, peerHoldTime, steps };
}
