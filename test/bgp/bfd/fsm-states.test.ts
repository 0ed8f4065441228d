// RFC 5880 §6.8.6 state transitions, one line each: every local state against every state the
// peer can send, then the timers' and the operator's events.
import { strict as assert } from 'node:assert';
import { BfdDiagnostic, BfdState } from '../../../bgp/bfd/constants.js';
import { BfdHarness, LOCAL_DISCR, PEER_DISCR, downSession, initSession, peerPacket, upSession } from './harness.js';

const { AdminDown, Down, Init, Up } = BfdState;
const DETECT_SLOW = 'SetTimer Detect 3000000'; // 3 × the peer's 1 s while it is not Up
const DETECT_FAST = 'SetTimer Detect 900000'; // 3 × 300 ms

describe('BFD machine: states', () => {
  describe('a fresh session', () => {
    it('waits in Down with no timer running', () => assert.deepEqual([new BfdHarness().state, Object.values(new BfdHarness().session.timers)], [Down, [false, false, false]]));
    it('Start begins transmitting at the one-second rate of a session not Up', () => assert.deepEqual(new BfdHarness().send({ type: 'Start' }), ['SetTimer Transmit 1000000']));
    it('a passive session sends nothing on Start', () => assert.deepEqual(new BfdHarness({ passive: true }).send({ type: 'Start' }), []));
    it('a passive session starts transmitting once the peer is heard', () => {
      const h = new BfdHarness({ passive: true });
      h.send({ type: 'Start' });
      assert.deepEqual(h.receive(peerPacket(Down)), [DETECT_SLOW, 'Down->Init NoDiagnostic', 'SetTimer Transmit 1000000']);
    });
    it('a session not started takes packets but sends nothing', () => assert.deepEqual(new BfdHarness().receive(peerPacket(Down)), [DETECT_SLOW, 'Down->Init NoDiagnostic']));
  });

  describe('Down', () => {
    it('peer Down moves to Init', () => assert.deepEqual(downSession().receive(peerPacket(Down)), [DETECT_SLOW, 'Down->Init NoDiagnostic']));
    it('peer Init moves to Up, starts a poll and speeds up to 300 ms', () => assert.deepEqual(downSession().receive(peerPacket(Init)), [DETECT_SLOW, 'Down->Up NoDiagnostic', 'SetTimer Transmit 300000']));
    it('peer Up is ignored (it must first hear us)', () => assert.deepEqual(downSession().receive(peerPacket(Up)), [DETECT_FAST]));
    it('peer AdminDown keeps it Down', () => assert.deepEqual(downSession().receive(peerPacket(AdminDown)), [DETECT_SLOW]));
  });

  describe('Init', () => {
    it('peer Down keeps it in Init', () => assert.deepEqual(initSession().receive(peerPacket(Down)), [DETECT_SLOW]));
    it('peer Init moves to Up', () => assert.deepEqual(initSession().receive(peerPacket(Init)), [DETECT_SLOW, 'Init->Up NoDiagnostic', 'SetTimer Transmit 300000']));
    it('peer Up moves to Up', () => assert.deepEqual(initSession().receive(peerPacket(Up)), [DETECT_FAST, 'Init->Up NoDiagnostic', 'SetTimer Transmit 300000']));
    it('peer AdminDown moves to Down with Neighbor Signaled Session Down', () => assert.deepEqual(initSession().receive(peerPacket(AdminDown)), [DETECT_SLOW, 'Init->Down NeighborSignaledSessionDown (peer AdminDown)']));
  });

  describe('Up', () => {
    it('peer Up keeps it Up and restarts the detection timer', () => assert.deepEqual(upSession().receive(peerPacket(Up)), [DETECT_FAST]));
    it('peer Init keeps it Up', () => assert.deepEqual(upSession().receive(peerPacket(Init)), [DETECT_SLOW]));
    it('peer Down moves to Down with Neighbor Signaled Session Down and back to 1 s', () => assert.deepEqual(upSession().receive(peerPacket(Down)), [DETECT_SLOW, 'Up->Down NeighborSignaledSessionDown', 'SetTimer Transmit 1000000']));
    it('peer AdminDown moves to Down, marked as the peer\'s choice', () => assert.deepEqual(upSession().receive(peerPacket(AdminDown)), [DETECT_SLOW, 'Up->Down NeighborSignaledSessionDown (peer AdminDown)', 'SetTimer Transmit 1000000']));
  });

  describe('detection time', () => {
    it('expiring in Up moves to Down with Control Detection Time Expired', () => assert.deepEqual(upSession().send({ type: 'DetectTimer_Expires' }), ['Up->Down ControlDetectionTimeExpired', 'SetTimer Transmit 1000000']));
    it('expiring in Init moves to Down with Control Detection Time Expired', () => assert.deepEqual(initSession().send({ type: 'DetectTimer_Expires' }), ['Init->Down ControlDetectionTimeExpired']));
    it('expiring forgets the peer\'s discriminator', () => {
      const h = upSession();
      h.send({ type: 'DetectTimer_Expires' });
      assert.deepEqual([h.session.remoteDiscr, h.session.localDiag], [0, BfdDiagnostic.ControlDetectionTimeExpired]);
    });
    it('expiring in Down only forgets the peer', () => {
      const h = downSession();
      h.receive(peerPacket(AdminDown));
      assert.deepEqual([h.send({ type: 'DetectTimer_Expires' }), h.session.remoteDiscr], [[], 0]);
    });
    it('a passive session falls silent when the peer does', () => {
      const h = new BfdHarness({ passive: true });
      h.send({ type: 'Start' });
      h.receive(peerPacket(Down));
      assert.deepEqual(h.send({ type: 'DetectTimer_Expires' }), ['Init->Down ControlDetectionTimeExpired', 'StopTimer Transmit']);
    });
    it('an expiry of a timer not running is stale and ignored', () => assert.deepEqual(downSession().send({ type: 'DetectTimer_Expires' }), []));
  });

  describe('administrative control (§6.8.16)', () => {
    it('Stop in Up moves to AdminDown, says so at once and stops detecting', () => assert.deepEqual(upSession().send({ type: 'Stop' }), ['Up->AdminDown AdministrativelyDown', 'StopTimer Detect', 'Send AdminDown', 'SetTimer Transmit 1000000']));
    it('Stop may name Path Down', () => assert.deepEqual(upSession().send({ type: 'Stop', diagnostic: BfdDiagnostic.PathDown })[0], 'Up->AdminDown PathDown'));
    it('packets in AdminDown change nothing', () => {
      const h = upSession();
      h.send({ type: 'Stop' });
      assert.deepEqual([h.receive(peerPacket(Up, { poll: true })), h.state], [[], AdminDown]);
    });
    it('Start from AdminDown moves back to Down', () => {
      const h = upSession();
      h.send({ type: 'Stop' });
      assert.deepEqual(h.send({ type: 'Start' }), ['AdminDown->Down AdministrativelyDown']);
    });
    it('a second Stop does nothing', () => {
      const h = upSession();
      h.send({ type: 'Stop' });
      assert.deepEqual(h.send({ type: 'Stop' }), []);
    });
  });

  describe('what goes out', () => {
    it('a periodic packet carries our state, discriminators and advertised intervals', () => {
      const h = initSession();
      h.send({ type: 'TransmitTimer_Expires' });
      const p = h.lastSent()!;
      assert.deepEqual(
        [p.state, p.myDiscriminator, p.yourDiscriminator, p.desiredMinTxInterval, p.requiredMinRxInterval, p.requiredMinEchoRxInterval, p.detectMult, p.demand, p.controlPlaneIndependent],
        [Init, LOCAL_DISCR, PEER_DISCR, 1_000_000, 300_000, 0, 3, false, false],
      );
    });
    it('the C bit says what the configuration says', () => {
      const h = new BfdHarness({ controlPlaneIndependent: true });
      h.send({ type: 'Start' }, { type: 'TransmitTimer_Expires' });
      assert.equal(h.lastSent()!.controlPlaneIndependent, true);
    });
    it('a Down session with the peer unheard sends Your Discriminator 0', () => {
      const h = downSession();
      h.send({ type: 'TransmitTimer_Expires' });
      assert.equal(h.lastSent()!.yourDiscriminator, 0);
    });
    it('a Poll from the peer is answered at once with Final', () => assert.deepEqual(upSession().receive(peerPacket(Up, { poll: true })), [DETECT_FAST, 'Send Up F']));
    it('a Poll is answered even in Down', () => assert.deepEqual(downSession().receive(peerPacket(AdminDown, { poll: true })), [DETECT_SLOW, 'Send Down F']));
    it('each periodic packet re-arms the transmit timer', () => assert.deepEqual(downSession().send({ type: 'TransmitTimer_Expires' }), ['Send Down', 'SetTimer Transmit 1000000']));
  });
});
