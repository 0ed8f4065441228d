// The announcer's schedule and errors against a fake socket and a manual clock: which frames go,
// when, from which MAC, and what each failure is called. The real kernel is in netns.test.ts.
import { strict as assert } from 'node:assert';
import { ArpError, createAnnouncer, type Announcer, type PacketSocket } from '../../../src/arp/index.js';
import type { LinkFailure } from '../../../src/arp/errors.js';
import { buildArpAnnouncement, buildGratuitousArpReply, buildUnsolicitedNeighborAdvertisement, EtherType } from '../../../src/arp/frames.js';
import { hex, ipv4, ipv6 } from '../../support/bytes.js';
import { TestClock as ManualClock } from '../../support/clock.js';

const MAC_A = Uint8Array.of(0x00, 0x00, 0x5e, 0x00, 0x53, 0x0a);
const MAC_B = Uint8Array.of(0x00, 0x00, 0x5e, 0x00, 0x53, 0x0b);

/** A socket that records each frame with the clock's time, and fails on demand. */
class FakeSocket implements PacketSocket {
  readonly sent: Array<{ at: number; frame: string; etherType: EtherType; index: number }> = [];
  mac = MAC_A;
  linkFailure: LinkFailure | undefined;
  sendFailure: LinkFailure | undefined;
  closed = false;

  constructor(private readonly clock: ManualClock) {}

  link() {
    return this.linkFailure ?? { index: 7, mac: this.mac };
  }

  send(frame: Uint8Array, etherType: EtherType, index: number) {
    if (this.sendFailure) return this.sendFailure;
    this.sent.push({ at: this.clock.now(), frame: hex(frame), etherType, index });
    return undefined;
  }

  close() {
    this.closed = true;
  }
}

const v4 = Uint8Array.from(ipv4('192.0.2.50'));
const v6 = Uint8Array.from(ipv6('2001:db8::50'));
const announcement = (mac: Uint8Array) => hex(buildArpAnnouncement(mac, v4));
const reply = (mac: Uint8Array) => hex(buildGratuitousArpReply(mac, v4));
const advertisement = (mac: Uint8Array) => hex(buildUnsolicitedNeighborAdvertisement({ mac, target: v6 }));

