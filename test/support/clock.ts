// The fake clock for tests that also wait on real I/O (a fake API server, sockets): the project's
// ManualClock, plus a way to wait for the code under test to set its next timer.
import { strict as assert } from 'node:assert';
import { ManualClock } from '../../bgp/index.js';
import { eventually } from '../support-tests/helpers.js';

export class TestClock extends ManualClock {
  /**
   * Waits (on real time, bounded) until a timer is set, moves the clock to it, fires it and what
   * falls due with it, and returns how far the clock moved.
   */
  async fireNext(): Promise<number> {
    let at: number | undefined;
    await eventually(() => {
      at = this.nextAt();
      assert.ok(at !== undefined, 'a timer is set');
    });
    const ms = at! - this.now();
    await this.advanceAsync(ms);
    return ms;
  }

  /**
   * Fires timers one at a time (waiting on real time, bounded, for the I/O between them) until
   * `check` holds: for code whose only timers are retries, which may come as early as the test likes.
   */
  async fireUntil(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      const at = this.nextAt();
      if (at === undefined) await new Promise((r) => setTimeout(r, 10));
      else await this.advanceAsync(at - this.now());
    }
  }

  /** Timers set and not yet fired or cancelled. */
  get waiting(): number {
    return this.pending;
  }
}
