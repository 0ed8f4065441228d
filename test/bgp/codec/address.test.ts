// Addresses and prefixes as text and bytes: RFC 5952 formatting of IPv6, parsing of every
// textual form, and Prefix with its host bits cleared.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { Afi, Prefix, formatIp, formatIpv4, formatIpv6, parseIp, parseIpv4, parseIpv6 } from '../../../bgp/index.js';
import { bytes, hex, ipv4, ipv6 } from '../../support/bytes.js';

describe('Prefix', () => {
  it('parses IPv4 and IPv6 prefixes and prints them back', () => {
    for (const text of ['0.0.0.0/0', '10.0.0.0/8', '192.0.2.0/24', '192.0.2.1/32', '::/0', '2001:db8::/32', '2001:db8::1/128', 'fe80::/10']) {
      assert.equal(Prefix.parse(text).toString(), text);
    }
  });

  it('clears host bits past the prefix length', () => {
    const cases: [string, string][] = [
      ['192.0.2.1/24', '192.0.2.0/24'],
      ['10.255.255.255/9', '10.128.0.0/9'],
      ['255.255.255.255/1', '128.0.0.0/1'],
      ['192.0.2.255/31', '192.0.2.254/31'],
      ['1.2.3.4/0', '0.0.0.0/0'],
      ['2001:db8:ffff:ffff::1/33', '2001:db8:8000::/33'],
      ['2001:db8::ff/127', '2001:db8::fe/127'],
      ['ffff::/7', 'fe00::/7'],
    ];
    for (const [input, output] of cases) assert.equal(Prefix.parse(input).toString(), output, input);
  });

  it('reads a bare address as a host route', () => {
    assert.equal(Prefix.parse('192.0.2.1').toString(), '192.0.2.1/32');
    assert.equal(Prefix.parse('2001:DB8::1').toString(), '2001:db8::1/128');
  });

  it('holds the family, the length and the address octets', () => {
    const p = Prefix.parse('198.51.100.7/24');
    assert.equal(p.afi, Afi.Ipv4);
    assert.equal(p.length, 24);
    assert.equal(hex(p.address), hex(bytes(ipv4('198.51.100.0'))));
    const q = Prefix.parse('2001:db8::1/64');
    assert.equal(q.afi, Afi.Ipv6);
    assert.equal(hex(q.address), hex(bytes(ipv6('2001:db8::'))));
  });

  it('counts its NLRI octets: a length octet and the significant octets', () => {
    const cases: [string, number][] = [
      ['0.0.0.0/0', 1],
      ['128.0.0.0/1', 2],
      ['10.0.0.0/8', 2],
      ['10.128.0.0/9', 3],
      ['192.0.2.1/32', 5],
      ['2001:db8::/32', 5],
      ['2001:db8::1/128', 17],
    ];
    for (const [text, n] of cases) assert.equal(Prefix.parse(text).wireLength, n, text);
  });

  it('fromBytes clears host bits and equals compares family, length and address', () => {
    const a = Prefix.fromBytes(Afi.Ipv4, 20, Uint8Array.of(192, 0, 31, 255));
    assert.equal(a.toString(), '192.0.16.0/20');
    assert.ok(a.equals(Prefix.parse('192.0.16.0/20')));
    assert.ok(!a.equals(Prefix.parse('192.0.16.0/21')));
    assert.ok(!Prefix.parse('::/0').equals(Prefix.parse('0.0.0.0/0')));
  });

  it('refuses bad input with a message that says what was wrong', () => {
    const cases: [string, RegExp][] = [
      ['192.0.2.1/33', /prefix length must be 0\.\.32/],
      ['2001:db8::/129', /prefix length must be 0\.\.128/],
      ['192.0.2.1/', /prefix length/],
      ['192.0.2.1/-1', /prefix length/],
      ['192.0.2.1/2 4', /prefix length/],
      ['192.0.2.1/24/1', /prefix length/],
      ['192.0.2.1/0x10', /prefix length/],
      ['300.1.1.1', /not an IP address: "300\.1\.1\.1"/],
      ['300.1.1.1/8', /not an IP address/],
      ['x', /not an IP address: "x"/],
      ['', /not an IP address/],
      ['/24', /not an IP address/],
      ['1.2.3/24', /not an IP address/],
      ['2001:db8:::/48', /not an IP address/],
      ['fe80::1%eth0/64', /not an IP address/],
    ];
    for (const [input, message] of cases) {
      assert.throws(() => Prefix.parse(input), (e: unknown) => e instanceof TypeError && message.test(e.message), input);
    }
  });
});

