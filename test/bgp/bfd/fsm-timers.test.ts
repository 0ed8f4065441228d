// RFC 5880 §6.8.2–§6.8.4 and §6.8.7: how the intervals are negotiated, the Poll Sequence that
// carries a change (§6.5), and the jitter; one line per rule where a line is enough.
import { strict as assert } from 'node:assert';
import { BfdState } from '../../../bgp/bfd/constants.js';
import { detectionTimeUs, jitteredIntervalUs, peerDetectionTimeUs, transmitIntervalUs } from '../../../bgp/bfd/timers.js';
import { MS, downSession, peerPacket, upSession, type BfdHarness } from './harness.js';

const { Up, Down } = BfdState;
const change = (txMs: number, rxMs: number, detectMult = 3) => ({ type: 'ParametersChanged' as const, desiredMinTxUs: txMs * MS, requiredMinRxUs: rxMs * MS, detectMult });
const final = (fields = {}) => peerPacket(Up, { final: true, ...fields });

/** Up, with the poll that going Up started already answered. */
function settled(options = {}): BfdHarness {
  const h = upSession(options);
  h.receive(final());
  return h;
}

describe('BFD machine: timer negotiation', () => {
  describe('before Up (§6.8.3)', () => {
    it('advertises at least one second as Desired Min TX', () => assert.equal(downSession().session.desiredMinTxUs, 1_000_000));
    it('advertises a configured interval above one second as it is', () => assert.equal(downSession({ desiredMinTxUs: 2_000 * MS }).session.desiredMinTxUs, 2_000_000));
    it('advertises the configured Required Min RX from the start', () => assert.equal(downSession().session.requiredMinRxUs, 300_000));
    it('sends at one second even to a peer that could take more', () => assert.equal(transmitIntervalUs(downSession().session), 1_000_000));
  });

  describe('on going Up', () => {
    it('switches to the configured Desired Min TX and polls', () => assert.deepEqual([upSession().session.desiredMinTxUs, upSession().session.polling], [300_000, true]));
    it('the next periodic packet carries the Poll bit', () => assert.deepEqual(upSession().send({ type: 'TransmitTimer_Expires' }), ['Send Up P', 'SetTimer Transmit 300000']));
    it('a Final ends the poll', () => assert.deepEqual(upSession().receive(final()), ['PollComplete', 'SetTimer Detect 900000']));
    it('after the Final packets go without Poll', () => assert.deepEqual(settled().send({ type: 'TransmitTimer_Expires' }), ['Send Up', 'SetTimer Transmit 300000']));
    it('a configured interval of one second or more needs no poll', () => assert.equal(upSession({ desiredMinTxUs: 1_000 * MS }).session.polling, false));
    it('a configured interval above one second paces the packets from the start', () => assert.deepEqual([upSession({ desiredMinTxUs: 2_000 * MS }).session.txIntervalUs, upSession({ desiredMinTxUs: 2_000 * MS }).session.polling], [2_000_000, false]));
  });

  describe('transmit interval (§6.8.7)', () => {
    it('is the greater of our Desired Min TX and the peer\'s Required Min RX', () => assert.deepEqual(settled().receive(peerPacket(Up, { requiredMinRxInterval: 500 * MS })), ['SetTimer Detect 900000', 'SetTimer Transmit 500000']));
    it('follows the peer\'s Required Min RX down at once', () => {
      const h = settled();
      h.receive(peerPacket(Up, { requiredMinRxInterval: 500 * MS }));
      assert.deepEqual(h.receive(peerPacket(Up)), ['SetTimer Detect 900000', 'SetTimer Transmit 300000']);
    });
    it('stops when the peer asks for no packets (Required Min RX 0)', () => assert.deepEqual(settled().receive(peerPacket(Up, { requiredMinRxInterval: 0 })), ['SetTimer Detect 900000', 'StopTimer Transmit']));
    it('stops while the peer runs Demand mode and both are Up', () => assert.deepEqual(settled().receive(peerPacket(Up, { demand: true })), ['SetTimer Detect 900000', 'StopTimer Transmit']));
  });

  describe('detection time (§6.8.4)', () => {
    it('is the peer\'s Detect Mult times the greater of our Required Min RX and its Desired Min TX', () => assert.equal(detectionTimeUs(settledWith({ detectMult: 5, desiredMinTxInterval: 400 * MS })), 2_000_000));
    it('uses our Required Min RX when the peer would send faster', () => assert.equal(detectionTimeUs(settledWith({ desiredMinTxInterval: 50 * MS })), 900_000));
    it('the peer\'s detection time for us is our Detect Mult times our agreed transmit interval', () => assert.equal(peerDetectionTimeUs(settled({ detectMult: 4 }).session), 1_200_000));
  });

  describe('changes while Up (§6.8.3)', () => {
    it('a faster Desired Min TX applies at once and is polled', () => {
      const h = settled();
      h.receive(peerPacket(Up, { requiredMinRxInterval: 100 * MS }));
      assert.deepEqual([h.send(change(100, 300)), h.session.polling], [['SetTimer Transmit 100000'], true]);
    });
    it('a slower Desired Min TX waits for the Final', () => {
      const h = settled();
      assert.deepEqual([h.send(change(600, 300)), h.session.txIntervalUs], [[], 300_000]);
      assert.deepEqual(h.receive(final()), ['PollComplete', 'SetTimer Detect 900000', 'SetTimer Transmit 600000']);
    });
    it('a shorter Required Min RX keeps the old one for detection until the Final', () => {
      const h = settled();
      h.send(change(300, 100));
      assert.deepEqual(h.receive(peerPacket(Up, { desiredMinTxInterval: 100 * MS })), ['SetTimer Detect 900000']);
      assert.deepEqual(h.receive(final({ desiredMinTxInterval: 100 * MS })), ['PollComplete', 'SetTimer Detect 300000']);
    });
    it('a longer Required Min RX lengthens detection at once', () => {
      const h = settled();
      h.send(change(300, 1000));
      assert.deepEqual(h.receive(peerPacket(Up)), ['SetTimer Detect 3000000']);
    });
    it('a change during a poll waits for a second poll', () => {
      const h = upSession();
      h.send(change(600, 300));
      assert.deepEqual([h.receive(final()), h.session.polling, h.session.txIntervalUs], [['SetTimer Detect 900000'], true, 300_000]);
      assert.deepEqual(h.receive(final()), ['PollComplete', 'SetTimer Detect 900000', 'SetTimer Transmit 600000']);
    });
    it('the same values again start no poll', () => assert.deepEqual([settled().send(change(300, 300)), settled().session.polling], [[], false]));
    it('a new Detect Mult goes out in the next packet', () => {
      const h = settled();
      h.send(change(300, 300, 5), { type: 'TransmitTimer_Expires' });
      assert.equal(h.lastSent()!.detectMult, 5);
    });
    it('changes while not Up apply at once without a poll', () => {
      const h = downSession();
      h.send(change(300, 50));
      assert.deepEqual([h.session.polling, h.session.rxRequiredInForceUs], [false, 50_000]);
    });
    it('going Down ends a poll', () => {
      const h = upSession();
      h.receive(peerPacket(Down));
      assert.equal(h.session.polling, false);
    });
    it('a Final without a poll of ours changes nothing', () => assert.deepEqual(settled().receive(final()), ['SetTimer Detect 900000']));
  });

  describe('jitter (§6.8.7)', () => {
    it('a random 0 takes 25 % off the interval', () => assert.equal(jitteredIntervalUs(1_000_000, 3, () => 0), 750_000));
    it('a random just under 1 keeps almost all of it', () => assert.ok(jitteredIntervalUs(1_000_000, 3, () => 0.999999) > 999_999));
    it('with Detect Mult 1 the interval never exceeds 90 %', () => assert.ok(jitteredIntervalUs(1_000_000, 1, () => 0.999999) < 900_000));
    it('with Detect Mult 1 it is still at least 75 %', () => assert.equal(jitteredIntervalUs(1_000_000, 1, () => 0), 750_000));
    it('stays in [75 %, 100 %) for any random draw', () => {
      for (let i = 0; i < 100; i++) {
        const j = jitteredIntervalUs(300_000, 3, () => i / 100);
        assert.ok(j >= 225_000 && j < 300_000, `${j}`);
      }
    });
  });
});

/** A settled session after one packet from the peer with these fields. */
function settledWith(fields: object) {
  const h = settled();
  h.receive(peerPacket(Up, fields));
  return h.session;
}
