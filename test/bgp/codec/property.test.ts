// Properties of the codec over generated input (fast-check):
//   (a) any well-formed typed message survives encode then decode, and re-encodes byte for byte;
//   (b) any octets at all, random or mutated from valid messages, decode to a message or to a
//       NOTIFICATION-shaped error, never a throw, in 2- and 4-octet AS contexts alike;
//   (c) any split of a valid stream frames the same messages.
// Inputs that once broke the codec are kept in test/fixtures/crashers/ and replayed forever
// (GoBGP's habit).
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  Afi,
  AttrType,
  CapabilityCode,
  MessageFramer,
  MessageType,
  OptionalParameterType,
  Prefix,
  decodeMessage,
  encodeMessage,
  formatIpv4,
  formatIpv6,
  shutdownData,
  type BgpMessage,
  type Capability,
  type CodecContext,
  type Decoded,
  type NotificationError,
  type OpenMessage,
  type PathAttribute,
  type Result,
} from '../../../bgp/index.js';
import { fromHex, hex } from '../../support/bytes.js';

const CONTEXTS: CodecContext[] = [
  { fourOctetAs: false, extendedMessage: false },
  { fourOctetAs: true, extendedMessage: false },
  { fourOctetAs: true, extendedMessage: true },
  { fourOctetAs: false, extendedMessage: true },
];

const CRASHERS = new URL('../../../../test/fixtures/crashers/', import.meta.url);

// ------------------------------------------------------------------------------ arbitraries

const octet = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const ipv4Text = fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => formatIpv4(b));
const ipv6Text = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => formatIpv6(b));
/** A NEXT_HOP the decoder accepts: unicast, not 0/8, 127/8 nor class D/E (RFC 4271 §6.3). */
const unicastIpv4Text = fc
  .tuple(fc.integer({ min: 1, max: 223 }).filter((x) => x !== 127), octet, octet, octet)
  .map((b) => b.join('.'));
const nonZeroIpv4Text = ipv4Text.filter((t) => t !== '0.0.0.0');
const prefixV4 = fc.tuple(fc.integer({ min: 0, max: 32 }), fc.uint8Array({ minLength: 4, maxLength: 4 })).map(([l, b]) => Prefix.fromBytes(Afi.Ipv4, l, b));
const prefixV6 = fc.tuple(fc.integer({ min: 0, max: 128 }), fc.uint8Array({ minLength: 16, maxLength: 16 })).map(([l, b]) => Prefix.fromBytes(Afi.Ipv6, l, b));
/** Graphemes of any Unicode, U+FEFF included; at most 4 octets each in UTF-8. */
const text = (maxLength: number) => fc.string({ unit: 'binary', maxLength });

/** Capability codes the codec reads into typed values; any other is kept raw. */
const TYPED_CAPABILITIES = new Set<number>([1, 2, 6, 64, 65, 70, 73]);

const capabilityArb: fc.Arbitrary<Capability> = fc.oneof(
  fc.record({ afi: u16, safi: octet, reserved: fc.option(fc.integer({ min: 1, max: 255 }), { nil: undefined }) }).map(({ afi, safi, reserved }): Capability => {
    // The decoder sets `reserved` only when it is not zero.
    return reserved === undefined ? { code: CapabilityCode.Multiprotocol, afi, safi } : { code: CapabilityCode.Multiprotocol, afi, safi, reserved };
  }),
  fc.constantFrom<Capability>({ code: CapabilityCode.RouteRefresh }, { code: CapabilityCode.EnhancedRouteRefresh }, { code: CapabilityCode.ExtendedMessage }),
  fc.integer({ min: 1, max: 0xffffffff }).map((asn): Capability => ({ code: CapabilityCode.FourOctetAs, asn })),
  fc
    .record({
      flags: fc.integer({ min: 0, max: 15 }),
      restartTime: fc.integer({ min: 0, max: 4095 }),
      families: fc.array(fc.record({ afi: u16, safi: octet, flags: octet }, { noNullPrototype: true }), { maxLength: 10 }),
    })
    .map((r): Capability => ({ code: CapabilityCode.GracefulRestart, ...r })),
  fc.record({ hostname: text(10), domainName: text(10) }).map((r): Capability => ({ code: CapabilityCode.Fqdn, ...r })),
  fc
    .record({ code: octet.filter((c) => !TYPED_CAPABILITIES.has(c)), value: fc.uint8Array({ maxLength: 16 }) })
    .map((r): Capability => ({ code: r.code, value: r.value })),
);

