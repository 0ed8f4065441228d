import { strict as assert } from 'node:assert';
import { ManualClock, type Prefix, type Route } from '../../bgp/index.js';
import { type AddOptions, type AddressPlacer, type PlacementResult, RECONCILE_RETRY, RECONCILE_VERIFY_MS, Reconciler, type RouteSink, describeReconcile } from '../../src/reconcile.js';
import { VipRegistry } from '../../src/registry/registry.js';

/** Records every call, in order, so tests can check that addresses precede routes. */
class Journal {
  readonly log: string[] = [];
}

class FakeAddresses implements AddressPlacer {
  readonly owned = new Set<string>();
  /** While set, listing the interface fails (netlink unreachable). */
  unreadable: Error | undefined;
  readonly refuse = new Set<string>();
  /** An operator's own addresses on the interface. */
  readonly operator = new Set<string>();
  /** The interface is deleted: its addresses went with it, and every call fails as src/vip does. */
  private gone = false;
  constructor(private readonly j: Journal) {}
  deleteInterface(): void {
    this.gone = true;
    this.owned.clear();
  }
  createInterface(): void {
    this.gone = false;
  }
  private check(): void {
    if (this.gone) throw Object.assign(new Error('no such interface: vip0'), { code: 'VIP_ERR_NO_SUCH_INTERFACE' });
  }
  async listOwned(): Promise<string[]> {
    if (this.unreadable) throw this.unreadable;
    this.check();
    return [...this.owned];
  }
  async add(addresses: string[]): Promise<PlacementResult> {
    this.check();
    const r: PlacementResult = { done: [], foreign: [], failed: [] };
    for (const a of addresses) {
      if (this.operator.has(a)) {
        r.foreign!.push(a);
        continue;
      }
      if (this.refuse.has(a)) {
        r.failed.push({ address: a, error: new Error(`cannot add ${a}: permission denied`) });
        continue;
      }
      this.owned.add(a);
      r.done.push(a);
      this.j.log.push(`add ${a}`);
    }
    return r;
  }
  async remove(addresses: string[]): Promise<PlacementResult> {
    this.check();
    for (const a of addresses) {
      this.owned.delete(a);
      this.j.log.push(`remove ${a}`);
    }
    return { done: addresses, failed: [] };
  }
}

class FakeRoutes implements RouteSink {
  readonly table = new Map<string, Route>();
  flushes = 0;
  constructor(private readonly j: Journal) {}
  announce(route: Route): void {
    const k = route.prefix.toString();
    if (!this.table.has(k)) this.j.log.push(`announce ${k}`);
    this.table.set(k, route);
  }
  withdraw(prefix: Prefix): void {
    this.table.delete(prefix.toString());
    this.j.log.push(`withdraw ${prefix}`);
  }
  flushNow(): void {
    this.flushes++;
    this.j.log.push('flush');
  }
}

function setup() {
  const j = new Journal();
  const registry = new VipRegistry();
  const addresses = new FakeAddresses(j);
  const routes = new FakeRoutes(j);
  const clock = new ManualClock();
  const rec = new Reconciler(registry, addresses, routes, clock);
  return { j, registry, addresses, routes, rec, clock };
}