describe('announcer: bursts and refreshes', () => {
  let clock: ManualClock;
  let socket: FakeSocket;
  let opened: number;
  let openFailure: LinkFailure | undefined;
  let announcer: Announcer;

  beforeEach(() => {
    clock = new ManualClock();
    socket = new FakeSocket(clock);
    opened = 0;
    openFailure = undefined;
    announcer = createAnnouncer({
      interface: 'eth0',
      clock,
      openSocket: () => {
        opened++;
        return openFailure ?? socket;
      },
    });
  });

  afterEach(() => announcer.close());

  it('opens nothing until the first announcement, then one socket for all', async () => {
    assert.equal(opened, 0);
    const first = announcer.announce('192.0.2.50', { count: 1 });
    await first;
    await announcer.announce('2001:db8::50', { count: 1 });
    assert.equal(opened, 1);
  });

  it('sends 3 IPv4 rounds 200 ms apart, each an Announcement then a Reply, and resolves after the last', async () => {
    let done = false;
    const burst = announcer.announce('192.0.2.50').then(() => (done = true));
    await clock.advanceAsync(399);
    assert.equal(done, false);
    await clock.advanceAsync(1);
    await burst;
    assert.deepEqual(
      socket.sent.map((s) => [s.at, s.frame, s.etherType, s.index]),
      [0, 200, 400].flatMap((at) => [
        [at, announcement(MAC_A), EtherType.Arp, 7],
        [at, reply(MAC_A), EtherType.Arp, 7],
      ]),
    );
  });

  it('sends 3 IPv6 Neighbor Advertisements 1 s apart (RFC 4861 §7.2.6: at least RetransTimer)', async () => {
    const burst = announcer.announce('2001:db8::50');
    await clock.advanceAsync(2000);
    await burst;
    assert.deepEqual(
      socket.sent.map((s) => [s.at, s.frame, s.etherType]),
      [0, 1000, 2000].map((at) => [at, advertisement(MAC_A), EtherType.Ipv6]),
    );
  });

  it('takes a count and an interval, and reads the MAC again for each round', async () => {
    const burst = announcer.announce('2001:db8::50/128', { count: 2, intervalMs: 50 });
    await clock.advanceAsync(0);
    socket.mac = MAC_B; // a bond fails over between two rounds
    await clock.advanceAsync(50);
    await burst;
    assert.deepEqual(socket.sent.map((s) => [s.at, s.frame]), [
      [0, advertisement(MAC_A)],
      [50, advertisement(MAC_B)],
    ]);
  });

  it('refreshes with one round every `everyMs` until stopped', async () => {
    const refresh = announcer.refresh('192.0.2.50', { everyMs: 10_000 });
    await clock.advanceAsync(9_999);
    assert.equal(socket.sent.length, 0); // the takeover burst is announce()'s
    await clock.advanceAsync(20_001);
    assert.deepEqual(socket.sent.map((s) => s.at), [10_000, 10_000, 20_000, 20_000, 30_000, 30_000]);
    refresh.stop();
    refresh.stop();
    await clock.advanceAsync(60_000);
    assert.equal(socket.sent.length, 6);
    assert.equal(clock.waiting, 0);
  });

  it('stop() ends a refresh midway through its rounds', async () => {
    const refresh = announcer.refresh('2001:db8::50', { everyMs: 5_000, count: 3 });
    await clock.advanceAsync(6_000);
    assert.equal(socket.sent.length, 2); // at 5 s and 6 s; the third is due at 7 s
    refresh.stop();
    await clock.advanceAsync(60_000);
    assert.equal(socket.sent.length, 2);
    assert.equal(clock.waiting, 0);
  });

  it('reports a failed refresh and carries on; lastError clears once a refresh succeeds', async () => {
    const errors: ArpError[] = [];
    const refresh = announcer.refresh('192.0.2.50', { everyMs: 1_000, onError: (e) => errors.push(e) });
    socket.sendFailure = { code: 'ARP_ERR_INTERFACE_DOWN', detail: 'sendto failed', errno: 'ENETDOWN' };
    await clock.advanceAsync(2_000);
    assert.deepEqual(errors.map((e) => e.code), ['ARP_ERR_INTERFACE_DOWN', 'ARP_ERR_INTERFACE_DOWN']);
    assert.equal(refresh.lastError?.code, 'ARP_ERR_INTERFACE_DOWN');
    socket.sendFailure = undefined;
    await clock.advanceAsync(1_000);
    assert.equal(socket.sent.length, 2);
    assert.equal(refresh.lastError, undefined);
  });

  it('close() stops refreshes, rejects a burst under way with ARP_ERR_CLOSED, and closes the socket', async () => {
    announcer.refresh('192.0.2.50', { everyMs: 1_000 });
    const burst = announcer.announce('2001:db8::50');
    await clock.advanceAsync(500);
    announcer.close();
    await assert.rejects(burst, (e: ArpError) => e.code === 'ARP_ERR_CLOSED' && /cannot announce 2001:db8::50 on eth0: the announcer is closed/.test(e.message));
    assert.equal(clock.waiting, 0);
    assert.equal(socket.closed, true);
    assert.equal(socket.sent.length, 1);
    await assert.rejects(announcer.announce('192.0.2.50'), (e: ArpError) => e.code === 'ARP_ERR_CLOSED');
    assert.throws(() => announcer.refresh('192.0.2.50'), (e: ArpError) => e.code === 'ARP_ERR_CLOSED');
  });
});

