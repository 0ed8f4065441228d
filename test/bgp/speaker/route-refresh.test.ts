// A ROUTE-REFRESH (RFC 2918) is answered by resending the Adj-RIB-Out of that family; End-of-RIB
// follows the initial table (RFC 4724 §2).
import { strict as assert } from 'node:assert';
import { MessageType, Prefix, endOfRibFamily, reachablePrefixes, type UpdateMessage } from '../../../bgp/index.js';
import { BgpSpeaker } from '../../../bgp/speaker/speaker.js';
import { RawPeer } from '../../support/raw-peer.js';
import { until } from '../../support/wait.js';


describe('route refresh and End-of-RIB', function () {
  this.timeout(20_000);
  let speaker: BgpSpeaker | undefined;
  let peer: RawPeer | undefined;

  afterEach(async () => {
    await peer?.close();
    await speaker?.stop({ graceful: true });
  });

  const updates = () => peer!.received.filter((m): m is UpdateMessage => m.type === MessageType.Update);
  const announcedCount = (prefix: string) => updates().flatMap(reachablePrefixes).filter((p) => p.toString() === prefix).length;

  it('sends the initial table, then End-of-RIB for each family, then resends the table on ROUTE-REFRESH', async () => {
    peer = new RawPeer({ asn: 65002, bgpId: '192.0.2.2' });
    const port = await peer.listen();
    speaker = new BgpSpeaker({ localAs: 65001, routerId: '192.0.2.1' });
    speaker.addPeer({ address: '127.0.0.1', port, peerAs: 65002, nextHopIpv4: '192.0.2.1', nextHopIpv6: ['2001:db8::1'] });
    speaker.announce({ prefix: Prefix.parse('192.0.2.10/32') });
    speaker.announce({ prefix: Prefix.parse('2001:db8::10/128') });
    await speaker.start();
    await peer.whenEstablished();
    await until('End-of-RIB for both families', () => updates().filter((u) => endOfRibFamily(u)).length === 2);
    const firstEor = updates().findIndex((u) => endOfRibFamily(u));
    const lastRoute = updates().map((u) => reachablePrefixes(u).length > 0).lastIndexOf(true);
    assert.ok(lastRoute < firstEor, 'the routes come before End-of-RIB');
    assert.equal(announcedCount('192.0.2.10/32'), 1);

    peer.send({ type: MessageType.RouteRefresh, afi: 1, subtype: 0, safi: 1 });
    await until('the IPv4 route again', () => announcedCount('192.0.2.10/32') === 2);
    // A second request, answered after everything the first one sent (one TCP stream, in order):
    // once its answer is in, an IPv6 resend caused by the first would be in too.
    peer.send({ type: MessageType.RouteRefresh, afi: 1, subtype: 0, safi: 1 });
    await until('the IPv4 route a third time', () => announcedCount('192.0.2.10/32') === 3);
    assert.equal(announcedCount('2001:db8::10/128'), 1, 'only the family asked for is resent');
  });
});
