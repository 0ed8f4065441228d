// The local-route placer's decisions against an in-memory routing table: what it sends, how each
// answer (silence, EEXIST, ESRCH, a refusal, a lost answer) becomes done, foreign or failed, and
// that progress hears of each chunk as it lands. The real kernel is in netns-routes.test.ts.
import { strict as assert } from 'node:assert';
import { AddressFamily, VipError, createLocalRoutePlacer, formatAddress } from '../../../src/vip/index.js';
import type { KernelLink, NetlinkAck } from '../../../src/vip/netlink-messages.js';
import type { AppliedRoutes, LocalRouteTable, RouteChunk, RouteDestination } from '../../../src/vip/route-table.js';

const OURS = 86;
const EEXIST = 17;
const ESRCH = 3;
const EPERM = 1;

const key = (d: RouteDestination) => (typeof d === 'number' ? formatAddress(AddressFamily.Inet, Uint8Array.of(d >>> 24, (d >>> 16) & 0xff, (d >>> 8) & 0xff, d & 0xff), 32) : formatAddress(AddressFamily.Inet6, d, 128));

/** The local table of one interface: who owns each route, with knobs for misbehaviour. */
class FakeRoutes {
  /** canonical text → protocol */
  readonly routes = new Map<string, number>();
  readonly log: string[] = [];
  chunkSize = 3;
  /** errno for these routes on any request. */
  readonly refuse = new Map<string, number>();
  /** Answers are dropped (ENOBUFS) while the changes themselves happen. */
  losesAnswers = false;
  /** send(2) fails at this chunk: the rest are never sent. */
  failsAtChunk = Infinity;

  table(): LocalRouteTable {
    return {
      link: async (): Promise<KernelLink> => ({ ifindex: 1, name: 'lo', up: true }),
      owned: async (_ifindex, family) =>
        [...this.routes]
          .filter(([k, p]) => p === OURS && k.includes(':') === (family === AddressFamily.Inet6))
          .map(([k]) => {
            const [literal] = k.split('/') as [string];
            if (family === AddressFamily.Inet) return literal.split('.').reduce((v, o) => v * 256 + Number(o), 0);
            return Uint8Array.from(Buffer.from(literal === '2001:db8::7' ? '20010db8000000000000000000000007' : '20010db8000000000000000000000008', 'hex'));
          }),
      countOwned: async (_ifindex, family) => [...this.routes].filter(([k, p]) => p === OURS && k.includes(':') === (family === AddressFamily.Inet6)).length,
      apply: async (_ifindex, kind, destinations, onChunk): Promise<AppliedRoutes> => {
        for (let start = 0, n = 0; start < destinations.length; start += this.chunkSize, n++) {
          if (n >= this.failsAtChunk) return { sent: start, stoppedBy: new VipError('VIP_ERR_NETLINK_FAILED', 'netlink I/O for lo failed: send returned -1 (ENOBUFS)', { interface: 'lo' }) };
          const end = Math.min(destinations.length, start + this.chunkSize);
          const refused: Array<{ index: number; ack: NetlinkAck }> = [];
          for (let i = start; i < end; i++) {
            const k = key(destinations[i]!);
            this.log.push(`${kind} ${k}`);
            const errno = this.refuse.get(k) ?? (kind === 'add' ? (this.routes.has(k) ? EEXIST : 0) : this.routes.get(k) === OURS ? 0 : ESRCH);
            if (errno === 0) {
              if (kind === 'add') this.routes.set(k, OURS);
              else this.routes.delete(k);
            } else if (!this.losesAnswers) refused.push({ index: i, ack: { errno } });
          }
          const chunk: RouteChunk = { start, end, refused, lost: this.losesAnswers };
          onChunk(chunk);
        }
        return { sent: destinations.length };
      },
      close: () => undefined,
    };
  }
}

function setup() {
  const kernel = new FakeRoutes();
  const placer = createLocalRoutePlacer({ interface: 'lo', protocol: OURS, openTable: () => kernel.table() });
  return { kernel, placer };
}

