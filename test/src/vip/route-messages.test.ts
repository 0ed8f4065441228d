// The local-route codec: requests laid out byte by byte, and real kernel dumps and refusals.
import { strict as assert } from 'node:assert';
import { AddressFamily } from '../../../src/vip/index.js';
import { NetlinkMessageType, decodeAck, splitMessages } from '../../../src/vip/netlink-messages.js';
import { RT_TABLE_LOCAL, RouteType, decodeRoute, encodeLocalRoute, encodeOwnedRouteDump, isOwnedLocalRoute, localRouteRequestLength } from '../../../src/vip/route-messages.js';
import { fromHex } from './fixtures.js';
import { ownedIpv4Dump, ownedIpv6Dump, refusals } from './route-fixtures.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const IPV4_192_0_2_7 = ((192 << 24) | (2 << 8) | 7) >>> 0;

describe('rtnetlink: local-route requests', () => {
  it('lays out RTM_NEWROUTE for an IPv4 VIP: no ACK asked, CREATE|EXCL, table local, type local, scope host', () => {
    const bytes = encodeLocalRoute('add', { seq: 7, ifindex: 1, dst: IPV4_192_0_2_7, protocol: 86 });
    assert.equal(
      hex(bytes),
      [
        '2c000000', // nlmsg_len 44
        '1800', // RTM_NEWROUTE 24
        '0106', // flags: REQUEST 0x1 | EXCL 0x200 | CREATE 0x400, no ACK
        '07000000', // seq 7
        '00000000', // pid: the kernel's to fill
        '02', '20', '00', '00', // family AF_INET, dst_len 32, src_len 0, tos 0
        'ff', '56', 'fe', '02', // table 255 (local), protocol 86, scope 254 (host), type 2 (local)
        '00000000', // rtm_flags
        '08000100', 'c0000207', // RTA_DST 192.0.2.7
        '08000400', '01000000', // RTA_OIF 1
      ].join(''),
    );
    assert.equal(bytes.length, localRouteRequestLength(AddressFamily.Inet));
  });

  it('lays out RTM_DELROUTE with our protocol (the kernel deletes only a route of that protocol) and any scope', () => {
    const bytes = encodeLocalRoute('remove', { seq: 8, ifindex: 1, dst: IPV4_192_0_2_7, protocol: 86 });
    assert.equal(hex(bytes).slice(8, 16), '19000100'); // RTM_DELROUTE 25, REQUEST only
    assert.equal(hex(bytes).slice(32, 48), '02200000ff56ff02'); // ... protocol 86, scope 255 (nowhere: any), type local
  });

  it('takes an IPv6 VIP as 16 octets, the same layout with a longer RTA_DST', () => {
    const dst = Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 7]);
    const bytes = encodeLocalRoute('add', { seq: 9, ifindex: 1, dst, protocol: 86 });
    assert.equal(bytes.length, localRouteRequestLength(AddressFamily.Inet6));
    assert.equal(hex(bytes).slice(32, 40), '0a800000'); // AF_INET6, dst_len 128
    assert.equal(hex(bytes).slice(56, 96), '1400010020010db8000000000000000000000007'); // RTA_DST, 20 octets
  });

  it('asks for a dump of our local routes filtered by the kernel: table, protocol, type and interface', () => {
    assert.equal(
      hex(encodeOwnedRouteDump(5, AddressFamily.Inet, 86, 3)),
      [
        '24000000', '1a00', '0103', '05000000', '00000000', // len 36, RTM_GETROUTE 26, REQUEST|DUMP 0x301, seq 5
        '02', '00', '00', '00', // AF_INET; dst_len, src_len, tos 0 (a strict dump refuses others)
        'ff', '56', '00', '02', // table local, protocol 86, scope 0, type local
        '00000000',
        '08000400', '03000000', // RTA_OIF 3
      ].join(''),
    );
  });
});

describe('rtnetlink: local-route replies from the kernel', () => {
  it('decodes our IPv4 route from a filtered dump, which holds nothing else', () => {
    const messages = ownedIpv4Dump.flatMap((d) => splitMessages(fromHex(d))!);
    assert.deepEqual(messages.map((m) => m.type), [NetlinkMessageType.NewRoute, NetlinkMessageType.Done]);
    const route = decodeRoute(messages[0]!)!;
    assert.deepEqual({ ...route, dst: hex(route.dst!) }, { family: 2, dstLength: 32, table: RT_TABLE_LOCAL, protocol: 86, type: RouteType.Local, dst: 'c0000207', oif: 1 });
  });

  it('decodes our IPv6 route, past RTA_PRIORITY, RTA_CACHEINFO and RTA_PREF', () => {
    const route = decodeRoute(splitMessages(fromHex(ownedIpv6Dump[0]!))![0]!)!;
    assert.equal(hex(route.dst!), '20010db8000000000000000000000007');
    assert.deepEqual([route.family, route.dstLength, route.table, route.protocol, route.type, route.oif], [10, 128, 255, 86, 2, 1]);
  });

  it('reads the refusals: EEXIST for a route already there, ESRCH for one absent or not ours', () => {
    const errno = (h: string) => decodeAck(splitMessages(fromHex(h))![0]!)!.errno;
    assert.equal(errno(refusals.addExisting), 17);
    assert.equal(errno(refusals.removeAbsent), 3);
    assert.equal(errno(refusals.removeOperators), 3);
    assert.equal(splitMessages(fromHex(refusals.addExisting))![0]!.seq, 2003);
  });

  it('tells ours in place as decodeRoute does: family, host length, protocol, type, table and interface', () => {
    const v4 = ownedIpv4Dump.flatMap((d) => splitMessages(fromHex(d))!)[0]!;
    const v6 = splitMessages(fromHex(ownedIpv6Dump[0]!))![0]!;
    assert.equal(isOwnedLocalRoute(v4, 2, 86, 1), true);
    assert.equal(isOwnedLocalRoute(v6, 10, 86, 1), true, 'past RTA_PRIORITY, RTA_CACHEINFO and RTA_PREF');
    assert.equal(isOwnedLocalRoute(v4, 10, 86, 1), false, 'another family');
    assert.equal(isOwnedLocalRoute(v4, 2, 87, 1), false, 'another protocol');
    assert.equal(isOwnedLocalRoute(v4, 2, 86, 2), false, 'another interface');
    assert.equal(isOwnedLocalRoute({ type: NetlinkMessageType.NewRoute, flags: 0, seq: 1, payload: new Uint8Array(4) }, 2, 86, 1), false, 'too short');
  });

  it('refuses a message too short to be a route', () => {
    assert.equal(decodeRoute({ type: NetlinkMessageType.NewRoute, flags: 0, seq: 1, payload: new Uint8Array(4) }), undefined);
  });
});
