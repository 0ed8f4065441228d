// Two speakers of this library peering with each other over loopback on non-standard ports.
import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { Prefix } from '../../../bgp/index.js';
import { BgpSpeaker } from '../../../bgp/speaker/speaker.js';
import { SessionState } from '../../../bgp/session/types.js';
import { until } from '../../support/wait.js';


describe('two speakers over loopback', function () {
  this.timeout(20_000);
  let a: BgpSpeaker;
  let b: BgpSpeaker;

  afterEach(async () => {
    await a?.stop();
    await b?.stop();
  });

  async function pair(options: { ibgp?: boolean; password?: string } = {}): Promise<void> {
    const asA = 65001;
    const asB = options.ibgp ? 65001 : 4200000002;
    a = new BgpSpeaker({ localAs: asA, routerId: '192.0.2.1', listen: { host: '127.0.0.1', port: 0 }, hostname: 'speaker-a' });
    a.addPeer({ address: '127.0.0.2', peerAs: asB, passive: true, nextHopIpv4: '192.0.2.1', nextHopIpv6: ['2001:db8::a'], ...(options.password ? { password: options.password } : {}) });
    await a.start();
    const port = a.listenAddress!.port;
    assert.notEqual(port, 179);
    b = new BgpSpeaker({ localAs: asB, routerId: '192.0.2.2' });
    b.addPeer({ address: '127.0.0.1', port, peerAs: asA, localAddress: '127.0.0.2', nextHopIpv6: ['2001:db8::b'], connectTimeoutMs: 2000, ...(options.password ? { password: options.password } : {}) });
    await b.start();
    await until('both sessions Established', () => a.status()[0]!.state === SessionState.Established && b.status()[0]!.state === SessionState.Established);
  }

  it('reach Established and negotiate four-octet AS, both families and graceful restart', async () => {
    await pair();
    const n = b.status()[0]!.negotiated!;
    assert.equal(n.peerAs, 65001);
    assert.equal(n.fourOctetAs, true);
    assert.equal(n.ibgp, false);
    assert.deepEqual(n.families.map((f) => f.afi).sort(), [1, 2]);
    assert.equal(n.peerGracefulRestart?.restartTime, 120);
    assert.equal(n.peerHostname?.hostname, 'speaker-a');
    assert.equal(a.status()[0]!.negotiated!.peerAs, 4200000002);
  });

  it('carry announcements and withdrawals of /32 and /128 routes', async () => {
    await pair();
    a.announce({ prefix: Prefix.parse('192.0.2.10/32'), communities: [0xfde80001] });
    a.announce({ prefix: Prefix.parse('2001:db8::10/128') });
    await until('two prefixes at b', () => b.status()[0]!.prefixesReceived === 2);
    a.withdraw(Prefix.parse('192.0.2.10/32'));
    await until('one prefix at b', () => b.status()[0]!.prefixesReceived === 1);
    assert.equal(a.status()[0]!.prefixesSent, 1);
    assert.deepEqual(a.advertisedTo('2001:db8::10/128'), { peers: 1, of: 1 });
    assert.deepEqual(a.advertisedTo('192.0.2.10/32'), { peers: 0, of: 1 });
  });

  it('peer over iBGP with an MD5 password on both sides', async () => {
    await pair({ ibgp: true, password: 'lab-secret' });
    assert.equal(b.status()[0]!.negotiated!.ibgp, true);
    a.announce({ prefix: Prefix.parse('192.0.2.20/32') });
    await until('the prefix at b', () => b.status()[0]!.prefixesReceived === 1);
  });

  it('tell the peer why on an administrative shutdown (RFC 9003)', async () => {
    await pair();
    const down = once(b, 'peerDown');
    await a.stop({ shutdownMessage: 'maintenance: node drained' });
    const [, action] = (await down) as [string, { notificationReceived?: { code: number; subcode: number; shutdownMessage?: string } }];
    assert.equal(action.notificationReceived?.code, 6);
    assert.equal(action.notificationReceived?.subcode, 2);
    assert.equal(action.notificationReceived?.shutdownMessage, 'maintenance: node drained');
  });

  it('refuses a connection from an address that is no configured peer', async () => {
    a = new BgpSpeaker({ localAs: 65001, routerId: '192.0.2.1', listen: { host: '127.0.0.1', port: 0 } });
    a.addPeer({ address: '127.0.0.9', peerAs: 65002, passive: true });
    await a.start();
    const refused = once(a, 'refused');
    b = new BgpSpeaker({ localAs: 65002, routerId: '192.0.2.2' });
    b.addPeer({ address: '127.0.0.1', port: a.listenAddress!.port, peerAs: 65001, localAddress: '127.0.0.3', connectTimeoutMs: 2000 });
    await b.start();
    const [address] = await refused;
    assert.equal(address, '127.0.0.3');
    assert.notEqual(b.status()[0]!.state, SessionState.Established);
  });

  it('resolve a connection collision when both connect at once, leaving one session (RFC 4271 §6.8)', async () => {
    a = new BgpSpeaker({ localAs: 65001, routerId: '192.0.2.1', listen: { host: '127.0.0.1', port: 0 } });
    b = new BgpSpeaker({ localAs: 65002, routerId: '192.0.2.2', listen: { host: '127.0.0.2', port: 0 } });
    await a.start();
    await b.start();
    const downs: string[] = [];
    a.on('peerDown', (_p, d) => downs.push(`a:${d.reason}`));
    b.on('peerDown', (_p, d) => downs.push(`b:${d.reason}`));
    // Both sides active: each connects to the other's listener at the same moment.
    a.addPeer({ address: '127.0.0.2', port: b.listenAddress!.port, peerAs: 65002, localAddress: '127.0.0.1', nextHopIpv4: '192.0.2.1', connectTimeoutMs: 2000 });
    b.addPeer({ address: '127.0.0.1', port: a.listenAddress!.port, peerAs: 65001, localAddress: '127.0.0.2', nextHopIpv4: '192.0.2.2', connectTimeoutMs: 2000 });
    await until('both Established', () => a.status()[0]!.state === SessionState.Established && b.status()[0]!.state === SessionState.Established);
    // A route each way over the surviving connection: the collision was settled before either
    // side reached Established, and nothing of the losing connection comes after.
    a.announce({ prefix: Prefix.parse('192.0.2.30/32') });
    b.announce({ prefix: Prefix.parse('192.0.2.31/32') });
    await until('the routes over the surviving connection', () => b.status()[0]!.prefixesReceived === 1 && a.status()[0]!.prefixesReceived === 1);
    assert.equal(a.status()[0]!.state, SessionState.Established);
    assert.equal(b.status()[0]!.state, SessionState.Established);
    assert.deepEqual(downs, [], 'the losing connection is not a session flap');
  });
});
