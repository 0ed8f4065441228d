// What a misbehaving peer cannot do to us: a peer that stops reading cannot make our memory
// grow without bound, and a peer that sends a full table is cut off at the prefix limit.
import { strict as assert } from 'node:assert';
import { AttrType, MessageType, Origin, Prefix, type NotificationMessage, type UpdateMessage } from '../../../bgp/index.js';
import { BgpSpeaker } from '../../../bgp/speaker/speaker.js';
import { SessionState } from '../../../bgp/session/types.js';
import { RawPeer } from '../../support/raw-peer.js';
import { until } from '../../support/wait.js';


describe('speaker limits', function () {
  this.timeout(60_000);
  let speaker: BgpSpeaker | undefined;
  let peer: RawPeer | undefined;

  afterEach(async () => {
    await peer?.close();
    await speaker?.stop({ graceful: true });
  });

  async function connect(maxPrefixes?: number): Promise<void> {
    peer = new RawPeer({ asn: 65002, bgpId: '192.0.2.2' });
    const port = await peer.listen();
    speaker = new BgpSpeaker({ localAs: 65001, routerId: '192.0.2.1', gracefulRestart: false });
    speaker.addPeer({ address: '127.0.0.1', port, peerAs: 65002, nextHopIpv4: '192.0.2.1', idleHoldTime: 60, ...(maxPrefixes ? { maxPrefixes } : {}) });
    await speaker.start();
    await peer.whenEstablished();
    await until('Established', () => speaker!.status()[0]!.state === SessionState.Established);
  }

  it('holds a bounded send queue towards a peer that stops reading, however many changes come', async () => {
    await connect();
    peer!.socket!.pause();
    const routes = 50_000;
    const prefixes = Array.from({ length: routes }, (_, i) => Prefix.fromBytes(1, 32, Uint8Array.of(198, 18, i >> 8, i & 0xff)));
    let maxQueue = 0;
    // 60 rounds of every route changing its attributes: about 60 x 280 kB = 17 MB of UPDATEs if all
    // were queued, more than the kernel's socket buffers on both ends take (a few MB).
    for (let round = 0; round < 60; round++) {
      for (const prefix of prefixes) speaker!.announce({ prefix, med: round });
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setTimeout(r, 5));
      maxQueue = Math.max(maxQueue, speaker!.status()[0]!.sendQueueBytes);
    }
    const status = speaker!.status()[0]!;
    // One flush of 50,000 routes is ~280 kB: the queue holds at most about one flush, never 60.
    assert.ok(maxQueue < 1_000_000, `send queue reached ${maxQueue} octets`);
    assert.ok(status.pendingChanges <= routes, 'pending changes are bounded by the table size');
    assert.ok(status.pendingChanges > 0, 'changes waited for the socket to drain');
    // Once the peer reads again, the latest state of every route goes out.
    peer!.socket!.resume();
    await until('all changes sent', () => speaker!.status()[0]!.pendingChanges === 0 && speaker!.status()[0]!.sendQueueBytes === 0);
  });

  it('closes the session with Cease / Maximum Number of Prefixes Reached (RFC 4486) at the limit', async () => {
    await connect(1000);
    // A full-table peer: far more prefixes than the limit, as fast as it can send them.
    const attrs = [
      { type: AttrType.Origin, origin: Origin.Igp },
      { type: AttrType.AsPath, segments: [{ type: 2, asns: [65002] }] },
      { type: AttrType.NextHop, nextHop: '192.0.2.2' },
    ] as UpdateMessage['attributes'];
    for (let batch = 0; batch < 200; batch++) {
      const nlri = Array.from({ length: 500 }, (_, i) => Prefix.fromBytes(1, 24, Uint8Array.of(10 + (batch >> 8), batch & 0xff, i & 0xff, 0)));
      peer!.send({ type: MessageType.Update, withdrawn: [], attributes: attrs, nlri });
    }
    await until('the NOTIFICATION', () => peer!.received.some((m) => m.type === MessageType.Notification));
    const n = peer!.received.find((m) => m.type === MessageType.Notification) as NotificationMessage;
    assert.equal(n.code, 6);
    assert.equal(n.subcode, 1);
    // RFC 4486 §4: AFI (2 octets), SAFI (1), the limit (4).
    assert.deepEqual([...n.data], [0, 1, 1, 0, 0, 0x03, 0xe8]);
    await until('session down', () => speaker!.status()[0]!.state !== SessionState.Established);
    assert.equal(speaker!.status()[0]!.prefixesReceived, 0, 'received prefixes are forgotten');
    assert.match(speaker!.status()[0]!.lastError ?? '', /more than 1000/);
  });

  it('does not count our own routes sent back to us (AS_PATH holds our AS: a loop, RFC 4271 §9.1.2) towards the limit', async () => {
    await connect(1000);
    const looped = [
      { type: AttrType.Origin, origin: Origin.Igp },
      { type: AttrType.AsPath, segments: [{ type: 2, asns: [65002, 65001] }] },
      { type: AttrType.NextHop, nextHop: '192.0.2.2' },
    ] as UpdateMessage['attributes'];
    for (let batch = 0; batch < 10; batch++) {
      const nlri = Array.from({ length: 500 }, (_, i) => Prefix.fromBytes(1, 32, Uint8Array.of(198, 18, batch, i & 0xff)));
      peer!.send({ type: MessageType.Update, withdrawn: [], attributes: looped, nlri });
    }
    // Then one route of the peer's own: once it is counted, every looped one before it was seen.
    peer!.send({ type: MessageType.Update, withdrawn: [], attributes: [looped[0]!, { type: AttrType.AsPath, segments: [{ type: 2, asns: [65002] }] }, looped[2]!] as UpdateMessage['attributes'], nlri: [Prefix.parse('203.0.113.0/24')] });
    await until('the peer\'s own route counted', () => speaker!.status()[0]!.prefixesReceived === 1);
    assert.equal(speaker!.status()[0]!.state, SessionState.Established, '5,000 looped routes did not reach the limit of 1,000');
    assert.ok(!peer!.received.some((m) => m.type === MessageType.Notification));
  });
});