describe('announcer: errors name the interface and the VIP', () => {
  const refused = (failure: LinkFailure, where: 'open' | 'link' | 'send') => {
    const clock = new ManualClock();
    const socket = new FakeSocket(clock);
    if (where === 'link') socket.linkFailure = failure;
    if (where === 'send') socket.sendFailure = failure;
    return createAnnouncer({ interface: 'eth0', netns: 'lab-a', clock, openSocket: () => (where === 'open' ? failure : socket) });
  };

  const cases: Array<{ failure: LinkFailure; where: 'open' | 'link' | 'send'; message: string }> = [
    {
      failure: { code: 'ARP_ERR_PERMISSION', detail: 'socket(AF_PACKET, SOCK_RAW) failed', errno: 'EPERM' },
      where: 'open',
      message:
        'cannot announce 192.0.2.50 on eth0 in network namespace lab-a: vip-speaker needs CAP_NET_RAW to send ARP and NDP frames (and CAP_SYS_ADMIN to enter a namespace) (socket(AF_PACKET, SOCK_RAW) failed: EPERM)',
    },
    {
      failure: { code: 'ARP_ERR_NO_SUCH_INTERFACE', detail: 'ioctl(SIOCGIFINDEX) failed', errno: 'ENODEV' },
      where: 'link',
      message: 'cannot announce 192.0.2.50 on eth0 in network namespace lab-a: no such interface (ioctl(SIOCGIFINDEX) failed: ENODEV)',
    },
    {
      failure: { code: 'ARP_ERR_SEND_FAILED', detail: 'sendto failed', errno: 'ENOBUFS' },
      where: 'send',
      message: 'cannot announce 192.0.2.50 on eth0 in network namespace lab-a: the kernel refused the frame (sendto failed: ENOBUFS)',
    },
  ];
  for (const { failure, where, message } of cases) {
    it(`${failure.code} when ${where} fails`, async () => {
      await assert.rejects(refused(failure, where).announce('192.0.2.50'), (e: ArpError) => {
        assert.ok(e instanceof ArpError);
        assert.deepEqual([e.code, e.interface, e.netns, e.vip, e.errno], [failure.code, 'eth0', 'lab-a', '192.0.2.50', failure.errno]);
        assert.equal(e.message, message);
        return true;
      });
    });
  }

  it('open() reports the same failures ahead of any VIP', () => {
    const failure: LinkFailure = { code: 'ARP_ERR_NOT_ETHERNET', detail: 'link type 772, not ARPHRD_ETHER (1)' };
    assert.throws(
      () => refused(failure, 'link').open(),
      (e: ArpError) =>
        e.code === 'ARP_ERR_NOT_ETHERNET' &&
        e.message === 'cannot send on eth0 in network namespace lab-a: not an Ethernet interface, so ARP and neighbour discovery do not apply (link type 772, not ARPHRD_ETHER (1))',
    );
  });

  it('refuses what is not a VIP, and options out of range', async () => {
    const announcer = createAnnouncer({ interface: 'eth0', openSocket: () => assert.fail('no socket for a refused call') });
    await assert.rejects(announcer.announce('192.0.2.0/24'), (e: ArpError) => e.code === 'ARP_ERR_INVALID_ADDRESS' && /cannot announce 192.0.2.0\/24 on eth0: a VIP is a single address/.test(e.message));
    await assert.rejects(announcer.announce('fe80::1'), (e: ArpError) => e.code === 'ARP_ERR_INVALID_ADDRESS' && /link-local/.test(e.message));
    await assert.rejects(announcer.announce('192.0.2.50', { count: 0 }), (e: ArpError) => e.code === 'ARP_ERR_INVALID_OPTION' && /1 to 100 rounds, not 0/.test(e.message));
    await assert.rejects(announcer.announce('192.0.2.50', { intervalMs: -1 }), (e: ArpError) => e.code === 'ARP_ERR_INVALID_OPTION');
    assert.throws(() => announcer.refresh('192.0.2.50', { everyMs: 0 }), (e: ArpError) => e.code === 'ARP_ERR_INVALID_OPTION');
    assert.throws(() => createAnnouncer({ interface: 'a/b' }), (e: ArpError) => e.code === 'ARP_ERR_INVALID_OPTION');
    assert.throws(() => createAnnouncer({ interface: 'x'.repeat(16) }), (e: ArpError) => e.code === 'ARP_ERR_INVALID_OPTION');
  });
});
