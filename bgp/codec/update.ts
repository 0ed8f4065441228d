// UPDATE message (RFC 4271 §4.3) with the revised error handling of RFC 7606: the fields that
// locate the attributes and the NLRI must be sound or the session is reset (§4); within the
// attributes, each error has its own lighter approach (§7), collected as problems.
import { Afi, AttrType, MessageType, Safi, UpdateErrorSubcode } from './constants.js';
import type { CodecContext } from './context.js';
import { type Result, type UpdateProblem, fail, ok } from './errors.js';
import { attrName, decodeAttribute, encodeAttribute, updateError, updateProblem } from './attributes.js';
import type { Family, MpReachAttr, MpUnreachAttr, PathAttribute, UpdateMessage } from './messages.js';
import { decodePrefixes, encodePrefixes } from './nlri.js';
import type { Prefix } from './prefix.js';
import type { Writer } from './writer.js';

export interface DecodedUpdate {
  update: UpdateMessage;
  /** Recoverable errors found, each with its RFC 7606 approach; empty for a clean UPDATE. */
  problems: UpdateProblem[];
  /** RFC 7606 §2: the UPDATE's reachable routes must be handled as withdrawn. */
  treatAsWithdraw: boolean;
}

/** buf[start, end) is the UPDATE body (after the header). */
export function decodeUpdate(buf: Uint8Array, start: number, end: number, ctx: CodecContext): Result<DecodedUpdate> {
  const bodyLength = end - start;
  const withdrawnLength = (buf[start]! << 8) | buf[start + 1]!;
  if (4 + withdrawnLength > bodyLength) {
    return fail(updateError(UpdateErrorSubcode.MalformedAttributeList, `withdrawn routes length ${withdrawnLength} exceeds the ${bodyLength - 4} octets available`));
  }
  const wStart = start + 2;
  const wEnd = wStart + withdrawnLength;
  const attrsLength = (buf[wEnd]! << 8) | buf[wEnd + 1]!;
  const aStart = wEnd + 2;
  const aEnd = aStart + attrsLength;
  if (aEnd > end) {
    return fail(updateError(UpdateErrorSubcode.MalformedAttributeList, `total path attribute length ${attrsLength} exceeds the ${end - aStart} octets left in the message`));
  }
  const withdrawn = decodePrefixes(buf, wStart, wEnd, Afi.Ipv4, 'withdrawn routes');
  if (!withdrawn.ok) return withdrawn;
  const nlri = decodePrefixes(buf, aEnd, end, Afi.Ipv4, 'NLRI');
  if (!nlri.ok) return nlri;

  const attributes: PathAttribute[] = [];
  const problems: UpdateProblem[] = [];
  const seen = new Uint8Array(256);
  let p = aStart;
  while (p < aEnd) {
    const remaining = aEnd - p;
    const flags = buf[p]!;
    const headerSize = flags & 0x10 ? 4 : 3;
    if (remaining < headerSize) {
      // RFC 7606 §4: too few octets left for an attribute header.
      problems.push(updateProblem('treat-as-withdraw', UpdateErrorSubcode.AttributeLengthError, `${remaining} octet(s) left in the path attributes, too few for an attribute header`));
      break;
    }
    const type = buf[p + 1]!;
    const length = headerSize === 4 ? (buf[p + 2]! << 8) | buf[p + 3]! : buf[p + 2]!;
    const vStart = p + headerSize;
    const vEnd = vStart + length;
    if (vEnd > aEnd) {
      const message = `${attrName(type)}: length ${length} overruns the path attributes by ${vEnd - aEnd} octet(s)`;
      // The MP attributes cannot be read, so what they announce cannot even be withdrawn.
      if (type === AttrType.MpReachNlri || type === AttrType.MpUnreachNlri) return fail(updateError(UpdateErrorSubcode.AttributeLengthError, message, buf.slice(p, aEnd)));
      problems.push(updateProblem('treat-as-withdraw', UpdateErrorSubcode.AttributeLengthError, message, type));
      break;
    }
    const whole = buf.subarray(p, vEnd);
    p = vEnd;
    if (seen[type]) {
      // RFC 7606 §3(g): MP_REACH/MP_UNREACH twice is fatal; any other repeat is discarded.
      if (type === AttrType.MpReachNlri || type === AttrType.MpUnreachNlri) {
        return fail(updateError(UpdateErrorSubcode.MalformedAttributeList, `${attrName(type)} appears more than once`));
      }
      problems.push({ ...updateProblem('attribute-discard', UpdateErrorSubcode.MalformedAttributeList, `${attrName(type)} appears more than once; all but the first discarded`, type), name: 'BGP_ERR_DUPLICATE_ATTRIBUTE' });
      continue;
    }
    seen[type] = 1;
    // `whole` is a view: it is copied only if it ends up in an error.
    const decoded = decodeAttribute(flags, type, buf, vStart, vEnd, whole, ctx);
    if ('error' in decoded) return fail(decoded.error);
    if ('problem' in decoded) problems.push(decoded.problem);
    else attributes.push(decoded.attr);
  }

  // RFC 4760 §3: without classic NLRI the NEXT_HOP is not used; a semantically invalid one
  // (RFC 4271 §6.3: the route using it is ignored) then withdraws nothing and is only dropped.
  if (nlri.value.length === 0) {
    for (const pr of problems) if (pr.subcode === UpdateErrorSubcode.InvalidNextHopAttribute) pr.action = 'attribute-discard';
  }
  const update: UpdateMessage = { type: MessageType.Update, withdrawn: withdrawn.value, attributes, nlri: nlri.value };
  checkMandatory(update, problems, seen);
  return ok({ update, problems, treatAsWithdraw: problems.some((x) => x.action === 'treat-as-withdraw') });
}

