// The rtnetlink codec against real kernel replies (fixtures.ts) and against hand-laid bytes.
import { strict as assert } from 'node:assert';
import { AddressFamily, formatAddress, parseVipAddress, type VipAddress } from '../../../src/vip/index.js';
import {
  IfaFlag,
  NetlinkMessageType,
  decodeAck,
  decodeAddress,
  decodeLink,
  encodeAddressDump,
  encodeDeleteAddress,
  encodeLinkByName,
  encodeNewAddress,
  splitMessages,
  type NetlinkMessage,
} from '../../../src/vip/netlink-messages.js';
import { acks, addressDump, fromHex, ipJsonAtDump, linkLo } from './fixtures.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const vip = (text: string) => parseVipAddress(text) as VipAddress;
const only = (hexText: string): NetlinkMessage => {
  const messages = splitMessages(fromHex(hexText));
  assert.ok(messages && messages.length === 1);
  return messages[0]!;
};

describe('rtnetlink: the address dump', () => {
  const datagram = fromHex(addressDump.join(''));

  it('splits one datagram into six RTM_NEWADDR and NLMSG_DONE, all with the request seq', () => {
    const messages = splitMessages(datagram)!;
    assert.deepEqual(
      messages.map((m) => m.type),
      [20, 20, 20, 20, 20, 20, NetlinkMessageType.Done],
    );
    assert.ok(messages.every((m) => m.seq === 1003));
    assert.equal(decodeAck(messages[6]!)?.errno, 0);
  });

  it('lists what `ip -json addr show` listed at the same moment, in the same order', () => {
    const ours = splitMessages(datagram)!
      .filter((m) => m.type === NetlinkMessageType.NewAddr)
      .map((m) => decodeAddress(m)!)
      .map((a) => formatAddress(a.family, a.bytes, a.prefixLength));
    const theirs = (JSON.parse(ipJsonAtDump) as Array<{ addr_info: Array<{ local: string; prefixlen: number }> }>)[0]!.addr_info.map(
      (a) => `${a.local}/${a.prefixlen}`,
    );
    assert.deepEqual(ours, theirs);
  });

  it('reads IFA_PROTO: 86 on ours, 1 on ::1 (kernel_lo), 0 where the attribute is absent', () => {
    const protos = splitMessages(datagram)!
      .filter((m) => m.type === NetlinkMessageType.NewAddr)
      .map((m) => decodeAddress(m)!)
      .map((a) => [formatAddress(a.family, a.bytes, a.prefixLength), a.proto]);
    assert.deepEqual(protos, [
      ['127.0.0.1/8', 0],
      ['203.0.113.5/32', 0],
      ['192.0.2.7/32', 86],
      ['2001:db8::7/128', 86],
      ['2001:db8::5/128', 0],
      ['::1/128', 1],
    ]);
  });

  it('reads the 32-bit IFA_FLAGS: noprefixroute and nodad as ip shows them', () => {
    const [, , v4, v6, operatorV6] = splitMessages(datagram)!.map((m) => decodeAddress(m));
    assert.equal(v4!.flags, IfaFlag.Permanent | IfaFlag.NoPrefixRoute);
    assert.equal(v6!.flags, IfaFlag.Permanent | IfaFlag.NoPrefixRoute | IfaFlag.NoDad);
    assert.equal(operatorV6!.flags, IfaFlag.Permanent);
    assert.equal(v6!.ifindex, 1);
    assert.equal(v6!.family, AddressFamily.Inet6);
  });

  it('refuses a datagram whose length field runs past its end', () => {
    assert.equal(splitMessages(datagram.subarray(0, datagram.length - 4)), undefined);
    assert.equal(splitMessages(fromHex('0800000014000000')), undefined, 'nlmsg_len below the header size');
  });
});

describe('rtnetlink: links', () => {
  it('decodes RTM_NEWLINK for lo: index 1, name, up', () => {
    assert.deepEqual(decodeLink(only(linkLo)), { ifindex: 1, name: 'lo', up: true });
  });

  it('sees IFF_UP cleared as down (a fresh namespace’s lo)', () => {
    const bytes = fromHex(linkLo);
    bytes[16 + 8] = bytes[16 + 8]! & ~0x01; // ifi_flags, low octet: IFF_UP off
    assert.equal(decodeLink(splitMessages(bytes)![0]!)?.up, false);
  });

  it('encodes RTM_GETLINK by name', () => {
    assert.equal(
      hex(encodeLinkByName(7, 'lo')),
      '28000000' + '1200' + '0100' + '07000000' + '00000000' + // len 40, RTM_GETLINK, NLM_F_REQUEST, seq 7, pid 0
        '00000000000000000000000000000000' + // ifinfomsg: AF_UNSPEC, index 0 (look up by name)
        '0700' + '0300' + '6c6f00' + '00', // IFLA_IFNAME "lo\0", padded to 4
    );
  });
});

