// What the speaker throws to its caller: a SpeakerError with a stable code and a sentence.
import { strict as assert } from 'node:assert';
import { BgpSpeaker, Prefix, SpeakerError, routeAttributes } from '../../../bgp/index.js';

const isSpeakerError = (code: string, message: RegExp) => (e: unknown) => e instanceof SpeakerError && e.code === code && message.test(e.message);

describe('speaker errors', () => {
  it('refuses a peer configured twice', () => {
    const speaker = new BgpSpeaker({ localAs: 65001, routerId: '192.0.2.1' });
    speaker.addPeer({ address: '192.0.2.2', peerAs: 65002 });
    assert.throws(() => speaker.addPeer({ address: '192.0.2.2', peerAs: 65003 }), isSpeakerError('BGP_SPEAKER_DUPLICATE_PEER', /peer 192\.0\.2\.2 is configured twice/));
  });

  it('refuses a peer whose settings make no valid session, saying which', () => {
    const speaker = new BgpSpeaker({ localAs: 65001, routerId: '192.0.2.1' });
    assert.throws(() => speaker.addPeer({ address: '192.0.2.3', peerAs: 65002, holdTime: 2 }), isSpeakerError('BGP_SPEAKER_INVALID_PEER', /^peer 192\.0\.2\.3: .*hold/i));
  });

  it('refuses a route with no next hop of its family', () => {
    const peer = { localAs: 65001, ibgp: false, fourOctetAs: true };
    assert.throws(() => routeAttributes({ prefix: Prefix.parse('192.0.2.50/32') }, peer), isSpeakerError('BGP_SPEAKER_NO_NEXT_HOP', /no IPv4 next hop for 192\.0\.2\.50\/32/));
    assert.throws(() => routeAttributes({ prefix: Prefix.parse('2001:db8::50/128') }, peer), isSpeakerError('BGP_SPEAKER_NO_NEXT_HOP', /no IPv6 next hop for 2001:db8::50\/128/));
  });
});