describe('IPv6 formatting (RFC 5952)', () => {
  const cases: [string, string][] = [
    ['2001:db8:0:0:0:0:0:1', '2001:db8::1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // §4.2.3: the first of two equal runs
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // §4.2.3: the longest run
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // §4.2.2: never "::" for one zero group
    ['2001:db8:1:1:1:1:1:0', '2001:db8:1:1:1:1:1:0'],
    ['2001:0DB8:00AB:0000:0000:0000:0000:0001', '2001:db8:ab::1'], // §4.1, §4.3: no leading zeros, lower case
    ['fe80:0:0:0:0:0:0:1', 'fe80::1'],
    ['0:0:0:0:0:ffff:c000:201', '::ffff:192.0.2.1'], // §5: IPv4-mapped keeps the dotted tail
    ['0:0:0:0:0:0:c000:201', '::c000:201'], // not mapped: plain hex
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
  ];

  for (const [full, expected] of cases) {
    it(`writes ${full} as ${expected}`, () => {
      assert.equal(formatIpv6(bytes(ipv6(full))), expected);
    });
  }

  it('reads from an offset', () => {
    assert.equal(formatIpv6(bytes(0xaa, ipv6('2001:db8::1')), 1), '2001:db8::1');
    assert.equal(formatIpv4(bytes(0xaa, 0xbb, ipv4('192.0.2.1')), 2), '192.0.2.1');
  });

  it('agrees with the WHATWG URL serializer (an RFC 5952 one) on any address that is not IPv4-mapped', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.array(fc.nat(7), { maxLength: 8 }), (raw, zeroGroups) => {
        // Zero some groups so that runs of zeros are common.
        const b = Uint8Array.from(raw);
        for (const g of zeroGroups) b[2 * g] = b[2 * g + 1] = 0;
        const mapped = b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
        fc.pre(!mapped);
        const text = formatIpv6(b);
        assert.equal(text, new URL(`http://[${text}]/`).hostname.slice(1, -1));
        assert.equal(hex(parseIpv6(text)!), hex(b));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('IPv6 parsing', () => {
  const cases: [string, string][] = [
    ['2001:db8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:DB8::1', '2001:db8::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8'],
    ['2001:db8::1:0:0:1', '2001:db8::1:0:0:1'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['::FFFF:192.0.2.1', '::ffff:192.0.2.1'],
    ['0:0:0:0:0:ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['64:ff9b::192.0.2.1', '64:ff9b::c000:201'],
    ['1:2:3:4:5:6:192.0.2.1', '1:2:3:4:5:6:c000:201'],
    ['::192.0.2.1', '::c000:201'],
  ];

  for (const [text, formatted] of cases) {
    it(`reads ${text}`, () => {
      const b = parseIpv6(text);
      assert.ok(b, text);
      assert.equal(b.length, 16);
      assert.equal(formatIpv6(b), formatted);
      assert.equal(hex(parseIp(text)!), hex(b));
    });
  }

  it('returns undefined for text that is not an IPv6 address', () => {
    for (const text of ['', ':', ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::', 'g::', '192.0.2.1', '::ffff:300.1.1.1', '::ffff:1.2.3', 'fe80::1%eth0', ' ::1']) {
      assert.equal(parseIpv6(text), undefined, JSON.stringify(text));
    }
  });
});

describe('IPv4 parsing and dispatch by family', () => {
  it('reads dotted quads and refuses anything else', () => {
    assert.equal(hex(parseIpv4('192.0.2.1')!), 'c0000201');
    assert.equal(hex(parseIpv4('0.0.0.0')!), '00000000');
    assert.equal(hex(parseIpv4('255.255.255.255')!), 'ffffffff');
    for (const text of ['', '256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', 'a.b.c.d', '1.2.3.4 ', '::1']) {
      assert.equal(parseIpv4(text), undefined, JSON.stringify(text));
    }
  });

  it('parseIp and formatIp pick the family from the text and from the length', () => {
    assert.equal(parseIp('192.0.2.1')?.length, 4);
    assert.equal(parseIp('2001:db8::1')?.length, 16);
    assert.equal(parseIp('nonsense'), undefined);
    assert.equal(formatIp(Uint8Array.of(192, 0, 2, 1)), '192.0.2.1');
    assert.equal(formatIp(bytes(ipv6('2001:db8::1'))), '2001:db8::1');
  });

  it('round-trips any IPv4 address', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (b) => {
        assert.equal(hex(parseIpv4(formatIpv4(b))!), hex(b));
      }),
      { numRuns: 500 },
    );
  });
});
