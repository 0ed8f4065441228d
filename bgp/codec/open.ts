// OPEN message (RFC 4271 §4.2) with optional parameters in the classic encoding or the
// RFC 9072 extended one. Checks here are those of the message alone (RFC 4271 §6.2); checks
// against configuration (peer AS, identifier collisions) belong to the session.
import { BGP_VERSION, CapabilityCode, ErrorCode, MessageType, OpenErrorSubcode, OptionalParameterType } from './constants.js';
import { formatIpv4, parseIpv4 } from './address.js';
import { decodeCapabilities, encodeCapability } from './capabilities.js';
import { type Result, fail, notificationError, ok, u16Data } from './errors.js';
import type { Capability, OpenMessage, OptionalParameter } from './messages.js';
import type { Writer } from './writer.js';

function openError(name: Parameters<typeof notificationError>[0], subcode: OpenErrorSubcode, message: string, data?: Uint8Array) {
  return notificationError(name, ErrorCode.OpenMessageError, subcode, message, data);
}

/** Decodes an OPEN body: buf[start, end) is everything after the 19-octet header. */
export function decodeOpen(buf: Uint8Array, start: number, end: number): Result<OpenMessage> {
  const version = buf[start]!;
  if (version !== BGP_VERSION) {
    // RFC 4271 §6.2: the data is the largest locally supported version.
    return fail(openError('BGP_ERR_UNSUPPORTED_VERSION', OpenErrorSubcode.UnsupportedVersionNumber, `peer speaks BGP version ${version}, only 4 is supported`, u16Data(BGP_VERSION)));
  }
  const myAs = (buf[start + 1]! << 8) | buf[start + 2]!;
  // RFC 7607 §2: AS 0 is never a peer AS.
  if (myAs === 0) return fail(badPeerAs0());
  const holdTime = (buf[start + 3]! << 8) | buf[start + 4]!;
  if (holdTime === 1 || holdTime === 2) {
    return fail(openError('BGP_ERR_UNACCEPTABLE_HOLD_TIME', OpenErrorSubcode.UnacceptableHoldTime, `hold time ${holdTime} s: it must be 0 or at least 3`));
  }
  const bgpId = formatIpv4(buf, start + 5);
  if (bgpId === '0.0.0.0') {
    // RFC 6286 §2.1: any non-zero 32-bit value is a valid identifier.
    return fail(openError('BGP_ERR_BAD_BGP_IDENTIFIER', OpenErrorSubcode.BadBgpIdentifier, 'BGP Identifier is 0.0.0.0'));
  }
  let p = start + 9;
  let paramsLength = buf[p]!;
  p += 1;
  let extendedParameters = false;
  // RFC 9072 §2: a length of 255 followed by a parameter type of 255 announces the extended encoding.
  if (paramsLength === 255 && p < end && buf[p] === OptionalParameterType.ExtendedLength) {
    if (end - p < 3) return fail(malformedParams(`extended optional parameters length is cut short`));
    paramsLength = (buf[p + 1]! << 8) | buf[p + 2]!;
    p += 3;
    extendedParameters = true;
  }
  if (p + paramsLength !== end) {
    return fail(malformedParams(`optional parameters length ${paramsLength} but ${end - p} octets follow`));
  }
  const parameters: OptionalParameter[] = [];
  const headerSize = extendedParameters ? 3 : 2;
  while (p < end) {
    if (end - p < headerSize) return fail(malformedParams(`optional parameter header cut short: ${end - p} octet(s) left`));
    const type = buf[p]!;
    const length = extendedParameters ? (buf[p + 1]! << 8) | buf[p + 2]! : buf[p + 1]!;
    const vStart = p + headerSize;
    const vEnd = vStart + length;
    if (vEnd > end) return fail(malformedParams(`optional parameter ${type} of length ${length} overruns the message`));
    if (type !== OptionalParameterType.Capabilities) {
      return fail(openError('BGP_ERR_UNSUPPORTED_OPTIONAL_PARAMETER', OpenErrorSubcode.UnsupportedOptionalParameter, `optional parameter type ${type} is not supported (only 2, capabilities)`));
    }
    const caps = decodeCapabilities(buf, vStart, vEnd);
    if (!caps.ok) return caps;
    if (caps.value.some((c) => c.code === CapabilityCode.FourOctetAs && 'asn' in c && c.asn === 0)) return fail(badPeerAs0());
    parameters.push({ type: OptionalParameterType.Capabilities, capabilities: caps.value });
    p = vEnd;
  }
  const open: OpenMessage = { type: MessageType.Open, version, myAs, holdTime, bgpId, parameters };
  if (extendedParameters) open.extendedParameters = true;
  return ok(open);
}

