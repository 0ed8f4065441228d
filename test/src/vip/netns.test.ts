// The manager against the real kernel, in network namespaces made for this run (vsvip-<pid>-<n>)
// and deleted in `after` whatever happens. Documentation addresses only (RFC 5737, RFC 3849);
// the host's own interfaces are never touched: every call names a namespace.
import { strict as assert } from 'node:assert';
import { until } from '../../support/wait.js';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createVipAddressManager, type VipAddressManager, type VipError } from '../../../src/vip/index.js';

const childScript = fileURLToPath(new URL('./netns-child.js', import.meta.url));
const namespaces: string[] = [];

function newNamespace(): string {
  const name = `vsvip-${process.pid}-${namespaces.length + 1}`;
  ip('netns', 'add', name);
  namespaces.push(name);
  return name;
}

function ip(...args: string[]): string {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ip ${args.join(' ')}: ${result.stderr || result.error?.message}`);
  return result.stdout;
}

/** What `ip -json addr` shows on `dev` in `ns`, as 'address/length'. */
function addressesOnLo(ns: string, dev = 'lo'): string[] {
  const [link] = JSON.parse(ip('-n', ns, '-json', 'addr', 'show', 'dev', dev)) as Array<{ addr_info: Array<{ local: string; prefixlen: number }> }>;
  return link!.addr_info.map((a) => `${a.local}/${a.prefixlen}`);
}

type ChildLine = { done: string[]; failed: Array<{ address: string; code: string; message: string }> };

/** Runs netns-child.js with `prefix` (e.g. ip netns exec ...); resolves with its line and the child. */
async function runChild(prefix: string[], request: object) {
  const child = spawn(prefix[0]!, [...prefix.slice(1), process.execPath, childScript, JSON.stringify(request)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const { value, done } = await lines.next();
  assert.ok(!done, 'the child exited without answering');
  return { child, line: JSON.parse(value as string) as ChildLine };
}

describe('VIP addresses on lo in a network namespace (root only)', function () {
  this.timeout(60_000);
  let ns: string;
  let manager: VipAddressManager;

  before(function () {
    if (process.platform !== 'linux' || process.getuid?.() !== 0) {
      console.log('      skipped: creating network namespaces needs root on Linux');
      this.skip();
    }
    ns = newNamespace();
    ip('-n', ns, 'link', 'set', 'lo', 'up');
  });

  beforeEach(() => {
    manager = createVipAddressManager({ interface: 'lo', netns: ns });
  });

  afterEach(async () => {
    await manager?.removeStale(new Set()); // each test starts from a bare lo
  });

  after(() => {
    for (const name of namespaces) spawnSync('ip', ['netns', 'del', name]);
  });

  it('adds, lists and removes IPv4 /32s and IPv6 /128s', async () => {
    const added = await manager.add(['192.0.2.7', '2001:db8::7', '198.51.100.7/32']);
    assert.deepEqual(added, { done: ['192.0.2.7/32', '2001:db8::7/128', '198.51.100.7/32'], foreign: [], failed: [], interfaceUp: true });
    assert.deepEqual((await manager.listOwned()).sort(), ['192.0.2.7/32', '198.51.100.7/32', '2001:db8::7/128']);
    assert.equal(await manager.countOwned(), 3);
    for (const a of ['192.0.2.7/32', '2001:db8::7/128']) assert.ok(addressesOnLo(ns).includes(a), `${a} shown by ip`);
    const removed = await manager.remove(['192.0.2.7', '2001:db8::7/128']);
    assert.deepEqual(removed.done, ['192.0.2.7/32', '2001:db8::7/128']);
    assert.deepEqual(await manager.listOwned(), ['198.51.100.7/32']);
    assert.ok(!addressesOnLo(ns).includes('192.0.2.7/32'));
  });

  it('is idempotent both ways', async () => {
    await manager.add(['192.0.2.7', '2001:db8::7']);
    assert.deepEqual((await manager.add(['192.0.2.7', '2001:db8::7'])).done, ['192.0.2.7/32', '2001:db8::7/128']);
    assert.equal(addressesOnLo(ns).filter((a) => a === '192.0.2.7/32').length, 1);
    await manager.remove(['192.0.2.7', '2001:db8::7']);
    const again = await manager.remove(['192.0.2.7', '2001:db8::7']);
    assert.deepEqual(again, { done: ['192.0.2.7/32', '2001:db8::7/128'], foreign: [], failed: [], interfaceUp: true });
  });

  it("never lists nor removes an operator's own /32 and /128, nor 127.0.0.1 and ::1", async () => {
    ip('-n', ns, 'addr', 'add', '203.0.113.5/32', 'dev', 'lo');
    ip('-n', ns, 'addr', 'add', '2001:db8::5/128', 'dev', 'lo');
    try {
      await manager.add(['192.0.2.7']);
      assert.deepEqual(await manager.listOwned(), ['192.0.2.7/32']);
      const add = await manager.add(['203.0.113.5', '2001:db8::5']);
      assert.deepEqual(add.foreign, ['203.0.113.5/32', '2001:db8::5/128']);
      const remove = await manager.remove(['203.0.113.5', '2001:db8::5']);
      assert.deepEqual(remove.foreign, ['203.0.113.5/32', '2001:db8::5/128']);
      assert.deepEqual((await manager.removeStale(new Set())).done, ['192.0.2.7/32']);
      const left = addressesOnLo(ns);
      for (const a of ['127.0.0.1/8', '::1/128', '203.0.113.5/32', '2001:db8::5/128']) assert.ok(left.includes(a), `${a} still there`);
    } finally {
      ip('-n', ns, 'addr', 'del', '203.0.113.5/32', 'dev', 'lo');
      ip('-n', ns, 'addr', 'del', '2001:db8::5/128', 'dev', 'lo');
    }
  });

  it('after a kill -9, a new process finds the leftovers and removes the stale ones', async () => {
    const { child, line } = await runChild(['env'], { interface: 'lo', netns: ns, add: ['192.0.2.7', '192.0.2.8', '2001:db8::7', '2001:db8::8'], hang: true });
    assert.equal(line.done.length, 4);
    child.kill('SIGKILL'); // by the pid we started
    await once(child, 'exit');
    const restarted = createVipAddressManager({ interface: 'lo', netns: ns });
    assert.deepEqual((await restarted.listOwned()).sort(), ['192.0.2.7/32', '192.0.2.8/32', '2001:db8::7/128', '2001:db8::8/128']);
    const stale = await restarted.removeStale(new Set(['192.0.2.7', '2001:db8::7']));
    assert.deepEqual(stale.done, ['192.0.2.8/32', '2001:db8::8/128']);
    assert.deepEqual((await restarted.listOwned()).sort(), ['192.0.2.7/32', '2001:db8::7/128']);
  });

  it('adds only the local-table route: no /128 in the main table, no prefix route for a /32', async () => {
    await manager.add(['192.0.2.7', '2001:db8::7']);
    // The kernel inserts an IPv6 address's local route from its address work queue, just after.
    await until('the IPv6 local route', () => /^local 2001:db8::7 dev lo/m.test(ip('-n', ns, '-6', 'route', 'show', 'table', 'local')));
    assert.doesNotMatch(ip('-n', ns, '-6', 'route', 'show', 'table', 'main'), /2001:db8::7/);
    const v4 = ip('-n', ns, '-4', 'route', 'show', 'table', 'all').split('\n').filter((l) => l.includes('192.0.2'));
    assert.deepEqual(v4.map((l) => l.trim().split(' ').slice(0, 6).join(' ')), ['local 192.0.2.7 dev lo table local']);
  });

  describe('with a prefix length, on a veth as ARP mode would use eth0', () => {
    const dev = 'vsarp0';
    const wide = () => createVipAddressManager({ interface: dev, netns: ns, prefixLength: { ipv4: 24, ipv6: 64 } });
    const addresses = () => addressesOnLo(ns, dev).filter((a) => !a.startsWith('fe80:'));
    const routes = (family: '-4' | '-6') => ip('-n', ns, family, 'route', 'show', 'table', 'main', 'dev', dev);
    beforeEach(() => {
      ip('-n', ns, 'link', 'add', dev, 'type', 'veth', 'peer', 'name', `${dev}p`);
      ip('-n', ns, 'link', 'set', dev, 'up');
      ip('-n', ns, 'link', 'set', `${dev}p`, 'up');
    });
    afterEach(() => {
      ip('-n', ns, 'link', 'del', dev); // its peer and every address on it with it
    });

    it('adds a /24 and a /64 with their connected routes, lists them as /32 and /128, and removes them', async () => {
      const manager = wide();
      const added = await manager.add(['192.0.2.50', '2001:db8::50']);
      assert.deepEqual(added, { done: ['192.0.2.50/32', '2001:db8::50/128'], foreign: [], failed: [], interfaceUp: true });
      assert.deepEqual(addresses(), ['192.0.2.50/24', '2001:db8::50/64']);
      assert.deepEqual(await manager.listOwned(), ['192.0.2.50/32', '2001:db8::50/128']);
      // The connected routes a wider prefix brings (kube-vip's vip_subnet does the same), and the IPv4 broadcast.
      assert.match(routes('-4'), /^192\.0\.2\.0\/24 proto kernel scope link src 192\.0\.2\.50/m);
      assert.match(routes('-6'), /^2001:db8::\/64 proto kernel/m);
      assert.match(ip('-n', ns, '-4', 'addr', 'show', 'dev', dev), /inet 192\.0\.2\.50\/24 brd 192\.0\.2\.255 scope global/);

      const removed = await manager.remove(['192.0.2.50/32', '2001:db8::50']);
      assert.deepEqual(removed, { done: ['192.0.2.50/32', '2001:db8::50/128'], foreign: [], failed: [], interfaceUp: true });
      assert.deepEqual(addresses(), []);
      assert.doesNotMatch(routes('-4'), /192\.0\.2\.0\/24/);
      assert.doesNotMatch(routes('-6'), /2001:db8::\/64/);
    });

    it('replaces its own /32 and /128 with the configured lengths, and back', async () => {
      const host = createVipAddressManager({ interface: dev, netns: ns });
      await host.add(['192.0.2.50', '2001:db8::50']);
      assert.deepEqual(addresses(), ['192.0.2.50/32', '2001:db8::50/128']);
      assert.deepEqual((await wide().add(['192.0.2.50', '2001:db8::50'])).done, ['192.0.2.50/32', '2001:db8::50/128']);
      assert.deepEqual(addresses().sort(), ['192.0.2.50/24', '2001:db8::50/64']);
      assert.deepEqual((await host.add(['192.0.2.50', '2001:db8::50'])).done, ['192.0.2.50/32', '2001:db8::50/128']);
      assert.deepEqual(addresses().sort(), ['192.0.2.50/32', '2001:db8::50/128']);
    });

    it("leaves an operator's /24 of the same address alone", async () => {
      ip('-n', ns, 'addr', 'add', '192.0.2.50/24', 'dev', dev);
      const manager = wide();
      assert.deepEqual((await manager.add(['192.0.2.50'])).foreign, ['192.0.2.50/32']);
      assert.deepEqual(await manager.listOwned(), []);
      assert.deepEqual((await manager.removeStale(new Set())).done, []);
      assert.deepEqual(addresses(), ['192.0.2.50/24']);
    });

    it('keeps the other VIPs of a subnet when its primary goes, promote_secondaries off', async () => {
      ip('netns', 'exec', ns, 'sysctl', '-qw', `net.ipv4.conf.${dev}.promote_secondaries=0`);
      const manager = wide();
      await manager.add(['192.0.2.50', '192.0.2.51', '192.0.2.52']);
      assert.match(ip('-n', ns, '-4', 'addr', 'show', 'dev', dev), /192\.0\.2\.51\/24 brd 192\.0\.2\.255 scope global secondary/);
      const removed = await manager.remove(['192.0.2.50']);
      assert.deepEqual(removed, { done: ['192.0.2.50/32'], foreign: [], failed: [], interfaceUp: true });
      assert.deepEqual(addresses().sort(), ['192.0.2.51/24', '192.0.2.52/24']);
      assert.deepEqual((await manager.listOwned()).sort(), ['192.0.2.51/32', '192.0.2.52/32']);
    });

    it('after a kill -9, a manager with host lengths finds the stale /24 and /64 and removes them', async () => {
      const request = { interface: dev, netns: ns, add: ['192.0.2.50', '192.0.2.51', '2001:db8::50'], hang: true, prefixLength: { ipv4: 24, ipv6: 64 } };
      const { child, line } = await runChild(['env'], request);
      assert.equal(line.done.length, 3);
      child.kill('SIGKILL'); // by the pid we started
      await once(child, 'exit');
      const restarted = createVipAddressManager({ interface: dev, netns: ns });
      assert.deepEqual((await restarted.listOwned()).sort(), ['192.0.2.50/32', '192.0.2.51/32', '2001:db8::50/128']);
      const stale = await restarted.removeStale(new Set(['192.0.2.51']));
      assert.deepEqual(stale, { done: ['192.0.2.50/32', '2001:db8::50/128'], foreign: [], failed: [], interfaceUp: true });
      assert.deepEqual(addresses(), ['192.0.2.51/24']);
    });
  });

  it('reports each address of a batch: IPv4 in place, IPv6 refused when IPv6 is disabled on lo', async () => {
    ip('netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.lo.disable_ipv6=1');
    try {
      const result = await manager.add(['192.0.2.7', '2001:db8::7']);
      assert.deepEqual(result.done, ['192.0.2.7/32']);
      assert.deepEqual(result.failed.map((f) => [f.address, f.error.code, f.error.errno]), [['2001:db8::7/128', 'VIP_ERR_IPV6_DISABLED', 'EACCES']]);
      assert.match(result.failed[0]!.error.message, /2001:db8::7\/128 to lo.*ipv6: IPv6 is disabled on this device/);
    } finally {
      ip('netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.lo.disable_ipv6=0');
    }
  });

  it('gives VIP_ERR_NO_SUCH_INTERFACE for an unknown interface, naming it', async () => {
    const missing = createVipAddressManager({ interface: 'vip0', netns: ns });
    await assert.rejects(missing.add(['192.0.2.7']), (e: VipError) => {
      assert.equal(e.code, 'VIP_ERR_NO_SUCH_INTERFACE');
      assert.match(e.message, /vip0/);
      return true;
    });
  });

  it('gives VIP_ERR_NO_SUCH_NETNS for an unknown namespace', async () => {
    const missing = createVipAddressManager({ interface: 'lo', netns: `vsvip-${process.pid}-missing` });
    await assert.rejects(missing.listOwned(), (e: VipError) => e.code === 'VIP_ERR_NO_SUCH_NETNS');
  });

  it('gives VIP_ERR_PERMISSION per address to a process without CAP_NET_ADMIN', async function () {
    if (spawnSync('setpriv', ['--version']).status !== 0) {
      console.log('      skipped: setpriv (util-linux) is needed to drop CAP_NET_ADMIN');
      this.skip();
    }
    // Inside the namespace already, so even a bug could only touch the namespace's lo.
    const prefix = ['ip', 'netns', 'exec', ns, 'setpriv', '--bounding-set=-net_admin', '--inh-caps=-net_admin'];
    const { child, line } = await runChild(prefix, { interface: 'lo', add: ['192.0.2.7', '2001:db8::7'] });
    await once(child, 'exit');
    assert.deepEqual(line.done, []);
    assert.deepEqual(line.failed.map((f) => [f.address, f.code]), [
      ['192.0.2.7/32', 'VIP_ERR_PERMISSION'],
      ['2001:db8::7/128', 'VIP_ERR_PERMISSION'],
    ]);
    assert.match(line.failed[0]!.message, /192\.0\.2\.7\/32 to lo: vip-speaker needs CAP_NET_ADMIN \(EPERM\)/);
  });

  it("reports a fresh namespace's lo as down, and does not bring it up", async () => {
    const fresh = newNamespace();
    const result = await createVipAddressManager({ interface: 'lo', netns: fresh }).add(['192.0.2.7']);
    assert.deepEqual(result.done, ['192.0.2.7/32']);
    assert.equal(result.interfaceUp, false);
    assert.match(ip('-n', fresh, 'link', 'show', 'lo'), /state DOWN/);
  });

  it('adds 5,000 addresses in one batch and removes them again', async () => {
    const v4 = ['192.0.2', '198.51.100', '203.0.113'].flatMap((net) => Array.from({ length: 256 }, (_, i) => `${net}.${i}`));
    const v6 = Array.from({ length: 5000 - v4.length }, (_, i) => `2001:db8:5000::${(i + 1).toString(16)}`);
    const all = [...v4, ...v6];
    const added = await manager.add(all);
    assert.equal(added.done.length, 5000);
    assert.deepEqual(added.failed, []);
    assert.equal((await manager.listOwned()).length, 5000);
    assert.equal(addressesOnLo(ns).length, 5000 + 2); // and 127.0.0.1, ::1
    const removed = await manager.remove(all);
    assert.equal(removed.done.length, 5000);
    assert.deepEqual(await manager.listOwned(), []);
  });
});