describe('Reconciler', () => {
  it('reports a run that fails as a whole, never rejects, and tries again with a growing back-off', async () => {
    const { registry, addresses, routes, rec, clock } = setup();
    const failed: number[] = [];
    rec.on('failed', (_err, retryInMs) => failed.push(retryInMs));
    addresses.unreadable = Object.assign(new Error('netlink: no answer'), { code: 'VIP_ERR_NETLINK_FAILED' });
    registry.claim('static', { address: '192.0.2.10' });
    await rec.schedule();
    assert.deepEqual(failed, [1000]);
    await clock.advanceAsync(1000);
    await clock.advanceAsync(2000);
    assert.deepEqual(failed, [1000, 2000, 4000]);
    assert.equal(routes.table.size, 0, 'nothing announced while the interface cannot be read');
    addresses.unreadable = undefined;
    await clock.advanceAsync(4000);
    assert.ok(addresses.owned.has('192.0.2.10/32'));
    assert.ok(routes.table.has('192.0.2.10/32'));
    assert.equal(clock.pending, 1, 'no retry left once a run succeeds: only the periodic check');
    assert.equal(clock.nextAt(), clock.now() + RECONCILE_VERIFY_MS);
  });

  it('leaves no retry behind after teardown', async () => {
    const { registry, addresses, rec, clock } = setup();
    addresses.unreadable = new Error('netlink: no answer');
    registry.claim('static', { address: '192.0.2.10' });
    await rec.schedule();
    assert.equal(clock.pending, 1);
    addresses.unreadable = undefined;
    await rec.teardown();
    assert.equal(clock.pending, 0);
  });

  it('puts the address in place before announcing, and withdraws before removing it', async () => {
    const { j, registry, rec } = setup();
    registry.claim('static', { address: '192.0.2.10' });
    await rec.schedule();
    registry.release('static', '192.0.2.10');
    await rec.schedule();
    assert.deepEqual(j.log, ['add 192.0.2.10/32', 'announce 192.0.2.10/32', 'flush', 'withdraw 192.0.2.10/32', 'flush', 'remove 192.0.2.10/32']);
  });

  it('does only the difference', async () => {
    const { j, registry, rec } = setup();
    registry.claim('static', { address: '192.0.2.1' });
    registry.claim('static', { address: '192.0.2.2' });
    await rec.schedule();
    j.log.length = 0;
    registry.claim('static', { address: '192.0.2.3' });
    await rec.schedule();
    assert.deepEqual(j.log.filter((l) => l !== 'flush'), ['add 192.0.2.3/32', 'announce 192.0.2.3/32']);
  });

  it('does not announce a VIP whose address could not be added, and reports why', async () => {
    const { registry, addresses, routes, rec } = setup();
    addresses.refuse.add('192.0.2.66/32');
    registry.claim('static', { address: '192.0.2.66' });
    registry.claim('static', { address: '192.0.2.67' });
    await rec.schedule();
    assert.deepEqual([...routes.table.keys()], ['192.0.2.67/32']);
    assert.deepEqual(rec.last!.failures, [{ address: '192.0.2.66/32', message: 'cannot add 192.0.2.66/32: permission denied' }]);
    assert.equal(rec.last!.inPlace, 1);
    assert.equal(rec.last!.desired, 2);
  });

  it('removes stale addresses of an earlier run at the first reconcile and keeps wanted ones', async () => {
    const { j, registry, addresses, rec } = setup();
    addresses.owned.add('192.0.2.50/32'); // left by a crash, no longer wanted
    addresses.owned.add('192.0.2.51/32'); // left by a crash, still wanted
    registry.claim('static', { address: '192.0.2.51' });
    await rec.schedule();
    assert.deepEqual(rec.last!.staleRemoved, ['192.0.2.50/32']);
    assert.ok(!j.log.includes('add 192.0.2.51/32'), 'a wanted address is not re-added (no doubled address)');
    assert.deepEqual([...addresses.owned], ['192.0.2.51/32']);
  });

  it('coalesces a burst of changes into at most one more run', async () => {
    const { registry, routes, rec } = setup();
    let runs = 0;
    rec.on('reconciled', () => runs++);
    const first = rec.schedule();
    for (let i = 1; i <= 50; i++) {
      registry.claim('static', { address: `198.51.100.${i}` });
      void rec.schedule();
    }
    await first;
    await rec.schedule();
    assert.ok(runs <= 3, `${runs} runs for one burst`);
    assert.equal(routes.table.size, 50);
  });

  it('updates the attributes of an announced VIP in place', async () => {
    const { registry, routes, rec } = setup();
    registry.claim('static', { address: '192.0.2.10' });
    await rec.schedule();
    registry.claim('service:ns/a', { address: '192.0.2.10', attributes: { communities: [0xfde80001] } });
    await rec.schedule();
    assert.deepEqual(routes.table.get('192.0.2.10/32')!.communities, [0xfde80001]);
  });

  it('tears down: every route withdrawn, then every address removed', async () => {
    const { j, registry, addresses, rec } = setup();
    registry.claim('static', { address: '192.0.2.10' });
    registry.claim('static', { address: '2001:db8::10' });
    await rec.schedule();
    j.log.length = 0;
    await rec.teardown();
    assert.equal(addresses.owned.size, 0);
    const firstRemove = j.log.findIndex((l) => l.startsWith('remove'));
    const lastWithdraw = j.log.map((l) => l.startsWith('withdraw')).lastIndexOf(true);
    assert.ok(lastWithdraw < firstRemove);
  });

  it('announces a VIP an operator already put on the interface, and never removes it', async () => {
    const { j, registry, addresses, routes, rec } = setup();
    addresses.operator.add('192.0.2.77/32');
    registry.claim('static', { address: '192.0.2.77' });
    await rec.schedule();
    assert.ok(routes.table.has('192.0.2.77/32'));
    assert.deepEqual(rec.last!.foreign, ['192.0.2.77/32']);
    registry.release('static', '192.0.2.77');
    await rec.schedule();
    assert.ok(!routes.table.has('192.0.2.77/32'));
    assert.ok(!j.log.includes('remove 192.0.2.77/32'));
  });

  it('finds at the periodic check an address gone without it, and adds it again', async () => {
    const { j, registry, addresses, routes, rec, clock } = setup();
    registry.claim('static', { address: '192.0.2.10' });
    await rec.schedule();
    addresses.owned.delete('192.0.2.10/32'); // an operator's `ip addr del`
    j.log.length = 0;
    await clock.advanceAsync(RECONCILE_VERIFY_MS);
    assert.deepEqual(rec.last!.lost, ['192.0.2.10/32']);
    assert.deepEqual(j.log.filter((l) => l !== 'flush'), ['add 192.0.2.10/32']);
    assert.ok(routes.table.has('192.0.2.10/32'));
    const lines = describeReconcile(rec.last!, 'lo').map(([, message, level]) => `${level} ${message}`);
    assert.ok(lines.some((l) => /^warn VIP gone from the node without us/.test(l)), lines.join('\n'));
  });

  it('withdraws every route when the interface is deleted, and announces again once it is back', async () => {
    const { registry, addresses, routes, rec, clock } = setup();
    registry.claim('static', { address: '192.0.2.10' });
    registry.claim('static', { address: '2001:db8::10' });
    await rec.schedule();
    assert.equal(routes.table.size, 2);
    addresses.deleteInterface();
    await clock.advanceAsync(RECONCILE_VERIFY_MS);
    assert.equal(routes.table.size, 0, 'no route for an address no longer on the node');
    assert.deepEqual(rec.last!.failures.map((f) => f.address).sort(), ['192.0.2.10/32', '2001:db8::10/128']);
    assert.equal(rec.last!.inPlace, 0);
    addresses.createInterface();
    await clock.advanceAsync(RECONCILE_RETRY.initialMs);
    assert.deepEqual([...addresses.owned].sort(), ['192.0.2.10/32', '2001:db8::10/128']);
    assert.equal(routes.table.size, 2);
    assert.equal(rec.last!.inPlace, 2);
  });

  it('tries a VIP that could not be placed again with back-off, and reports the same failure once', async () => {
    const { registry, addresses, routes, rec, clock } = setup();
    addresses.refuse.add('192.0.2.66/32');
    registry.claim('static', { address: '192.0.2.66' });
    await rec.schedule();
    const logged = () => describeReconcile(rec.last!, 'lo').filter(([, message]) => /could not be placed/.test(message)).length;
    assert.equal(logged(), 1);
    await clock.advanceAsync(RECONCILE_RETRY.initialMs);
    assert.equal(rec.last!.failures.length, 1, 'tried again');
    assert.equal(logged(), 0, 'the same failure is not logged again');
    addresses.refuse.delete('192.0.2.66/32');
    await clock.advanceAsync(2 * RECONCILE_RETRY.initialMs);
    assert.ok(routes.table.has('192.0.2.66/32'));
    assert.equal(rec.last!.failures.length, 0);
  });

  it('waits longer before the next check when listing the node took long (at most 1/50 of the time)', async () => {
    const { registry, addresses, rec, clock } = setup();
    registry.claim('static', { address: '192.0.2.10' });
    await rec.schedule();
    let lists = 0;
    const list = addresses.listOwned.bind(addresses);
    addresses.listOwned = async () => {
      lists++;
      clock.advance(1_000); // a listing of 100,000 VIPs on a busy node
      return list();
    };
    await clock.advanceAsync(RECONCILE_VERIFY_MS);
    assert.equal(lists, 1);
    await clock.advanceAsync(40_000);
    assert.equal(lists, 1, 'no check within 50 times the listing (50 s), where 10 s is the rule');
    await clock.advanceAsync(12_000);
    assert.equal(lists, 2);
  });

  it('keeps checking after a check whose listing failed', async () => {
    const { registry, addresses, rec, clock } = setup();
    registry.claim('static', { address: '192.0.2.10' });
    await rec.schedule();
    addresses.unreadable = new Error('netlink: no buffer space');
    await clock.advanceAsync(RECONCILE_VERIFY_MS);
    addresses.unreadable = undefined;
    addresses.owned.delete('192.0.2.10/32');
    await clock.advanceAsync(RECONCILE_VERIFY_MS);
    assert.ok(addresses.owned.has('192.0.2.10/32'), 'the next check found the VIP gone and placed it again');
  });

  it('lists the node at the periodic check only when the count of ours differs from what it placed', async () => {
    const { registry, addresses, rec, clock } = setup();
    let lists = 0;
    const list = addresses.listOwned.bind(addresses);
    addresses.listOwned = async () => (lists++, list());
    (addresses as AddressPlacer).countOwned = async () => addresses.owned.size;
    registry.claim('static', { address: '192.0.2.10' });
    registry.claim('static', { address: '192.0.2.11' });
    await rec.schedule();
    const atStart = lists;
    await clock.advanceAsync(RECONCILE_VERIFY_MS);
    assert.equal(lists, atStart, 'the count matched: no listing');
    addresses.owned.delete('192.0.2.11/32');
    await clock.advanceAsync(RECONCILE_VERIFY_MS);
    assert.equal(lists, atStart + 1, 'the count differed: listed');
    assert.deepEqual(rec.last!.lost, ['192.0.2.11/32']);
    assert.ok(addresses.owned.has('192.0.2.11/32'), 'placed again');
  });

  it('stops the periodic check at teardown', async () => {
    const { registry, rec, clock } = setup();
    registry.claim('static', { address: '192.0.2.10' });
    await rec.schedule();
    assert.equal(clock.pending, 1);
    await rec.teardown();
    assert.equal(clock.pending, 0);
  });
});