describe('rtnetlink: address requests', () => {
  it('encodes RTM_NEWADDR for an IPv4 /32, field by field', () => {
    const bytes = encodeNewAddress({ seq: 1001, ifindex: 1, ...vip('192.0.2.7'), proto: 86 });
    assert.equal(
      hex(bytes),
      [
        '38000000', // nlmsg_len 56
        '1400', // RTM_NEWADDR
        '0506', // NLM_F_REQUEST|ACK|EXCL|CREATE
        'e9030000', // seq 1001
        '00000000', // pid: the kernel fills it in
        '02', '20', '00', '00', // AF_INET, /32, flags (low 8 bits: none), RT_SCOPE_UNIVERSE
        '01000000', // ifindex 1
        '0800' + '0200' + 'c0000207', // IFA_LOCAL 192.0.2.7
        '0800' + '0100' + 'c0000207', // IFA_ADDRESS 192.0.2.7
        '0800' + '0800' + '00020000', // IFA_FLAGS noprefixroute
        '0500' + '0b00' + '56000000', // IFA_PROTO 86, padded
      ].join(''),
    );
  });

  it('encodes RTM_NEWADDR for an IPv6 /128 with nodad', () => {
    const bytes = encodeNewAddress({ seq: 1002, ifindex: 1, ...vip('2001:db8::7'), proto: 86 });
    assert.equal(
      hex(bytes),
      [
        '50000000', '1400', '0506', 'ea030000', '00000000',
        '0a', '80', '02', '00', '01000000', // AF_INET6, /128, IFA_F_NODAD
        '1400' + '0200' + '20010db8000000000000000000000007', // IFA_LOCAL
        '1400' + '0100' + '20010db8000000000000000000000007', // IFA_ADDRESS
        '0800' + '0800' + '02020000', // IFA_FLAGS nodad|noprefixroute
        '0500' + '0b00' + '56000000', // IFA_PROTO 86
      ].join(''),
    );
  });

  it('encodes RTM_NEWADDR for an IPv4 /24: its connected route kept (no noprefixroute), its broadcast set', () => {
    const bytes = encodeNewAddress({ seq: 1004, ifindex: 2, ...vip('192.0.2.50'), prefixLength: 24, proto: 86 });
    assert.equal(
      hex(bytes),
      [
        '40000000', '1400', '0506', 'ec030000', '00000000', // nlmsg_len 64, RTM_NEWADDR, REQUEST|ACK|EXCL|CREATE, seq 1004
        '02', '18', '00', '00', '02000000', // AF_INET, /24, no flags, RT_SCOPE_UNIVERSE, ifindex 2
        '0800' + '0200' + 'c0000232', // IFA_LOCAL 192.0.2.50
        '0800' + '0100' + 'c0000232', // IFA_ADDRESS 192.0.2.50
        '0800' + '0400' + 'c00002ff', // IFA_BROADCAST 192.0.2.255
        '0800' + '0800' + '00000000', // IFA_FLAGS none
        '0500' + '0b00' + '56000000', // IFA_PROTO 86
      ].join(''),
    );
  });

  it('sets the directed broadcast of any IPv4 prefix up to /30, and none for /31 (RFC 3021)', () => {
    const broadcastOf = (prefixLength: number) => {
      const bytes = encodeNewAddress({ seq: 1, ifindex: 2, ...vip('192.0.2.50'), prefixLength, proto: 86 });
      const at = hex(bytes).indexOf('08000400');
      return at < 0 ? undefined : hex(bytes).slice(at + 8, at + 16);
    };
    assert.deepEqual([broadcastOf(8), broadcastOf(17), broadcastOf(30), broadcastOf(31), broadcastOf(32)], ['c0ffffff', 'c0007fff', 'c0000233', undefined, undefined]);
  });

  it('encodes RTM_NEWADDR for an IPv6 /64 with nodad and its connected route', () => {
    const bytes = encodeNewAddress({ seq: 1005, ifindex: 2, ...vip('2001:db8::50'), prefixLength: 64, proto: 86 });
    assert.equal(
      hex(bytes),
      [
        '50000000', '1400', '0506', 'ed030000', '00000000',
        '0a', '40', '02', '00', '02000000', // AF_INET6, /64, IFA_F_NODAD
        '1400' + '0200' + '20010db8000000000000000000000050', // IFA_LOCAL
        '1400' + '0100' + '20010db8000000000000000000000050', // IFA_ADDRESS
        '0800' + '0800' + '02000000', // IFA_FLAGS nodad only: no broadcast in IPv6
        '0500' + '0b00' + '56000000', // IFA_PROTO 86
      ].join(''),
    );
  });

  it('encodes RTM_DELADDR at the length asked for', () => {
    assert.equal(hex(encodeDeleteAddress({ seq: 6, ifindex: 2, ...vip('192.0.2.50'), prefixLength: 24 })).slice(32, 40), '02180000');
  });

  it('is read by the kernel as written: the ACKs echo our lengths, types and flags', () => {
    // NETLINK_CAP_ACK echoes the request header; these requests were encodeNewAddress's.
    const echoed = (ackHex: string) => hex(only(ackHex).payload.subarray(4, 12));
    assert.equal(echoed(acks.addIpv4Ok), hex(encodeNewAddress({ seq: 1001, ifindex: 1, ...vip('192.0.2.7'), proto: 86 }).subarray(0, 8)));
    assert.equal(echoed(acks.addIpv6Ok), hex(encodeNewAddress({ seq: 1003, ifindex: 1, ...vip('2001:db8::7'), proto: 86 }).subarray(0, 8)));
    assert.equal(echoed(acks.deleteIpv4Absent), hex(encodeDeleteAddress({ seq: 1007, ifindex: 1, ...vip('192.0.2.99') }).subarray(0, 8)));
  });

  it('encodes RTM_DELADDR without the mark (the kernel does not match on it)', () => {
    assert.equal(
      hex(encodeDeleteAddress({ seq: 5, ifindex: 1, ...vip('192.0.2.7') })),
      '28000000' + '1500' + '0500' + '05000000' + '00000000' + // len 40, RTM_DELADDR, REQUEST|ACK, seq 5
        '02200000' + '01000000' + // AF_INET /32, index 1
        '08000200c0000207' + '08000100c0000207', // IFA_LOCAL, IFA_ADDRESS
    );
  });

  it('encodes the dump request for one interface', () => {
    assert.equal(hex(encodeAddressDump(9, 3)), '18000000' + '1600' + '0103' + '09000000' + '00000000' + '00000000' + '03000000');
  });
});

