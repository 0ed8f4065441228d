// BFD authentication (RFC 5880 §6.7): the digest of Keyed MD5 and Keyed SHA1 and their
// meticulous variants, the simple password, and the sequence-number window that stops
// replays. Pure functions: the key comes in, the verdict goes out; the session keeps the
// sequence numbers (bfd.RcvAuthSeq, bfd.XmitAuthSeq) as state.
import { createHash, timingSafeEqual } from 'node:crypto';
import { BFD_CONTROL_LENGTH, BfdAuthType } from './constants.js';
import { bfdError, type BfdError } from './errors.js';
import { authSectionLength, encodeControlPacket, type BfdControlPacket } from './packet.js';

export interface BfdAuthConfig {
  type: BfdAuthType.SimplePassword | BfdAuthType.KeyedMd5 | BfdAuthType.MeticulousKeyedMd5 | BfdAuthType.KeyedSha1 | BfdAuthType.MeticulousKeyedSha1;
  keyId: number;
  /** The shared secret: at most 16 octets for the password and MD5, 20 for SHA1 (§4.2–§4.4). */
  key: Uint8Array;
}

/** Where the digest starts: after type, length, key id, reserved and the sequence number. */
const DIGEST_OFFSET = BFD_CONTROL_LENGTH + 8;

/** The digest types, and the ones whose sequence number moves on every packet. */
export function isDigestAuth(type: BfdAuthType): boolean {
  return authSectionLength(type) !== undefined;
}

export function isMeticulous(type: BfdAuthType): boolean {
  return type === BfdAuthType.MeticulousKeyedMd5 || type === BfdAuthType.MeticulousKeyedSha1;
}

function digestLength(type: BfdAuthType): number {
  return authSectionLength(type)! - 8;
}

/** Checks the key's length for its type; undefined when it fits. */
export function authConfigProblem(auth: BfdAuthConfig): string | undefined {
  const max = auth.type === BfdAuthType.SimplePassword ? 16 : digestLength(auth.type);
  if (auth.key.length < 1 || auth.key.length > max) return `a ${BfdAuthType[auth.type]} key is 1 to ${max} octets, got ${auth.key.length}`;
  if (!Number.isInteger(auth.keyId) || auth.keyId < 0 || auth.keyId > 0xff) return `the key id is one octet, got ${auth.keyId}`;
  return undefined;
}

/**
 * The packet as sent: for a digest, the key (zero-padded) stands in the digest field while the
 * hash is computed over the whole packet, then the hash replaces it (§6.7.3, §6.7.4).
 */
export function signControlPacket(packet: BfdControlPacket, auth: BfdAuthConfig, sequence: number): Buffer {
  if (auth.type === BfdAuthType.SimplePassword) {
    return encodeControlPacket({ ...packet, auth: { type: auth.type, keyId: auth.keyId, password: auth.key } });
  }
  const bytes = encodeControlPacket({ ...packet, auth: { type: auth.type, keyId: auth.keyId, sequence, digest: auth.key } });
  bytes.set(hash(auth.type, bytes), DIGEST_OFFSET);
  return bytes;
}

/** Verifies a received packet's auth section against the session's key: type, key id, password or digest. */
export function verifyControlPacket(raw: Uint8Array, packet: BfdControlPacket, auth: BfdAuthConfig): BfdError | undefined {
  const got = packet.auth;
  if (!got) return bfdError('BFD_ERR_AUTH_MISMATCH', 'the packet carries no authentication and the session requires it');
  if (got.type !== auth.type || got.keyId !== auth.keyId) {
    return bfdError('BFD_ERR_AUTH_TYPE', `expected ${BfdAuthType[auth.type]} key id ${auth.keyId}, got ${BfdAuthType[got.type] ?? got.type} key id ${got.keyId}`);
  }
  if (got.type === BfdAuthType.SimplePassword) {
    const same = got.password.length === auth.key.length && timingSafeEqual(got.password, auth.key);
    return same ? undefined : bfdError('BFD_ERR_AUTH_FAILED', 'the simple password does not match');
  }
  const length = raw[3]!;
  const copy = Buffer.from(raw.subarray(0, length));
  const keyField = Buffer.alloc(digestLength(got.type));
  keyField.set(auth.key);
  copy.set(keyField, DIGEST_OFFSET);
  const expected = hash(got.type, copy);
  return timingSafeEqual(expected, got.digest) ? undefined : bfdError('BFD_ERR_AUTH_FAILED', `the ${BfdAuthType[got.type]} digest does not verify with key id ${auth.keyId}`);
}

function hash(type: BfdAuthType, bytes: Uint8Array): Buffer {
  const algorithm = type === BfdAuthType.KeyedSha1 || type === BfdAuthType.MeticulousKeyedSha1 ? 'sha1' : 'md5';
  return createHash(algorithm).update(bytes).digest();
}

/**
 * §6.7.3/§6.7.4: once a sequence number is known, the next must lie within 3 × Detect Mult of
 * it in 32-bit circular space: from it (keyed) or from one past it (meticulous).
 */
export function sequenceAcceptable(type: BfdAuthType, known: number | undefined, sequence: number, detectMult: number): boolean {
  if (known === undefined) return true;
  const ahead = (sequence - known) >>> 0;
  const window = 3 * detectMult;
  return isMeticulous(type) ? ahead >= 1 && ahead <= window : ahead <= window;
}
