import { strict as assert } from 'node:assert';
import { gtsmOptions, ttlFor, TransportError } from '../../../bgp/transport/index.js';

describe('transport TTL policy', () => {
  it('GTSM for a directly connected peer sends 255 and accepts only 255 (RFC 5082 §3)', () => {
    assert.deepEqual(gtsmOptions(), { ttl: 255, minTtl: 255 });
    assert.deepEqual(gtsmOptions(1), { ttl: 255, minTtl: 255 });
  });

  it('GTSM for a peer three hops away accepts TTL 253 and above', () => {
    assert.deepEqual(gtsmOptions(3), { ttl: 255, minTtl: 253 });
  });

  it('GTSM hop counts outside 1..254 are refused', () => {
    for (const hops of [0, 255, 1.5, -1]) {
      assert.throws(() => gtsmOptions(hops), (e: TransportError) => e.code === 'BGP_TRANSPORT_INVALID_OPTION');
    }
  });

  it('eBGP sends TTL 1 so that a session never forms across a router', () => {
    assert.deepEqual(ttlFor({ ebgp: true }), { ttl: 1 });
  });

  it('eBGP multihop sends the configured TTL', () => {
    assert.deepEqual(ttlFor({ ebgp: true, multihop: 4 }), { ttl: 4 });
  });

  it('iBGP sends TTL 255, since iBGP peers are often loopbacks several hops away', () => {
    assert.deepEqual(ttlFor({ ebgp: false }), { ttl: 255 });
  });

  it('GTSM overrides the eBGP default and applies to iBGP too', () => {
    assert.deepEqual(ttlFor({ ebgp: true, gtsmHops: 1 }), { ttl: 255, minTtl: 255 });
    assert.deepEqual(ttlFor({ ebgp: false, gtsmHops: 2 }), { ttl: 255, minTtl: 254 });
  });

  it('GTSM together with multihop is a configuration error', () => {
    assert.throws(
      () => ttlFor({ ebgp: true, multihop: 2, gtsmHops: 2 }),
      (e: TransportError) => e.code === 'BGP_TRANSPORT_INVALID_OPTION' && /exclude each other/.test(e.message),
    );
  });
});