/** The octets a capability takes, code and length included, computed here rather than by the codec. */
function capabilitySize(c: Capability): number {
  if ('value' in c) return 2 + c.value.length;
  switch (c.code) {
    case CapabilityCode.Multiprotocol:
    case CapabilityCode.FourOctetAs:
      return 6;
    case CapabilityCode.GracefulRestart:
      return 4 + 4 * c.families.length;
    case CapabilityCode.Fqdn:
      return 4 + Buffer.byteLength(c.hostname) + Buffer.byteLength(c.domainName);
    default:
      return 2;
  }
}

const openArb: fc.Arbitrary<OpenMessage> = fc
  .record({
    myAs: fc.integer({ min: 1, max: 0xffff }),
    holdTime: fc.oneof(fc.constant(0), fc.integer({ min: 3, max: 0xffff })),
    bgpId: nonZeroIpv4Text,
    parameters: fc.array(fc.array(capabilityArb, { maxLength: 6 }), { maxLength: 4 }),
    extendedParameters: fc.boolean(),
  })
  .map((r) => {
    const open: OpenMessage = {
      type: MessageType.Open,
      version: 4,
      myAs: r.myAs,
      holdTime: r.holdTime,
      bgpId: r.bgpId,
      parameters: r.parameters.map((capabilities) => ({ type: OptionalParameterType.Capabilities, capabilities })),
    };
    if (r.extendedParameters) open.extendedParameters = true;
    return open;
  });

/** RFC 9072 §2: the encoder must switch to the extended encoding when the classic one cannot hold the parameters. */
function expectedOpen(open: OpenMessage): OpenMessage {
  const sizes = open.parameters.map((p) => ('capabilities' in p ? p.capabilities.reduce((n, c) => n + capabilitySize(c), 0) : p.value.length));
  const fitsClassic = sizes.every((s) => s <= 255) && sizes.reduce((n, s) => n + 2 + s, 0) <= 255;
  return fitsClassic || open.extendedParameters ? open : { ...open, extendedParameters: true };
}

/** Flags for a known attribute: its Optional/Transitive bits, maybe Extended Length and Partial, maybe unused low bits. */
function flagsArb(base: number, partialAllowed: boolean): fc.Arbitrary<number> {
  return fc
    .record({ ext: fc.boolean(), partial: fc.boolean(), low: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 15 })) })
    .map(({ ext, partial, low }) => base | (ext ? 0x10 : 0) | (partial && partialAllowed ? 0x20 : 0) | low);
}

const WELL_KNOWN = 0x40;
const OPTIONAL_TRANSITIVE = 0xc0;
const OPTIONAL_NON_TRANSITIVE = 0x80;
const KNOWN_ATTRIBUTES = new Set<number>([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14, 15, 16, 17, 18, 32]);

