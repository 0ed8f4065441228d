// The kernel structs are checked against bytes written out by hand from the Linux headers, not
// against the encoder under test.
import { strict as assert } from 'node:assert';
import { endianness } from 'node:os';
import { AddressFamily } from '../../../bgp/transport/libc.js';
import { encodeMd5Sig, encodeSockaddr, parseAddress, peerKey } from '../../../bgp/transport/sockaddr.js';
import type { TransportError } from '../../../bgp/transport/index.js';

const noZones = (name: string) => (name === 'eth0' ? 2 : 0);
// sa_family, tcpm_keylen and sin6_scope_id are in host byte order.
const le = endianness() === 'LE';
const host16 = (n: number) => (le ? [n & 0xff, n >> 8] : [n >> 8, n & 0xff]);
const host32 = (n: number) => (le ? [...host16(n & 0xffff), ...host16(n >>> 16)] : [...host16(n >>> 16), ...host16(n & 0xffff)]);

describe('transport socket addresses', () => {
  it('encodes sockaddr_in (linux/in.h)', () => {
    const bytes = encodeSockaddr(parseAddress('192.0.2.1', 'peer', noZones), 179, AddressFamily.Inet);
    assert.deepEqual([...bytes], [
      ...host16(2), // sin_family AF_INET
      0x00, 0xb3, // sin_port 179, network order
      192, 0, 2, 1, // sin_addr
      0, 0, 0, 0, 0, 0, 0, 0, // sin_zero
    ]);
  });

  it('encodes sockaddr_in6 with a zone as its scope id (linux/in6.h)', () => {
    const bytes = encodeSockaddr(parseAddress('fe80::1%eth0', 'peer', noZones), 179, AddressFamily.Inet6);
    assert.deepEqual([...bytes], [
      ...host16(10), // sin6_family AF_INET6
      0x00, 0xb3, // sin6_port 179
      0, 0, 0, 0, // sin6_flowinfo
      0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, // sin6_addr
      ...host32(2), // sin6_scope_id: ifindex of eth0
    ]);
  });

  it('writes an IPv4 peer on an IPv6 socket as IPv4-mapped', () => {
    const bytes = encodeSockaddr(parseAddress('198.51.100.7', 'peer', noZones), 0, AddressFamily.Inet6);
    assert.deepEqual([...bytes.subarray(8, 24)], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 198, 51, 100, 7]);
  });

  it('encodes struct tcp_md5sig (linux/tcp.h): address, keylen at 130, key at 136, 216 bytes', () => {
    const bytes = encodeMd5Sig(parseAddress('192.0.2.1', 'peer', noZones), new TextEncoder().encode('s3cret'), AddressFamily.Inet);
    assert.equal(bytes.length, 216);
    assert.deepEqual([...bytes.subarray(0, 8)], [...host16(2), 0, 0, 192, 0, 2, 1]);
    assert.deepEqual([...bytes.subarray(128, 136)], [
      0, // tcpm_flags
      0, // tcpm_prefixlen
      ...host16(6), // tcpm_keylen
      0, 0, 0, 0, // tcpm_ifindex
    ]);
    assert.equal(Buffer.from(bytes.subarray(136, 142)).toString(), 's3cret');
    assert.ok(bytes.subarray(142).every((b) => b === 0));
  });

  it('refuses MD5 keys longer than TCP_MD5SIG_MAXKEYLEN (80)', () => {
    const peer = parseAddress('192.0.2.1', 'peer', noZones);
    assert.equal(encodeMd5Sig(peer, new Uint8Array(80), AddressFamily.Inet).length, 216);
    assert.throws(
      () => encodeMd5Sig(peer, new Uint8Array(81), AddressFamily.Inet),
      (e: TransportError) => e.code === 'BGP_TRANSPORT_INVALID_OPTION' && /at most 80/.test(e.message),
    );
  });

  it('refuses host names and unknown zones with a stable code', () => {
    assert.throws(() => parseAddress('bgp.example', 'peer address', noZones), (e: TransportError) => e.code === 'BGP_TRANSPORT_INVALID_ADDRESS');
    assert.throws(() => parseAddress('fe80::1%nope0', 'peer address', noZones), (e: TransportError) => e.code === 'BGP_TRANSPORT_NO_SUCH_INTERFACE');
  });

  it('keys peers by RFC 5952 text, IPv4-mapped written as IPv4', () => {
    assert.equal(peerKey('::ffff:192.0.2.1'), '192.0.2.1');
    assert.equal(peerKey('2001:DB8:0:0::1'), '2001:db8::1');
    assert.equal(peerKey('fe80::1%eth0'), 'fe80::1');
  });
});
