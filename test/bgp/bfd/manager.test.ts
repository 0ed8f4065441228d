// Two BFD systems joined in memory on a ManualClock: the handshake, detection, AdminDown, the
// jitter actually applied, demultiplexing and the driver's counters and status.
import { strict as assert } from 'node:assert';
import { ManualClock } from '../../../bgp/clock.js';
import { BfdAuthType, BfdDiagnostic, BfdState } from '../../../bgp/bfd/constants.js';
import { BfdTransportError } from '../../../bgp/bfd/errors.js';
import { BfdManager, type BfdPeerOptions, type BfdPeerSession } from '../../../bgp/bfd/manager.js';
import { encodeControlPacket } from '../../../bgp/bfd/packet.js';
import { MemoryBfdNetwork } from '../../support/bfd-memory.js';
import { seededRandom } from '../../support/random.js';

const A = '192.0.2.1';
const B = '192.0.2.2';
const FAST: BfdPeerOptions = { desiredMinTxMs: 300, requiredMinRxMs: 300, detectMult: 3 };

interface Pair {
  clock: ManualClock;
  net: MemoryBfdNetwork;
  a: BfdManager;
  b: BfdManager;
  ab: BfdPeerSession;
  ba: BfdPeerSession;
  /** [time, state] of A's session, as its driver reported them. */
  aStates: Array<[number, BfdState, BfdDiagnostic, boolean]>;
}

function pair(aOptions: Partial<BfdPeerOptions> = {}, bOptions: Partial<BfdPeerOptions> = {}): Pair {
  const clock = new ManualClock();
  const net = new MemoryBfdNetwork(clock);
  const a = new BfdManager({ transport: net.transport(A), clock, random: seededRandom(1) });
  const b = new BfdManager({ transport: net.transport(B), clock, random: seededRandom(2) });
  const ab = a.add(B, { ...FAST, ...aOptions });
  const ba = b.add(A, { ...FAST, ...bOptions });
  const aStates: Pair['aStates'] = [];
  ab.driver.on('state', (to, _from, diag, adminDown) => aStates.push([clock.now(), to, diag, adminDown]));
  return { clock, net, a, b, ab, ba, aStates };
}

function upPair(aOptions: Partial<BfdPeerOptions> = {}, bOptions: Partial<BfdPeerOptions> = {}): Pair {
  const p = pair(aOptions, bOptions);
  p.clock.advance(5000);
  assert.deepEqual([p.ab.driver.state, p.ba.driver.state], [BfdState.Up, BfdState.Up]);
  return p;
}

/** Times at which `from` sent packets, from `since` on. */
const sendTimes = (p: Pair, from: string, since: number) => p.net.sent.filter((s) => s.from === from && s.at >= since).map((s) => s.at);
const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);

