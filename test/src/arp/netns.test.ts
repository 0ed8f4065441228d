// The announcer against real kernels, in a lab made for this run and deleted in `after` whatever
// happens: namespaces a, b and c each with an eth0 on one bridge (in namespace sw), as three nodes
// on a flat segment. a and c take turns holding the VIP; b is the neighbour that must follow.
// Documentation addresses only (RFC 5737, RFC 3849, RFC 7042 MACs); no host interface is touched.
import { strict as assert } from 'node:assert';
import { fileURLToPath } from 'node:url';
import { Lab, haveProgram, labSkipReason, waitFor } from '../../../integration/support/lab.js';
import { ArpError, createAnnouncer, type Announcer } from '../../../src/arp/index.js';
import { buildArpAnnouncement, buildGratuitousArpReply, buildUnsolicitedNeighborAdvertisement, EtherType } from '../../../src/arp/frames.js';
import { isLinkFailure, openPacketSocket } from '../../../src/arp/packet-socket.js';
import { ManualClock } from '../../../bgp/index.js';
import { hex, ipv4, ipv6 } from '../../support/bytes.js';
import { startCapture, type CapturedFrame } from './capture.js';

const childScript = fileURLToPath(new URL('./netns-child.js', import.meta.url));
const MAC = { a: '00:00:5e:00:53:0a', b: '00:00:5e:00:53:0b', c: '00:00:5e:00:53:0c' } as const;
const HOST = { a: 1, b: 2, c: 3 } as const;
type Node = keyof typeof MAC;
const octets = (mac: string) => Uint8Array.from(mac.split(':').map((o) => parseInt(o, 16)));

