// A peer's BFD options from its BGP settings: kube-vip's defaults, and the hop mode and
// minimum TTL that its TTL settings imply.
import { strict as assert } from 'node:assert';
import { bfdOptionsFor } from '../../../bgp/speaker/bfd-link.js';

describe('BFD options for a peer', () => {
  it('defaults to kube-vip\'s 300 ms, 300 ms, × 3, single hop, C bit clear', () => assert.deepEqual(bfdOptionsFor({}, {}), { desiredMinTxMs: 300, requiredMinRxMs: 300, detectMult: 3, multihop: false, controlPlaneIndependent: false }));
  it('an eBGP multihop peer gets multihop BFD accepting its hop count (TTL 50: 206 and up)', () => assert.deepEqual([bfdOptionsFor({}, { multihop: 50 }).multihop, bfdOptionsFor({}, { multihop: 50 }).minTtl], [true, 206]));
  it('a GTSM peer one hop away stays single hop', () => assert.equal(bfdOptionsFor({}, { gtsmHops: 1 }).multihop, false));
  it('a GTSM peer two hops away gets multihop accepting TTL 254 and up', () => assert.deepEqual([bfdOptionsFor({}, { gtsmHops: 2 }).multihop, bfdOptionsFor({}, { gtsmHops: 2 }).minTtl], [true, 254]));
  it('multihop forced without a hop count accepts any TTL', () => assert.equal(bfdOptionsFor({ multihop: true }, {}).minTtl, 1));
  it('an explicit minimum TTL wins', () => assert.equal(bfdOptionsFor({ minTtl: 250 }, { multihop: 50 }).minTtl, 250));
  it('follows the BGP session\'s source address and interface', () => assert.deepEqual([bfdOptionsFor({}, { localAddress: '192.0.2.2', sourceInterface: 'eth0' }).localAddress, bfdOptionsFor({}, { sourceInterface: 'eth0' }).interface], ['192.0.2.2', 'eth0']));
  it('carries the configured intervals, multiplier and passive mode', () => assert.deepEqual(bfdOptionsFor({ minTxMs: 100, minRxMs: 200, multiplier: 5, passive: true }, {}), { desiredMinTxMs: 100, requiredMinRxMs: 200, detectMult: 5, multihop: false, controlPlaneIndependent: false, passive: true }));
});