function attributeArb(ctx: CodecContext): fc.Arbitrary<PathAttribute> {
  const asn = ctx.fourOctetAs ? fc.integer({ min: 1, max: 0xffffffff }) : fc.integer({ min: 1, max: 0xffff });
  const segments = (types: number[], as: fc.Arbitrary<number>) =>
    fc.array(fc.record({ type: fc.constantFrom(...types), asns: fc.array(as, { minLength: 1, maxLength: 10 }) }, { noNullPrototype: true }), { maxLength: 5 });
  const a = <T extends object>(type: number, flags: fc.Arbitrary<number>, fields: fc.Arbitrary<T>) =>
    fc.tuple(flags, fields).map(([f, rest]) => ({ type, flags: f, ...rest }) as unknown as PathAttribute);
  const reserved = fc.option(fc.integer({ min: 1, max: 255 }), { nil: undefined });
  const withReserved = <T extends object>(o: T, r: number | undefined) => (r === undefined ? o : { ...o, reserved: r });

  const mpReach = fc.oneof(
    fc
      .record({
        safi: fc.constantFrom(1, 2),
        nextHops: fc.oneof(unicastIpv4Text.map((t) => [t]), ipv6Text.map((t) => [t]), fc.tuple(ipv6Text, ipv6Text)),
        nlri: fc.array(prefixV4, { maxLength: 10 }),
        reserved,
      })
      .map(({ reserved: r, ...o }) => withReserved({ afi: Afi.Ipv4, ...o }, r)),
    fc
      .record({
        safi: fc.constantFrom(1, 2),
        nextHops: fc.oneof(ipv6Text.map((t) => [t]), fc.tuple(ipv6Text, ipv6Text)),
        nlri: fc.array(prefixV6, { maxLength: 10 }),
        reserved,
      })
      .map(({ reserved: r, ...o }) => withReserved({ afi: Afi.Ipv6, ...o }, r)),
    fc
      .record({
        afi: fc.integer({ min: 3, max: 0xffff }),
        safi: octet,
        rawNextHop: fc.uint8Array({ maxLength: 32 }),
        rawNlri: fc.uint8Array({ maxLength: 64 }),
        reserved,
      })
      .map(({ reserved: r, ...o }) => withReserved({ ...o, nextHops: [], nlri: [] }, r)),
  );
  const mpUnreach = fc.oneof(
    fc.record({ afi: fc.constant(Afi.Ipv4), safi: fc.constantFrom(1, 2), withdrawn: fc.array(prefixV4, { maxLength: 10 }) }),
    fc.record({ afi: fc.constant(Afi.Ipv6), safi: fc.constantFrom(1, 2), withdrawn: fc.array(prefixV6, { maxLength: 10 }) }),
    fc.record({ afi: fc.integer({ min: 3, max: 0xffff }), safi: octet, rawWithdrawn: fc.uint8Array({ maxLength: 64 }) }).map((o) => ({ ...o, withdrawn: [] })),
  );

  const arbs: fc.Arbitrary<PathAttribute>[] = [
    a(AttrType.Origin, flagsArb(WELL_KNOWN, false), fc.record({ origin: fc.integer({ min: 0, max: 2 }) })),
    a(AttrType.AsPath, flagsArb(WELL_KNOWN, false), fc.record({ segments: segments([1, 2, 3, 4], asn) })),
    a(AttrType.NextHop, flagsArb(WELL_KNOWN, false), fc.record({ nextHop: unicastIpv4Text })),
    a(AttrType.MultiExitDisc, flagsArb(OPTIONAL_NON_TRANSITIVE, false), fc.record({ med: u32 })),
    a(AttrType.LocalPref, flagsArb(WELL_KNOWN, false), fc.record({ localPref: u32 })),
    a(AttrType.AtomicAggregate, flagsArb(WELL_KNOWN, false), fc.constant({})),
    a(AttrType.Aggregator, flagsArb(OPTIONAL_TRANSITIVE, true), fc.record({ asn, address: ipv4Text })),
    a(AttrType.Communities, flagsArb(OPTIONAL_TRANSITIVE, true), fc.record({ communities: fc.array(u32, { minLength: 1, maxLength: 30 }) })),
    a(AttrType.OriginatorId, flagsArb(OPTIONAL_NON_TRANSITIVE, false), fc.record({ originatorId: ipv4Text })),
    a(AttrType.ClusterList, flagsArb(OPTIONAL_NON_TRANSITIVE, false), fc.record({ clusterIds: fc.array(ipv4Text, { minLength: 1, maxLength: 20 }) })),
    a(AttrType.MpReachNlri, flagsArb(OPTIONAL_NON_TRANSITIVE, false), mpReach),
    a(AttrType.MpUnreachNlri, flagsArb(OPTIONAL_NON_TRANSITIVE, false), mpUnreach),
    a(
      AttrType.ExtendedCommunities,
      flagsArb(OPTIONAL_TRANSITIVE, true),
      fc.record({ communities: fc.array(fc.uint8Array({ minLength: 8, maxLength: 8 }), { minLength: 1, maxLength: 10 }) }),
    ),
    a(
      AttrType.LargeCommunities,
      flagsArb(OPTIONAL_TRANSITIVE, true),
      fc.record({ communities: fc.array(fc.record({ globalAdmin: u32, localData1: u32, localData2: u32 }, { noNullPrototype: true }), { minLength: 1, maxLength: 10 }) }),
    ),
    // Unrecognized attributes must be optional (RFC 4271 §6.3); any other flag bit is kept.
    fc
      .record({ type: octet.filter((t) => !KNOWN_ATTRIBUTES.has(t)), flags: fc.integer({ min: 0, max: 0x7f }), value: fc.uint8Array({ maxLength: 64 }) })
      .map(({ type, flags, value }): PathAttribute => ({ type, flags: 0x80 | flags, value })),
  ];
  if (!ctx.fourOctetAs) {
    // RFC 6793 §4.1: only an OLD (2-octet) session carries AS4_PATH and AS4_AGGREGATOR.
    const as4 = fc.integer({ min: 1, max: 0xffffffff });
    arbs.push(
      a(AttrType.As4Path, flagsArb(OPTIONAL_TRANSITIVE, true), fc.record({ segments: segments([1, 2], as4).filter((s) => s.length > 0) })),
      a(AttrType.As4Aggregator, flagsArb(OPTIONAL_TRANSITIVE, true), fc.record({ asn: as4, address: ipv4Text })),
    );
  }
  return fc.oneof(...arbs);
}

