// How the placer chooses each VIP's form, with both sides replaced by recording fakes: addresses
// while few IPv4 VIPs are held ('auto'), local routes beyond, IPv6 as addresses unless routes are
// asked for; each VIP removed in the form it was placed in; both forms found after a restart.
import { strict as assert } from 'node:assert';
import { createVipPlacer, type BatchResult, type LocalRoutePlacer, type PlacementProgress, type VipPlacement } from '../../../src/vip/index.js';

const ok = (done: readonly string[]): BatchResult => ({ done: [...done], foreign: [], failed: [], interfaceUp: true });
const canonical = (a: string) => (a.includes('/') ? a : `${a}/${a.includes(':') ? 128 : 32}`);

class Side {
  readonly held = new Set<string>();
  readonly calls: string[] = [];
  constructor(private readonly name: string) {}
  async listOwned() {
    return [...this.held];
  }
  async countOwned() {
    return this.held.size;
  }
  async add(addresses: readonly string[], progress?: PlacementProgress) {
    this.calls.push(`${this.name} add ${addresses.length}`);
    const done = addresses.map(canonical);
    for (const a of done) this.held.add(a);
    progress?.({ done, foreign: [] });
    return ok(done);
  }
  async remove(addresses: readonly string[]) {
    this.calls.push(`${this.name} remove ${addresses.join(' ')}`);
    for (const a of addresses) this.held.delete(canonical(a));
    return ok(addresses.map(canonical));
  }
}

function setup(placement: VipPlacement, routeThreshold = 3) {
  const addresses = new Side('addresses');
  const routes = new Side('routes');
  const placer = createVipPlacer({ interface: 'lo', placement, routeThreshold, addresses, routes: routes as unknown as LocalRoutePlacer });
  return { addresses, routes, placer };
}

const v4 = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `198.18.0.${from + i}/32`);

describe('VIP placer', () => {
  it('auto: IPv4 VIPs as addresses while the node holds at most the threshold', async () => {
    const { addresses, routes, placer } = setup('auto');
    await placer.add(v4(3));
    assert.equal(addresses.held.size, 3);
    assert.equal(routes.held.size, 0);
    assert.equal(placer.formOfPlaced('198.18.0.1/32'), 'address');
  });

  it('auto: past the threshold, new IPv4 VIPs are local routes; those placed before keep their form', async () => {
    const { addresses, routes, placer } = setup('auto');
    await placer.add(v4(2));
    await placer.add(v4(2, 3));
    assert.deepEqual([...addresses.held], v4(2));
    assert.deepEqual([...routes.held], v4(2, 3));
    assert.equal(placer.formOfPlaced('198.18.0.4/32'), 'route');
  });

  it('auto: a cold start above the threshold makes every IPv4 VIP a route, and IPv6 VIPs addresses', async () => {
    const { addresses, routes, placer } = setup('auto');
    const placed: string[] = [];
    await placer.add([...v4(5), '2001:db8::7'], (p) => placed.push(...p.done));
    assert.deepEqual([...routes.held], v4(5));
    assert.deepEqual([...addresses.held], ['2001:db8::7/128']);
    assert.deepEqual(placed.sort(), [...v4(5), '2001:db8::7/128'].sort(), 'progress heard of every VIP');
  });

  it('routes: every VIP a local route, IPv6 too; addresses: every VIP an address', async () => {
    const r = setup('routes');
    await r.placer.add(['198.18.0.1', '2001:db8::7']);
    assert.deepEqual([...r.routes.held], ['198.18.0.1/32', '2001:db8::7/128']);
    const a = setup('addresses');
    await a.placer.add(v4(10));
    assert.equal(a.addresses.held.size, 10);
    assert.equal(a.routes.held.size, 0);
  });

  it('removes each VIP in the form it was placed in', async () => {
    const { addresses, routes, placer } = setup('auto', 1);
    await placer.add(v4(1));
    await placer.add(v4(1, 2));
    addresses.calls.length = 0;
    routes.calls.length = 0;
    await placer.remove([...v4(1), ...v4(1, 2)]);
    assert.deepEqual(addresses.calls, ['addresses remove 198.18.0.1/32']);
    assert.deepEqual(routes.calls, ['routes remove 198.18.0.2/32']);
  });

  it('learns both forms from a restart, keeps the address of a VIP found in both, and counts them for the threshold', async () => {
    const { addresses, routes, placer } = setup('auto', 3);
    addresses.held.add('198.18.0.1/32');
    routes.held.add('198.18.0.1/32'); // both: a crash between runs of different placements
    routes.held.add('198.18.0.2/32');
    routes.held.add('198.18.0.3/32');
    assert.deepEqual((await placer.listOwned()).sort(), v4(3));
    assert.deepEqual([...routes.held].sort(), ['198.18.0.2/32', '198.18.0.3/32']);
    assert.equal(placer.formOfPlaced('198.18.0.1/32'), 'address');
    await placer.add(v4(1, 4)); // three held already: the fourth goes past the threshold
    assert.ok(routes.held.has('198.18.0.4/32'));
  });

  it('gives the address side growing chunks, so that the first VIPs are announced soon and the dumps stay few', async () => {
    const { addresses, placer } = setup('addresses');
    const many = Array.from({ length: 2000 }, (_, i) => `2001:db8::${(i + 1).toString(16)}`);
    await placer.add(many);
    assert.deepEqual(addresses.calls, ['addresses add 256', 'addresses add 1024', 'addresses add 720']);
  });
});