describe('BFD manager and driver, two systems in memory', () => {
  it('comes Up on both sides within the slow-start rounds (3 s)', () => {
    const p = pair();
    p.clock.advance(3000);
    assert.deepEqual([p.ab.driver.state, p.ba.driver.state], [BfdState.Up, BfdState.Up]);
  });

  it('goes through Init on the way Up', () => assert.deepEqual(upPair().aStates.map((s) => BfdState[s[1]]), ['Init', 'Up']));

  it('negotiates 300 ms both ways once the polls are through', () => {
    const s = upPair().ab.driver.status();
    assert.deepEqual([s.txIntervalMs, s.rxIntervalMs, s.detectTimeMs, s.peerDetectTimeMs, s.polling], [300, 300, 900, 900, false]);
  });

  it('sends every 225–300 ms once Up (75–100 % jitter)', () => {
    const p = upPair();
    p.clock.advance(3000);
    const all = gaps(sendTimes(p, A, 5000));
    assert.ok(all.length >= 9, `${all.length} packets`);
    for (const gap of all) assert.ok(gap >= 225 && gap <= 300, `gap ${gap} ms`);
    assert.ok(new Set(all.map((x) => Math.round(x))).size > 1, 'the gaps vary');
  });

  it('sends every 225–270 ms with Detect Mult 1 (75–90 %)', () => {
    const p = upPair({ detectMult: 1 });
    p.clock.advance(3000);
    for (const gap of gaps(sendTimes(p, A, 5000))) assert.ok(gap >= 225 && gap <= 270, `gap ${gap} ms`);
  });

  it('sends every 750–1000 ms while the peer is silent (not Up)', () => {
    const clock = new ManualClock();
    const net = new MemoryBfdNetwork(clock);
    const a = new BfdManager({ transport: net.transport(A), clock, random: seededRandom(3) });
    a.add(B, FAST);
    clock.advance(10_000);
    const g = gaps(net.sent.map((s) => s.at));
    assert.ok(g.length >= 9);
    for (const gap of g) assert.ok(gap >= 750 && gap <= 1000, `gap ${gap} ms`);
  });

  it('declares the peer down within the detection time of a cut', () => {
    const p = upPair();
    const cutAt = p.clock.now();
    p.net.cutBoth(A, B);
    p.clock.advance(2000);
    const down = p.aStates.find((s) => s[1] === BfdState.Down)!;
    assert.equal(down[2], BfdDiagnostic.ControlDetectionTimeExpired);
    assert.ok(down[0] - cutAt <= 900 && down[0] - cutAt > 900 - 300, `down after ${down[0] - cutAt} ms`);
  });

  it('a one-way cut takes both down: the side that still hears is told Down', () => {
    const p = upPair();
    p.net.cut(B, A);
    p.clock.advance(2000);
    assert.deepEqual([p.ab.driver.state !== BfdState.Up, p.ba.driver.status().localDiagnostic], [true, 'NeighborSignaledSessionDown']);
  });

  it('comes back Up after the path heals', () => {
    const p = upPair();
    p.net.cutBoth(A, B);
    p.clock.advance(2000);
    p.net.heal();
    p.clock.advance(4000);
    assert.deepEqual([p.ab.driver.state, p.ba.driver.state], [BfdState.Up, BfdState.Up]);
  });

  it('a peer that stops says AdminDown, and we go Down without calling it a failure', async () => {
    const p = upPair();
    const stopped = p.b.remove(A);
    p.clock.advance(2000);
    await stopped;
    assert.deepEqual(p.aStates.at(-1)!.slice(1), [BfdState.Down, BfdDiagnostic.NeighborSignaledSessionDown, true]);
  });

  it('AdminDown goes out for the peer\'s detection time, then nothing', async () => {
    const p = upPair();
    const from = p.clock.now();
    const stopped = p.a.remove(B);
    await p.clock.advanceAsync(5000);
    await stopped;
    const times = sendTimes(p, A, from);
    assert.ok(times.length >= 1 && times.every((t) => t - from <= 900), `${times.map((t) => t - from)}`);
  });

  it('gives each session its own discriminator and demultiplexes by it', () => {
    const clock = new ManualClock();
    const net = new MemoryBfdNetwork(clock);
    const a = new BfdManager({ transport: net.transport(A), clock, random: seededRandom(4) });
    const c = '2001:db8::3';
    const sessions = [a.add(B, FAST), a.add(c, FAST)];
    const b = new BfdManager({ transport: net.transport(B), clock, random: seededRandom(5) });
    const cm = new BfdManager({ transport: net.transport(c), clock, random: seededRandom(6) });
    b.add(A, FAST);
    cm.add(A, FAST);
    clock.advance(5000);
    const discrs = sessions.map((s) => s.driver.status().localDiscriminator);
    assert.deepEqual([new Set(discrs).size, sessions.map((s) => BfdState[s.driver.state])], [2, ['Up', 'Up']]);
  });

  it('drops a packet from an address with no session', () => {
    const p = pair();
    const stranger = encodeControlPacket({ diagnostic: 0, state: BfdState.Down, poll: false, final: false, controlPlaneIndependent: false, demand: false, multipoint: false, detectMult: 3, myDiscriminator: 5, yourDiscriminator: 0, desiredMinTxInterval: 1_000_000, requiredMinRxInterval: 300_000, requiredMinEchoRxInterval: 0 });
    p.net.deliver('192.0.2.99', A, stranger, false);
    p.clock.advance(10);
    assert.equal(p.a.discarded.BFD_ERR_NO_SESSION, 1);
  });

  it('drops a single-hop session\'s packet that arrives as multihop', () => {
    const p = pair();
    p.net.deliver(B, A, encodeControlPacket({ diagnostic: 0, state: BfdState.Down, poll: false, final: false, controlPlaneIndependent: false, demand: false, multipoint: false, detectMult: 3, myDiscriminator: 5, yourDiscriminator: 0, desiredMinTxInterval: 1_000_000, requiredMinRxInterval: 300_000, requiredMinEchoRxInterval: 0 }), true);
    p.clock.advance(10);
    assert.equal(p.a.discarded.BFD_ERR_NO_SESSION, 1);
  });

  it('drops a datagram that does not decode, by its error\'s name', () => {
    const p = pair();
    p.net.deliver(B, A, Buffer.alloc(10), false);
    p.clock.advance(10);
    assert.equal(p.a.discarded.BFD_ERR_TOO_SHORT, 1);
  });

  it('counts packets and transitions by diagnostic', () => {
    const p = upPair();
    p.net.cutBoth(A, B);
    p.clock.advance(2000);
    const c = p.ab.driver.counters;
    assert.ok(c.packetsSent > 5 && c.packetsReceived > 5);
    assert.deepEqual(c.transitions, { NoDiagnostic: 2, ControlDetectionTimeExpired: 1 });
  });

  it('carries new intervals with a poll while Up', () => {
    const p = upPair();
    p.ab.driver.setParameters(500, 500, 3);
    p.clock.advance(2000);
    assert.deepEqual([p.ab.driver.status().txIntervalMs, p.ba.driver.status().detectTimeMs, p.ab.driver.status().polling], [500, 1500, false]);
  });

  it('comes Up with Meticulous Keyed SHA1 on both sides', () => {
    const auth = { type: BfdAuthType.MeticulousKeyedSha1 as const, keyId: 1, key: new TextEncoder().encode('s3cret') };
    const p = upPair({ auth }, { auth });
    assert.equal(p.ab.driver.counters.discarded.BFD_ERR_AUTH_FAILED, undefined);
  });

  it('never comes Up with mismatched keys, and says why', () => {
    const enc = new TextEncoder();
    const p = pair({ auth: { type: BfdAuthType.KeyedSha1, keyId: 1, key: enc.encode('one') } }, { auth: { type: BfdAuthType.KeyedSha1, keyId: 1, key: enc.encode('two') } });
    p.clock.advance(5000);
    assert.deepEqual([p.ab.driver.state, (p.ab.driver.counters.discarded.BFD_ERR_AUTH_FAILED ?? 0) > 0], [BfdState.Down, true]);
  });

  it('a passive session waits for the peer, then comes Up', () => {
    const p = pair({ passive: true });
    assert.equal(sendTimes(p, A, 0).length, 0);
    p.clock.advance(5000);
    assert.equal(p.ab.driver.state, BfdState.Up);
  });

  it('refuses options out of range with BFD_ERR_INVALID_OPTION', () => {
    const m = new BfdManager({ transport: new MemoryBfdNetwork(new ManualClock()).transport(A), clock: new ManualClock() });
    assert.throws(() => m.add(B, { ...FAST, detectMult: 0 }), (e: BfdTransportError) => e.code === 'BFD_ERR_INVALID_OPTION' && /multiplier must be 1 to 255, got 0/.test(e.message));
    assert.throws(() => m.add(B, { ...FAST, desiredMinTxMs: 0 }), /transmit interval/);
    assert.throws(() => m.add(B, { ...FAST, desiredMinTxMs: 5_000_000 }), /transmit interval/);
  });

  it('a transport that cannot open leaves the session Down and silent, not thrown', () => {
    const clock = new ManualClock();
    const net = new MemoryBfdNetwork(clock);
    const t = net.transport(A);
    t.failWith = new BfdTransportError('BFD_ERR_BIND_FAILED', 'UDP port 3784 is taken');
    const s = new BfdManager({ transport: t, clock }).add(B, FAST);
    clock.advance(5000);
    assert.deepEqual([s.transportError?.code, net.sent.length, s.driver.state], ['BFD_ERR_BIND_FAILED', 0, BfdState.Down]);
  });
});
