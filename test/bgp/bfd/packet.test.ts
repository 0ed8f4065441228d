// One (name, packet, commented bytes) fixture per interesting Control packet, each decoded,
// encoded and mirrored; the bytes are written octet by octet with test/support/bytes.ts, never
// with the encoder under test. Then every §6.8.6 check that needs no session, one line each.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { BfdAuthType, BfdDiagnostic, BfdState } from '../../../bgp/bfd/constants.js';
import { decodeControlPacket, encodeControlPacket, type BfdControlPacket } from '../../../bgp/bfd/packet.js';
import { bytes, repeat, u32 } from '../../support/bytes.js';

interface Fixture {
  name: string;
  packet: BfdControlPacket;
  bytes: Uint8Array;
}

const base: BfdControlPacket = {
  diagnostic: BfdDiagnostic.NoDiagnostic,
  state: BfdState.Down,
  poll: false,
  final: false,
  controlPlaneIndependent: false,
  demand: false,
  multipoint: false,
  detectMult: 3,
  myDiscriminator: 0x11111111,
  yourDiscriminator: 0,
  desiredMinTxInterval: 1_000_000,
  requiredMinRxInterval: 300_000,
  requiredMinEchoRxInterval: 0,
};

const FIXTURES: Fixture[] = [
  {
    name: 'a first packet: Down, the peer unknown, one second out, 300 ms in',
    packet: base,
    bytes: bytes(
      0x20, // version 1, diag 0
      0x40, // state Down (01), no flags
      3, // detect mult
      24, // length
      u32(0x11111111), // my discriminator
      u32(0), // your discriminator
      u32(1_000_000), // desired min tx 1 s
      u32(300_000), // required min rx 300 ms
      u32(0), // required min echo rx: no echo
    ),
  },
  {
    name: 'Up with Poll and the C bit',
    packet: { ...base, state: BfdState.Up, poll: true, controlPlaneIndependent: true, yourDiscriminator: 0x22222222, desiredMinTxInterval: 300_000 },
    bytes: bytes(0x20, 0xe8 /* Up (11), P, C */, 3, 24, u32(0x11111111), u32(0x22222222), u32(300_000), u32(300_000), u32(0)),
  },
  {
    name: 'Up with Final and Demand',
    packet: { ...base, state: BfdState.Up, final: true, demand: true, yourDiscriminator: 7 },
    bytes: bytes(0x20, 0xd2 /* Up, F, D */, 3, 24, u32(0x11111111), u32(7), u32(1_000_000), u32(300_000), u32(0)),
  },
  {
    name: 'AdminDown, Administratively Down',
    packet: { ...base, state: BfdState.AdminDown, diagnostic: BfdDiagnostic.AdministrativelyDown, yourDiscriminator: 9, detectMult: 255 },
    bytes: bytes(0x27 /* version 1, diag 7 */, 0x00 /* AdminDown */, 255, 24, u32(0x11111111), u32(9), u32(1_000_000), u32(300_000), u32(0)),
  },
  {
    name: 'Init, Control Detection Time Expired, echo interval set',
    packet: { ...base, state: BfdState.Init, diagnostic: BfdDiagnostic.ControlDetectionTimeExpired, yourDiscriminator: 1, requiredMinEchoRxInterval: 50_000 },
    bytes: bytes(0x21, 0x80 /* Init (10) */, 3, 24, u32(0x11111111), u32(1), u32(1_000_000), u32(300_000), u32(50_000)),
  },
  {
    name: 'a simple password',
    packet: { ...base, auth: { type: BfdAuthType.SimplePassword, keyId: 2, password: Uint8Array.from([0x73, 0x65, 0x63]) } },
    bytes: bytes(0x20, 0x44 /* Down, A */, 3, 30, u32(0x11111111), u32(0), u32(1_000_000), u32(300_000), u32(0), 1 /* simple */, 6 /* auth len */, 2 /* key id */, 0x73, 0x65, 0x63 /* "sec" */),
  },
  {
    name: 'Keyed SHA1',
    packet: { ...base, auth: { type: BfdAuthType.KeyedSha1, keyId: 1, sequence: 0xfffffffe, digest: Uint8Array.from(repeat(0xab, 20)) } },
    bytes: bytes(0x20, 0x44, 3, 52, u32(0x11111111), u32(0), u32(1_000_000), u32(300_000), u32(0), 4 /* keyed SHA1 */, 28, 1, 0 /* reserved */, u32(0xfffffffe), repeat(0xab, 20)),
  },
  {
    name: 'Meticulous Keyed MD5',
    packet: { ...base, auth: { type: BfdAuthType.MeticulousKeyedMd5, keyId: 255, sequence: 5, digest: Uint8Array.from(repeat(0x01, 16)) } },
    bytes: bytes(0x20, 0x44, 3, 48, u32(0x11111111), u32(0), u32(1_000_000), u32(300_000), u32(0), 3, 24, 255, 0, u32(5), repeat(0x01, 16)),
  },
];

