// RFC 5880 §6.7: digests computed independently of the signer (the test builds the bytes and
// hashes them itself), the sequence window, and the machine's use of both.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { signControlPacket, sequenceAcceptable, verifyControlPacket, type BfdAuthConfig } from '../../../bgp/bfd/auth.js';
import { BfdAuthType, BfdState } from '../../../bgp/bfd/constants.js';
import { decodeControlPacket, type BfdControlPacket } from '../../../bgp/bfd/packet.js';
import { bytes, repeat, u32 } from '../../support/bytes.js';
import { BfdHarness, peerPacket } from './harness.js';

const KEY = new TextEncoder().encode('secret');
const SHA1: BfdAuthConfig = { type: BfdAuthType.KeyedSha1, keyId: 1, key: KEY };
const METICULOUS: BfdAuthConfig = { type: BfdAuthType.MeticulousKeyedSha1, keyId: 1, key: KEY };

const packet: BfdControlPacket = {
  diagnostic: 0, state: BfdState.Down, poll: false, final: false, controlPlaneIndependent: false, demand: false, multipoint: false,
  detectMult: 3, myDiscriminator: 0x0a0b0c0d, yourDiscriminator: 0, desiredMinTxInterval: 1_000_000, requiredMinRxInterval: 300_000, requiredMinEchoRxInterval: 0,
};

/** §6.7.4 by hand: the packet with the key, zero-padded to 20 octets, in the digest field, hashed. */
function expectedSha1(sequence: number): Uint8Array {
  const head = bytes(0x20, 0x44, 3, 52, u32(0x0a0b0c0d), u32(0), u32(1_000_000), u32(300_000), u32(0), 4, 28, 1, 0, u32(sequence));
  const withKey = bytes(head, KEY, repeat(0, 20 - KEY.length));
  return bytes(head, createHash('sha1').update(withKey).digest());
}

const decoded = (b: Uint8Array) => {
  const r = decodeControlPacket(b);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

describe('BFD authentication', () => {
  it('Keyed SHA1 signs as §6.7.4 says', () => assert.deepStrictEqual(Uint8Array.from(signControlPacket(packet, SHA1, 77)), expectedSha1(77)));
  it('a signed packet verifies', () => {
    const b = signControlPacket(packet, SHA1, 77);
    assert.equal(verifyControlPacket(b, decoded(b), SHA1), undefined);
  });
  it('one flipped bit fails with BFD_ERR_AUTH_FAILED', () => {
    const b = signControlPacket(packet, SHA1, 77);
    b[20] = b[20]! ^ 1;
    assert.equal(verifyControlPacket(b, decoded(b), SHA1)?.code, 'BFD_ERR_AUTH_FAILED');
  });
  it('another key fails', () => {
    const b = signControlPacket(packet, SHA1, 77);
    assert.equal(verifyControlPacket(b, decoded(b), { ...SHA1, key: new TextEncoder().encode('other') })?.code, 'BFD_ERR_AUTH_FAILED');
  });
  it('another key id is BFD_ERR_AUTH_TYPE', () => {
    const b = signControlPacket(packet, SHA1, 77);
    assert.equal(verifyControlPacket(b, decoded(b), { ...SHA1, keyId: 2 })?.code, 'BFD_ERR_AUTH_TYPE');
  });
  it('Keyed MD5 verifies with MD5', () => {
    const md5: BfdAuthConfig = { type: BfdAuthType.KeyedMd5, keyId: 3, key: KEY };
    const b = signControlPacket(packet, md5, 1);
    assert.deepEqual([b.length, verifyControlPacket(b, decoded(b), md5)], [48, undefined]);
  });
  it('a simple password verifies and a wrong one fails', () => {
    const simple: BfdAuthConfig = { type: BfdAuthType.SimplePassword, keyId: 1, key: KEY };
    const b = signControlPacket(packet, simple, 0);
    assert.deepEqual([verifyControlPacket(b, decoded(b), simple), verifyControlPacket(b, decoded(b), { ...simple, key: Uint8Array.of(1) })?.code], [undefined, 'BFD_ERR_AUTH_FAILED']);
  });

  describe('sequence window (3 × Detect Mult)', () => {
    it('anything goes while the sequence is unknown', () => assert.ok(sequenceAcceptable(BfdAuthType.KeyedSha1, undefined, 12345, 3)));
    it('keyed accepts the same number again', () => assert.ok(sequenceAcceptable(BfdAuthType.KeyedSha1, 10, 10, 3)));
    it('meticulous refuses the same number again', () => assert.ok(!sequenceAcceptable(BfdAuthType.MeticulousKeyedSha1, 10, 10, 3)));
    it('accepts up to 3 × Detect Mult ahead', () => assert.ok(sequenceAcceptable(BfdAuthType.MeticulousKeyedSha1, 10, 19, 3)));
    it('refuses one further', () => assert.ok(!sequenceAcceptable(BfdAuthType.KeyedSha1, 10, 20, 3)));
    it('refuses an older number (a replay)', () => assert.ok(!sequenceAcceptable(BfdAuthType.KeyedSha1, 10, 9, 3)));
    it('wraps around 2^32', () => assert.ok(sequenceAcceptable(BfdAuthType.MeticulousKeyedSha1, 0xffffffff, 2, 3)));
  });

  describe('in the machine', () => {
    const seq = (n: number) => peerPacket(BfdState.Down, { auth: { type: BfdAuthType.MeticulousKeyedSha1, keyId: 1, sequence: n, digest: new Uint8Array(20) } });
    it('a packet without auth is discarded by an authenticating session', () => assert.deepEqual(new BfdHarness({ auth: METICULOUS }).receive(peerPacket(BfdState.Down)), ['Discard BFD_ERR_AUTH_MISMATCH']));
    it('a packet with auth is discarded by a session without', () => assert.deepEqual(new BfdHarness().receive(seq(1)), ['Discard BFD_ERR_AUTH_MISMATCH']));
    it('the first sequence number is learnt and the reset timer armed at twice the detection time', () => assert.deepEqual(new BfdHarness({ auth: METICULOUS }).receive(seq(5)), ['SetTimer Detect 3000000', 'SetTimer AuthSeqReset 6000000', 'Down->Init NoDiagnostic']));
    it('a replayed sequence number is discarded', () => assert.deepEqual(new BfdHarness({ auth: METICULOUS }).receive(seq(5), seq(5)), ['Discard BFD_ERR_AUTH_SEQUENCE']));
    it('after the reset timer any sequence number is taken again', () => {
      const h = new BfdHarness({ auth: METICULOUS });
      h.receive(seq(5));
      h.send({ type: 'AuthSeqResetTimer_Expires' });
      assert.equal(h.receive(seq(1))[0], 'SetTimer Detect 3000000');
    });
    it('our sequence number moves on with every packet', () => {
      const h = new BfdHarness({ auth: METICULOUS }, 41);
      h.send({ type: 'Start' }, { type: 'TransmitTimer_Expires' }, { type: 'TransmitTimer_Expires' });
      const sent = h.log.filter((a) => a.type === 'Send').map((a) => (a.type === 'Send' ? a.authSequence : -1));
      assert.deepEqual(sent, [41, 42]);
    });
  });
});
