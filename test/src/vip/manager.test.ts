// The manager's decisions against an in-memory kernel: what it sends, what it leaves alone, and
// how it reports each address. The real kernel is in netns.test.ts.
import { strict as assert } from 'node:assert';
import {
  VipError,
  createVipAddressManager,
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

/** A kernel address table in memory, keyed by canonical text, with knobs for misbehaviour. */
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

  put(text: string, proto: number): void {
    const [literal, length] = text.split('/') as [string, string];
    const bytes = literal.includes(':') ? (parseVipAddress(literal) as VipAddress).bytes : Uint8Array.from(literal.split('.').map(Number));
    this.addresses.set(text, { family: literal.includes(':') ? 10 : 2, prefixLength: Number(length), ifindex: 1, bytes, proto, flags: 0 });
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
        this.log.push(`apply ${changes.map((c) => `${c.kind} ${c.address.text}`).join(', ')}`);
        const sent = changes.slice(0, this.sendFailsAfter);
        const answers = sent.map(({ kind, address }) => {
          const refused = this.refuse.get(address.text);
          let errno = refused ?? 0;
          if (refused === undefined && kind === 'add') {
            if (this.addresses.has(address.text)) errno = EEXIST;
            else this.put(address.text, this.dropsProto ? 0 : proto);
          }
          if (refused === undefined && kind === 'remove' && !this.addresses.delete(address.text)) errno = EADDRNOTAVAIL;
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

  it('lists only ours', async () => {
    kernel.put('203.0.113.5/32', 0);
    kernel.put('192.0.2.0/24', OURS); // our number on something we never add: not ours
    await manager.add(['192.0.2.7', '2001:db8::7']);
    assert.deepEqual(await manager.listOwned(), ['192.0.2.7/32', '2001:db8::7/128']);
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
