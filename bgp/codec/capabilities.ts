// Capabilities advertisement (RFC 5492): code, length, value triples inside the OPEN's
// Capabilities optional parameter. Known codes are read into typed values; any other code, and
// an informational one whose value cannot be read, is kept raw so that nothing is lost.
import { CapabilityCode, ErrorCode, OpenErrorSubcode } from './constants.js';
import { type Result, fail, notificationError, ok } from './errors.js';
import type { Capability, GracefulRestartFamily } from './messages.js';
import type { Writer } from './writer.js';

// ignoreBOM: a leading U+FEFF is text to keep, not a mark to strip, so that decode/encode is exact.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

function malformed(code: number, message: string) {
  return notificationError(
    'BGP_ERR_MALFORMED_CAPABILITY',
    ErrorCode.OpenMessageError,
    OpenErrorSubcode.Unspecific,
    `capability ${CapabilityCode[code] ?? code}: ${message}`,
  );
}

/** Reads the capabilities in buf[start, end). */
export function decodeCapabilities(buf: Uint8Array, start: number, end: number): Result<Capability[]> {
  const out: Capability[] = [];
  let p = start;
  while (p < end) {
    if (end - p < 2) return fail(malformed(buf[p]!, `truncated header: ${end - p} octet(s) left, need 2`));
    const code = buf[p]!;
    const length = buf[p + 1]!;
    const vStart = p + 2;
    const vEnd = vStart + length;
    if (vEnd > end) return fail(malformed(code, `length ${length} overruns the parameter by ${vEnd - end} octet(s)`));
    const decoded = decodeCapability(code, buf, vStart, vEnd);
    if (!decoded.ok) return decoded;
    out.push(decoded.value);
    p = vEnd;
  }
  return ok(out);
}

function fixedLength(code: number, length: number, expected: number): Result<void> {
  return length === expected ? ok(undefined) : fail(malformed(code, `length ${length}, expected ${expected}`));
}

function decodeCapability(code: number, buf: Uint8Array, start: number, end: number): Result<Capability> {
  const length = end - start;
  switch (code) {
    case CapabilityCode.Multiprotocol: {
      // RFC 4760 §8: AFI (2), reserved (1), SAFI (1).
      const chk = fixedLength(code, length, 4);
      if (!chk.ok) return chk;
      const afi = (buf[start]! << 8) | buf[start + 1]!;
      const reserved = buf[start + 2]!;
      const cap: Capability = { code, afi, safi: buf[start + 3]! };
      if (reserved !== 0) cap.reserved = reserved;
      return ok(cap);
    }
    case CapabilityCode.RouteRefresh:
    case CapabilityCode.EnhancedRouteRefresh:
    case CapabilityCode.ExtendedMessage: {
      const chk = fixedLength(code, length, 0);
      if (!chk.ok) return chk;
      return ok({ code } as Capability);
    }
    case CapabilityCode.FourOctetAs: {
      // RFC 6793 §3: the 4-octet AS number.
      const chk = fixedLength(code, length, 4);
      if (!chk.ok) return chk;
      return ok({ code, asn: readU32(buf, start) });
    }
    case CapabilityCode.GracefulRestart: {
      // RFC 4724 §3: flags (4 bits), restart time (12 bits), then AFI (2), SAFI (1), flags (1) per family.
      if (length < 2 || (length - 2) % 4 !== 0) {
        return fail(malformed(code, `length ${length}, expected 2 + 4 per address family`));
      }
      const families: GracefulRestartFamily[] = [];
      for (let p = start + 2; p < end; p += 4) {
        families.push({ afi: (buf[p]! << 8) | buf[p + 1]!, safi: buf[p + 2]!, flags: buf[p + 3]! });
      }
      return ok({ code, flags: buf[start]! >>> 4, restartTime: ((buf[start]! & 0x0f) << 8) | buf[start + 1]!, families });
    }
    case CapabilityCode.Fqdn: {
      // draft-walton-bgp-hostname-capability: hostname length, hostname, domain length, domain.
      const hostLen = length >= 1 ? buf[start]! : -1;
      const domLenAt = start + 1 + hostLen;
      const domLen = hostLen >= 0 && domLenAt < end ? buf[domLenAt]! : -1;
      if (hostLen < 0 || domLen < 0 || domLenAt + 1 + domLen !== end) {
        return ok({ code, value: buf.slice(start, end), malformed: true });
      }
      try {
        const hostname = utf8.decode(buf.subarray(start + 1, domLenAt));
        const domainName = utf8.decode(buf.subarray(domLenAt + 1, end));
        return ok({ code, hostname, domainName });
      } catch {
        return ok({ code, value: buf.slice(start, end), malformed: true });
      }
    }
    default:
      return ok({ code, value: buf.slice(start, end) });
  }
}

function readU32(buf: Uint8Array, p: number): number {
  return ((buf[p]! << 24) | (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!) >>> 0;
}

export function encodeCapability(w: Writer, cap: Capability): void {
  w.u8(cap.code);
  const lengthAt = w.pos;
  w.u8(0);
  if ('value' in cap) {
    w.bytes(cap.value);
  } else {
    switch (cap.code) {
      case CapabilityCode.Multiprotocol:
        w.u16(cap.afi);
        w.u8(cap.reserved ?? 0);
        w.u8(cap.safi);
        break;
      case CapabilityCode.RouteRefresh:
      case CapabilityCode.EnhancedRouteRefresh:
      case CapabilityCode.ExtendedMessage:
        break;
      case CapabilityCode.FourOctetAs:
        w.u32(cap.asn);
        break;
      case CapabilityCode.GracefulRestart:
        w.u16(((cap.flags & 0x0f) << 12) | (cap.restartTime & 0x0fff));
        for (const f of cap.families) {
          w.u16(f.afi);
          w.u8(f.safi);
          w.u8(f.flags);
        }
        break;
      case CapabilityCode.Fqdn: {
        const host = utf8Encoder.encode(cap.hostname).subarray(0, 255);
        const domain = utf8Encoder.encode(cap.domainName).subarray(0, 255);
        w.u8(host.length);
        w.bytes(host);
        w.u8(domain.length);
        w.bytes(domain);
        break;
      }
    }
  }
  const length = w.pos - lengthAt - 1;
  if (length > 255) throw new RangeError(`capability ${cap.code} value is ${length} octets, at most 255 fit`);
  w.patchU8(lengthAt, length);
}

/** Finds the first capability with this code across an OPEN's parameters. */
export function findCapability<C extends Capability['code']>(caps: readonly Capability[], code: C): Extract<Capability, { code: C }> | undefined {
  return caps.find((c) => c.code === code && !('value' in c)) as Extract<Capability, { code: C }> | undefined;
}
