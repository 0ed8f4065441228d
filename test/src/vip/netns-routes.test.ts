// Local routes against the real kernel, in network namespaces made for this run (vsrt-<pid>-<n>)
// and deleted in `after` whatever happens; the host's own tables are never touched. IPv4 beyond
// the documentation ranges is not needed here: a handful of VIPs proves the behaviour.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { createLocalRoutePlacer, createVipPlacer, type LocalRoutePlacer } from '../../../src/vip/index.js';

const namespaces: string[] = [];

function ip(...args: string[]): string {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ip ${args.join(' ')}: ${result.stderr || result.error?.message}`);
  return result.stdout;
}

/** `ip route show table local` in `ns`, as 'type dst protocol' lines, both families. */
function localTable(ns: string): string[] {
  const routes = [...JSON.parse(ip('-n', ns, '-j', 'route', 'show', 'table', 'local')), ...JSON.parse(ip('-n', ns, '-j', '-6', 'route', 'show', 'table', 'local'))] as Array<{ type: string; dst: string; protocol: string }>;
  return routes.map((r) => `${r.type} ${r.dst} ${r.protocol}`);
}

/** A TCP listener on `vip` inside `ns` answers a connection to it from the same namespace. */
function bindAndConnect(ns: string, vip: string): string {
  const script = `const net=require('net');const s=net.createServer(c=>c.end('ok')).listen(7,${JSON.stringify(vip)},()=>net.connect(7,${JSON.stringify(vip)}).on('data',d=>{process.stdout.write(String(d));process.exit(0)}).on('error',e=>{process.stdout.write(e.code);process.exit(1)})).on('error',e=>{process.stdout.write(e.code);process.exit(1)})`;
  return spawnSync('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { encoding: 'utf8', timeout: 10_000 }).stdout;
}

describe('VIPs as local routes in a network namespace (root only)', function () {
  this.timeout(60_000);
  let ns: string;
  let placer: LocalRoutePlacer;

  before(function () {
    if (process.platform !== 'linux' || process.getuid?.() !== 0) {
      console.log('      skipped: creating network namespaces needs root on Linux');
      this.skip();
    }
    ns = `vsrt-${process.pid}-${namespaces.length + 1}`;
    ip('netns', 'add', ns);
    namespaces.push(ns);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
  });

  beforeEach(() => {
    placer = createLocalRoutePlacer({ interface: 'lo', protocol: 86, netns: ns });
  });

  afterEach(async () => {
    if (placer) await placer.remove(await placer.listOwned());
  });

  after(() => {
    for (const name of namespaces) spawnSync('ip', ['netns', 'del', name]);
  });

  it('adds, lists and removes local routes marked with our protocol, both families', async () => {
    const added = await placer.add(['192.0.2.7', '198.51.100.7/32', '2001:db8::7']);
    assert.deepEqual(added.done, ['192.0.2.7/32', '198.51.100.7/32', '2001:db8::7/128']);
    assert.ok(localTable(ns).includes('local 192.0.2.7 86'), localTable(ns).join(', '));
    assert.ok(localTable(ns).includes('local 2001:db8::7 86'));
    assert.deepEqual(await placer.listOwned(), ['192.0.2.7/32', '198.51.100.7/32', '2001:db8::7/128']);
    assert.equal(await placer.countOwned(), 3);
    assert.deepEqual((await placer.remove(['192.0.2.7', '2001:db8::7'])).done, ['192.0.2.7/32', '2001:db8::7/128']);
    assert.deepEqual(await placer.listOwned(), ['198.51.100.7/32']);
  });

  it('makes an IPv4 VIP reachable: a socket binds to it and a connection to it is answered', async () => {
    assert.notEqual(bindAndConnect(ns, '203.0.113.9'), 'ok', 'not before the route');
    await placer.add(['203.0.113.9']);
    assert.equal(bindAndConnect(ns, '203.0.113.9'), 'ok');
    await placer.remove(['203.0.113.9']);
    assert.equal(bindAndConnect(ns, '203.0.113.9'), 'EADDRNOTAVAIL', 'and not after');
  });

  it('leaves an operator\'s local route of the same address alone: foreign on add, kept on remove', async () => {
    ip('-n', ns, 'route', 'add', 'local', '203.0.113.5', 'dev', 'lo', 'table', 'local', 'proto', 'static');
    try {
      const added = await placer.add(['203.0.113.5']);
      assert.deepEqual(added.foreign, ['203.0.113.5/32']);
      assert.deepEqual(added.done, []);
      assert.deepEqual((await placer.remove(['203.0.113.5'])).done, ['203.0.113.5/32']);
      assert.ok(localTable(ns).includes('local 203.0.113.5 static'), 'the operator\'s route is still there');
      assert.deepEqual(await placer.listOwned(), []);
    } finally {
      ip('-n', ns, 'route', 'del', 'local', '203.0.113.5', 'dev', 'lo', 'table', 'local');
    }
  });

  it('calls a route of ours already there (a restart) done, not foreign', async () => {
    await placer.add(['192.0.2.8']);
    const again = await createLocalRoutePlacer({ interface: 'lo', protocol: 86, netns: ns }).add(['192.0.2.8']);
    assert.deepEqual([again.done, again.foreign], [['192.0.2.8/32'], []]);
  });

  it('after a restart, a new placer finds both forms, keeps each VIP\'s form and removes them all', async () => {
    const first = createVipPlacer({ interface: 'lo', placement: 'auto', routeThreshold: 2, netns: ns });
    await first.add(['192.0.2.21', '192.0.2.22']); // two: addresses
    await first.add(['192.0.2.23']); // the third goes past the threshold: a route
    const restarted = createVipPlacer({ interface: 'lo', placement: 'auto', routeThreshold: 2, netns: ns });
    assert.deepEqual((await restarted.listOwned()).sort(), ['192.0.2.21/32', '192.0.2.22/32', '192.0.2.23/32']);
    assert.equal(restarted.formOfPlaced('192.0.2.21/32'), 'address');
    assert.equal(restarted.formOfPlaced('192.0.2.23/32'), 'route');
    assert.deepEqual((await restarted.remove(['192.0.2.21/32', '192.0.2.22/32', '192.0.2.23/32'])).failed, []);
    assert.deepEqual(await restarted.listOwned(), []);
    assert.ok(!localTable(ns).some((r) => r.includes('192.0.2.2')), localTable(ns).join(', '));
  });

  it('places and removes 20,000 IPv4 VIPs in one call', async () => {
    const vips = Array.from({ length: 20_000 }, (_, i) => `198.18.${i >> 8}.${i & 255}`);
    let chunks = 0;
    const added = await placer.add(vips, () => chunks++);
    assert.equal(added.done.length, 20_000);
    assert.ok(chunks >= 10, `${chunks} progress reports`);
    assert.equal((await placer.listOwned()).length, 20_000);
    assert.equal(await placer.countOwned(), 20_000);
    assert.equal((await placer.remove(vips)).done.length, 20_000);
    assert.deepEqual(await placer.listOwned(), []);
  });
});
