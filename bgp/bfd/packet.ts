// The BFD Control packet of RFC 5880 §4.1: its typed form, encode and decode side by side.
// Decoding runs the checks of RFC 5880 §6.8.6 that need no session (version, lengths, Detect
// Mult, the M bit, the discriminators); a packet that fails one is a BfdError value, never an
// exception. The checks that need a session (which one, authentication) are the machine's.
//
//    0                   1                   2                   3
//   |Vers |  Diag   |Sta|P|F|C|A|D|M|  Detect Mult  |    Length     |
//   |                       My Discriminator                        |
//   |                      Your Discriminator                       |
//   |                    Desired Min TX Interval                    |
//   |                   Required Min RX Interval                    |
//   |                 Required Min Echo RX Interval                 |
//   | Auth Type     |   Auth Len    |    Authentication Data...     |
import { fail, ok, type Result } from '../codec/errors.js';
import {
  BFD_CONTROL_LENGTH,
  BFD_CONTROL_MIN_LENGTH_WITH_AUTH,
  BFD_MAX_PASSWORD_LENGTH,
  BFD_MD5_AUTH_LENGTH,
  BFD_SHA1_AUTH_LENGTH,
  BFD_VERSION,
  BfdAuthType,
  BfdDiagnostic,
  BfdState,
} from './constants.js';
import { bfdError, type BfdError } from './errors.js';

/** RFC 5880 §4.2: Simple Password. */
export interface BfdPasswordAuth {
  type: BfdAuthType.SimplePassword;
  keyId: number;
  password: Uint8Array;
}

/** RFC 5880 §4.3/§4.4: (Meticulous) Keyed MD5 or SHA1: a sequence number and a digest. */
export interface BfdDigestAuth {
  type: BfdAuthType.KeyedMd5 | BfdAuthType.MeticulousKeyedMd5 | BfdAuthType.KeyedSha1 | BfdAuthType.MeticulousKeyedSha1;
  keyId: number;
  sequence: number;
  digest: Uint8Array;
}

export type BfdAuthSection = BfdPasswordAuth | BfdDigestAuth;

export interface BfdControlPacket {
  diagnostic: BfdDiagnostic;
  state: BfdState;
  /** P: the sender asks for verification of a parameter change (a Poll Sequence, §6.5). */
  poll: boolean;
  /** F: the answer to a Poll. */
  final: boolean;
  /** C: the sender's BFD does not share fate with its control plane (§4.1, RFC 5882 §4.3). */
  controlPlaneIndependent: boolean;
  /** D: the sender wishes to run in Demand mode. */
  demand: boolean;
  /** M: reserved for point-to-multipoint; always 0 here. */
  multipoint: boolean;
  detectMult: number;
  myDiscriminator: number;
  yourDiscriminator: number;
  /** Microseconds. */
  desiredMinTxInterval: number;
  requiredMinRxInterval: number;
  requiredMinEchoRxInterval: number;
  /** Present exactly when the A bit is set. */
  auth?: BfdAuthSection;
}

const VERSION_SHIFT = 5;
const DIAG_MASK = 0x1f;
const STATE_SHIFT = 6;
enum Flag {
  Poll = 0x20,
  Final = 0x10,
  ControlPlaneIndependent = 0x08,
  Auth = 0x04,
  Demand = 0x02,
  Multipoint = 0x01,
}
/** Auth type, length and key id come first in every auth section (§4.2–§4.4). */
const AUTH_HEADER_LENGTH = 3;
/** Then, for the digests, a reserved octet and the 4-octet sequence number. */
const DIGEST_PREFIX_LENGTH = 8;

/** The auth section's whole length for a type, or undefined for the password (which varies). */
export function authSectionLength(type: BfdAuthType): number | undefined {
  switch (type) {
    case BfdAuthType.KeyedMd5:
    case BfdAuthType.MeticulousKeyedMd5:
      return BFD_MD5_AUTH_LENGTH;
    case BfdAuthType.KeyedSha1:
    case BfdAuthType.MeticulousKeyedSha1:
      return BFD_SHA1_AUTH_LENGTH;
    default:
      return undefined;
  }
}

