import { strict as assert } from 'node:assert';
import { resolveCollision, type CollisionInput, type OtherConnection } from '../../../bgp/session/collision.js';
import { SessionState } from '../../../bgp/session/types.js';
import { harnessIn } from './harness.js';

const { Idle, Connect, Active, OpenSent, OpenConfirm, Established } = SessionState;

function input(fields: Partial<Omit<CollisionInput, 'other'>> & { other?: Partial<OtherConnection> } = {}): CollisionInput {
  const { other, ...rest } = fields;
  return {
    localBgpId: '10.0.0.1',
    remoteBgpId: '10.0.0.2',
    localAs: 65001,
    remoteAs: 65002,
    received: { direction: 'inbound' },
    ...rest,
    other: { direction: 'outbound', state: OpenConfirm, openReceived: true, ...other },
  };
}

describe('connection collision resolution (RFC 4271 §6.8)', () => {
  it('with a lower local identifier, the connection we opened closes and the peer’s stays', () => {
    assert.deepEqual(resolveCollision(input()), { collision: true, close: 'other', closeDirection: 'outbound', keepDirection: 'inbound', rule: 'HigherBgpIdentifier' });
  });

  it('with a higher local identifier, the connection the peer opened closes', () => {
    assert.deepEqual(resolveCollision(input({ localBgpId: '10.0.0.3' })), {
      collision: true,
      close: 'received',
      closeDirection: 'inbound',
      keepDirection: 'outbound',
      rule: 'HigherBgpIdentifier',
    });
  });

  it('the same rule holds when the OPEN arrives on our own connection', () => {
    const result = resolveCollision(input({ received: { direction: 'outbound' }, other: { direction: 'inbound' } }));
    assert.deepEqual(result, { collision: true, close: 'received', closeDirection: 'outbound', keepDirection: 'inbound', rule: 'HigherBgpIdentifier' });
  });

  it('identifiers compare as unsigned 32-bit numbers, not as text', () => {
    // As text "9.0.0.1" > "10.0.0.1"; as numbers 9.x < 10.x, so ours is lower.
    const result = resolveCollision(input({ localBgpId: '9.0.0.1', remoteBgpId: '10.0.0.1' }));
    assert.equal(result.collision && result.keepDirection, 'inbound');
    const high = resolveCollision(input({ localBgpId: '255.255.255.255', remoteBgpId: '128.0.0.0' }));
    assert.equal(high.collision && high.keepDirection, 'outbound');
  });

  it('equal identifiers keep the connection of the speaker with the larger AS (RFC 6286 §2.3)', () => {
    const same = { localBgpId: '10.0.0.1', remoteBgpId: '10.0.0.1' };
    const weLarger = resolveCollision(input({ ...same, localAs: 65010 }));
    assert.deepEqual(weLarger, { collision: true, close: 'received', closeDirection: 'inbound', keepDirection: 'outbound', rule: 'LargerAs' });
    const peerLarger = resolveCollision(input(same));
    assert.deepEqual(peerLarger, { collision: true, close: 'other', closeDirection: 'outbound', keepDirection: 'inbound', rule: 'LargerAs' });
  });

  it('an Established connection always wins: the new one closes', () => {
    const result = resolveCollision(input({ localBgpId: '10.0.0.1', other: { state: Established } }));
    assert.deepEqual(result, { collision: true, close: 'received', closeDirection: 'inbound', keepDirection: 'outbound', rule: 'EstablishedWins' });
  });

  it('a connection in OpenSent collides only once its OPEN arrived', () => {
    assert.deepEqual(resolveCollision(input({ other: { state: OpenSent, openReceived: false } })), { collision: false });
    assert.equal(resolveCollision(input({ other: { state: OpenSent, openReceived: true } })).collision, true);
  });

  for (const state of [Idle, Connect, Active]) {
    it(`a connection in ${state} never collides`, () => {
      assert.deepEqual(resolveCollision(input({ other: { state } })), { collision: false });
    });
  }

  it('two connections opened by the same side close the older one', () => {
    const result = resolveCollision(input({ other: { direction: 'inbound' } }));
    assert.deepEqual(result, { collision: true, close: 'other', closeDirection: 'inbound', keepDirection: 'inbound', rule: 'SameDirection' });
  });

  it('the machine told to dump its connection sends Cease 6/7', () => {
    const loser = harnessIn(OpenConfirm);
    const decision = resolveCollision(input({ other: { direction: 'outbound', state: loser.state, openReceived: true } }));
    assert.equal(decision.collision && decision.close, 'other');
    assert.equal(loser.send({ type: 'OpenCollisionDump' })[0], 'SendNotification 6/7');
  });
});