describe('local-route placer', () => {
  it('adds a route per VIP in chunks, and progress hears of each chunk as it lands', async () => {
    const { kernel, placer } = setup();
    const heard: string[][] = [];
    const r = await placer.add(['198.18.0.1', '198.18.0.2/32', '198.18.0.3', '198.18.0.4'], (p) => heard.push([...p.done]));
    assert.deepEqual(r.done, ['198.18.0.1/32', '198.18.0.2/32', '198.18.0.3/32', '198.18.0.4/32']);
    assert.deepEqual(heard, [['198.18.0.1/32', '198.18.0.2/32', '198.18.0.3/32'], ['198.18.0.4/32']]);
    assert.deepEqual(r.failed, []);
    assert.equal(kernel.routes.size, 4);
  });

  it('calls a route that was there and is not ours foreign, and one that is ours (a restart) done', async () => {
    const { kernel, placer } = setup();
    kernel.routes.set('198.18.0.1/32', 4); // an operator's (proto static)
    kernel.routes.set('198.18.0.2/32', OURS); // left by an earlier run
    const r = await placer.add(['198.18.0.1', '198.18.0.2', '198.18.0.3']);
    assert.deepEqual(r.foreign, ['198.18.0.1/32']);
    assert.deepEqual(r.done.sort(), ['198.18.0.2/32', '198.18.0.3/32']);
    assert.equal(kernel.routes.get('198.18.0.1/32'), 4, 'the operator\'s route is untouched');
  });

  it('reports a refusal per VIP with its stable code, and places the rest', async () => {
    const { kernel, placer } = setup();
    kernel.refuse.set('198.18.0.2/32', EPERM);
    const r = await placer.add(['198.18.0.1', '198.18.0.2', '198.18.0.3']);
    assert.deepEqual(r.done, ['198.18.0.1/32', '198.18.0.3/32']);
    assert.equal(r.failed.length, 1);
    assert.equal(r.failed[0]!.address, '198.18.0.2/32');
    assert.equal(r.failed[0]!.error.code, 'VIP_ERR_PERMISSION');
  });

  it('when the answers were lost, asks the table which VIPs are ours now; the others failed', async () => {
    const { kernel, placer } = setup();
    kernel.losesAnswers = true;
    kernel.refuse.set('198.18.0.2/32', EPERM);
    const r = await placer.add(['198.18.0.1', '198.18.0.2']);
    assert.deepEqual(r.done, ['198.18.0.1/32']);
    assert.deepEqual(r.foreign, []);
    assert.deepEqual(r.failed.map((f) => [f.address, f.error.code]), [['198.18.0.2/32', 'VIP_ERR_NETLINK_FAILED']]);
    assert.match(r.failed[0]!.error.message, /replies were dropped/);
  });

  it('reports what was never sent when the socket failed midway', async () => {
    const { kernel, placer } = setup();
    kernel.failsAtChunk = 1;
    const r = await placer.add(['198.18.0.1', '198.18.0.2', '198.18.0.3', '198.18.0.4']);
    assert.deepEqual(r.done, ['198.18.0.1/32', '198.18.0.2/32', '198.18.0.3/32']);
    assert.deepEqual(r.failed.map((f) => [f.address, f.error.code]), [['198.18.0.4/32', 'VIP_ERR_NETLINK_FAILED']]);
    assert.match(r.failed[0]!.error.message, /the batch stopped before it/);
  });

  it('removes ours; an absent VIP is done (ESRCH), and an operator\'s route of the same address stays', async () => {
    const { kernel, placer } = setup();
    kernel.routes.set('198.18.0.1/32', OURS);
    kernel.routes.set('198.18.0.2/32', 4);
    const r = await placer.remove(['198.18.0.1', '198.18.0.2', '198.18.0.3']);
    assert.deepEqual(r.done, ['198.18.0.1/32', '198.18.0.2/32', '198.18.0.3/32']);
    assert.deepEqual([...kernel.routes], [['198.18.0.2/32', 4]]);
  });

  it('lists ours of both families and nobody else\'s', async () => {
    const { kernel, placer } = setup();
    kernel.routes.set('198.18.0.1/32', OURS);
    kernel.routes.set('203.0.113.5/32', 4);
    kernel.routes.set('2001:db8::7/128', OURS);
    assert.deepEqual(await placer.listOwned(), ['198.18.0.1/32', '2001:db8::7/128']);
    assert.equal(await placer.countOwned(), 2);
  });

  it('places an IPv6 VIP as a route when asked to', async () => {
    const { kernel, placer } = setup();
    const r = await placer.add(['2001:db8::7']);
    assert.deepEqual(r.done, ['2001:db8::7/128']);
    assert.ok(kernel.routes.has('2001:db8::7/128'));
  });

  it('refuses what is not a VIP, naming it, and sends nothing for it', async () => {
    const { kernel, placer } = setup();
    const r = await placer.add(['127.0.0.5', 'not-an-ip', '198.18.0.1']);
    assert.deepEqual(r.done, ['198.18.0.1/32']);
    assert.deepEqual(r.failed.map((f) => [f.address, f.error.code]), [['127.0.0.5', 'VIP_ERR_INVALID_ADDRESS'], ['not-an-ip', 'VIP_ERR_INVALID_ADDRESS']]);
    assert.deepEqual(kernel.log, ['add 198.18.0.1/32']);
  });

  it('does not look for duplicates: the second request finds the route its first placed, and both are done', async () => {
    const { kernel, placer } = setup();
    const r = await placer.add(['198.18.0.1', '198.18.0.1/32']);
    assert.deepEqual(r.done, ['198.18.0.1/32', '198.18.0.1/32']);
    assert.deepEqual(r.foreign, []);
    assert.equal(kernel.routes.size, 1);
  });
});