function encodedAuthLength(auth: BfdAuthSection): number {
  return auth.type === BfdAuthType.SimplePassword ? AUTH_HEADER_LENGTH + auth.password.length : authSectionLength(auth.type)!;
}

/** The packet's length in octets: 24, plus the auth section. */
export function controlPacketLength(packet: BfdControlPacket): number {
  return BFD_CONTROL_LENGTH + (packet.auth ? encodedAuthLength(packet.auth) : 0);
}

/** RFC 5880 §4.1, one fresh buffer per call. A digest shorter than its field is zero-padded. */
export function encodeControlPacket(packet: BfdControlPacket): Buffer {
  const length = controlPacketLength(packet);
  const out = Buffer.alloc(length);
  out[0] = (BFD_VERSION << VERSION_SHIFT) | (packet.diagnostic & DIAG_MASK);
  let flags = (packet.state & 0x03) << STATE_SHIFT;
  if (packet.poll) flags |= Flag.Poll;
  if (packet.final) flags |= Flag.Final;
  if (packet.controlPlaneIndependent) flags |= Flag.ControlPlaneIndependent;
  if (packet.auth) flags |= Flag.Auth;
  if (packet.demand) flags |= Flag.Demand;
  if (packet.multipoint) flags |= Flag.Multipoint;
  out[1] = flags;
  out[2] = packet.detectMult & 0xff;
  out[3] = length;
  out.writeUInt32BE(packet.myDiscriminator >>> 0, 4);
  out.writeUInt32BE(packet.yourDiscriminator >>> 0, 8);
  out.writeUInt32BE(packet.desiredMinTxInterval >>> 0, 12);
  out.writeUInt32BE(packet.requiredMinRxInterval >>> 0, 16);
  out.writeUInt32BE(packet.requiredMinEchoRxInterval >>> 0, 20);
  const auth = packet.auth;
  if (auth) {
    out[BFD_CONTROL_LENGTH] = auth.type;
    out[BFD_CONTROL_LENGTH + 1] = length - BFD_CONTROL_LENGTH;
    out[BFD_CONTROL_LENGTH + 2] = auth.keyId & 0xff;
    if (auth.type === BfdAuthType.SimplePassword) {
      out.set(auth.password, BFD_CONTROL_LENGTH + AUTH_HEADER_LENGTH);
    } else {
      // The reserved octet stays 0 (§4.3, §4.4).
      out.writeUInt32BE(auth.sequence >>> 0, BFD_CONTROL_LENGTH + 4);
      out.set(auth.digest.subarray(0, length - BFD_CONTROL_LENGTH - DIGEST_PREFIX_LENGTH), BFD_CONTROL_LENGTH + DIGEST_PREFIX_LENGTH);
    }
  }
  return out;
}

/**
 * RFC 5880 §4.1 and the session-free checks of §6.8.6, in the RFC's order. `bytes` is the UDP
 * payload; octets after the Length field's end are ignored.
 */
