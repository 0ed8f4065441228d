// The manager's decisions against an in-memory kernel: what it sends, what it leaves alone, and
// how it reports each address. The real kernel is in netns.test.ts.
import { strict as assert } from 'node:assert';
import {
  VipError,
  createVipAddressManager,
  formatAddress,
  inPlace,
  parseVipAddress,
  type AddressTable,
  type KernelAddress,
  type VipAddress,
  type VipAddressManager,
} from '../../../src/vip/index.js';

const OURS = 86;
const EEXIST = 17;
const EADDRNOTAVAIL = 99;

/** A kernel address table in memory, keyed as the kernel shows it ('192.0.2.50/24'), with knobs for misbehaviour. */
class FakeKernel {
  readonly addresses = new Map<string, KernelAddress>();
  readonly log: string[] = [];
  up = true;
  exists = true;
  /** errno to answer for these addresses. */
  readonly refuse = new Map<string, number>();
  /** A kernel before 5.18: IFA_PROTO is silently dropped. */
  dropsProto = false;
  /** ACKs lost (ENOBUFS) while the changes themselves happen. */
  losesAcks = false;
  /** send(2) fails after this many changes: the rest are never sent. */
  sendFailsAfter = Infinity;
  /** promote_secondaries off: deleting a subnet's primary IPv4 address deletes its secondaries too. */
  dropsSecondaries = false;

  put(text: string, proto: number): void {
    const [literal, length] = text.split('/') as [string, string];
    const bytes = literal.includes(':') ? (parseVipAddress(literal) as VipAddress).bytes : Uint8Array.from(literal.split('.').map(Number));
    this.addresses.set(text, { family: literal.includes(':') ? 10 : 2, prefixLength: Number(length), ifindex: 1, bytes, proto, flags: 0 });
  }

  /** As the kernel refuses a second one: IPv4 the same address at the same length, IPv6 the same address at any. */
  private has(address: VipAddress, key: string): boolean {
    if (address.family === 2) return this.addresses.has(key);
    return [...this.addresses.values()].some((a) => a.family === 10 && Buffer.from(a.bytes).equals(Buffer.from(address.bytes)));
  }

  /** The other IPv4 addresses of `key`'s subnet at its length, when `key` is their primary (the first added). */
  private secondariesOf(key: string): string[] {
    const primary = this.addresses.get(key);
    if (!primary || primary.family !== 2 || primary.prefixLength === 32) return [];
    const network = (a: KernelAddress) => (Buffer.from(a.bytes).readUInt32BE(0) >>> (32 - primary.prefixLength)) >>> 0;
    const subnet = [...this.addresses.entries()].filter(([, a]) => a.family === 2 && a.prefixLength === primary.prefixLength && network(a) === network(primary));
    return subnet[0]?.[0] === key ? subnet.slice(1).map(([k]) => k) : [];
  }

  table(proto = OURS): AddressTable {
    return {
      link: async () => {
        this.log.push('link');
        if (!this.exists) throw new VipError('VIP_ERR_NO_SUCH_INTERFACE', 'no interface named lo (ENODEV)', { interface: 'lo', errno: 'ENODEV' });
        return { ifindex: 1, name: 'lo', up: this.up };
      },
      addresses: async () => {
        this.log.push('dump');
        return [...this.addresses.values()];
      },
      apply: async (_ifindex, changes) => {
        const keyOf = (c: (typeof changes)[number]) => formatAddress(c.address.family, c.address.bytes, c.prefixLength);
        this.log.push(`apply ${changes.map((c) => `${c.kind} ${keyOf(c)}`).join(', ')}`);
        const sent = changes.slice(0, this.sendFailsAfter);
        const answers = sent.map((change) => {
          const key = keyOf(change);
          const refused = this.refuse.get(key);
          let errno = refused ?? 0;
          if (refused === undefined && change.kind === 'add') {
            if (this.has(change.address, key)) errno = EEXIST;
            else this.put(key, this.dropsProto ? 0 : proto);
          }
          if (refused === undefined && change.kind === 'remove') {
            const secondaries = this.secondariesOf(key);
            if (!this.addresses.delete(key)) errno = EADDRNOTAVAIL;
            else if (this.dropsSecondaries) for (const k of secondaries) this.addresses.delete(k);
          }
          return this.losesAcks ? undefined : { errno };
        });
        if (sent.length === changes.length) return { answers };
        const stoppedBy = new VipError('VIP_ERR_NETLINK_FAILED', 'netlink I/O for lo failed: send of 20480 octets returned -1 (ENOBUFS)', { interface: 'lo', errno: 'ENOBUFS' });
        return { answers, stoppedBy };
      },
      close: () => this.log.push('close'),
    };
  }
}