function updateArb(ctx: CodecContext): fc.Arbitrary<BgpMessage> {
  return fc
    .record({
      withdrawn: fc.array(prefixV4, { maxLength: 20 }),
      attributes: fc.uniqueArray(attributeArb(ctx), { selector: (x) => x.type, maxLength: 12 }),
      nlri: fc.array(prefixV4, { maxLength: 20 }),
    })
    .map((r): BgpMessage => ({ type: MessageType.Update, ...r }));
}

const notificationArb: fc.Arbitrary<BgpMessage> = fc.oneof(
  fc
    .record({ code: octet, subcode: octet, data: fc.uint8Array({ maxLength: 64 }) })
    // Cease 2 and 4 may carry a shutdown communication: generated apart, below.
    .filter((n) => !(n.code === 6 && (n.subcode === 2 || n.subcode === 4)))
    .map((n): BgpMessage => ({ type: MessageType.Notification, ...n })),
  fc.record({ subcode: fc.constantFrom(2, 4), shutdownMessage: text(60) }).map(
    (n): BgpMessage => ({ type: MessageType.Notification, code: 6, subcode: n.subcode, data: shutdownData(n.shutdownMessage), shutdownMessage: n.shutdownMessage }),
  ),
);

const routeRefreshArb: fc.Arbitrary<BgpMessage> = fc.record({ afi: u16, subtype: octet, safi: octet }).map((r): BgpMessage => ({ type: MessageType.RouteRefresh, ...r }));

const contextArb = fc.constantFrom(...CONTEXTS);

/** A context and a well-formed message for it. */
const messageInContextArb: fc.Arbitrary<{ ctx: CodecContext; message: BgpMessage }> = contextArb.chain((ctx) =>
  fc.oneof(openArb, updateArb(ctx), updateArb(ctx), notificationArb, routeRefreshArb, fc.constant<BgpMessage>({ type: MessageType.Keepalive })).map((message) => ({ ctx, message })),
);

// ------------------------------------------------------------------------------ checks

const NAME = /^BGP_ERR_[A-Z0-9_]+$/;

/** Whatever came in, the result is a message with RFC 7606 problems, or a NOTIFICATION to send. */
function assertResultShape(r: Result<Decoded, NotificationError>): void {
  if (r.ok) {
    const d = r.value;
    assert.ok([1, 2, 3, 4, 5].includes(d.message.type), `message type ${d.message.type}`);
    assert.ok(Array.isArray(d.problems));
    for (const p of d.problems) {
      assert.ok(p.action === 'treat-as-withdraw' || p.action === 'attribute-discard', p.action);
      assert.match(p.name, NAME);
      assert.ok(Number.isInteger(p.subcode) && p.subcode >= 0 && p.subcode <= 255);
      assert.ok(typeof p.message === 'string' && p.message.length > 0);
    }
    assert.equal(d.treatAsWithdraw, d.problems.some((p) => p.action === 'treat-as-withdraw'));
    if (d.problems.length) assert.equal(d.message.type, MessageType.Update);
  } else {
    const e = r.error;
    assert.equal(e.kind, 'notification');
    assert.ok(Number.isInteger(e.code) && e.code >= 1 && e.code <= 7, `code ${e.code}`);
    assert.ok(Number.isInteger(e.subcode) && e.subcode >= 0 && e.subcode <= 255, `subcode ${e.subcode}`);
    assert.match(e.name, NAME);
    assert.ok(e.data instanceof Uint8Array);
    assert.ok(typeof e.message === 'string' && e.message.length > 0);
  }
}

