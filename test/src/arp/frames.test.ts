// The frame builders against three independent sources: frames written out field by field here
// (with test/support/bytes.ts, never with the builders), frames the kernel and arping sent
// (fixtures.ts), and an ICMPv6 checksum computed by another method (sum modulo 0xffff).
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import {
  buildArpAnnouncement,
  buildGratuitousArpReply,
  buildUnsolicitedNeighborAdvertisement,
  formatMac,
  icmpv6Checksum,
  ipv6MulticastMac,
} from '../../../src/arp/frames.js';
import { bytes, fromHex, hex, ipv4, ipv6, repeat, u16, u32, u8 } from '../../support/bytes.js';
import { capturedIpv4, capturedIpv6, capturedMac, captures } from './fixtures.js';

const mac = (text: string) => text.split(':').map((octet) => parseInt(octet, 16));
const A = mac(capturedMac);
const broadcast = repeat(0xff, 6);

/** Ethernet + ARP for Ethernet/IPv4 (RFC 826), written out here. */
function arpFrame(operation: number, sha: number[], spa: string, tha: number[], tpa: string): Uint8Array {
  return bytes(broadcast, sha, u16(0x0806), u16(1), u16(0x0800), u8(6), u8(4), u16(operation), sha, ipv4(spa), tha, ipv4(tpa));
}

/**
 * The ICMPv6 checksum by another method than the builder's end-around carry: a one's complement
 * sum of 16-bit words (RFC 1071) is congruent to their plain sum modulo 0xffff.
 */
function independentChecksum(source: number[], destination: number[], message: Uint8Array): number {
  const all = bytes(source, destination, u32(message.length), [0, 0, 0], u8(58), message, message.length % 2 ? [0] : []);
  let plain = 0;
  for (let i = 0; i < all.length; i += 2) plain += all[i]! * 256 + all[i + 1]!;
  const onesComplementSum = plain === 0 ? 0 : plain % 0xffff || 0xffff;
  return 0xffff - onesComplementSum;
}

/** An unsolicited NA to ff02::1, written out here; `checksum` as given, to test it separately. */
function naFrame(sourceMac: number[], source: string, target: string, flags: number, checksum: number): Uint8Array {
  const icmp = bytes(u8(136), u8(0), u16(checksum), u8(flags), repeat(0, 3), ipv6(target), u8(2), u8(1), sourceMac);
  return bytes([0x33, 0x33, 0, 0, 0, 1], sourceMac, u16(0x86dd), u32(0x60000000), u16(icmp.length), u8(58), u8(255), ipv6(source), ipv6('ff02::1'), icmp);
}

/** The NA written out here with the independently computed checksum. */
function expectedNa(sourceMac: number[], source: string, target: string, flags: number): Uint8Array {
  const zeroSum = naFrame(sourceMac, source, target, flags, 0);
  return naFrame(sourceMac, source, target, flags, independentChecksum(ipv6(source), ipv6('ff02::1'), zeroSum.subarray(54)));
}

describe('ARP frames (RFC 826, RFC 5227 §3, RFC 5944 §4.6)', () => {
  const cases: Array<{ name: string; built: Uint8Array; written: Uint8Array; captured: string }> = [
    {
      name: 'the ARP Announcement is a broadcast Request, sender = target = VIP, ar$tha zero: the kernel’s own',
      built: buildArpAnnouncement(Uint8Array.from(A), Uint8Array.from(ipv4(capturedIpv4))),
      written: arpFrame(1, A, capturedIpv4, repeat(0, 6), capturedIpv4),
      captured: captures.kernelArpAnnouncement,
    },
    {
      name: 'the gratuitous Reply is broadcast, sender = target = VIP, ar$tha = ar$sha: what arping -A sends',
      built: buildGratuitousArpReply(Uint8Array.from(A), Uint8Array.from(ipv4(capturedIpv4))),
      written: arpFrame(2, A, capturedIpv4, A, capturedIpv4),
      captured: captures.arpingGratuitousReply,
    },
  ];
  for (const { name, built, written, captured } of cases) {
    it(name, () => {
      assert.equal(hex(built), hex(written));
      assert.equal(hex(built), hex(fromHex(captured)));
      assert.equal(built.length, 42);
    });
  }

  it('differs from arping -U only in ar$tha, which RFC 5227 §2.1.1 asks to be zero', () => {
    const ours = buildArpAnnouncement(Uint8Array.from(A), Uint8Array.from(ipv4(capturedIpv4)));
    const arping = fromHex(captures.arpingUnsolicitedRequest);
    const differing = [...ours.keys()].filter((i) => ours[i] !== arping[i]);
    assert.deepEqual(differing, [32, 33, 34, 35, 36, 37]); // 14 (Ethernet) + 8 + 6 + 4
  });

  it('puts any MAC and address in their places', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 6, maxLength: 6 }), fc.uint8Array({ minLength: 4, maxLength: 4 }), (m, ip) => {
        const text = [...ip].join('.');
        assert.equal(hex(buildArpAnnouncement(m, ip)), hex(arpFrame(1, [...m], text, repeat(0, 6), text)));
        assert.equal(hex(buildGratuitousArpReply(m, ip)), hex(arpFrame(2, [...m], text, [...m], text)));
      }),
    );
  });

  it('refuses a MAC or an address of the wrong length', () => {
    assert.throws(() => buildArpAnnouncement(new Uint8Array(5), new Uint8Array(4)), /MAC address must be 6 octets, not 5/);
    assert.throws(() => buildGratuitousArpReply(new Uint8Array(6), new Uint8Array(16)), /IPv4 address must be 4 octets, not 16/);
  });
});