export function decodeControlPacket(bytes: Uint8Array): Result<BfdControlPacket, BfdError> {
  if (bytes.length < BFD_CONTROL_LENGTH) {
    return fail(bfdError('BFD_ERR_TOO_SHORT', `a BFD Control packet has at least ${BFD_CONTROL_LENGTH} octets, got ${bytes.length}`));
  }
  const version = bytes[0]! >>> VERSION_SHIFT;
  if (version !== BFD_VERSION) return fail(bfdError('BFD_ERR_VERSION', `expected BFD version ${BFD_VERSION}, got ${version}`));
  const flags = bytes[1]!;
  const authPresent = (flags & Flag.Auth) !== 0;
  const length = bytes[3]!;
  const minimum = authPresent ? BFD_CONTROL_MIN_LENGTH_WITH_AUTH : BFD_CONTROL_LENGTH;
  if (length < minimum) {
    return fail(bfdError('BFD_ERR_LENGTH', `the Length field says ${length}; at least ${minimum} with the A bit ${authPresent ? 'set' : 'clear'}`));
  }
  if (length > bytes.length) return fail(bfdError('BFD_ERR_TRUNCATED', `the Length field says ${length} octets and the datagram holds ${bytes.length}`));
  const detectMult = bytes[2]!;
  if (detectMult === 0) return fail(bfdError('BFD_ERR_DETECT_MULT_ZERO', 'Detect Mult is 0; it must be at least 1'));
  if (flags & Flag.Multipoint) return fail(bfdError('BFD_ERR_MULTIPOINT', 'the Multipoint (M) bit is set; it must be 0'));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const myDiscriminator = view.getUint32(4);
  const yourDiscriminator = view.getUint32(8);
  if (myDiscriminator === 0) return fail(bfdError('BFD_ERR_MY_DISCRIMINATOR_ZERO', 'My Discriminator is 0; it must be nonzero'));
  const state = (flags >>> STATE_SHIFT) as BfdState;
  if (yourDiscriminator === 0 && state !== BfdState.Down && state !== BfdState.AdminDown) {
    return fail(bfdError('BFD_ERR_YOUR_DISCRIMINATOR_ZERO', `Your Discriminator is 0 in state ${BfdState[state]}; only Down and AdminDown may leave it 0`));
  }
  const packet: BfdControlPacket = {
    diagnostic: (bytes[0]! & DIAG_MASK) as BfdDiagnostic,
    state,
    poll: (flags & Flag.Poll) !== 0,
    final: (flags & Flag.Final) !== 0,
    controlPlaneIndependent: (flags & Flag.ControlPlaneIndependent) !== 0,
    demand: (flags & Flag.Demand) !== 0,
    multipoint: false,
    detectMult,
    myDiscriminator,
    yourDiscriminator,
    desiredMinTxInterval: view.getUint32(12),
    requiredMinRxInterval: view.getUint32(16),
    requiredMinEchoRxInterval: view.getUint32(20),
  };
  if (authPresent) {
    const auth = decodeAuth(bytes.subarray(BFD_CONTROL_LENGTH, length));
    if (!auth.ok) return auth;
    packet.auth = auth.value;
  }
  return ok(packet);
}

/** The auth section (§4.2–§4.4); `section` runs to the end of the packet's Length. */
function decodeAuth(section: Uint8Array): Result<BfdAuthSection, BfdError> {
  const type = section[0]! as BfdAuthType;
  const authLength = section[1]!;
  if (authLength !== section.length) {
    return fail(bfdError('BFD_ERR_LENGTH', `Auth Len says ${authLength} octets and the packet's Length leaves ${section.length} for it`));
  }
  if (type === BfdAuthType.SimplePassword) {
    const passwordLength = authLength - AUTH_HEADER_LENGTH;
    if (passwordLength < 1 || passwordLength > BFD_MAX_PASSWORD_LENGTH) {
      return fail(bfdError('BFD_ERR_LENGTH', `a simple password is 1 to ${BFD_MAX_PASSWORD_LENGTH} octets, got ${Math.max(0, passwordLength)}`));
    }
    return ok({ type, keyId: section[2]!, password: Uint8Array.from(section.subarray(AUTH_HEADER_LENGTH)) });
  }
  const expected = authSectionLength(type);
  if (expected === undefined) return fail(bfdError('BFD_ERR_AUTH_TYPE', `Auth Type ${type} is reserved or unknown`));
  if (authLength !== expected) return fail(bfdError('BFD_ERR_LENGTH', `Auth Len for ${BfdAuthType[type]} is ${expected}, got ${authLength}`));
  const view = new DataView(section.buffer, section.byteOffset, section.byteLength);
  return ok({ type: type as BfdDigestAuth['type'], keyId: section[2]!, sequence: view.getUint32(4), digest: Uint8Array.from(section.subarray(DIGEST_PREFIX_LENGTH)) });
}
