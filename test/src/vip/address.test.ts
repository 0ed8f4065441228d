import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { AddressFamily, formatAddress, isAddressProblem, parseVipAddress, type VipAddress } from '../../../src/vip/index.js';

function parsed(input: string): VipAddress {
  const result = parseVipAddress(input);
  assert.ok(!isAddressProblem(result), `${input}: ${isAddressProblem(result) ? result.reason : ''}`);
  return result;
}

function refused(input: string): string {
  const result = parseVipAddress(input);
  assert.ok(isAddressProblem(result), `${input} should be refused`);
  return result.reason;
}

describe('VIP addresses: canonical forms', () => {
  const canonical: Array<[string, string]> = [
    ['192.0.2.7', '192.0.2.7/32'],
    ['192.0.2.7/32', '192.0.2.7/32'],
    ['198.51.100.0', '198.51.100.0/32'],
    ['203.0.113.255', '203.0.113.255/32'],
    ['2001:db8::7', '2001:db8::7/128'],
    ['2001:DB8::7/128', '2001:db8::7/128'],
    ['2001:0db8:0000:0000:0000:0000:0000:0007', '2001:db8::7/128'],
    // RFC 5952 4.2.2: a single zero group is not shortened.
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1/128'],
    // RFC 5952 4.2.3: the longest run wins; on a tie, the first.
    ['2001:db8:0:0:1:0:0:0', '2001:db8:0:0:1::/128'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1/128'],
    ['2001:db8::', '2001:db8::/128'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2:3:4:5:6/128'],
    // RFC 4291 2.2 form 3: an IPv4 tail is read, and written back in hex as iproute2 does.
    ['64:ff9b::192.0.2.7', '64:ff9b::c000:207/128'],
  ];
  for (const [input, text] of canonical) {
    it(`${input} is ${text}`, () => assert.equal(parsed(input).text, text));
  }

  it('gives family, octets and prefix length for the kernel', () => {
    const v4 = parsed('192.0.2.7');
    assert.equal(v4.family, AddressFamily.Inet);
    assert.deepEqual([...v4.bytes], [192, 0, 2, 7]);
    assert.equal(v4.prefixLength, 32);
    const v6 = parsed('2001:db8::7');
    assert.equal(v6.family, AddressFamily.Inet6);
    assert.equal(Buffer.from(v6.bytes).toString('hex'), '20010db8000000000000000000000007');
    assert.equal(v6.prefixLength, 128);
  });

  it('formats any 16 octets as the WHATWG URL parser does (RFC 5952 without dotted tails)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        const text = formatAddress(AddressFamily.Inet6, bytes, 128).slice(0, -'/128'.length);
        assert.equal(text, new URL(`http://[${text}]/`).hostname.slice(1, -1));
        // ...and reads back to the same octets, whenever it is an address a VIP may be.
        const again = parseVipAddress(text);
        if (!isAddressProblem(again)) assert.deepEqual([...again.bytes], [...bytes]);
      }),
    );
  });

  it('reads back every IPv4 address it writes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (bytes) => {
        const text = formatAddress(AddressFamily.Inet, bytes, 32);
        const again = parseVipAddress(text);
        if (!isAddressProblem(again)) assert.equal(again.text, text);
      }),
    );
  });
});

describe('VIP addresses: what is refused, and why', () => {
  const cases: Array<[string, RegExp]> = [
    ['192.0.2.0/24', /single address: \/32, not \/24/],
    ['2001:db8::/64', /single address: \/128, not \/64/],
    ['2001:db8::7/32', /\/128, not \/32/],
    ['192.0.2.7/', /\/32, not \/$/],
    ['192.0.2.010', /not an IPv4 or IPv6 address/], // octal to inet_aton(), decimal to others
    ['192.0.2.256', /not an IPv4 or IPv6 address/],
    ['192.0.2', /not an IPv4 or IPv6 address/],
    ['vip.example', /not an IPv4 or IPv6 address/],
    ['', /not an IPv4 or IPv6 address/],
    ['2001:db8::7::1', /not an IPv4 or IPv6 address/],
    ['2001:db8:0:0:0:0:0:0:7', /not an IPv4 or IPv6 address/],
    ['2001:db8:1:2:3:4:5:6:7', /not an IPv4 or IPv6 address/],
    ['2001:db8::12345', /not an IPv4 or IPv6 address/],
    [':2001:db8::7', /not an IPv4 or IPv6 address/],
    ['::192.0.2.7:1', /not an IPv4 or IPv6 address/],
    ['fe80::1%lo', /zone index/],
    ['127.0.0.1', /loopback/],
    ['::1', /loopback/],
    ['0.0.0.0', /unspecified/],
    ['::', /unspecified/],
    ['224.0.0.5', /multicast/],
    ['ff02::5', /multicast/],
    ['169.254.1.1', /link-local/],
    ['fe80::1', /link-local/],
    ['255.255.255.255', /broadcast/],
    ['::ffff:192.0.2.7', /IPv4-mapped/],
  ];
  for (const [input, reason] of cases) {
    it(`refuses '${input}'`, () => assert.match(refused(input), reason));
  }
});