/** A placer that places in chunks of two and reports each, yielding between chunks, as the real one does. */
class ChunkedAddresses extends FakeAddresses {
  lists = 0;
  readonly batches: string[][] = [];
  override async listOwned(): Promise<string[]> {
    this.lists++;
    return super.listOwned();
  }
  override async add(addresses: string[], options: AddOptions = {}): Promise<PlacementResult> {
    const { progress } = options;
    this.batches.push([...addresses]);
    const all: PlacementResult = { done: [], foreign: [], failed: [] };
    for (let i = 0; i < addresses.length; i += 2) {
      const r = await super.add(addresses.slice(i, i + 2));
      all.done.push(...r.done);
      all.failed.push(...r.failed);
      progress?.({ done: r.done, foreign: r.foreign ?? [] });
      await new Promise((resolve) => setImmediate(resolve));
    }
    return all;
  }
}

describe('Reconciler at scale', () => {
  function chunked() {
    const j = new Journal();
    const registry = new VipRegistry();
    const addresses = new ChunkedAddresses(j);
    const routes = new FakeRoutes(j);
    return { j, registry, addresses, routes, rec: new Reconciler(registry, addresses, routes, new ManualClock()) };
  }

  it('announces each chunk as soon as it is in place, before the next chunk is placed', async () => {
    const { j, registry, rec } = chunked();
    for (let i = 1; i <= 4; i++) registry.claim('static', { address: `192.0.2.${i}` });
    await rec.schedule();
    const firstAnnounce = j.log.indexOf('announce 192.0.2.1/32');
    const thirdAdd = j.log.indexOf('add 192.0.2.3/32');
    assert.ok(firstAnnounce >= 0 && firstAnnounce < thirdAdd, j.log.join(', '));
  });

  it('after the first run, looks only at what changed: one new VIP is one placement, with no listing', async () => {
    const { registry, addresses, rec } = chunked();
    for (let i = 1; i <= 20; i++) registry.claim('static', { address: `192.0.2.${i}` });
    await rec.schedule();
    registry.claim('service:ns/a', { address: '198.51.100.1' });
    await rec.schedule();
    assert.equal(addresses.lists, 1, 'the node is listed once, at the first run');
    assert.deepEqual(addresses.batches.at(-1), ['198.51.100.1/32']);
    assert.equal(rec.last!.inPlace, 21);
  });

  it('tries a VIP that could not be placed again at the next run', async () => {
    const { registry, addresses, routes, rec } = chunked();
    addresses.refuse.add('192.0.2.66/32');
    registry.claim('static', { address: '192.0.2.66' });
    await rec.schedule();
    assert.equal(rec.last!.inPlace, 0);
    addresses.refuse.clear();
    registry.claim('static', { address: '192.0.2.67' });
    await rec.schedule();
    assert.deepEqual([...routes.table.keys()].sort(), ['192.0.2.66/32', '192.0.2.67/32']);
    assert.equal(rec.last!.inPlace, 2);
  });

  it('removes an earlier run\'s stale VIPs after placing the wanted ones', async () => {
    const { j, registry, addresses, rec } = chunked();
    addresses.owned.add('192.0.2.50/32');
    registry.claim('static', { address: '192.0.2.1' });
    await rec.schedule();
    assert.ok(j.log.indexOf('add 192.0.2.1/32') < j.log.indexOf('remove 192.0.2.50/32'), j.log.join(', '));
    assert.deepEqual(rec.last!.staleRemoved, ['192.0.2.50/32']);
  });

  it('hands the registry\'s entry to the route sink as the route: no copy per VIP', async () => {
    const { registry, routes, rec } = chunked();
    registry.claim('static', { address: '192.0.2.1' });
    await rec.schedule();
    assert.equal(routes.table.get('192.0.2.1/32'), registry.wanted('192.0.2.1/32'));
  });
});