function badPeerAs0() {
  return openError('BGP_ERR_BAD_PEER_AS', OpenErrorSubcode.BadPeerAs, 'peer AS 0 (RFC 7607: AS 0 is reserved and never a peer AS)');
}

function malformedParams(message: string) {
  return openError('BGP_ERR_MALFORMED_OPTIONAL_PARAMETER', OpenErrorSubcode.Unspecific, message);
}

export function encodeOpenBody(w: Writer, open: OpenMessage): void {
  const id = parseIpv4(open.bgpId);
  if (!id) throw new TypeError(`BGP Identifier must be dotted-quad IPv4, got ${JSON.stringify(open.bgpId)}`);
  w.u8(open.version);
  w.u16(open.myAs);
  w.u16(open.holdTime);
  w.bytes(id);
  const paramsAt = w.pos;
  // RFC 9072 §2: use the extended encoding only when asked to or when the parameters need it.
  if (open.extendedParameters === true || !writeParameters(w, open.parameters, false)) {
    w.truncate(paramsAt);
    writeParameters(w, open.parameters, true);
  }
}

/** Writes the parameters with their length; returns false if they do not fit the classic encoding. */
function writeParameters(w: Writer, parameters: readonly OptionalParameter[], ext: boolean): boolean {
  const lengthAt = w.pos;
  if (ext) {
    w.u8(255);
    w.u8(OptionalParameterType.ExtendedLength);
    w.u16(0);
  } else {
    w.u8(0);
  }
  const paramsStart = w.pos;
  for (const param of parameters) {
    w.u8(param.type);
    const lenAt = w.pos;
    if (ext) w.u16(0);
    else w.u8(0);
    if ('capabilities' in param) for (const cap of param.capabilities) encodeCapability(w, cap);
    else w.bytes(param.value);
    const len = w.pos - lenAt - (ext ? 2 : 1);
    if (ext) w.patchU16(lenAt, len);
    else if (len > 255) return false;
    else w.patchU8(lenAt, len);
  }
  const total = w.pos - paramsStart;
  if (ext) w.patchU16(lengthAt + 2, total);
  else if (total > 255) return false;
  else w.patchU8(lengthAt, total);
  return true;
}

/** All capabilities of an OPEN, across its parameters, in order. */
export function openCapabilities(open: OpenMessage): Capability[] {
  const out: Capability[] = [];
  for (const p of open.parameters) if ('capabilities' in p) out.push(...p.capabilities);
  return out;
}

/**
 * Builds an OPEN carrying `capabilities` in one parameter; the encoder switches to the RFC 9072
 * encoding only when they do not fit in 255 octets.
 */
export function makeOpen(options: { myAs: number; holdTime: number; bgpId: string; capabilities: Capability[] }): OpenMessage {
  return {
    type: MessageType.Open,
    version: BGP_VERSION,
    myAs: options.myAs,
    holdTime: options.holdTime,
    bgpId: options.bgpId,
    parameters: options.capabilities.length ? [{ type: OptionalParameterType.Capabilities, capabilities: options.capabilities }] : [],
  };
}
