// The BFD session of RFC 5880 §6.8 in Asynchronous mode, as a pure function like the BGP
// machine: step(session, event) returns the next session and the actions that carry it out.
// No sockets, clocks or randomness live here. A driver (driver.ts) binds it to the world:
//
//   - it feeds in packets that decoded (packet.ts) and were demultiplexed to this session,
//     after checking their digest (auth.ts); the sequence-number window is checked here;
//   - it carries out Send (signing when the session authenticates), SetTimer (Transmit counts
//     from the last packet sent and gets the §6.8.7 jitter; Detect and AuthSeqReset count from
//     now) and StopTimer, and hands StateChange to the client (the BGP speaker).
//
// States: Down → Init → Up on the three-way handshake of §6.2, back to Down when the peer says
// Down or AdminDown or falls silent for a Detection Time, AdminDown when disabled (§6.8.16).
import { sequenceAcceptable, isDigestAuth } from './auth.js';
import { BFD_INITIAL_REMOTE_MIN_RX_US, BfdDiagnostic, BfdState } from './constants.js';
import { bfdError } from './errors.js';
import type { BfdControlPacket } from './packet.js';
import { advertisedDesiredMinTxUs, detectionTimeUs, transmitIntervalUs, transmitsPeriodically } from './timers.js';
import type { BfdAction, BfdEvent, BfdSession, BfdSessionConfig, BfdTimerName, BfdTransition } from './types.js';

const EXPIRING: Partial<Record<BfdEvent['type'], BfdTimerName>> = {
  TransmitTimer_Expires: 'Transmit',
  DetectTimer_Expires: 'Detect',
  AuthSeqResetTimer_Expires: 'AuthSeqReset',
};

