// Packing: as many prefixes into each UPDATE as the session's maximum message length allows,
// when they share their attributes (RFC 4271 §9.2: one UPDATE per attribute set).
import { parseIp } from './address.js';
import { Afi, AttrType, HEADER_LENGTH, MessageType, Safi } from './constants.js';
import type { CodecContext } from './context.js';
import { maxMessageLength } from './header.js';
import { encodeAttribute } from './attributes.js';
import type { Family, MpReachAttr, MpUnreachAttr, PathAttribute, UpdateMessage } from './messages.js';
import { writeMessage } from './message.js';
import type { Prefix } from './prefix.js';
import { Writer } from './writer.js';

/** Octets of the UPDATE body that are not attributes or prefixes: the two length fields. */
const UPDATE_FIXED = HEADER_LENGTH + 4;
/** An attribute header with the Extended Length bit (the worst case). */
const ATTR_HEADER = 4;

export interface PackOptions {
  family: Family;
  /** Next hops for MP_REACH_NLRI (one address, or IPv6 global then link-local). */
  nextHops?: string[];
  /** Send IPv4 unicast in MP_REACH_NLRI too (RFC 4760) rather than the classic NLRI field. */
  ipv4InMp?: boolean;
}

function usesMp(family: Family, options: PackOptions): boolean {
  return !(family.afi === Afi.Ipv4 && family.safi === Safi.Unicast) || options.ipv4InMp === true;
}

function attributesLength(attrs: readonly PathAttribute[], ctx: CodecContext): number {
  const w = new Writer(256);
  for (const a of attrs) encodeAttribute(w, a, ctx);
  return w.pos;
}

/** Splits prefixes greedily into runs whose NLRI encodings fit in `capacity` octets each. */
export function splitByOctets(prefixes: readonly Prefix[], capacity: number): Prefix[][] {
  if (capacity < 17) throw new RangeError(`only ${capacity} octets left for NLRI: the attributes are too large`);
  const out: Prefix[][] = [];
  let run: Prefix[] = [];
  let used = 0;
  for (const p of prefixes) {
    const n = p.wireLength;
    if (used + n > capacity && run.length) {
      out.push(run);
      run = [];
      used = 0;
    }
    run.push(p);
    used += n;
  }
  if (run.length) out.push(run);
  return out;
}

/**
 * UPDATEs announcing `prefixes` with the same `attributes` (which must not include
 * MP_REACH_NLRI / MP_UNREACH_NLRI: those are built here). Returns the encoded messages.
 */
export function packAnnouncements(prefixes: readonly Prefix[], attributes: readonly PathAttribute[], options: PackOptions, ctx: CodecContext): Buffer[] {
  const max = maxMessageLength(ctx.extendedMessage);
  const { family } = options;
  const mp = usesMp(family, options);
  const shared = attributes.filter((a) => a.type !== AttrType.MpReachNlri && a.type !== AttrType.MpUnreachNlri && (!mp || a.type !== AttrType.NextHop));
  const sharedLength = attributesLength(shared, ctx);
  let capacity = max - UPDATE_FIXED - sharedLength;
  const nextHops = options.nextHops ?? [];
  if (mp) {
    const nhLength = nextHops.reduce((n, a) => n + (parseIp(a)?.length ?? 0), 0);
    capacity -= ATTR_HEADER + 2 + 1 + 1 + nhLength + 1;
  }
  const messages: Buffer[] = [];
  const w = new Writer(max);
  for (const run of splitByOctets(prefixes, capacity)) {
    let update: UpdateMessage;
    if (mp) {
      const reach: MpReachAttr = { type: AttrType.MpReachNlri, afi: family.afi, safi: family.safi, nextHops, nlri: run };
      // MP_REACH_NLRI first, as RFC 4760 §3 recommends, then the rest in type order.
      update = { type: MessageType.Update, withdrawn: [], attributes: [reach, ...shared], nlri: [] };
    } else {
      update = { type: MessageType.Update, withdrawn: [], attributes: shared, nlri: run };
    }
    w.truncate(0);
    writeMessage(w, update, ctx);
    messages.push(Buffer.from(w.finish()));
  }
  return messages;
}

/** UPDATEs withdrawing `prefixes` of one family. */
export function packWithdrawals(prefixes: readonly Prefix[], options: PackOptions, ctx: CodecContext): Buffer[] {
  const max = maxMessageLength(ctx.extendedMessage);
  const { family } = options;
  const mp = usesMp(family, options);
  const capacity = max - UPDATE_FIXED - (mp ? ATTR_HEADER + 3 : 0);
  const messages: Buffer[] = [];
  const w = new Writer(max);
  for (const run of splitByOctets(prefixes, capacity)) {
    const update: UpdateMessage = mp
      ? { type: MessageType.Update, withdrawn: [], attributes: [{ type: AttrType.MpUnreachNlri, afi: family.afi, safi: family.safi, withdrawn: run } as MpUnreachAttr], nlri: [] }
      : { type: MessageType.Update, withdrawn: run, attributes: [], nlri: [] };
    w.truncate(0);
    writeMessage(w, update, ctx);
    messages.push(Buffer.from(w.finish()));
  }
  return messages;
}
