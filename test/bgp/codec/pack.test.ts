// Packing prefixes into UPDATEs: every message within the session's maximum length, every
// prefix exactly once and in order, the fewest messages, the same attributes in each.
import { strict as assert } from 'node:assert';
import {
  Afi,
  AsPathSegmentType,
  AttrType,
  MAX_EXTENDED_MESSAGE_LENGTH,
  MAX_MESSAGE_LENGTH,
  MODERN_CONTEXT,
  MessageType,
  Origin,
  Prefix,
  Safi,
  decodeMessage,
  packAnnouncements,
  packWithdrawals,
  reachablePrefixes,
  splitByOctets,
  withdrawnPrefixes,
  type CodecContext,
  type MpReachAttr,
  type MpUnreachAttr,
  type PackOptions,
  type PathAttribute,
  type UpdateMessage,
} from '../../../bgp/index.js';

const EXTENDED: CodecContext = { fourOctetAs: true, extendedMessage: true };
const IPV4_UNICAST = { afi: Afi.Ipv4, safi: Safi.Unicast };
const IPV6_UNICAST = { afi: Afi.Ipv6, safi: Safi.Unicast };

const ORIGIN: PathAttribute = { type: AttrType.Origin, flags: 0x40, origin: Origin.Igp };
const AS_PATH: PathAttribute = { type: AttrType.AsPath, flags: 0x40, segments: [{ type: AsPathSegmentType.AsSequence, asns: [65001] }] };
const NEXT_HOP: PathAttribute = { type: AttrType.NextHop, flags: 0x40, nextHop: '192.0.2.1' };
const COMMUNITIES: PathAttribute = { type: AttrType.Communities, flags: 0xc0, communities: [0xfde90064] };

/** n distinct IPv4 /32s: 10.0.0.0, 10.0.0.1, ... */
function ipv4Hosts(n: number): Prefix[] {
  return Array.from({ length: n }, (_, i) => Prefix.fromBytes(Afi.Ipv4, 32, Uint8Array.of(10, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff)));
}

/** n distinct IPv6 /128s in 2001:db8::/96. */
function ipv6Hosts(n: number): Prefix[] {
  return Array.from({ length: n }, (_, i) => {
    const b = new Uint8Array(16);
    b.set([0x20, 0x01, 0x0d, 0xb8]);
    b[13] = (i >> 16) & 0xff;
    b[14] = (i >> 8) & 0xff;
    b[15] = i & 0xff;
    return Prefix.fromBytes(Afi.Ipv6, 128, b);
  });
}

function decodeAll(messages: Buffer[], ctx: CodecContext): UpdateMessage[] {
  return messages.map((m, i) => {
    const r = decodeMessage(m, ctx);
    if (!r.ok) assert.fail(`message ${i}: ${r.error.name}: ${r.error.message}`);
    assert.deepStrictEqual(r.value.problems, [], `message ${i}`);
    assert.equal(r.value.message.type, MessageType.Update);
    return r.value.message as UpdateMessage;
  });
}

/** The attributes of an UPDATE with the prefixes taken out of MP_REACH_NLRI / MP_UNREACH_NLRI. */
function attributesWithoutPrefixes(u: UpdateMessage): unknown[] {
  return u.attributes.map((a) => {
    if (a.type === AttrType.MpReachNlri) return { ...(a as MpReachAttr), nlri: [] };
    if (a.type === AttrType.MpUnreachNlri) return { ...(a as MpUnreachAttr), withdrawn: [] };
    return a;
  });
}

/**
 * The checks every packing must pass: each message within `max` and its length field right,
 * the prefixes all there once in order, the same attributes everywhere, and no message that
 * could have taken the first prefix of the next one.
 */
function checkPacking(messages: Buffer[], prefixes: Prefix[], ctx: CodecContext, collect: (u: UpdateMessage) => Prefix[]): UpdateMessage[] {
  const max = ctx.extendedMessage ? MAX_EXTENDED_MESSAGE_LENGTH : MAX_MESSAGE_LENGTH;
  for (const m of messages) {
    assert.ok(m.length <= max, `a message of ${m.length} octets exceeds ${max}`);
    assert.equal(m.readUInt16BE(16), m.length);
  }
  const updates = decodeAll(messages, ctx);
  const got = updates.flatMap(collect);
  assert.equal(got.length, prefixes.length);
  assert.deepStrictEqual(got.map(String), prefixes.map(String));
  const attrs = updates.map(attributesWithoutPrefixes);
  for (const a of attrs) assert.deepStrictEqual(a, attrs[0]);
  let next = 0;
  for (let i = 0; i < updates.length; i++) {
    next += collect(updates[i]!).length;
    assert.ok(collect(updates[i]!).length > 0, `message ${i} is empty`);
    if (i + 1 < updates.length) {
      const room = max - messages[i]!.length;
      assert.ok(prefixes[next]!.wireLength > room, `message ${i} had ${room} octets free for a prefix of ${prefixes[next]!.wireLength}`);
    }
  }
  return updates;
}

