// Why a peer's session does not come up, told as it happens and never as a flood. A peer that
// cannot be reached fails an attempt every connect-retry period (ECONNREFUSED, ENETUNREACH, a
// timeout), and each failure alone is routine; what an operator needs is the first one, at once,
// and each change of reason after it (refused → timed out is a router that went away). So: the
// first failure of a peer is logged when it happens; a failure for a reason other than the last
// one logged is logged too, at most once per FAILURE_LOG_INTERVAL_MS per peer (a change inside
// that window is logged when it ends, if it still stands); repeats of the same reason are only
// counted, and the count goes with the next line. The session coming up starts it all afresh.
//
// When TCP MD5 is on for the peer, the first line says so: a router without the same key drops
// our SYNs without a word, and nothing else would point at the password.
import type { Clock, TimerHandle } from '../../../bgp/index.js';
import type { Logger } from '../../log.js';

/** At most one line per peer per this interval after the first one, unless the session comes up. */
export const FAILURE_LOG_INTERVAL_MS = 30_000;

export const MD5_NOTE =
  'TCP MD5 is on for this peer (a password is set): a router without the same key drops our connection attempts silently, so they time out';

interface PeerFailures {
  /** The reason last logged. */
  reason: string;
  loggedAt: number;
  /** Failures since the line last logged. */
  since: number;
  /** A different reason seen inside the interval, logged when it ends. */
  pending?: { reason: string; detail: string };
  timer?: TimerHandle;
}

export interface FailureReporterOptions {
  log: Logger;
  clock: Clock;
  /** Whether TCP MD5 is on for the peer. */
  md5(peer: string): boolean;
  intervalMs?: number;
}

export class PeerFailureReporter {
  private readonly peers = new Map<string, PeerFailures>();
  private readonly intervalMs: number;

  constructor(private readonly options: FailureReporterOptions) {
    this.intervalMs = options.intervalMs ?? FAILURE_LOG_INTERVAL_MS;
  }

  /** An attempt failed: `reason` is a stable code (BGP_TRANSPORT_ECONNREFUSED, HoldTimerExpired, ...). */
  failed(peer: string, reason: string, detail: string): void {
    const now = this.options.clock.now();
    const s = this.peers.get(peer);
    if (!s) {
      this.peers.set(peer, { reason, loggedAt: now, since: 0 });
      const md5 = this.options.md5(peer);
      this.options.log.warn({ peer, reason, detail, ...(md5 ? { md5: true, note: MD5_NOTE } : {}) }, 'BGP session not up: the first attempt failed; another reason will be logged when it changes');
      return;
    }
    s.since++;
    if (reason === s.reason) {
      // Back to the reason last logged: a change still pending is no change any more.
      delete s.pending;
      return;
    }
    if (now - s.loggedAt >= this.intervalMs) return this.logChange(peer, s, reason, detail);
    s.pending = { reason, detail };
    s.timer ??= this.options.clock.after(s.loggedAt + this.intervalMs - now, () => {
      delete s.timer;
      if (s.pending && this.peers.get(peer) === s) this.logChange(peer, s, s.pending.reason, s.pending.detail);
    });
  }

  /** The session is up: the next failure is a first one again. */
  up(peer: string): number {
    const s = this.peers.get(peer);
    s?.timer?.cancel();
    this.peers.delete(peer);
    return s ? s.since + 1 : 0;
  }

  /** Forgets a peer (removed, or re-peered with new settings). */
  forget(peer: string): void {
    this.up(peer);
  }

  /** Forgets every peer (a stop, a replaced speaker). */
  clear(): void {
    for (const s of this.peers.values()) s.timer?.cancel();
    this.peers.clear();
  }

  private logChange(peer: string, s: PeerFailures, reason: string, detail: string): void {
    this.options.log.warn({ peer, reason, was: s.reason, detail, failedAttempts: s.since }, 'BGP session still not up: the reason changed');
    s.reason = reason;
    s.loggedAt = this.options.clock.now();
    s.since = 0;
    delete s.pending;
  }
}