/** §6.8.1: a session in Down with the initial values, not yet transmitting (see Start). */
export function createBfdSession(config: BfdSessionConfig, initialAuthSequence = 0): BfdSession {
  const desired = advertisedDesiredMinTxUs(config.desiredMinTxUs, BfdState.Down);
  return {
    config,
    enabled: false,
    state: BfdState.Down,
    remoteState: BfdState.Down,
    remoteDiscr: 0,
    localDiag: BfdDiagnostic.NoDiagnostic,
    remoteDiag: BfdDiagnostic.NoDiagnostic,
    desiredMinTxUs: desired,
    requiredMinRxUs: config.requiredMinRxUs,
    txDesiredInForceUs: desired,
    rxRequiredInForceUs: config.requiredMinRxUs,
    remoteMinRxUs: BFD_INITIAL_REMOTE_MIN_RX_US,
    remoteDesiredMinTxUs: 0,
    remoteDetectMult: 0,
    remoteDemand: false,
    remoteControlPlaneIndependent: false,
    polling: false,
    pollPending: false,
    rcvAuthSeq: undefined,
    xmitAuthSeq: initialAuthSequence >>> 0,
    txIntervalUs: 0,
    timers: { Transmit: false, Detect: false, AuthSeqReset: false },
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A mutable copy of the session for the length of one step, recording actions. */
class Draft {
  readonly s: Mutable<BfdSession>;
  readonly timers: Record<BfdTimerName, boolean>;
  readonly actions: BfdAction[] = [];
  constructor(from: BfdSession) {
    this.timers = { ...from.timers };
    this.s = { ...from, timers: this.timers };
  }
  emit(action: BfdAction): void {
    this.actions.push(action);
  }
  setTimer(timer: BfdTimerName, us: number): void {
    this.timers[timer] = true;
    this.emit({ type: 'SetTimer', timer, us });
  }
  stopTimer(timer: BfdTimerName): void {
    if (!this.timers[timer]) return;
    this.timers[timer] = false;
    this.emit({ type: 'StopTimer', timer });
  }
}

/**
 * One event at a time. The expiry of a timer that is not running is stale (stopped while its
 * expiry was queued) and is ignored.
 */
export function step(session: BfdSession, event: BfdEvent): BfdTransition {
  const expiring = EXPIRING[event.type];
  if (expiring && !session.timers[expiring]) return { session, actions: [] };
  const d = new Draft(session);
  if (expiring) d.timers[expiring] = false;
  switch (event.type) {
    case 'Start':
      start(d);
      break;
    case 'Stop':
      stop(d, event.diagnostic ?? BfdDiagnostic.AdministrativelyDown);
      break;
    case 'PacketReceived':
      receive(d, event.packet);
      break;
    case 'ParametersChanged':
      d.s.config = { ...d.s.config, desiredMinTxUs: event.desiredMinTxUs, requiredMinRxUs: event.requiredMinRxUs, detectMult: event.detectMult };
      updateParameters(d, advertisedDesiredMinTxUs(event.desiredMinTxUs, d.s.state), event.requiredMinRxUs);
      break;
    case 'TransmitTimer_Expires':
      // Re-armed by reconcileTransmit below, counting from this packet.
      send(d, { poll: d.s.polling, final: false });
      break;
    case 'DetectTimer_Expires':
      detectionTimeExpired(d);
      break;
    case 'AuthSeqResetTimer_Expires':
      // §6.7.3/§6.7.4: bfd.AuthSeqKnown falls to 0 after twice the Detection Time of silence.
      d.s.rcvAuthSeq = undefined;
      break;
  }
  reconcileTransmit(d);
  return { session: d.s, actions: d.actions };
}

/** §6.8.16 "enabling": AdminDown (or a fresh session) to Down, and transmitting. */
function start(d: Draft): void {
  d.s.enabled = true;
  if (d.s.state === BfdState.AdminDown) changeState(d, BfdState.Down, d.s.localDiag, false);
}

/**
 * §6.8.16 "disabling": AdminDown with a diagnostic. One packet goes out at once so that the peer
 * learns it; the driver keeps transmitting for a Detection Time, as the RFC recommends.
 */
function stop(d: Draft, diagnostic: BfdDiagnostic): void {
  if (d.s.state === BfdState.AdminDown) return;
  d.s.localDiag = diagnostic;
  changeState(d, BfdState.AdminDown, diagnostic, false);
  d.stopTimer('Detect');
  if (d.s.enabled) send(d, { poll: false, final: false });
}

/** §6.8.6 from "If the A bit is set...", on a packet that decoded and found this session. */
function receive(d: Draft, p: BfdControlPacket): void {
  const auth = d.s.config.auth;
  if (!!p.auth !== !!auth) {
    d.emit({ type: 'Discard', error: bfdError('BFD_ERR_AUTH_MISMATCH', `the A bit is ${p.auth ? 'set' : 'clear'} and this session ${auth ? 'authenticates' : 'does not authenticate'}`) });
    return;
  }
  if (auth && p.auth && 'sequence' in p.auth && isDigestAuth(auth.type)) {
    if (!sequenceAcceptable(auth.type, d.s.rcvAuthSeq, p.auth.sequence, p.detectMult)) {
      d.emit({ type: 'Discard', error: bfdError('BFD_ERR_AUTH_SEQUENCE', `sequence number ${p.auth.sequence} is outside the window after ${d.s.rcvAuthSeq} (3 × Detect Mult ${p.detectMult})`) });
      return;
    }
    d.s.rcvAuthSeq = p.auth.sequence;
  }
  d.s.remoteDiscr = p.myDiscriminator;
  d.s.remoteState = p.state;
  d.s.remoteDemand = p.demand;
  d.s.remoteMinRxUs = p.requiredMinRxInterval;
  d.s.remoteDesiredMinTxUs = p.desiredMinTxInterval;
  d.s.remoteDetectMult = p.detectMult;
  d.s.remoteDiag = p.diagnostic;
  d.s.remoteControlPlaneIndependent = p.controlPlaneIndependent;
  if (p.final && d.s.polling) endPoll(d);
  if (d.s.state === BfdState.AdminDown) return;
  d.setTimer('Detect', detectionTimeUs(d.s));
  if (auth && isDigestAuth(auth.type)) d.setTimer('AuthSeqReset', 2 * detectionTimeUs(d.s));

  if (p.state === BfdState.AdminDown) {
    if (d.s.state !== BfdState.Down) {
      d.s.localDiag = BfdDiagnostic.NeighborSignaledSessionDown;
      changeState(d, BfdState.Down, BfdDiagnostic.NeighborSignaledSessionDown, true);
    }
  } else if (d.s.state === BfdState.Down) {
    if (p.state === BfdState.Down) changeState(d, BfdState.Init, d.s.localDiag, false);
    else if (p.state === BfdState.Init) changeState(d, BfdState.Up, BfdDiagnostic.NoDiagnostic, false);
  } else if (d.s.state === BfdState.Init) {
    if (p.state === BfdState.Init || p.state === BfdState.Up) changeState(d, BfdState.Up, BfdDiagnostic.NoDiagnostic, false);
  } else if (p.state === BfdState.Down) {
    d.s.localDiag = BfdDiagnostic.NeighborSignaledSessionDown;
    changeState(d, BfdState.Down, BfdDiagnostic.NeighborSignaledSessionDown, false);
  }
  // §6.8.6: a Poll is answered at once, whatever the timer, the state or Demand mode.
  if (p.poll) send(d, { poll: false, final: true });
}

/** §6.8.4: silence for a Detection Time. The session goes Down from Init or Up; the peer is forgotten. */
function detectionTimeExpired(d: Draft): void {
  if (d.s.state === BfdState.Init || d.s.state === BfdState.Up) {
    d.s.localDiag = BfdDiagnostic.ControlDetectionTimeExpired;
    changeState(d, BfdState.Down, BfdDiagnostic.ControlDetectionTimeExpired, false);
  }
  d.s.remoteDiscr = 0;
  d.s.remoteState = BfdState.Down;
}

/**
 * The one place bfd.SessionState changes. Up brings the configured Desired Min TX (a Poll
 * Sequence announces it, §6.8.3); leaving Up brings back the one-second floor and ends any poll.
 */
function changeState(d: Draft, to: BfdState, diagnostic: BfdDiagnostic, remoteAdminDown: boolean): void {
  const from = d.s.state;
  if (from === to) return;
  d.s.state = to;
  if (to === BfdState.Up) d.s.localDiag = BfdDiagnostic.NoDiagnostic;
  d.emit({ type: 'StateChange', from, to, diagnostic, remoteAdminDown });
  if (from === BfdState.Up) {
    d.s.polling = false;
    d.s.pollPending = false;
  }
  updateParameters(d, advertisedDesiredMinTxUs(d.s.config.desiredMinTxUs, to), d.s.config.requiredMinRxUs);
}

/**
 * §6.8.3: new advertised values. While Up a change starts a Poll Sequence (or queues one behind
 * the running one); a faster transmit rate and a longer receive interval apply at once, a slower
 * transmit rate and a shorter receive interval only once the peer has confirmed them.
 */
function updateParameters(d: Draft, desiredMinTxUs: number, requiredMinRxUs: number): void {
  const s = d.s;
  const changed = desiredMinTxUs !== s.desiredMinTxUs || requiredMinRxUs !== s.requiredMinRxUs;
  const up = s.state === BfdState.Up;
  if (!up || desiredMinTxUs < s.txDesiredInForceUs) s.txDesiredInForceUs = desiredMinTxUs;
  if (!up || requiredMinRxUs > s.rxRequiredInForceUs) s.rxRequiredInForceUs = requiredMinRxUs;
  s.desiredMinTxUs = desiredMinTxUs;
  s.requiredMinRxUs = requiredMinRxUs;
  if (!changed || !up) return;
  if (s.polling) s.pollPending = true;
  else s.polling = true;
}

/** §6.5: the peer's Final ends the Poll Sequence; the values it confirmed come into force. */
function endPoll(d: Draft): void {
  d.s.polling = false;
  if (d.s.pollPending) {
    // What changed during this poll is not confirmed yet: another poll carries it.
    d.s.pollPending = false;
    d.s.polling = true;
    return;
  }
  d.s.txDesiredInForceUs = d.s.desiredMinTxUs;
  d.s.rxRequiredInForceUs = d.s.requiredMinRxUs;
  d.emit({ type: 'PollComplete' });
}

/** §6.8.7: the packet as the session state says it, with P or F as asked. */
function send(d: Draft, bits: { poll: boolean; final: boolean }): void {
  const s = d.s;
  const packet: BfdControlPacket = {
    diagnostic: s.localDiag,
    state: s.state,
    poll: bits.poll,
    final: bits.final,
    controlPlaneIndependent: s.config.controlPlaneIndependent,
    demand: false,
    multipoint: false,
    detectMult: s.config.detectMult,
    myDiscriminator: s.config.localDiscriminator,
    yourDiscriminator: s.remoteDiscr,
    desiredMinTxInterval: s.desiredMinTxUs,
    requiredMinRxInterval: s.requiredMinRxUs,
    // No Echo function: §6.8.9 asks for 0 here.
    requiredMinEchoRxInterval: 0,
  };
  if (s.config.auth && isDigestAuth(s.config.auth.type)) {
    d.emit({ type: 'Send', packet, authSequence: s.xmitAuthSeq });
    // §6.7.3/§6.7.4: meticulous auth must move on every packet; keyed auth may, and does here.
    s.xmitAuthSeq = (s.xmitAuthSeq + 1) >>> 0;
  } else {
    d.emit({ type: 'Send', packet });
  }
}

/** Keeps the Transmit timer in line with §6.8.7: running exactly when periodic packets are due, at the current interval. */
function reconcileTransmit(d: Draft): void {
  const interval = transmitsPeriodically(d.s) ? transmitIntervalUs(d.s) : 0;
  if (interval === 0) {
    d.stopTimer('Transmit');
    d.s.txIntervalUs = 0;
    return;
  }
  if (!d.timers.Transmit || interval !== d.s.txIntervalUs) {
    d.s.txIntervalUs = interval;
    d.setTimer('Transmit', interval);
  }
}
