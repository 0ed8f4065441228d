// The stateful session fuzzer inside `npm test`: a fixed seed and a fixed count of sequences
// (a few seconds), each a fresh speaker against a peer sending valid and broken messages at
// chosen moments; `npm run fuzz` runs many more with a new seed each time. What the speaker
// sent is decoded by the project's codec and, when tshark is installed, by Wireshark's.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { runSequence } from '../../fuzz/session/harness.js';
import { runSessionFuzz } from '../../fuzz/session/run.js';
import { Random } from '../../fuzz/session/random.js';
import { generateSequence, type Sequence, type Step } from '../../fuzz/session/steps.js';
import { tsharkAvailable, tsharkCheck } from '../../fuzz/session/tshark.js';

const SEED = 20240607;
/** Sequences that once failed, written out step by step (bytes in hex), replayed forever. */
const CRASHERS = new URL('../../../test/fixtures/crashers/session/', import.meta.url);
const SEQUENCES = 150;
const KEEPALIVE = Uint8Array.from([...new Uint8Array(16).fill(0xff), 0, 19, 4]);
/** An ORIGIN attribute claiming 9 octets in a 7-octet attribute list. */
const OVERRUNNING_UPDATE = Uint8Array.from([...new Uint8Array(16).fill(0xff), 0, 30, 2, 0, 0, 0, 7, 0x40, 1, 9, 0, 0, 0, 0]);

describe('session fuzzer', function () {
  this.timeout(120_000);

  it('generates the same sequences from the same seed', () => {
    const a = Array.from({ length: 20 }, (_, i) => generateSequence(new Random(SEED + i), i));
    const b = Array.from({ length: 20 }, (_, i) => generateSequence(new Random(SEED + i), i));
    assert.deepStrictEqual(a, b);
  });

  it('reaches every moment the issue names: before OPEN, in OpenConfirm, after a NOTIFICATION, during a full table', () => {
    const random = new Random(SEED);
    const labels = new Set<string>();
    let tables = 0;
    for (let i = 0; i < SEQUENCES; i++) {
      for (const step of generateSequence(random, i).steps) {
        if (step.kind === 'send') labels.add(step.label);
        if (step.kind === 'table' && step.count >= 700) tables++;
      }
    }
    assert.ok([...labels].some((l) => l.endsWith('after the session ended')), 'no message after the end');
    assert.ok(labels.has('KEEPALIVE') && labels.has('OPEN') && labels.has('NOTIFICATION'));
    assert.ok(tables > 0, 'no full table');
  });

  it(`${SEQUENCES} seeded sequences: no crash, nothing malformed sent, Established or Idle with the right NOTIFICATION`, async () => {
    const report = await runSessionFuzz({ sequences: SEQUENCES, seed: SEED, tshark: true });
    assert.equal(report.failure, undefined, report.failure);
    assert.equal(report.sequences, SEQUENCES);
    assert.ok((report.ends.Established ?? 0) > 0 && (report.ends.Idle ?? 0) > 0, `ends: ${JSON.stringify(report.ends)}`);
    if (report.tsharkSkipped) console.log(`      (tshark part skipped: ${report.tsharkSkipped})`);
    else assert.equal(report.tsharkChecked, report.messagesReceived);
  });

  describe('sequences that once failed', () => {
    const files = existsSync(CRASHERS) ? readdirSync(CRASHERS).filter((f) => f.endsWith('.json')).sort() : [];
    for (const file of files) {
      it(`replays ${file}`, async () => {
        const saved = JSON.parse(readFileSync(new URL(file, CRASHERS), 'utf8')) as { peerHoldTime: number; steps: Array<Step & { hex?: string }> };
        const steps = saved.steps.map((s) => (s.kind === 'send' ? { ...s, bytes: Uint8Array.from(Buffer.from(s.hex ?? '', 'hex')) } : s)) as Step[];
        const seq: Sequence = { index: 0, chaos: false, peerHoldTime: saved.peerHoldTime, steps };
        const r = await runSequence(seq);
        assert.equal(r.failure, undefined, r.failure);
      });
    }
  });

  describe('the second decoder', () => {
    before(function () {
      if (!tsharkAvailable()) this.skip();
    });

    it('tshark counts a well-formed message and flags none', () => {
      assert.deepStrictEqual(tsharkCheck([KEEPALIVE, KEEPALIVE]), { messages: 2, problems: [] });
    });

    it('tshark flags a malformed UPDATE, so that its silence means something', () => {
      const verdict = tsharkCheck([OVERRUNNING_UPDATE]);
      assert.equal(verdict.problems.length, 1);
      assert.match(verdict.problems[0]!, /Path attribute length is invalid|Malformed/);
    });
  });
});