describe('layer-2 announcements between network namespaces (root only)', function () {
  this.timeout(60_000);
  let lab: Lab;
  const announcers: Announcer[] = [];

  const announcer = (node: Node): Announcer => {
    const made = createAnnouncer({ interface: 'eth0', netns: lab.ns(node) });
    announcers.push(made);
    return made;
  };
  const ip = (node: Node | 'sw', ...args: string[]) => lab.exec(node, 'ip', args);
  const sysctl = (node: Node, ...settings: string[]) => lab.exec(node, 'sysctl', ['-qw', ...settings]);
  /** The MAC b's kernel has for `address` on eth0, or undefined. */
  const neighbourInB = async (address: string): Promise<string | undefined> => {
    const entries = JSON.parse((await ip('b', '-json', 'neigh', 'show', 'to', address, 'dev', 'eth0')).stdout || '[]') as Array<{ lladdr?: string }>;
    return entries[0]?.lladdr;
  };
  const expectNeighbourInB = (address: string, node: Node) =>
    waitFor(`b's entry for ${address} to be ${node}'s MAC ${MAC[node]}`, async () => ((await neighbourInB(address)) === MAC[node] ? true : undefined), 5_000, 50);
  /** Moves a VIP from one node's eth0 to another's, as the ARP mode's election would. */
  const move = async (vip: string, from: Node | undefined, to: Node) => {
    const length = vip.includes(':') ? 128 : 32;
    if (from) await ip(from, 'addr', 'del', `${vip}/${length}`, 'dev', 'eth0');
    await ip(to, 'addr', 'add', `${vip}/${length}`, 'dev', 'eth0', ...(length === 128 ? ['nodad'] : []));
  };
  /** Traffic from b to the VIP (a UDP datagram) makes b's kernel resolve it the ordinary way. */
  const resolveFromB = async (vip: string) => {
    const send = `require('dgram').createSocket('${vip.includes(':') ? 'udp6' : 'udp4'}').send('x', 9, '${vip}', (e, _n) => process.exit(e ? 1 : 0))`;
    await lab.exec('b', process.execPath, ['-e', send]);
  };
  /** A TCP connection from b to the VIP reaches the node that says its name. */
  const whoAnswersFromB = async (vip: string, holder: Node): Promise<string> => {
    const server = `require('net').createServer((s) => s.end('${holder}')).listen(8080, '${vip}', () => console.log('up'))`;
    const child = lab.spawn(holder, process.execPath, ['-e', server]);
    await new Promise((resolve, reject) => {
      child.stdout!.once('data', resolve);
      child.once('exit', (code) => reject(new Error(`the server in ${holder} exited (${code}) before listening on ${vip}`)));
    });
    try {
      const client = `const s = require('net').connect(8080, '${vip}'); s.setTimeout(3000, () => process.exit(1)); s.pipe(process.stdout)`;
      return (await lab.exec('b', process.execPath, ['-e', client])).stdout;
    } finally {
      child.kill('SIGKILL');
    }
  };
  const from = (frames: CapturedFrame[], node: Node) => frames.filter((f) => f.text.startsWith(`${MAC[node]} >`));
  const gaps = (frames: CapturedFrame[]) => frames.slice(1).map((f, i) => f.time - frames[i]!.time);

  before(async function () {
    const why = labSkipReason() ?? (haveProgram('tcpdump') ? undefined : 'tcpdump is not installed');
    if (why) {
      console.log(`      skipped: ${why}`);
      this.skip();
    }
    lab = new Lab('arp');
    await lab.addNamespace('sw');
    await ip('sw', 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0');
    await ip('sw', 'link', 'set', 'br0', 'up');
    for (const node of ['a', 'b', 'c'] as const) {
      await lab.addNamespace(node);
      await lab.link(node, 'eth0', 'sw', `p${node}`);
      await ip('sw', 'link', 'set', `p${node}`, 'master', 'br0');
      await ip(node, 'link', 'set', 'eth0', 'down');
      await ip(node, 'link', 'set', 'eth0', 'address', MAC[node], 'up');
      await lab.addAddress(node, 'eth0', `192.0.2.${HOST[node]}/24`);
      await lab.addAddress(node, 'eth0', `2001:db8::${HOST[node]}/64`);
    }
  });

  after(async () => {
    for (const made of announcers) made.close();
    await lab?.destroy();
  });

  it('IPv4: a takeover burst from a gives b an entry at a’s MAC (arp_accept=1), 3 × (Request, Reply) 200 ms apart', async () => {
    await sysctl('b', 'net.ipv4.conf.all.arp_accept=1', 'net.ipv4.conf.eth0.arp_accept=1');
    await move('192.0.2.50', undefined, 'a');
    assert.equal(await neighbourInB('192.0.2.50'), undefined);
    const capture = await startCapture(lab, 'b', 'eth0');
    await announcer('a').announce('192.0.2.50');
    await expectNeighbourInB('192.0.2.50', 'a');

    const frames = from(await capture.stop(), 'a');
    const vip = Uint8Array.from(ipv4('192.0.2.50'));
    const request = hex(buildArpAnnouncement(octets(MAC.a), vip));
    const reply = hex(buildGratuitousArpReply(octets(MAC.a), vip));
    assert.deepEqual(frames.map((f) => f.hex), [request, reply, request, reply, request, reply]);
    for (const [i, frame] of frames.entries()) {
      assert.match(frame.text, new RegExp(`^${MAC.a} > ff:ff:ff:ff:ff:ff, ethertype ARP \\(0x0806\\), length 42: `));
      assert.match(frame.text, i % 2 ? /Reply 192\.0\.2\.50 is-at 00:00:5e:00:53:0a, length 28$/ : /Request who-has 192\.0\.2\.50 tell 192\.0\.2\.50, length 28$/);
    }
    const roundGaps = gaps(frames.filter((_, i) => i % 2 === 0));
    // Timers fire late, never early: the spacing is at least the interval, however loaded the machine.
    for (const gap of roundGaps) assert.ok(gap >= 0.18, `rounds ${gap.toFixed(3)} s apart`);
  });

  it('IPv4 failover: the VIP moves to c, c announces, and b’s entry and traffic follow to c', async () => {
    await move('192.0.2.50', 'a', 'c');
    assert.equal(await neighbourInB('192.0.2.50'), MAC.a, 'nothing but the announcement moves b');
    await announcer('c').announce('192.0.2.50');
    await expectNeighbourInB('192.0.2.50', 'c');
    assert.equal(await whoAnswersFromB('192.0.2.50', 'c'), 'c');
  });

  it('IPv4 with Linux’s default arp_accept=0: no new entry, but an existing one follows either form alone', async () => {
    await sysctl('b', 'net.ipv4.conf.all.arp_accept=0', 'net.ipv4.conf.eth0.arp_accept=0');
    await move('192.0.2.51', undefined, 'a');
    const capture = await startCapture(lab, 'b', 'eth0', 'arp');
    await announcer('a').announce('192.0.2.51', { count: 1 });
    // b's kernel has taken the frames in (they reached its eth0), and made no entry of them.
    await waitFor('the announcement at b', () => (from(capture.read(), 'a').length >= 2 ? true : undefined), 5_000, 20);
    await capture.stop();
    assert.equal(await neighbourInB('192.0.2.51'), undefined, 'b learns nothing new from gratuitous ARP');
    await resolveFromB('192.0.2.51');
    await expectNeighbourInB('192.0.2.51', 'a');

    const vip = Uint8Array.from(ipv4('192.0.2.51'));
    const sendOne = (node: Node, frame: (mac: Uint8Array, ip: Uint8Array) => Uint8Array) => {
      const socket = openPacketSocket({ interface: 'eth0', netns: lab.ns(node) });
      assert.ok(!isLinkFailure(socket));
      try {
        const link = socket.link();
        assert.ok(!isLinkFailure(link));
        assert.equal(socket.send(frame(link.mac, vip), EtherType.Arp, link.index), undefined);
      } finally {
        socket.close();
      }
    };
    await move('192.0.2.51', 'a', 'c');
    sendOne('c', buildArpAnnouncement);
    await expectNeighbourInB('192.0.2.51', 'c');
    await move('192.0.2.51', 'c', 'a');
    sendOne('a', buildGratuitousArpReply);
    await expectNeighbourInB('192.0.2.51', 'a');
  });

  it('IPv6: b ignores an NA for an address it has no entry for, then follows a failover with Override', async () => {
    await move('2001:db8::50', undefined, 'a');
    const first = await startCapture(lab, 'b', 'eth0');
    await announcer('a').announce('2001:db8::50', { count: 1 });
    await waitFor('the NA at b', () => (from(first.read(), 'a').some((f) => f.text.includes('neighbor advertisement')) ? true : undefined), 5_000, 20);
    await first.stop();
    assert.equal(await neighbourInB('2001:db8::50'), undefined, 'accept_untracked_na is 0 by default');
    await resolveFromB('2001:db8::50');
    await expectNeighbourInB('2001:db8::50', 'a');

    await move('2001:db8::50', 'a', 'c');
    assert.equal(await neighbourInB('2001:db8::50'), MAC.a);
    const capture = await startCapture(lab, 'b', 'eth0');
    await announcer('c').announce('2001:db8::50');
    await expectNeighbourInB('2001:db8::50', 'c');
    assert.equal(await whoAnswersFromB('2001:db8::50', 'c'), 'c');

    const frames = from(await capture.stop(), 'c').filter((f) => f.text.includes('neighbor advertisement'));
    const na = hex(buildUnsolicitedNeighborAdvertisement({ mac: octets(MAC.c), target: Uint8Array.from(ipv6('2001:db8::50')) }));
    assert.deepEqual(frames.map((f) => f.hex), [na, na, na]);
    for (const frame of frames) {
      assert.match(frame.text, /^00:00:5e:00:53:0c > 33:33:00:00:00:01, ethertype IPv6 \(0x86dd\), length 86: \(hlim 255, next-header ICMPv6 \(58\) payload length: 32\)/);
      assert.match(frame.text, /2001:db8::50 > ff02::1: \[icmp6 sum ok\] ICMP6, neighbor advertisement, length 32, tgt is 2001:db8::50, Flags \[override\]/);
      assert.match(frame.text, /destination link-address option \(2\), length 8 \(1\): 00:00:5e:00:53:0c/);
    }
    for (const gap of gaps(frames)) assert.ok(gap >= 0.95, `NAs ${gap.toFixed(3)} s apart (RFC 4861 §7.2.6: at least RetransTimer)`);
  });

  it('refresh() resends from the holder every `everyMs` until stop()', async () => {
    const clock = new ManualClock();
    const c = createAnnouncer({ interface: 'eth0', netns: lab.ns('c'), clock });
    announcers.push(c);
    const capture = await startCapture(lab, 'b', 'eth0', 'arp');
    const refresh = c.refresh('192.0.2.50', { everyMs: 200 });
    await clock.advanceAsync(200);
    await clock.advanceAsync(200);
    await waitFor('two refresh rounds', () => (from(capture.read(), 'c').length >= 4 ? true : undefined), 5_000, 20);
    refresh.stop();
    assert.equal(clock.pending, 0, 'no timer left after stop()');
    await clock.advanceAsync(2_000);
    // A marker from a: once it is in, every frame c sent before it is in too.
    await announcer('a').announce('192.0.2.59', { count: 1 });
    await waitFor('the marker from a', () => (from(capture.read(), 'a').length >= 2 ? true : undefined), 5_000, 20);
    const frames = from(await capture.stop(), 'c');
    assert.equal(frames.length, 4, 'two rounds of (Request, Reply), none after stop()');
    assert.equal(refresh.lastError, undefined);
  });

  describe('errors from the real kernel', () => {
    const code = async (promise: Promise<unknown>) => {
      try {
        await promise;
        return 'no error';
      } catch (error) {
        assert.ok(error instanceof ArpError, String(error));
        return error.code;
      }
    };

    it('ARP_ERR_NO_SUCH_INTERFACE, ARP_ERR_NOT_ETHERNET, ARP_ERR_INTERFACE_DOWN, ARP_ERR_NO_SUCH_NETNS', async () => {
      await ip('b', 'link', 'add', 'spare0', 'type', 'veth', 'peer', 'name', 'spare1'); // inside b, left down
      const inB = (ifname: string) => {
        const made = createAnnouncer({ interface: ifname, netns: lab.ns('b') });
        announcers.push(made);
        return made;
      };
      await assert.rejects(inB('nope0').announce('192.0.2.60'), (e: ArpError) => {
        assert.equal(e.code, 'ARP_ERR_NO_SUCH_INTERFACE');
        assert.match(e.message, new RegExp(`^cannot announce 192\\.0\\.2\\.60 on nope0 in network namespace ${lab.ns('b')}: no such interface \\(ioctl\\(SIOCGIFINDEX\\) failed: ENODEV\\)$`));
        return true;
      });
      assert.equal(await code(inB('lo').announce('192.0.2.60')), 'ARP_ERR_NOT_ETHERNET');
      assert.equal(await code(inB('spare0').announce('2001:db8::60')), 'ARP_ERR_INTERFACE_DOWN');
      const missing = createAnnouncer({ interface: 'eth0', netns: `${lab.id}-missing` });
      assert.equal(await code(missing.announce('192.0.2.60')), 'ARP_ERR_NO_SUCH_NETNS');
      assert.throws(() => missing.open(), (e: ArpError) => e.code === 'ARP_ERR_NO_SUCH_NETNS');
    });

    it('ARP_ERR_PERMISSION for a process without CAP_NET_RAW', async function () {
      if (!haveProgram('setpriv')) {
        console.log('      skipped: setpriv (util-linux) is needed to drop CAP_NET_RAW');
        this.skip();
      }
      // Inside the namespace already, so even a bug could only reach the lab's segment.
      const drop = ['--bounding-set=-net_raw', '--inh-caps=-net_raw', process.execPath, childScript];
      const { stdout } = await lab.exec('b', 'setpriv', [...drop, JSON.stringify({ interface: 'eth0', vip: '192.0.2.60' })]);
      const line = JSON.parse(stdout) as { code: string; message: string };
      assert.equal(line.code, 'ARP_ERR_PERMISSION');
      assert.equal(line.message, 'cannot announce 192.0.2.60 on eth0: vip-speaker needs CAP_NET_RAW to send ARP and NDP frames (and CAP_SYS_ADMIN to enter a namespace) (socket(AF_PACKET, SOCK_RAW) failed: EPERM)');
    });
  });
});