describe('packAnnouncements', () => {
  for (const n of [1, 100, 1000, 5000]) {
    it(`packs ${n} IPv4 /32s into the classic NLRI field of the fewest UPDATEs of at most 4096 octets`, () => {
      const prefixes = ipv4Hosts(n);
      const messages = packAnnouncements(prefixes, [ORIGIN, AS_PATH, NEXT_HOP, COMMUNITIES], { family: IPV4_UNICAST }, MODERN_CONTEXT);
      const updates = checkPacking(messages, prefixes, MODERN_CONTEXT, (u) => u.nlri);
      // 23 fixed octets and 27 of attributes leave 4046 octets: 809 prefixes of 5 octets.
      assert.equal(messages.length, Math.ceil(n / 809));
      assert.deepStrictEqual(updates[0]!.attributes, [ORIGIN, AS_PATH, NEXT_HOP, COMMUNITIES]);
    });

    it(`packs ${n} IPv6 /128s into MP_REACH_NLRI with the given next hops in the fewest UPDATEs of at most 4096 octets`, () => {
      const prefixes = ipv6Hosts(n);
      const nextHops = ['2001:db8::1', 'fe80::1'];
      const messages = packAnnouncements(prefixes, [ORIGIN, AS_PATH, NEXT_HOP], { family: IPV6_UNICAST, nextHops }, MODERN_CONTEXT);
      const updates = checkPacking(messages, prefixes, MODERN_CONTEXT, reachablePrefixes);
      // 23 fixed, 13 of ORIGIN and AS_PATH, 41 of MP_REACH_NLRI header and next hops: 4019 octets, 236 prefixes of 17.
      assert.equal(messages.length, Math.ceil(n / 236));
      for (const u of updates) {
        assert.deepStrictEqual(u.nlri, []);
        const mp = u.attributes[0] as MpReachAttr;
        assert.equal(mp.type, AttrType.MpReachNlri, 'MP_REACH_NLRI comes first');
        assert.deepStrictEqual([mp.afi, mp.safi, mp.nextHops], [Afi.Ipv6, Safi.Unicast, nextHops]);
        // The classic NEXT_HOP has no place in an UPDATE whose routes are all in MP_REACH_NLRI.
        assert.deepStrictEqual(u.attributes.slice(1), [ORIGIN, AS_PATH]);
      }
    });
  }

  it('packs 5000 IPv4 /32s into one UPDATE with extended messages', () => {
    const prefixes = ipv4Hosts(5000);
    const messages = packAnnouncements(prefixes, [ORIGIN, AS_PATH, NEXT_HOP], { family: IPV4_UNICAST }, EXTENDED);
    checkPacking(messages, prefixes, EXTENDED, (u) => u.nlri);
    assert.equal(messages.length, 1);
  });

  it('packs 5000 IPv6 /128s into the fewest UPDATEs of at most 65535 octets with extended messages', () => {
    const prefixes = ipv6Hosts(5000);
    const messages = packAnnouncements(prefixes, [ORIGIN, AS_PATH], { family: IPV6_UNICAST, nextHops: ['2001:db8::1'] }, EXTENDED);
    checkPacking(messages, prefixes, EXTENDED, reachablePrefixes);
    // 65535 - 23 - 13 - 25 = 65474 octets: 3851 prefixes of 17 octets.
    assert.equal(messages.length, 2);
  });

  it('sends IPv4 in MP_REACH_NLRI with ipv4InMp, without the classic NEXT_HOP', () => {
    const prefixes = ipv4Hosts(1000);
    const options: PackOptions = { family: IPV4_UNICAST, nextHops: ['192.0.2.1'], ipv4InMp: true };
    const messages = packAnnouncements(prefixes, [ORIGIN, AS_PATH, NEXT_HOP], options, MODERN_CONTEXT);
    const updates = checkPacking(messages, prefixes, MODERN_CONTEXT, reachablePrefixes);
    for (const u of updates) {
      assert.deepStrictEqual(u.nlri, []);
      const mp = u.attributes[0] as MpReachAttr;
      assert.deepStrictEqual([mp.type, mp.afi, mp.safi, mp.nextHops], [AttrType.MpReachNlri, Afi.Ipv4, Safi.Unicast, ['192.0.2.1']]);
      assert.ok(!u.attributes.some((a) => a.type === AttrType.NextHop));
    }
  });

  it('packs prefixes of mixed lengths as tightly', () => {
    const prefixes = Array.from({ length: 3000 }, (_, i) => Prefix.fromBytes(Afi.Ipv4, [8, 16, 24, 32][i % 4]!, Uint8Array.of(10 + (i >> 8), i & 0xff, 1, 1)));
    const messages = packAnnouncements(prefixes, [ORIGIN, AS_PATH, NEXT_HOP], { family: IPV4_UNICAST }, MODERN_CONTEXT);
    checkPacking(messages, prefixes, MODERN_CONTEXT, (u) => u.nlri);
  });

  it('returns no message for no prefixes', () => {
    assert.deepStrictEqual(packAnnouncements([], [ORIGIN, AS_PATH, NEXT_HOP], { family: IPV4_UNICAST }, MODERN_CONTEXT), []);
  });

  it('throws a RangeError when the attributes leave no room for a prefix', () => {
    const huge: PathAttribute = { type: 99, flags: 0xc0, value: new Uint8Array(4060) };
    assert.throws(() => packAnnouncements(ipv4Hosts(1), [ORIGIN, AS_PATH, NEXT_HOP, huge], { family: IPV4_UNICAST }, MODERN_CONTEXT), RangeError);
  });
});