describe('VIP address manager (in-memory kernel)', () => {
  let kernel: FakeKernel;
  let manager: VipAddressManager;
  beforeEach(() => {
    kernel = new FakeKernel();
    manager = createVipAddressManager({ interface: 'lo', openTable: (o) => kernel.table(o.proto) });
  });

  it('adds what is missing, in one apply, and reports canonical forms in input order', async () => {
    const result = await manager.add(['2001:db8::7', '192.0.2.7', '198.51.100.1/32']);
    assert.deepEqual(result, { done: ['2001:db8::7/128', '192.0.2.7/32', '198.51.100.1/32'], foreign: [], failed: [], interfaceUp: true });
    assert.deepEqual(kernel.log, ['link', 'dump', 'apply add 2001:db8::7/128, add 192.0.2.7/32, add 198.51.100.1/32', 'dump', 'close']);
  });

  it('is idempotent: ours already there is done and nothing is sent', async () => {
    await manager.add(['192.0.2.7']);
    kernel.log.length = 0;
    const result = await manager.add(['192.0.2.7/32']);
    assert.deepEqual(result.done, ['192.0.2.7/32']);
    assert.deepEqual(kernel.log, ['link', 'dump', 'close']);
  });

  it('treats two spellings of one address as one', async () => {
    const result = await manager.add(['192.0.2.7', '192.0.2.7/32', '2001:DB8::7', '2001:db8:0::7/128']);
    assert.deepEqual(result.done, ['192.0.2.7/32', '2001:db8::7/128']);
  });

  it('leaves an address without our mark alone, and counts it as in place', async () => {
    kernel.put('203.0.113.5/32', 0);
    const result = await manager.add(['203.0.113.5', '192.0.2.7']);
    assert.deepEqual(result.foreign, ['203.0.113.5/32']);
    assert.deepEqual(result.done, ['192.0.2.7/32']);
    assert.deepEqual(inPlace(result), ['192.0.2.7/32', '203.0.113.5/32']);
    assert.ok(!kernel.log.some((l) => l.includes('203.0.113.5')), 'never sent to the kernel');
    assert.equal(kernel.addresses.get('203.0.113.5/32')?.proto, 0);
  });

  it('an address with another program’s mark is foreign too', async () => {
    kernel.put('192.0.2.9/32', 99);
    assert.deepEqual((await manager.add(['192.0.2.9'])).foreign, ['192.0.2.9/32']);
    assert.deepEqual((await manager.remove(['192.0.2.9'])).foreign, ['192.0.2.9/32']);
    assert.ok(kernel.addresses.has('192.0.2.9/32'));
  });

  it('reports exactly which addresses the kernel refused, and why', async () => {
    kernel.refuse.set('2001:db8::9/128', 13); // EACCES: disable_ipv6
    const result = await manager.add(['192.0.2.7', '2001:db8::9', '2001:db8::7']);
    assert.deepEqual(result.done, ['192.0.2.7/32', '2001:db8::7/128']);
    assert.equal(result.failed.length, 1);
    assert.equal(result.failed[0]!.address, '2001:db8::9/128');
    assert.equal(result.failed[0]!.error.code, 'VIP_ERR_IPV6_DISABLED');
    assert.match(result.failed[0]!.error.message, /^cannot add 2001:db8::9\/128 to lo: IPv6 is disabled/);
  });

  it('refuses what is not a VIP and still adds the rest', async () => {
    const result = await manager.add(['192.0.2.0/24', '192.0.2.7', '127.0.0.1']);
    assert.deepEqual(result.done, ['192.0.2.7/32']);
    assert.deepEqual(
      result.failed.map((f) => [f.address, f.error.code]),
      [
        ['192.0.2.0/24', 'VIP_ERR_INVALID_ADDRESS'],
        ['127.0.0.1', 'VIP_ERR_INVALID_ADDRESS'],
      ],
    );
    assert.match(result.failed[1]!.error.message, /^cannot add 127\.0\.0\.1 to lo: a loopback/);
  });

  it('rolls back and reports VIP_ERR_MARK_NOT_KEPT when the kernel drops IFA_PROTO', async () => {
    kernel.dropsProto = true;
    const result = await manager.add(['192.0.2.7']);
    assert.deepEqual(result.done, []);
    assert.equal(result.failed[0]?.error.code, 'VIP_ERR_MARK_NOT_KEPT');
    assert.equal(kernel.addresses.size, 0, 'the unmarked address was taken back');
  });

  it('trusts the second dump over lost ACKs', async () => {
    kernel.losesAcks = true;
    assert.deepEqual((await manager.add(['192.0.2.7'])).done, ['192.0.2.7/32']);
    assert.deepEqual((await manager.remove(['192.0.2.7'])).done, ['192.0.2.7/32']);
  });

  it('says when a change was neither acknowledged nor made', async () => {
    kernel.losesAcks = true;
    kernel.refuse.set('192.0.2.7/32', 12);
    const result = await manager.add(['192.0.2.7']);
    assert.equal(result.failed[0]?.error.code, 'VIP_ERR_NETLINK_FAILED');
    assert.match(result.failed[0]!.error.message, /no answer from the kernel and the address is not there/);
  });

  it('when a send fails midway, reports what went in and gives the rest the error that stopped it', async () => {
    kernel.sendFailsAfter = 2;
    const result = await manager.add(['192.0.2.1', '192.0.2.2', '192.0.2.3']);
    assert.deepEqual(result.done, ['192.0.2.1/32', '192.0.2.2/32']);
    assert.deepEqual(result.failed.map((f) => [f.address, f.error.code, f.error.errno]), [['192.0.2.3/32', 'VIP_ERR_NETLINK_FAILED', 'ENOBUFS']]);
    assert.match(result.failed[0]!.error.message, /^cannot add 192\.0\.2\.3\/32 to lo: the batch stopped before it \(netlink I\/O/);
  });

  it('removes only ours; absent is done; foreign is untouched', async () => {
    await manager.add(['192.0.2.7', '2001:db8::7']);
    kernel.put('203.0.113.5/32', 0);
    kernel.log.length = 0;
    const result = await manager.remove(['192.0.2.7', '198.51.100.9', '203.0.113.5', '2001:db8::7']);
    assert.deepEqual(result.done, ['192.0.2.7/32', '198.51.100.9/32', '2001:db8::7/128']);
    assert.deepEqual(result.foreign, ['203.0.113.5/32']);
    assert.deepEqual([...kernel.addresses.keys()], ['203.0.113.5/32']);
    assert.deepEqual(kernel.log, ['link', 'dump', 'apply remove 192.0.2.7/32, remove 2001:db8::7/128', 'dump', 'close']);
  });

  it('reports a removal the kernel refused', async () => {
    await manager.add(['192.0.2.7']);
    kernel.refuse.set('192.0.2.7/32', 1);
    const result = await manager.remove(['192.0.2.7']);
    assert.equal(result.failed[0]?.error.code, 'VIP_ERR_PERMISSION');
    assert.match(result.failed[0]!.error.message, /^cannot remove 192\.0\.2\.7\/32 from lo/);
  });

  it('lists only ours, once each, by host form', async () => {
    kernel.put('203.0.113.5/32', 0);
    kernel.put('127.0.0.2/8', OURS); // our number on what can never be a VIP: not ours
    kernel.put('198.51.100.9/24', OURS); // ours, placed with a wider prefix
    await manager.add(['192.0.2.7', '2001:db8::7']);
    assert.deepEqual(await manager.listOwned(), ['198.51.100.9/32', '192.0.2.7/32', '2001:db8::7/128']);
  });

  it('removeStale removes every owned address not kept, whatever the spelling of the keep set', async () => {
    await manager.add(['192.0.2.7', '192.0.2.8', '2001:db8::7', '2001:db8::8']);
    kernel.put('203.0.113.5/32', 0);
    const result = await manager.removeStale(new Set(['192.0.2.7', '2001:DB8::7/128']));
    assert.deepEqual(result.done, ['192.0.2.8/32', '2001:db8::8/128']);
    assert.deepEqual([...kernel.addresses.keys()].sort(), ['192.0.2.7/32', '2001:db8::7/128', '203.0.113.5/32']);
  });

  it('reports the interface down', async () => {
    kernel.up = false;
    assert.equal((await manager.add(['192.0.2.7'])).interfaceUp, false);
  });

  it('rejects with VIP_ERR_NO_SUCH_INTERFACE when nothing can be tried, and closes the table', async () => {
    kernel.exists = false;
    await assert.rejects(manager.add(['192.0.2.7']), (e: VipError) => e.code === 'VIP_ERR_NO_SUCH_INTERFACE');
    await assert.rejects(manager.listOwned(), (e: VipError) => e.code === 'VIP_ERR_NO_SUCH_INTERFACE');
    assert.deepEqual(kernel.log, ['link', 'close', 'link', 'close']);
  });

  it('runs one operation at a time', async () => {
    await Promise.all([manager.add(['192.0.2.7']), manager.remove(['192.0.2.7']), manager.listOwned()]);
    assert.deepEqual(kernel.log, [
      'link', 'dump', 'apply add 192.0.2.7/32', 'dump', 'close',
      'link', 'dump', 'apply remove 192.0.2.7/32', 'dump', 'close',
      'link', 'dump', 'close',
    ]);
  });

  it('keeps going after a failed operation', async () => {
    kernel.exists = false;
    await assert.rejects(manager.listOwned());
    kernel.exists = true;
    assert.deepEqual(await manager.listOwned(), []);
  });

  describe('options', () => {
    for (const proto of [0, 1, 3, 256, 86.5, -1]) {
      it(`refuses address protocol ${proto}`, () => {
        assert.throws(() => createVipAddressManager({ interface: 'lo', proto }), (e: VipError) => e.code === 'VIP_ERR_INVALID_OPTION');
      });
    }
    for (const name of ['', 'a'.repeat(16), 'eth0:1', 'a/b', 'a b', '.', '..']) {
      it(`refuses interface name '${name}'`, () => {
        assert.throws(() => createVipAddressManager({ interface: name }), (e: VipError) => e.code === 'VIP_ERR_INVALID_OPTION');
      });
    }
    it('takes 4 and 255, and a 15-octet name', () => {
      createVipAddressManager({ interface: 'lo', proto: 4 });
      createVipAddressManager({ interface: 'a'.repeat(15), proto: 255 });
    });
    it('uses its own proto number to tell ours', async () => {
      const other = createVipAddressManager({ interface: 'lo', proto: 200, openTable: (o) => kernel.table(o.proto) });
      await manager.add(['192.0.2.7']);
      assert.deepEqual(await other.listOwned(), []);
      assert.deepEqual((await other.remove(['192.0.2.7'])).foreign, ['192.0.2.7/32']);
    });
  });
});

describe('VIP address manager with a prefix length (in-memory kernel)', () => {
  let kernel: FakeKernel;
  let wide: VipAddressManager;
  let host: VipAddressManager;
  beforeEach(() => {
    kernel = new FakeKernel();
    wide = createVipAddressManager({ interface: 'eth0', prefixLength: { ipv4: 24, ipv6: 64 }, openTable: (o) => kernel.table(o.proto) });
    host = createVipAddressManager({ interface: 'eth0', openTable: (o) => kernel.table(o.proto) });
  });

  it('places each VIP with its family’s length, and still names it by its host form', async () => {
    const result = await wide.add(['192.0.2.50', '2001:db8::50/128']);
    assert.deepEqual(result, { done: ['192.0.2.50/32', '2001:db8::50/128'], foreign: [], failed: [], interfaceUp: true });
    assert.deepEqual(kernel.log, ['link', 'dump', 'apply add 192.0.2.50/24, add 2001:db8::50/64', 'dump', 'close']);
    assert.deepEqual([...kernel.addresses.keys()], ['192.0.2.50/24', '2001:db8::50/64']);
    assert.deepEqual(await wide.listOwned(), ['192.0.2.50/32', '2001:db8::50/128']);
  });

  it('is idempotent: ours at the configured length is done and nothing is sent', async () => {
    await wide.add(['192.0.2.50']);
    kernel.log.length = 0;
    assert.deepEqual((await wide.add(['192.0.2.50/32'])).done, ['192.0.2.50/32']);
    assert.deepEqual(kernel.log, ['link', 'dump', 'close']);
  });

  it('still takes host forms only: a prefix is configured, never asked for', async () => {
    const result = await wide.add(['192.0.2.0/24']);
    assert.deepEqual(result.failed.map((f) => [f.address, f.error.code]), [['192.0.2.0/24', 'VIP_ERR_INVALID_ADDRESS']]);
    assert.equal(kernel.addresses.size, 0);
  });

  it('removes at the length the kernel shows', async () => {
    await wide.add(['192.0.2.50', '2001:db8::50']);
    kernel.log.length = 0;
    const result = await wide.remove(['192.0.2.50', '2001:db8::50']);
    assert.deepEqual(result.done, ['192.0.2.50/32', '2001:db8::50/128']);
    assert.deepEqual(kernel.log, ['link', 'dump', 'apply remove 192.0.2.50/24, remove 2001:db8::50/64', 'dump', 'close']);
    assert.equal(kernel.addresses.size, 0);
  });

  it('removes ours whatever length it was placed with, whatever the manager’s own', async () => {
    await wide.add(['192.0.2.50']);
    assert.deepEqual((await host.remove(['192.0.2.50'])).done, ['192.0.2.50/32']);
    assert.equal(kernel.addresses.size, 0);
  });

  it('replaces ours found at another length (an earlier setting), removing it first, IPv6 refusing one address twice', async () => {
    kernel.put('192.0.2.50/32', OURS);
    kernel.put('2001:db8::50/128', OURS);
    const result = await wide.add(['192.0.2.50', '2001:db8::50']);
    assert.deepEqual(result.done, ['192.0.2.50/32', '2001:db8::50/128']);
    assert.deepEqual(kernel.log, ['link', 'dump', 'apply remove 192.0.2.50/32, add 192.0.2.50/24, remove 2001:db8::50/128, add 2001:db8::50/64', 'dump', 'close']);
    assert.deepEqual([...kernel.addresses.keys()], ['192.0.2.50/24', '2001:db8::50/64']);
  });

  it('goes back to host prefixes the same way', async () => {
    await wide.add(['192.0.2.50']);
    await host.add(['192.0.2.50']);
    assert.deepEqual([...kernel.addresses.keys()], ['192.0.2.50/32']);
  });

  it('drops an extra length of its own, keeping the configured one (IPv4 holds both at once)', async () => {
    kernel.put('192.0.2.50/24', OURS);
    kernel.put('192.0.2.50/32', OURS);
    assert.deepEqual(await wide.listOwned(), ['192.0.2.50/32']);
    assert.deepEqual((await wide.add(['192.0.2.50'])).done, ['192.0.2.50/32']);
    assert.deepEqual([...kernel.addresses.keys()], ['192.0.2.50/24']);
  });

  it('removes every length of its own at once', async () => {
    kernel.put('192.0.2.50/24', OURS);
    kernel.put('192.0.2.50/32', OURS);
    assert.deepEqual((await host.remove(['192.0.2.50'])).done, ['192.0.2.50/32']);
    assert.equal(kernel.addresses.size, 0);
  });

  it('leaves an address of another at any length alone, and counts it as in place', async () => {
    kernel.put('192.0.2.50/32', 0);
    kernel.put('2001:db8::50/128', 99);
    const result = await wide.add(['192.0.2.50', '2001:db8::50']);
    assert.deepEqual(result.foreign, ['192.0.2.50/32', '2001:db8::50/128']);
    assert.deepEqual(kernel.log, ['link', 'dump', 'close']);
    assert.deepEqual((await wide.remove(['192.0.2.50'])).foreign, ['192.0.2.50/32']);
  });

  it('says why a replacement failed: the old length could not go, so IPv6 could not take the new', async () => {
    kernel.put('2001:db8::50/128', OURS);
    kernel.refuse.set('2001:db8::50/128', 1); // EPERM
    const result = await wide.add(['2001:db8::50']);
    assert.deepEqual(result.failed.map((f) => [f.address, f.error.code, f.error.errno]), [['2001:db8::50/128', 'VIP_ERR_PERMISSION', 'EPERM']]);
    assert.match(result.failed[0]!.error.message, /^cannot add 2001:db8::50\/128 to eth0: vip-speaker needs CAP_NET_ADMIN \(EPERM\)/);
    assert.deepEqual([...kernel.addresses.keys()], ['2001:db8::50/128']);
  });

  it('says when the kernel still shows the old length after acknowledging both changes', async () => {
    kernel.put('2001:db8::50/128', OURS);
    const table = kernel.table();
    const stubborn = createVipAddressManager({
      interface: 'eth0',
      prefixLength: { ipv4: 24, ipv6: 64 },
      openTable: () => ({ ...table, apply: async (_i, changes) => ({ answers: changes.map(() => ({ errno: 0 })) }) }),
    });
    const result = await stubborn.add(['2001:db8::50']);
    assert.equal(result.failed[0]?.error.code, 'VIP_ERR_NETLINK_FAILED');
    assert.match(result.failed[0]!.error.message, /cannot add 2001:db8::50\/128 to eth0: the kernel still shows it as \/128, not \/64/);
  });

  it('rolls back at the placed length when the kernel drops IFA_PROTO', async () => {
    kernel.dropsProto = true;
    const result = await wide.add(['192.0.2.50']);
    assert.equal(result.failed[0]?.error.code, 'VIP_ERR_MARK_NOT_KEPT');
    assert.equal(kernel.log.at(-2), 'apply remove 192.0.2.50/24');
    assert.equal(kernel.addresses.size, 0);
  });

  it('puts back ours that went along with their subnet’s primary address (promote_secondaries off)', async () => {
    kernel.dropsSecondaries = true;
    await wide.add(['192.0.2.50', '192.0.2.51', '192.0.2.52']);
    kernel.log.length = 0;
    const result = await wide.remove(['192.0.2.50']);
    assert.deepEqual(result, { done: ['192.0.2.50/32'], foreign: [], failed: [], interfaceUp: true });
    assert.deepEqual(kernel.log, ['link', 'dump', 'apply remove 192.0.2.50/24', 'dump', 'apply add 192.0.2.51/24, add 192.0.2.52/24', 'dump', 'close']);
    assert.deepEqual(await wide.listOwned(), ['192.0.2.51/32', '192.0.2.52/32']);
  });

  it('puts them back after a replacement too, and leaves them alone when the kernel promotes them', async () => {
    kernel.put('192.0.2.50/24', OURS);
    kernel.put('192.0.2.51/24', OURS);
    kernel.dropsSecondaries = true;
    const narrow = createVipAddressManager({ interface: 'eth0', prefixLength: { ipv4: 25, ipv6: 64 }, openTable: (o) => kernel.table(o.proto) });
    assert.deepEqual((await narrow.add(['192.0.2.50'])).done, ['192.0.2.50/32']);
    assert.deepEqual([...kernel.addresses.keys()].sort(), ['192.0.2.50/25', '192.0.2.51/24']);
    kernel.dropsSecondaries = false;
    kernel.log.length = 0;
    await narrow.add(['192.0.2.51']);
    assert.deepEqual(kernel.log, ['link', 'dump', 'apply remove 192.0.2.51/24, add 192.0.2.51/25', 'dump', 'close']);
  });

  it('reports one it could not put back, by its own address', async () => {
    kernel.dropsSecondaries = true;
    await wide.add(['192.0.2.50', '192.0.2.51']);
    kernel.refuse.set('192.0.2.51/24', 1); // EPERM, for the putting back
    const result = await wide.remove(['192.0.2.50']);
    assert.deepEqual(result.done, ['192.0.2.50/32']);
    assert.deepEqual(result.failed.map((f) => [f.address, f.error.code]), [['192.0.2.51/32', 'VIP_ERR_PERMISSION']]);
    assert.match(result.failed[0]!.error.message, /^cannot add 192\.0\.2\.51\/32 to eth0: vip-speaker needs CAP_NET_ADMIN/);
  });

  it('says why when the kernel took it away and did not take it back', async () => {
    kernel.dropsSecondaries = true;
    await wide.add(['192.0.2.50', '192.0.2.51']);
    let applies = 0;
    const forgetful = createVipAddressManager({
      interface: 'eth0',
      prefixLength: { ipv4: 24, ipv6: 64 },
      openTable: (o) => {
        const table = kernel.table(o.proto);
        // The second batch (the putting back) is lost whole: no ACK, no change.
        return { ...table, apply: async (i, changes) => (++applies === 1 ? table.apply(i, changes) : { answers: changes.map(() => undefined) }) };
      },
    });
    const result = await forgetful.remove(['192.0.2.50']);
    assert.deepEqual(result.done, ['192.0.2.50/32']);
    assert.deepEqual(result.failed.map((f) => [f.address, f.error.code]), [['192.0.2.51/32', 'VIP_ERR_NETLINK_FAILED']]);
    assert.equal(
      result.failed[0]!.error.message,
      'cannot add 192.0.2.51/32 to eth0: deleting another address of its subnet took it along (net.ipv4.conf.eth0.promote_secondaries is off) and it is not back',
    );
  });

  it('removeStale finds ours at any length and removes it at that length', async () => {
    kernel.put('192.0.2.60/24', OURS);
    kernel.put('2001:db8::60/64', OURS);
    kernel.put('192.0.2.61/32', OURS);
    kernel.put('198.51.100.5/24', 0);
    const result = await host.removeStale(new Set(['192.0.2.61']));
    assert.deepEqual(result.done, ['192.0.2.60/32', '2001:db8::60/128']);
    assert.ok(kernel.log.includes('apply remove 192.0.2.60/24, remove 2001:db8::60/64'), kernel.log.join('\n'));
    assert.deepEqual([...kernel.addresses.keys()], ['192.0.2.61/32', '198.51.100.5/24']);
  });

  describe('options', () => {
    for (const prefixLength of [{ ipv4: 0, ipv6: 64 }, { ipv4: 33, ipv6: 64 }, { ipv4: 24.5, ipv6: 64 }, { ipv4: 24, ipv6: 0 }, { ipv4: 24, ipv6: 129 }, { ipv4: Number.NaN, ipv6: 64 }]) {
      it(`refuses prefix lengths ${JSON.stringify(prefixLength)}`, () => {
        assert.throws(
          () => createVipAddressManager({ interface: 'eth0', prefixLength }),
          (e: VipError) => e.code === 'VIP_ERR_INVALID_OPTION' && /prefix length .* for eth0 is out of range: 1 to (32|128)$/.test(e.message),
        );
      });
    }
    it('takes 1 to 32 and 1 to 128', () => {
      createVipAddressManager({ interface: 'eth0', prefixLength: { ipv4: 1, ipv6: 1 } });
      createVipAddressManager({ interface: 'eth0', prefixLength: { ipv4: 32, ipv6: 128 } });
    });
  });
});