describe('rtnetlink: ACKs and the kernel’s sentences', () => {
  const cases: Array<[keyof typeof acks, number, string | undefined]> = [
    ['addIpv4Ok', 0, undefined],
    ['addIpv6Ok', 0, undefined],
    ['addIpv4Exists', 17, 'ipv4: Address already assigned'],
    ['addIpv6Exists', 17, 'ipv6: address already assigned'],
    ['addIpv4NoDevice', 19, 'ipv4: Device not found'],
    ['addIpv6NoDevice', 19, 'ipv6: Unable to find the interface'],
    ['deleteIpv4Absent', 99, 'ipv4: Address not found'],
    ['deleteIpv6Absent', 99, 'ipv6: address not found'],
    ['linkAbsent', 19, undefined],
    ['addIpv6Disabled', 13, 'ipv6: IPv6 is disabled on this device'],
    ['addWithoutCapability', 1, undefined],
  ];
  for (const [name, errno, sentence] of cases) {
    it(`${name}: errno ${errno}${sentence ? `, "${sentence}"` : ''}`, () => {
      const message = only(acks[name]);
      assert.equal(message.type, NetlinkMessageType.Error);
      assert.deepEqual(decodeAck(message), sentence === undefined ? { errno } : { errno, kernelMessage: sentence });
    });
  }

  it('finds the sentence after an uncapped echo too (a kernel without NETLINK_CAP_ACK)', () => {
    const request = encodeNewAddress({ seq: 1002, ifindex: 1, ...vip('192.0.2.7'), proto: 86 });
    const sentence = Buffer.from('ipv4: Address already assigned\0');
    const tlv = Buffer.alloc(4 + 32);
    tlv.writeUInt16LE(4 + sentence.length, 0);
    tlv.writeUInt16LE(1, 2); // NLMSGERR_ATTR_MSG
    sentence.copy(tlv, 4);
    const payload = Buffer.concat([Buffer.from('efffffff', 'hex'), request, tlv]);
    const header = Buffer.alloc(16);
    header.writeUInt32LE(16 + payload.length, 0);
    header.writeUInt16LE(NetlinkMessageType.Error, 4);
    header.writeUInt16LE(0x200, 6); // NLM_F_ACK_TLVS, not capped
    const message = splitMessages(Uint8Array.from(Buffer.concat([header, payload])))![0]!;
    assert.deepEqual(decodeAck(message), { errno: 17, kernelMessage: 'ipv4: Address already assigned' });
  });
});