function decodeOk(data: Uint8Array): BfdControlPacket {
  const r = decodeControlPacket(data);
  if (!r.ok) assert.fail(`expected a packet, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

describe('BFD Control packet codec', () => {
  for (const f of FIXTURES) {
    describe(f.name, () => {
      it('decodes', () => assert.deepStrictEqual(decodeOk(f.bytes), f.packet));
      it('encodes', () => assert.deepStrictEqual(Uint8Array.from(encodeControlPacket(f.packet)), f.bytes));
      it('mirrors', () => assert.deepStrictEqual(decodeOk(encodeControlPacket(decodeOk(f.bytes))), f.packet));
    });
  }

  it('ignores octets after the Length field\'s end (a padded datagram)', () => assert.deepStrictEqual(decodeOk(bytes(FIXTURES[0]!.bytes, 0, 0, 0)), base));

  describe('checks of §6.8.6, each a stable error', () => {
    const good = FIXTURES[0]!.bytes;
    const withByte = (at: number, value: number) => {
      const b = Uint8Array.from(good);
      b[at] = value;
      return b;
    };
    const code = (data: Uint8Array) => {
      const r = decodeControlPacket(data);
      return r.ok ? 'ok' : r.error.code;
    };
    it('23 octets are too short', () => assert.equal(code(good.subarray(0, 23)), 'BFD_ERR_TOO_SHORT'));
    it('version 0 is refused', () => assert.equal(code(withByte(0, 0x00)), 'BFD_ERR_VERSION'));
    it('version 2 is refused', () => assert.equal(code(withByte(0, 0x40)), 'BFD_ERR_VERSION'));
    it('a Length under 24 is refused', () => assert.equal(code(withByte(3, 20)), 'BFD_ERR_LENGTH'));
    it('the A bit with Length 24 is refused (26 at least)', () => assert.equal(code(withByte(1, 0x44)), 'BFD_ERR_LENGTH'));
    it('a Length beyond the datagram is refused', () => assert.equal(code(withByte(3, 30)), 'BFD_ERR_TRUNCATED'));
    it('Detect Mult 0 is refused', () => assert.equal(code(withByte(2, 0)), 'BFD_ERR_DETECT_MULT_ZERO'));
    it('the Multipoint bit is refused', () => assert.equal(code(withByte(1, 0x41)), 'BFD_ERR_MULTIPOINT'));
    it('My Discriminator 0 is refused', () => assert.equal(code(bytes(good.subarray(0, 4), u32(0), good.subarray(8))), 'BFD_ERR_MY_DISCRIMINATOR_ZERO'));
    it('Your Discriminator 0 is refused in Up', () => assert.equal(code(withByte(1, 0xc0)), 'BFD_ERR_YOUR_DISCRIMINATOR_ZERO'));
    it('Your Discriminator 0 is refused in Init', () => assert.equal(code(withByte(1, 0x80)), 'BFD_ERR_YOUR_DISCRIMINATOR_ZERO'));
    it('Your Discriminator 0 is fine in AdminDown', () => assert.equal(code(withByte(1, 0x00)), 'ok'));
    const authed = (section: number[]) => bytes(0x20, 0x44, 3, 24 + section.length, good.subarray(4, 24), section);
    it('an Auth Len that disagrees with Length is refused', () => assert.equal(code(authed([1, 5, 1, 0x61, 0x62, 0x63])), 'BFD_ERR_LENGTH'));
    it('an empty simple password is refused', () => assert.equal(code(authed([1, 3, 1])), 'BFD_ERR_LENGTH'));
    it('a 17-octet simple password is refused', () => assert.equal(code(authed([1, 20, 1, ...repeat(0x61, 17)])), 'BFD_ERR_LENGTH'));
    it('Keyed SHA1 of the wrong length is refused', () => assert.equal(code(authed([4, 24, 1, 0, ...u32(1), ...repeat(0, 16)])), 'BFD_ERR_LENGTH'));
    it('reserved Auth Type 0 is refused', () => assert.equal(code(authed([0, 4, 1, 0])), 'BFD_ERR_AUTH_TYPE'));
    it('unknown Auth Type 6 is refused', () => assert.equal(code(authed([6, 4, 1, 0])), 'BFD_ERR_AUTH_TYPE'));
    it('every error says what arrived', () => {
      const r = decodeControlPacket(withByte(2, 0));
      assert.ok(!r.ok && /Detect Mult is 0/.test(r.error.message));
    });
  });

  describe('properties', () => {
    it('any datagram decodes or fails with a named error, never throws', () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (data) => {
        const r = decodeControlPacket(data);
        assert.ok(r.ok || /^BFD_ERR_/.test(r.error.code));
      }), { numRuns: 2000 });
    });
    it('any datagram that starts like a Control packet decodes or fails with a named error', () => {
      const header = fc.tuple(fc.constantFrom(0x20, 0x27), fc.integer({ min: 0, max: 0xff }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 80 }));
      fc.assert(fc.property(header, fc.uint8Array({ minLength: 20, maxLength: 76 }), ([v, flags, mult, len], rest) => {
        const r = decodeControlPacket(bytes(v, flags, mult, len, rest));
        assert.ok(r.ok || /^BFD_ERR_/.test(r.error.code));
      }), { numRuns: 2000 });
    });
    it('decode(encode(p)) is p for any valid packet', () => {
      const u32a = fc.integer({ min: 0, max: 0xffffffff });
      const packet = fc.record({
        diagnostic: fc.integer({ min: 0, max: 31 }),
        state: fc.constantFrom(BfdState.AdminDown, BfdState.Down),
        poll: fc.boolean(),
        final: fc.boolean(),
        controlPlaneIndependent: fc.boolean(),
        demand: fc.boolean(),
        multipoint: fc.constant(false),
        detectMult: fc.integer({ min: 1, max: 255 }),
        myDiscriminator: fc.integer({ min: 1, max: 0xffffffff }),
        yourDiscriminator: u32a,
        desiredMinTxInterval: u32a,
        requiredMinRxInterval: u32a,
        requiredMinEchoRxInterval: u32a,
      }, { noNullPrototype: true });
      fc.assert(fc.property(packet, (p) => assert.deepStrictEqual(decodeOk(encodeControlPacket(p as BfdControlPacket)), p)), { numRuns: 500 });
    });
  });
});