describe('packWithdrawals', () => {
  for (const n of [1, 100, 1000, 5000]) {
    it(`withdraws ${n} IPv4 /32s in the classic field of the fewest UPDATEs`, () => {
      const prefixes = ipv4Hosts(n);
      const messages = packWithdrawals(prefixes, { family: IPV4_UNICAST }, MODERN_CONTEXT);
      const updates = checkPacking(messages, prefixes, MODERN_CONTEXT, (u) => u.withdrawn);
      // 4096 - 23 = 4073 octets: 814 prefixes of 5 octets.
      assert.equal(messages.length, Math.ceil(n / 814));
      for (const u of updates) assert.deepStrictEqual(u.attributes, []);
    });

    it(`withdraws ${n} IPv6 /128s in MP_UNREACH_NLRI of the fewest UPDATEs`, () => {
      const prefixes = ipv6Hosts(n);
      const messages = packWithdrawals(prefixes, { family: IPV6_UNICAST }, MODERN_CONTEXT);
      const updates = checkPacking(messages, prefixes, MODERN_CONTEXT, withdrawnPrefixes);
      // 4096 - 23 - 7 = 4066 octets: 239 prefixes of 17 octets.
      assert.equal(messages.length, Math.ceil(n / 239));
      for (const u of updates) {
        assert.equal(u.attributes.length, 1);
        const mp = u.attributes[0] as MpUnreachAttr;
        assert.deepStrictEqual([mp.type, mp.afi, mp.safi], [AttrType.MpUnreachNlri, Afi.Ipv6, Safi.Unicast]);
      }
    });
  }

  it('withdraws 5000 IPv6 /128s in two UPDATEs with extended messages', () => {
    const prefixes = ipv6Hosts(5000);
    const messages = packWithdrawals(prefixes, { family: IPV6_UNICAST }, EXTENDED);
    checkPacking(messages, prefixes, EXTENDED, withdrawnPrefixes);
    assert.equal(messages.length, 2);
  });

  it('withdraws IPv4 in MP_UNREACH_NLRI with ipv4InMp', () => {
    const prefixes = ipv4Hosts(1000);
    const messages = packWithdrawals(prefixes, { family: IPV4_UNICAST, ipv4InMp: true }, MODERN_CONTEXT);
    const updates = checkPacking(messages, prefixes, MODERN_CONTEXT, withdrawnPrefixes);
    for (const u of updates) {
      assert.deepStrictEqual(u.withdrawn, []);
      assert.equal(u.attributes[0]?.type, AttrType.MpUnreachNlri);
    }
  });
});

describe('splitByOctets', () => {
  it('cuts greedily so that each run fits the capacity', () => {
    const runs = splitByOctets(ipv4Hosts(10), 17);
    assert.deepStrictEqual(runs.map((r) => r.length), [3, 3, 3, 1]);
  });

  it('refuses a capacity below one IPv6 host route', () => {
    assert.throws(() => splitByOctets(ipv4Hosts(1), 16), RangeError);
  });
});