/**
 * Decodes `input` in `ctx` and checks the result's shape; a message that decodes also re-encodes,
 * and decoding that gives the same message again. The input is also decoded from inside a larger
 * buffer with different octets around it, which must not change anything.
 */
function checkAnyInput(input: Uint8Array, ctx: CodecContext): void {
  let r: Result<Decoded, NotificationError>;
  try {
    r = decodeMessage(input, ctx);
  } catch (e) {
    assert.fail(`decodeMessage threw on ${hex(input)}: ${String(e)}`);
  }
  assertResultShape(r);
  for (const guard of [0x00, 0xff]) {
    const outer = new Uint8Array(input.length + 64).fill(guard);
    outer.set(input, 32);
    assert.deepStrictEqual(decodeMessage(outer.subarray(32, 32 + input.length), ctx), r);
  }
  if (r.ok) {
    const again = decodeMessage(encodeMessage(r.value.message, ctx), ctx);
    assert.ok(again.ok, `a decoded message re-encodes to something that does not decode: ${hex(input)}`);
    assert.deepStrictEqual(again.value.message, r.value.message);
  }
}

function checkInEveryContext(input: Uint8Array): void {
  for (const ctx of CONTEXTS) checkAnyInput(input, ctx);
}

/** A header with the marker, a length that matches the octets, and the given type. */
function withHeader(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(19 + body.length);
  out.fill(0xff, 0, 16);
  out[16] = (out.length >> 8) & 0xff;
  out[17] = out.length & 0xff;
  out[18] = type;
  out.set(body, 19);
  return out;
}

// ------------------------------------------------------------------------------ mutations

type Mutation = { inBody: boolean } & (
  | { kind: 'flip'; at: number; xor: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'set16'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'extend'; extra: Uint8Array }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'insert'; at: number; extra: Uint8Array }
);

/** Mostly true: a mutation in the header ends at the header check, which is quickly covered. */
const mostly = fc.integer({ min: 0, max: 4 }).map((x) => x > 0);

const mutationArb: fc.Arbitrary<Mutation> = fc.tuple(mostly, fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.constantFrom(0x00, 0x01, 0x02, 0x03, 0x04, 0x0f, 0x10, 0x7f, 0x80, 0x81, 0xfe, 0xff) }),
  fc.record({ kind: fc.constant('set16' as const), at: fc.nat(), value: fc.oneof(u16, fc.constantFrom(0, 1, 2, 3, 4, 0xff, 0x100, 0xffff)) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('extend' as const), extra: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), extra: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
)).map(([inBody, m]) => ({ inBody, ...m }));

function mutate(original: Uint8Array, mutations: Mutation[], fixLength: boolean): Uint8Array {
  let b = Uint8Array.from(original);
  for (const m of mutations) {
    const at = !('at' in m) ? 0 : m.inBody && b.length > 19 ? 19 + (m.at % (b.length - 18)) : m.at % (b.length + 1);
    switch (m.kind) {
      case 'flip':
        if (at < b.length) b[at]! ^= m.xor;
        break;
      case 'set':
        if (at < b.length) b[at] = m.value;
        break;
      case 'set16':
        if (at + 1 < b.length) {
          b[at] = m.value >> 8;
          b[at + 1] = m.value & 0xff;
        }
        break;
      case 'truncate':
        b = b.slice(0, at);
        break;
      case 'extend':
        b = Uint8Array.from([...b, ...m.extra]);
        break;
      case 'delete':
        b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + m.count)]);
        break;
      case 'insert':
        b = Uint8Array.from([...b.subarray(0, at), ...m.extra, ...b.subarray(at)]);
        break;
    }
  }
  // Most mutations are otherwise caught by the header's length check: often make it agree.
  if (fixLength && b.length >= 18 && b.length <= 0xffff) {
    b[16] = b.length >> 8;
    b[17] = b.length & 0xff;
  }
  return b;
}

// ------------------------------------------------------------------------------ properties