describe('unsolicited Neighbor Advertisement (RFC 4861 §4.4, §7.2.6)', () => {
  const target = Uint8Array.from(ipv6(capturedIpv6));

  it('is the kernel’s own, byte for byte, checksum 0x498c included', () => {
    const built = buildUnsolicitedNeighborAdvertisement({ mac: Uint8Array.from(A), target });
    assert.equal(hex(built), hex(fromHex(captures.kernelNeighborAdvertisement)));
    assert.equal(hex(built), hex(expectedNa(A, capturedIpv6, capturedIpv6, 0x20)));
    assert.equal(built.length, 86);
  });

  it('has hop limit 255, next header 58, type 136, Override set, Solicited and Router clear', () => {
    const frame = buildUnsolicitedNeighborAdvertisement({ mac: Uint8Array.from(A), target });
    assert.deepEqual([frame[12], frame[13]], [0x86, 0xdd]);
    assert.equal(frame[20], 58); // next header
    assert.equal(frame[21], 255); // hop limit
    assert.equal(hex(frame.subarray(38, 54)), hex(Uint8Array.from(ipv6('ff02::1'))));
    assert.equal(frame[54], 136);
    assert.equal(frame[58]! & 0xe0, 0x20);
    assert.equal(hex(frame.subarray(62, 78)), hex(target));
    assert.deepEqual([...frame.subarray(78)], [2, 1, ...A]);
  });

  it('sets the Router flag on request', () => {
    const frame = buildUnsolicitedNeighborAdvertisement({ mac: Uint8Array.from(A), target, router: true });
    assert.equal(hex(frame), hex(expectedNa(A, capturedIpv6, capturedIpv6, 0xa0)));
  });

  it('may come from a link-local source instead, with the checksum over that pseudo-header', () => {
    const source = Uint8Array.from(ipv6('fe80::200:5eff:fe00:5301'));
    const frame = buildUnsolicitedNeighborAdvertisement({ mac: Uint8Array.from(A), target, source });
    assert.equal(hex(frame), hex(expectedNa(A, 'fe80::200:5eff:fe00:5301', capturedIpv6, 0x20)));
  });

  it('is the kernel’s own for a link-local target too (checksum 0x4499)', () => {
    const linkLocal = Uint8Array.from(ipv6('fe80::200:5eff:fe00:5301'));
    const built = buildUnsolicitedNeighborAdvertisement({ mac: Uint8Array.from(A), target: linkLocal });
    assert.equal(hex(built), hex(fromHex(captures.kernelLinkLocalNeighborAdvertisement)));
  });

  it('carries a checksum the independent method agrees with, for any MAC and target', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 6, maxLength: 6 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), (m, t) => {
        const frame = buildUnsolicitedNeighborAdvertisement({ mac: m, target: t });
        const message = frame.slice(54);
        const carried = (message[2]! << 8) | message[3]!;
        message[2] = message[3] = 0;
        assert.equal(carried, independentChecksum([...t], ipv6('ff02::1'), message));
      }),
    );
  });

  it('computes the ICMPv6 checksum of messages of any length, odd ones padded', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ maxLength: 200 }), (s, d, m) => {
        assert.equal(icmpv6Checksum(s, d, m), independentChecksum([...s], [...d], m));
      }),
    );
  });

  it('maps ff02::1 to 33:33:00:00:00:01 (RFC 2464 §7)', () => {
    assert.equal(formatMac(ipv6MulticastMac(Uint8Array.from(ipv6('ff02::1')))), '33:33:00:00:00:01');
    assert.equal(formatMac(ipv6MulticastMac(Uint8Array.from(ipv6('ff02::1:ff00:50')))), '33:33:ff:00:00:50');
  });

  it('refuses a target of the wrong length', () => {
    assert.throws(() => buildUnsolicitedNeighborAdvertisement({ mac: Uint8Array.from(A), target: new Uint8Array(4) }), /IPv6 target address must be 16 octets, not 4/);
  });
});
