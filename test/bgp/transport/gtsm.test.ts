// GTSM (RFC 5082) across a real router: three network namespaces made for this run, with
// documentation addresses (RFC 5737), removed in `after` whatever happens.
//
//   a: 192.0.2.1 ── 192.0.2.2  r (forwards)  198.51.100.1 ── 198.51.100.2 :b
//
// Peers run as child processes inside the namespaces (netns-peer.js): r is one hop from a,
// b is two. A packet sent with TTL 255 reaches a from r with 255 and from b with 254.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { gtsmOptions, ttlFor } from '../../../bgp/transport/index.js';

const ns = { a: `vsgt-${process.pid}-a`, r: `vsgt-${process.pid}-r`, b: `vsgt-${process.pid}-b` };
const address = { a: '192.0.2.1', r: '192.0.2.2', b: '198.51.100.2' };
const peerScript = fileURLToPath(new URL('./netns-peer.js', import.meta.url));
const TIMEOUT_MS = 1500;

type PeerLine = { event: string; port?: number; code?: string; message?: string; remoteAddress?: string };

function ip(...args: string[]): void {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ip ${args.join(' ')}: ${result.stderr || result.error?.message}`);
}

function setUpTopology(): void {
  for (const name of Object.values(ns)) {
    ip('netns', 'add', name);
    ip('-n', name, 'link', 'set', 'lo', 'up');
  }
  // Both ends of each veth are created inside the namespaces: nothing touches the host's own.
  ip('-n', ns.a, 'link', 'add', 'to-r', 'type', 'veth', 'peer', 'name', 'to-a', 'netns', ns.r);
  ip('-n', ns.r, 'link', 'add', 'to-b', 'type', 'veth', 'peer', 'name', 'to-r', 'netns', ns.b);
  ip('-n', ns.a, 'addr', 'add', `${address.a}/24`, 'dev', 'to-r');
  ip('-n', ns.r, 'addr', 'add', `${address.r}/24`, 'dev', 'to-a');
  ip('-n', ns.r, 'addr', 'add', '198.51.100.1/24', 'dev', 'to-b');
  ip('-n', ns.b, 'addr', 'add', `${address.b}/24`, 'dev', 'to-r');
  for (const [name, dev] of [[ns.a, 'to-r'], [ns.r, 'to-a'], [ns.r, 'to-b'], [ns.b, 'to-r']] as const) {
    ip('-n', name, 'link', 'set', dev, 'up');
  }
  ip('-n', ns.a, 'route', 'add', '198.51.100.0/24', 'via', address.r);
  ip('-n', ns.b, 'route', 'add', '192.0.2.0/24', 'via', '198.51.100.1');
  ip('netns', 'exec', ns.r, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
}

function tearDownTopology(): void {
  for (const name of Object.values(ns)) spawnSync('ip', ['netns', 'del', name]);
}

/** Starts netns-peer.js inside `namespace`; lines arrive on the returned iterator. */
function startPeer(namespace: string, request: object): { child: ChildProcess; lines: AsyncIterator<string> } {
  const child = spawn('ip', ['netns', 'exec', namespace, process.execPath, peerScript, JSON.stringify(request)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return { child, lines: createInterface({ input: child.stdout! })[Symbol.asyncIterator]() };
}

async function nextLine(lines: AsyncIterator<string>): Promise<PeerLine> {
  const { value, done } = await lines.next();
  assert.ok(!done, 'the peer exited without answering');
  return JSON.parse(value as string) as PeerLine;
}

describe('transport GTSM across a router (root only: creates network namespaces)', function () {
  this.timeout(15_000);
  const children = new Set<ChildProcess>();

  before(function () {
    if (process.platform !== 'linux' || process.getuid?.() !== 0) {
      console.log('      skipped: creating network namespaces needs root on Linux');
      this.skip();
    }
    setUpTopology();
  });

  afterEach(async () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM'); // by the pid we started, nothing broader
        await once(child, 'exit');
      }
    }
    children.clear();
  });

  after(() => tearDownTopology());

  async function listenIn(namespace: string, options: { ttl?: number; minTtl?: number }) {
    const peer = startPeer(namespace, { mode: 'listen', host: '0.0.0.0', ...options });
    children.add(peer.child);
    const ready = await nextLine(peer.lines);
    assert.equal(ready.event, 'ready');
    return { port: ready.port!, lines: peer.lines };
  }

  async function connectFrom(namespace: string, options: { host: string; port: number; ttl?: number; minTtl?: number }) {
    const peer = startPeer(namespace, { mode: 'connect', timeoutMs: TIMEOUT_MS, ...options });
    children.add(peer.child);
    return nextLine(peer.lines);
  }

  it('a listener with GTSM for one hop accepts the directly connected router', async () => {
    const listener = await listenIn(ns.a, gtsmOptions(1));
    const outcome = await connectFrom(ns.r, { host: address.a, port: listener.port, ttl: 255 });
    assert.equal(outcome.event, 'connected', outcome.message);
    assert.deepEqual(await nextLine(listener.lines), { event: 'connection', remoteAddress: address.r });
  });

  it('a listener with GTSM for one hop drops the SYN of a peer two hops away (it arrives with TTL 254)', async () => {
    const listener = await listenIn(ns.a, gtsmOptions(1));
    const outcome = await connectFrom(ns.b, { host: address.a, port: listener.port, ttl: 255 });
    assert.equal(outcome.event, 'error');
    assert.equal(outcome.code, 'BGP_TRANSPORT_CONNECT_TIMEOUT');
  });

  it('a listener with GTSM for two hops accepts that same peer', async () => {
    const listener = await listenIn(ns.a, gtsmOptions(2));
    const outcome = await connectFrom(ns.b, { host: address.a, port: listener.port, ttl: 255 });
    assert.equal(outcome.event, 'connected', outcome.message);
  });

  it('connect with GTSM for one hop drops the SYN-ACK of a listener two hops away', async () => {
    const listener = await listenIn(ns.b, { ttl: 255 });
    const near = await connectFrom(ns.a, { host: address.b, port: listener.port, ...gtsmOptions(1) });
    assert.equal(near.code, 'BGP_TRANSPORT_CONNECT_TIMEOUT');
    assert.match(near.message ?? '', /minimum TTL of 255/);
    const far = await connectFrom(ns.a, { host: address.b, port: listener.port, ...gtsmOptions(2) });
    assert.equal(far.event, 'connected', far.message);
  });

  it('eBGP single-hop TTL 1 cannot reach a peer behind a router', async () => {
    const listener = await listenIn(ns.b, {});
    const outcome = await connectFrom(ns.a, { host: address.b, port: listener.port, ...ttlFor({ ebgp: true }) });
    // The router answers ICMP time exceeded, which Linux reports as EHOSTUNREACH; a silent
    // drop would show as the timeout instead.
    assert.ok(
      outcome.code === 'BGP_TRANSPORT_EHOSTUNREACH' || outcome.code === 'BGP_TRANSPORT_CONNECT_TIMEOUT',
      `unexpected outcome ${JSON.stringify(outcome)}`,
    );
    const multihop = await connectFrom(ns.a, { host: address.b, port: listener.port, ...ttlFor({ ebgp: true, multihop: 2 }) });
    assert.equal(multihop.event, 'connected', multihop.message);
  });
});
