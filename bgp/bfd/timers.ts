// Timer negotiation, RFC 5880 §6.8.2–§6.8.4 and §6.8.7, as pure functions of a session: how
// often we send, how long we wait for the peer, and the per-packet jitter. The random source
// is an argument so that tests stay exact.
import {
  BFD_JITTER_MAX_FRACTION_DETECT_MULT_ONE,
  BFD_JITTER_MIN_FRACTION,
  BFD_SLOW_TX_INTERVAL_US,
  BfdState,
} from './constants.js';
import type { BfdSession } from './types.js';

/** §6.8.3: while not Up, at least one second is advertised, whatever is configured. */
export function advertisedDesiredMinTxUs(configuredUs: number, state: BfdState): number {
  return state === BfdState.Up ? configuredUs : Math.max(configuredUs, BFD_SLOW_TX_INTERVAL_US);
}

/**
 * §6.8.7: whether periodic packets go out at all. Not before the session is enabled; not while
 * passive and the peer unheard (§6.1); not when the peer asks for none (Required Min RX 0); not
 * while the peer runs Demand mode with both sides Up.
 */
export function transmitsPeriodically(s: BfdSession): boolean {
  if (!s.enabled) return false;
  if (s.config.passive && s.remoteDiscr === 0) return false;
  if (s.remoteMinRxUs === 0) return false;
  return !(s.remoteDemand && s.state === BfdState.Up && s.remoteState === BfdState.Up);
}

/** §6.8.7: the greater of what we want to send at and what the peer is willing to receive. */
export function transmitIntervalUs(s: BfdSession): number {
  return Math.max(s.txDesiredInForceUs, s.remoteMinRxUs);
}

/** The interval at which the peer sends to us: the greater of its Desired Min TX and our Required Min RX. */
export function receiveIntervalUs(s: BfdSession): number {
  return Math.max(s.rxRequiredInForceUs, s.remoteDesiredMinTxUs);
}

/**
 * §6.8.4: the peer's Detect Mult times the agreed transmit interval of the peer. 0 before the
 * peer's first packet, when there is nothing to time.
 */
export function detectionTimeUs(s: BfdSession): number {
  return s.remoteDetectMult * receiveIntervalUs(s);
}

/** What the peer's detection time for us is: our Detect Mult times our agreed transmit interval. */
export function peerDetectionTimeUs(s: BfdSession): number {
  return s.config.detectMult * Math.max(s.desiredMinTxUs, s.remoteMinRxUs);
}

/**
 * §6.8.7: each periodic interval is reduced by a random 0 to 25 %; with a Detect Mult of 1 it
 * lies between 75 % and 90 %. `random` returns a number in [0, 1), like Math.random.
 */
export function jitteredIntervalUs(intervalUs: number, detectMult: number, random: () => number): number {
  const max = detectMult === 1 ? BFD_JITTER_MAX_FRACTION_DETECT_MULT_ONE : 1;
  return intervalUs * (BFD_JITTER_MIN_FRACTION + (max - BFD_JITTER_MIN_FRACTION) * random());
}
