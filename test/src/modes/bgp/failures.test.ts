// A peer that cannot be reached: its first failed attempt is logged at once (saying that TCP MD5
// is on, when it is), each change of reason after it too, at most once per interval, and
// repeats are only counted. Time on the manual clock; the log lines captured.
import { strict as assert } from 'node:assert';
import { pino } from 'pino';
import { ManualClock } from '../../../../bgp/index.js';
import { FAILURE_LOG_INTERVAL_MS, MD5_NOTE, PeerFailureReporter } from '../../../../src/modes/bgp/failures.js';

function setup(md5 = false) {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const clock = new ManualClock();
  const reporter = new PeerFailureReporter({ log, clock, md5: () => md5 });
  const summary = () => lines.map((l) => [l.msg, l.reason, l.was ?? null, l.failedAttempts ?? null]);
  return { lines, clock, reporter, summary };
}

describe('failed attempts of a BGP session not up yet', () => {
  it('logs the first failure at once, with its reason and detail', () => {
    const { reporter, lines } = setup();
    reporter.failed('192.0.2.1', 'BGP_TRANSPORT_ENETUNREACH', 'connecting to 192.0.2.1:179: no route to the peer (ENETUNREACH)');
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.level, 40);
    assert.equal(lines[0]!.peer, '192.0.2.1');
    assert.equal(lines[0]!.reason, 'BGP_TRANSPORT_ENETUNREACH');
    assert.match(String(lines[0]!.detail), /no route to the peer/);
    assert.equal(lines[0]!.md5, undefined);
  });

  it('says at the first failure that TCP MD5 is on, when a password is set', () => {
    const { reporter, lines } = setup(true);
    reporter.failed('192.0.2.1', 'BGP_TRANSPORT_CONNECT_TIMEOUT', 'no answer within 7400 ms');
    assert.equal(lines[0]!.md5, true);
    assert.equal(lines[0]!.note, MD5_NOTE);
  });

  it('counts repeats of the same reason without a line, and logs a change of reason once the interval has passed', () => {
    const { reporter, clock, summary } = setup();
    reporter.failed('192.0.2.1', 'BGP_TRANSPORT_ECONNREFUSED', 'refused');
    for (let i = 0; i < 5; i++) {
      clock.advance(FAILURE_LOG_INTERVAL_MS);
      reporter.failed('192.0.2.1', 'BGP_TRANSPORT_ECONNREFUSED', 'refused');
    }
    assert.equal(summary().length, 1, 'the same reason again and again is one line');
    reporter.failed('192.0.2.1', 'BGP_TRANSPORT_CONNECT_TIMEOUT', 'no answer');
    assert.deepEqual(summary()[1], ['BGP session still not up: the reason changed', 'BGP_TRANSPORT_CONNECT_TIMEOUT', 'BGP_TRANSPORT_ECONNREFUSED', 6]);
  });

  it('holds a change inside the interval until it ends, and logs it then if it still stands', () => {
    const { reporter, clock, summary } = setup();
    reporter.failed('192.0.2.1', 'BGP_TRANSPORT_ECONNREFUSED', 'refused');
    clock.advance(1000);
    reporter.failed('192.0.2.1', 'BGP_TRANSPORT_CONNECT_TIMEOUT', 'no answer');
    assert.equal(summary().length, 1, 'rate-limited');
    clock.advance(FAILURE_LOG_INTERVAL_MS - 1001);
    assert.equal(summary().length, 1);
    clock.advance(1);
    assert.deepEqual(summary()[1], ['BGP session still not up: the reason changed', 'BGP_TRANSPORT_CONNECT_TIMEOUT', 'BGP_TRANSPORT_ECONNREFUSED', 1]);
  });

  it('drops a change that went back to the logged reason before the interval ended', () => {
    const { reporter, clock, summary } = setup();
    reporter.failed('192.0.2.1', 'BGP_TRANSPORT_ECONNREFUSED', 'refused');
    reporter.failed('192.0.2.1', 'BGP_TRANSPORT_CONNECT_TIMEOUT', 'no answer');
    reporter.failed('192.0.2.1', 'BGP_TRANSPORT_ECONNREFUSED', 'refused');
    clock.advance(FAILURE_LOG_INTERVAL_MS);
    assert.equal(summary().length, 1);
  });

  it('starts afresh once the session is up, and keeps peers apart', () => {
    const { reporter, clock, summary } = setup();
    reporter.failed('192.0.2.1', 'BGP_TRANSPORT_ECONNREFUSED', 'refused');
    reporter.failed('192.0.2.5', 'BGP_TRANSPORT_ECONNREFUSED', 'refused');
    reporter.failed('192.0.2.1', 'BGP_TRANSPORT_CONNECT_TIMEOUT', 'no answer');
    assert.equal(reporter.up('192.0.2.1'), 2, 'the failed attempts before the session came up');
    clock.advance(FAILURE_LOG_INTERVAL_MS);
    assert.equal(summary().length, 2, 'a change pending when the session came up is dropped');
    reporter.failed('192.0.2.1', 'HoldTimerExpired', 'no OPEN');
    assert.equal(summary().length, 3, 'a failure after an up is a first one again');
    assert.equal(summary()[2]![0], 'BGP session not up: the first attempt failed; another reason will be logged when it changes');
  });
});