describe('codec properties', function () {
  this.timeout(30000);

  /** Valid encoded messages, generated once, that the mutation and framing properties start from. */
  const pool = fc.sample(messageInContextArb, { numRuns: 400, seed: 20240607 }).map(({ ctx, message }) => ({ ctx, bytes: encodeMessage(message, ctx) }));

  describe('(a) well-formed messages', () => {
    it('decode(encode(m)) equals m, and encode(decode(encode(m))) is byte-identical', () => {
      fc.assert(
        fc.property(messageInContextArb, ({ ctx, message }) => {
          const encoded = encodeMessage(message, ctx);
          const r = decodeMessage(encoded, ctx);
          if (!r.ok) assert.fail(`${r.error.name}: ${r.error.message}`);
          const expected = message.type === MessageType.Open ? expectedOpen(message) : message;
          assert.deepStrictEqual(r.value.message, expected);
          assert.equal(hex(encodeMessage(r.value.message, ctx)), hex(encoded));
        }),
        { numRuns: 5000 },
      );
    });

    it('an UPDATE with ORIGIN, AS_PATH and NEXT_HOP and valid attributes decodes without problems', () => {
      fc.assert(
        fc.property(
          contextArb.chain((ctx) => updateArb(ctx).map((m) => ({ ctx, m }))),
          ({ ctx, m }) => {
            if (m.type !== MessageType.Update) return;
            const present = new Set(m.attributes.map((a) => a.type));
            fc.pre([1, 2, 3].every((t) => present.has(t)));
            const r = decodeMessage(encodeMessage(m, ctx), ctx);
            assert.ok(r.ok);
            assert.deepStrictEqual(r.value.problems, []);
            assert.equal(r.value.treatAsWithdraw, false);
          },
        ),
        { numRuns: 300 },
      );
    });
  });

  describe('(b) any input', () => {
    it('random octets decode to a message or a NOTIFICATION, never a throw', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 120 }), (b) => checkInEveryContext(b)),
        { numRuns: 5000 },
      );
    });

    it('random bodies behind a sound header decode to a message or a NOTIFICATION, never a throw', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 6 }), fc.uint8Array({ maxLength: 160 }), (type, body) => checkInEveryContext(withHeader(type, body))),
        { numRuns: 10000 },
      );
    });

    it('valid messages with random mutations decode to a message or a NOTIFICATION, never a throw', () => {
      fc.assert(
        fc.property(fc.nat(pool.length - 1), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), mostly, fc.nat(CONTEXTS.length - 1), (i, mutations, fixLength, c) => {
          const input = mutate(pool[i]!.bytes, mutations, fixLength);
          checkAnyInput(input, CONTEXTS[c]!);
        }),
        { numRuns: 20000 },
      );
    });
  });

  describe('(c) framing', () => {
    it('any split of a valid stream frames the same messages', () => {
      fc.assert(
        fc.property(
          fc.array(fc.nat(pool.length - 1), { minLength: 1, maxLength: 6 }),
          fc.array(fc.nat(), { maxLength: 12 }),
          (indexes, cutSeeds) => {
            const messages = indexes.map((i) => pool[i]!.bytes).filter((b) => b.length <= 4096);
            const stream = Buffer.concat(messages);
            const cuts = [...new Set(cutSeeds.map((s) => s % (stream.length + 1)))].sort((x, y) => x - y);
            const framer = new MessageFramer();
            const got: string[] = [];
            let last = 0;
            for (const at of [...cuts, stream.length]) {
              const out = framer.push(stream.subarray(last, at));
              assert.equal(out.error, undefined);
              got.push(...out.messages.map(hex));
              last = at;
            }
            assert.deepStrictEqual(got, messages.map(hex));
            assert.equal(framer.buffered, 0);
          },
        ),
        { numRuns: 1000 },
      );
    });
  });
});

describe('crashers: every input that once broke the codec, replayed forever', () => {
  const files = existsSync(CRASHERS) ? readdirSync(CRASHERS).filter((f) => f.endsWith('.hex')).sort() : [];

  /** A .hex file: hex octets, whitespace anywhere, "#" comments to the end of a line. */
  const load = (file: string) => fromHex(readFileSync(new URL(file, CRASHERS), 'utf8').replace(/#.*$/gm, ''));

  it('finds the crasher files it replays', () => {
    for (const f of files) assert.ok(load(f).length > 0, f);
  });

  for (const file of files) {
    it(`${file} decodes to a message or a NOTIFICATION in every context, and frames without a throw`, () => {
      const input = load(file);
      checkInEveryContext(input);
      for (const extendedMessage of [false, true]) {
        const out = new MessageFramer({ extendedMessage }).push(input);
        for (const m of out.messages) checkInEveryContext(m);
      }
    });
  }
});
