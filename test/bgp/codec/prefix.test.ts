// The compact prefix: what it holds is what it was given, whichever way it was built, and the
// octets the encoder reads are the address's.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { Afi, Prefix, parseIpv4Number } from '../../../bgp/index.js';

describe('Prefix', () => {
  it('gives back family, length, text and bytes as built, IPv4 and IPv6', () => {
    const v4 = Prefix.parse('198.51.100.0/24');
    assert.deepEqual([v4.afi, v4.length, v4.toString(), [...v4.address]], [Afi.Ipv4, 24, '198.51.100.0/24', [198, 51, 100, 0]]);
    const v6 = Prefix.parse('2001:db8:ff::/48');
    assert.deepEqual([v6.afi, v6.length, v6.toString()], [Afi.Ipv6, 48, '2001:db8:ff::/48']);
    assert.deepEqual([...v6.address], [0x20, 0x01, 0x0d, 0xb8, 0, 0xff, ...new Array(10).fill(0)]);
  });

  it('builds an IPv4 host route from a number equal to the parsed one, keeping the text it is given', () => {
    const text = '203.0.113.200/32';
    const fromNumber = Prefix.ipv4Host(parseIpv4Number('203.0.113.200')!, text);
    assert.ok(fromNumber.equals(Prefix.parse(text)));
    assert.equal(fromNumber.toString(), text);
    assert.equal(fromNumber.toString(), fromNumber.toString());
  });

  it('reads every octet of any address back, and equals only what has the same bits', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.boolean(), fc.integer({ min: 0, max: 128 }), (bytes, v4, bits) => {
        const afi = v4 ? Afi.Ipv4 : Afi.Ipv6;
        const size = v4 ? 4 : 16;
        const length = Math.min(bits, size * 8);
        const p = Prefix.fromBytes(afi, length, bytes.subarray(0, size));
        const octets = Array.from({ length: size }, (_, i) => p.octet(i));
        assert.deepEqual(octets, [...p.address]);
        assert.ok(p.equals(Prefix.parse(p.toString())));
        assert.equal(p.wireLength, 1 + Math.ceil(length / 8));
      }),
      { numRuns: 300 },
    );
  });

  it('reads a canonical dotted quad as a number, and refuses any other writing', () => {
    assert.equal(parseIpv4Number('255.255.255.255'), 0xffffffff);
    assert.equal(parseIpv4Number('198.18.0.1/32', 10), ((198 << 24) | (18 << 16) | 1) >>> 0);
    for (const bad of ['01.2.3.4', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', ' 1.2.3.4', '1.2.3.4 ', '']) assert.equal(parseIpv4Number(bad), undefined, bad);
  });
});
