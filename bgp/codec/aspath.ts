// AS_PATH and AS4_PATH segments (RFC 4271 §4.3, RFC 6793) and the RFC 6793 §4.2.3 rules that
// rebuild the true path from what a 2-octet-only ("OLD") speaker passed on.
import { AS_TRANS, AsPathSegmentType } from './constants.js';
import type { AsPathSegment } from './messages.js';
import type { Writer } from './writer.js';

export type AsPathDecode = { ok: true; segments: AsPathSegment[] } | { ok: false; message: string };

export function decodeAsPath(buf: Uint8Array, start: number, end: number, asnSize: 2 | 4): AsPathDecode {
  const segments: AsPathSegment[] = [];
  let p = start;
  while (p < end) {
    if (end - p < 2) return { ok: false, message: `segment header cut short at offset ${p - start}` };
    const type = buf[p]!;
    const count = buf[p + 1]!;
    if (type < AsPathSegmentType.AsSet || type > AsPathSegmentType.AsConfedSet) {
      return { ok: false, message: `segment type ${type} at offset ${p - start}, expected 1..4` };
    }
    // RFC 7606 §7.2: a segment of length zero is malformed.
    if (count === 0) return { ok: false, message: `empty segment at offset ${p - start}` };
    const need = count * asnSize;
    if (p + 2 + need > end) return { ok: false, message: `segment of ${count} ASNs needs ${need} octets, ${end - p - 2} remain` };
    const asns = new Array<number>(count);
    let q = p + 2;
    for (let i = 0; i < count; i++) {
      asns[i] = asnSize === 4 ? ((buf[q]! << 24) | (buf[q + 1]! << 16) | (buf[q + 2]! << 8) | buf[q + 3]!) >>> 0 : (buf[q]! << 8) | buf[q + 1]!;
      q += asnSize;
    }
    segments.push({ type, asns });
    p = q;
  }
  return { ok: true, segments };
}

/** Writes segments; with 2-octet ASNs, any AS above 65535 is written as AS_TRANS (RFC 6793 §4.2.2). */
export function encodeAsPath(w: Writer, segments: readonly AsPathSegment[], asnSize: 2 | 4): void {
  for (const seg of segments) {
    // A segment holds at most 255 ASNs; longer sequences are split into several segments.
    for (let i = 0; i < seg.asns.length || i === 0; i += 255) {
      const part = seg.asns.slice(i, i + 255);
      w.u8(seg.type);
      w.u8(part.length);
      for (const asn of part) {
        if (asnSize === 4) w.u32(asn);
        else w.u16(asn > 0xffff ? AS_TRANS : asn);
      }
      if (seg.asns.length === 0) break;
    }
  }
}

/** RFC 4271 §9.1.2.2 path length: a set counts 1, confederation segments count 0. */
export function asPathLength(segments: readonly AsPathSegment[]): number {
  let n = 0;
  for (const s of segments) {
    if (s.type === AsPathSegmentType.AsSequence) n += s.asns.length;
    else if (s.type === AsPathSegmentType.AsSet) n += 1;
  }
  return n;
}

/**
 * RFC 6793 §4.2.3: the AS path as a 4-octet speaker sees it, from the AS_PATH and AS4_PATH an
 * OLD speaker passed on. When AS4_PATH is longer than AS_PATH it is ignored; otherwise the
 * leading part of AS_PATH that AS4_PATH lacks is prepended to it.
 */
export function mergeAs4Path(asPath: readonly AsPathSegment[], as4Path: readonly AsPathSegment[] | undefined): AsPathSegment[] {
  if (!as4Path) return asPath.map((s) => ({ type: s.type, asns: [...s.asns] }));
  const have = asPathLength(asPath);
  const extra = have - asPathLength(as4Path);
  if (extra < 0) return asPath.map((s) => ({ type: s.type, asns: [...s.asns] }));
  const lead: AsPathSegment[] = [];
  let need = extra;
  for (const seg of asPath) {
    if (need === 0) break;
    if (seg.type === AsPathSegmentType.AsSequence) {
      const take = Math.min(need, seg.asns.length);
      lead.push({ type: seg.type, asns: seg.asns.slice(0, take) });
      need -= take;
    } else if (seg.type === AsPathSegmentType.AsSet) {
      lead.push({ type: seg.type, asns: [...seg.asns] });
      need -= 1;
    } else {
      lead.push({ type: seg.type, asns: [...seg.asns] });
    }
  }
  const merged = lead.concat(as4Path.map((s) => ({ type: s.type, asns: [...s.asns] })));
  // Join a trailing lead sequence with a leading AS4 sequence, as they are one sequence.
  const out: AsPathSegment[] = [];
  for (const seg of merged) {
    const last = out[out.length - 1];
    if (last && last.type === AsPathSegmentType.AsSequence && seg.type === AsPathSegmentType.AsSequence && last.asns.length + seg.asns.length <= 255) {
      last.asns.push(...seg.asns);
    } else out.push(seg);
  }
  return out;
}

/** True when a path needs AS4_PATH to go to an OLD speaker (some AS does not fit 2 octets). */
export function needsAs4Path(segments: readonly AsPathSegment[]): boolean {
  return segments.some((s) => s.asns.some((a) => a > 0xffff));
}
