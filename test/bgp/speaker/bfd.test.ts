// The speaker with BFD (RFC 5882): a scripted BGP peer on loopback, and the router's BFD as a
// BfdManager joined to ours in memory, both on the speaker's ManualClock. BFD time moves only
// when the test says; the BGP connection itself is real and awaited.
import { strict as assert } from 'node:assert';
import { ManualClock } from '../../../bgp/clock.js';
import { BfdDiagnostic, BfdState, CeaseSubcode, ErrorCode, MessageType, type NotificationMessage } from '../../../bgp/index.js';
import { BfdManager, type BfdPeerSession } from '../../../bgp/bfd/manager.js';
import { BgpSpeaker, type PeerConfig } from '../../../bgp/speaker/speaker.js';
import { SessionState, type SessionDownAction } from '../../../bgp/session/types.js';
import { MemoryBfdNetwork } from '../../support/bfd-memory.js';
import { seededRandom } from '../../support/random.js';
import { RawPeer } from '../../support/raw-peer.js';
import { until } from '../../support/wait.js';

const ROUTER = '127.0.0.1';
const NODE = '127.0.0.2';
const FAST = { desiredMinTxMs: 300, requiredMinRxMs: 300, detectMult: 3 };

describe('speaker with BFD', function () {
  this.timeout(20_000);
  let clock: ManualClock;
  let net: MemoryBfdNetwork;
  let router: RawPeer;
  let routerBfd: BfdManager;
  let routerSession: BfdPeerSession;
  let speaker: BgpSpeaker;
  let downs: SessionDownAction[];
  let bfdStates: Array<[BfdState, BfdDiagnostic]>;

  async function setUp(peer: Partial<PeerConfig> = {}, routerRunsBfd = true): Promise<void> {
    clock = new ManualClock();
    net = new MemoryBfdNetwork(clock);
    router = new RawPeer({ asn: 65000, bgpId: '192.0.2.1', holdTime: 90 });
    const port = await router.listen();
    routerBfd = new BfdManager({ transport: net.transport(ROUTER), clock, random: seededRandom(7) });
    if (routerRunsBfd) routerSession = routerBfd.add(NODE, FAST);
    speaker = new BgpSpeaker({ localAs: 65001, routerId: '192.0.2.2', clock, bfd: { transport: net.transport(NODE), random: seededRandom(8) } });
    speaker.addPeer({ address: ROUTER, port, peerAs: 65000, connectTimeoutMs: 2000, bfd: {}, ...peer });
    downs = [];
    bfdStates = [];
    speaker.on('peerDown', (_p, d) => downs.push(d));
    speaker.on('bfdState', (_p, to, _from, diag) => bfdStates.push([to, diag]));
    await speaker.start();
    await until('BGP Established', () => speaker.status()[0]!.state === SessionState.Established);
    clock.advance(3000);
    assert.equal(speaker.status()[0]!.bfd?.state, routerRunsBfd ? 'Up' : 'Down');
  }

  const state = () => speaker.status()[0]!.state;
  /**
   * Moves the clock in small steps until BFD is Up, and no further: the reconnection that follows
   * is real I/O, and its connect timeout runs on the same clock.
   */
  const untilBfdUp = (limitMs = 5000) => {
    for (let t = 0; t < limitMs && speaker.status()[0]!.bfd!.state !== 'Up'; t += 50) clock.advance(50);
  };
  const notifications = () => router.received.filter((m): m is NotificationMessage => m.type === MessageType.Notification);

  afterEach(async () => {
    const stopped = speaker?.stop({ graceful: true });
    await clock?.advanceAsync(5000);
    await stopped;
    await router?.close();
  });

  it('shows the BFD session, its negotiated intervals and discriminators in status', async () => {
    await setUp();
    await clock.advanceAsync(2000);
    const bfd = speaker.status()[0]!.bfd!;
    assert.deepEqual(
      [bfd.state, bfd.txIntervalMs, bfd.rxIntervalMs, bfd.detectTimeMs, bfd.multihop, bfd.holdingBgp, bfd.controlPlaneIndependent, bfd.remoteDiscriminator],
      ['Up', 300, 300, 900, false, false, false, routerSession.driver.status().localDiscriminator],
    );
  });

  it('BFD Down takes BGP down at once with Cease / BFD Down (RFC 9384) and a down event naming BFD', async () => {
    await setUp();
    net.cutBoth(NODE, ROUTER);
    clock.advance(1000);
    assert.deepEqual(bfdStates.at(-1), [BfdState.Down, BfdDiagnostic.ControlDetectionTimeExpired]);
    assert.deepEqual([state(), downs.map((d) => d.reason)], [SessionState.Idle, ['BfdDown']]);
    await until('the NOTIFICATION at the router', () => notifications().length > 0);
    assert.deepEqual([notifications()[0]!.code, notifications()[0]!.subcode], [ErrorCode.Cease, CeaseSubcode.BfdDown]);
  });

  it('holds BGP down while BFD is down, however long', async () => {
    await setUp();
    net.cutBoth(NODE, ROUTER);
    await clock.advanceAsync(120_000);
    assert.deepEqual([state(), router.connections, speaker.status()[0]!.bfd!.holdingBgp], [SessionState.Idle, 1, true]);
  });

  it('brings BGP back once BFD is Up again', async () => {
    await setUp();
    net.cutBoth(NODE, ROUTER);
    clock.advance(1000);
    net.heal();
    untilBfdUp();
    assert.equal(speaker.status()[0]!.bfd!.state, 'Up');
    await until('BGP Established again', () => state() === SessionState.Established);
    assert.equal(router.connections, 2);
  });

  it('a link that flaps again and again never leaves BGP stuck down', async () => {
    await setUp();
    for (let i = 0; i < 5; i++) {
      net.cutBoth(NODE, ROUTER);
      clock.advance(1000 + 137 * i);
      net.heal();
      clock.advance(200 + 311 * i);
    }
    untilBfdUp();
    assert.equal(speaker.status()[0]!.bfd!.state, 'Up');
    await until('BGP Established after the flaps', () => state() === SessionState.Established);
  });

  it('a router that turns BFD off (AdminDown) is no failure: BGP stays up', async () => {
    await setUp();
    const removed = routerBfd.remove(NODE);
    await clock.advanceAsync(2000);
    await removed;
    assert.deepEqual([bfdStates.at(-1), state(), downs], [[BfdState.Down, BfdDiagnostic.NeighborSignaledSessionDown], SessionState.Established, []]);
  });

  it('BFD that never came Up takes nothing down (a router without BFD)', async () => {
    await setUp({}, false);
    await clock.advanceAsync(30_000);
    assert.deepEqual([speaker.status()[0]!.bfd!.state, state(), downs], ['Down', SessionState.Established, []]);
  });

  it('refuses BFD options out of range when the peer is added', () => {
    const s = new BgpSpeaker({ localAs: 65001, routerId: '192.0.2.2' });
    assert.throws(() => s.addPeer({ address: ROUTER, peerAs: 65000, bfd: { multiplier: 0 } }), /peer 127\.0\.0\.1: BFD: the detection multiplier must be 1 to 255, got 0/);
  });
});
