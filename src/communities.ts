// Community text as operators write it: "65000:100", a well-known name such as "no-export"
// (RFC 1997, RFC 7999, RFC 8326), or a large community "4200000001:1:2" (RFC 8092).
import { WellKnownCommunity, type LargeCommunity } from '../bgp/index.js';

const NAMED: Record<string, number> = {
  'no-export': WellKnownCommunity.NoExport,
  'no-advertise': WellKnownCommunity.NoAdvertise,
  'no-export-subconfed': WellKnownCommunity.NoExportSubconfed,
  'local-as': WellKnownCommunity.NoExportSubconfed,
  'no-peer': WellKnownCommunity.NoPeer,
  blackhole: WellKnownCommunity.Blackhole,
  'graceful-shutdown': WellKnownCommunity.GracefulShutdown,
  'accept-own': WellKnownCommunity.AcceptOwn,
};

/** A standard community as a 32-bit number, or an Error saying what is wrong. */
export function parseCommunity(text: string): number | Error {
  const t = text.trim().toLowerCase();
  // Own keys only: `in` would also find "constructor" or "__proto__" on the prototype.
  if (Object.hasOwn(NAMED, t)) return NAMED[t]!;
  const m = /^(\d{1,5}):(\d{1,5})$/.exec(t);
  if (!m) return new Error(`community ${JSON.stringify(text)}: expected ASN:VALUE (each 0..65535) or a well-known name (${Object.keys(NAMED).join(', ')})`);
  const hi = Number(m[1]);
  const lo = Number(m[2]);
  if (hi > 0xffff || lo > 0xffff) return new Error(`community ${JSON.stringify(text)}: each half must be 0..65535`);
  return ((hi << 16) | lo) >>> 0;
}

export function parseLargeCommunity(text: string): LargeCommunity | Error {
  const m = /^(\d{1,10}):(\d{1,10}):(\d{1,10})$/.exec(text.trim());
  const parts = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [];
  if (!m || parts.some((p) => p > 0xffffffff)) return new Error(`large community ${JSON.stringify(text)}: expected GLOBAL:LOCAL1:LOCAL2, each 0..4294967295`);
  return { globalAdmin: parts[0]!, localData1: parts[1]!, localData2: parts[2]! };
}

/** Parses lists that validation already accepted; throws only on a programming error. */
export function communitiesOf(texts: readonly string[]): number[] {
  return texts.map((t) => {
    const c = parseCommunity(t);
    if (c instanceof Error) throw c;
    return c;
  });
}

export function largeCommunitiesOf(texts: readonly string[]): LargeCommunity[] {
  return texts.map((t) => {
    const c = parseLargeCommunity(t);
    if (c instanceof Error) throw c;
    return c;
  });
}