/**
 * RFC 4271 §5 / RFC 7606 §3(d): ORIGIN and AS_PATH must accompany any reachable route, and
 * NEXT_HOP any route in the classic NLRI field; a missing one means treat-as-withdraw.
 */
function checkMandatory(update: UpdateMessage, problems: UpdateProblem[], seen: Uint8Array): void {
  let hasReachable = update.nlri.length > 0;
  if (!hasReachable && seen[AttrType.MpReachNlri]) {
    for (const a of update.attributes) {
      if (a.type === AttrType.MpReachNlri && ((a as MpReachAttr).nlri.length > 0 || ((a as MpReachAttr).rawNlri?.length ?? 0) > 0)) hasReachable = true;
    }
  }
  if (!hasReachable) return;
  // Seen covers attributes that were present even if malformed (already reported) or repeated.
  const present = (type: number) => seen[type] === 1 || problems.some((p) => p.attrType === type);
  const required = update.nlri.length > 0 ? MANDATORY_WITH_NLRI : MANDATORY_MP_ONLY;
  for (const type of required) {
    if (!present(type)) {
      problems.push(updateProblem('treat-as-withdraw', UpdateErrorSubcode.MissingWellKnownAttribute, `missing well-known attribute ${attrName(type)}`, type));
    }
  }
}

const MANDATORY_MP_ONLY = [AttrType.Origin, AttrType.AsPath];
const MANDATORY_WITH_NLRI = [AttrType.Origin, AttrType.AsPath, AttrType.NextHop];

export function encodeUpdateBody(w: Writer, update: UpdateMessage, ctx: CodecContext): void {
  const wAt = w.pos;
  w.u16(0);
  encodePrefixes(w, update.withdrawn);
  w.patchU16(wAt, w.pos - wAt - 2);
  const aAt = w.pos;
  w.u16(0);
  for (const attr of update.attributes) encodeAttribute(w, attr, ctx);
  w.patchU16(aAt, w.pos - aAt - 2);
  encodePrefixes(w, update.nlri);
}

/** RFC 4724 §2: the End-of-RIB marker of a family. */
export function makeEndOfRib(family: Family): UpdateMessage {
  if (family.afi === Afi.Ipv4 && family.safi === Safi.Unicast) return { type: MessageType.Update, withdrawn: [], attributes: [], nlri: [] };
  const attr: MpUnreachAttr = { type: AttrType.MpUnreachNlri, afi: family.afi, safi: family.safi, withdrawn: [] };
  return { type: MessageType.Update, withdrawn: [], attributes: [attr], nlri: [] };
}

/** The family whose End-of-RIB this UPDATE is, or undefined. */
export function endOfRibFamily(update: UpdateMessage): Family | undefined {
  if (update.withdrawn.length || update.nlri.length) return undefined;
  if (update.attributes.length === 0) return { afi: Afi.Ipv4, safi: Safi.Unicast };
  const only = update.attributes[0];
  if (update.attributes.length === 1 && only && only.type === AttrType.MpUnreachNlri) {
    const mp = only as MpUnreachAttr;
    if (mp.withdrawn.length === 0 && (mp.rawWithdrawn?.length ?? 0) === 0) return { afi: mp.afi, safi: mp.safi };
  }
  return undefined;
}

/** Every prefix an UPDATE makes reachable (classic NLRI and MP_REACH_NLRI). */
export function reachablePrefixes(update: UpdateMessage): Prefix[] {
  const out = [...update.nlri];
  for (const a of update.attributes) if (a.type === AttrType.MpReachNlri) out.push(...(a as MpReachAttr).nlri);
  return out;
}

/** Every prefix an UPDATE withdraws (classic field and MP_UNREACH_NLRI). */
export function withdrawnPrefixes(update: UpdateMessage): Prefix[] {
  const out = [...update.withdrawn];
  for (const a of update.attributes) if (a.type === AttrType.MpUnreachNlri) out.push(...(a as MpUnreachAttr).withdrawn);
  return out;
}
