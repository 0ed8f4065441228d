// The stateful session fuzzer: many seeded sequences, each against a fresh speaker; then, when
// tshark is there, everything the speakers sent is dissected by Wireshark as well.
import { Random } from './random.js';
import { runSequence } from './harness.js';
import { generateSequence } from './steps.js';
import { tsharkAvailable, tsharkCheck } from './tshark.js';

export interface SessionFuzzOptions {
  sequences: number;
  seed: number;
  /** Dissect with tshark too (skipped, and said so, when it is not installed). */
  tshark: boolean;
}

export interface SessionFuzzReport {
  seed: number;
  sequences: number;
  messagesSent: number;
  messagesReceived: number;
  tsharkChecked: number;
  /** How many sequences ended in each state. */
  ends: Record<string, number>;
  /** The first failure, in words; undefined when every promise held. */
  failure?: string;
  tsharkSkipped?: string;
}

export async function runSessionFuzz(options: SessionFuzzOptions): Promise<SessionFuzzReport> {
  const random = new Random(options.seed);
  const report: SessionFuzzReport = { seed: options.seed, sequences: 0, messagesSent: 0, messagesReceived: 0, tsharkChecked: 0, ends: {} };
  const streams: Uint8Array[] = [];
  let uncaught: Error | undefined;
  const onUncaught = (err: Error) => (uncaught ??= err);
  process.on('uncaughtException', onUncaught);
  try {
    for (let i = 0; i < options.sequences; i++) {
      const seq = generateSequence(random, i);
      const r = await runSequence(seq);
      report.sequences++;
      report.messagesSent += seq.steps.filter((s) => s.kind === 'send').length;
      report.messagesReceived += r.messages;
      report.ends[r.end] = (report.ends[r.end] ?? 0) + 1;
      streams.push(r.stream);
      if (uncaught) r.failure ??= `sequence ${i}: the process threw: ${uncaught.stack ?? uncaught.message}`;
      if (r.failure) {
        report.failure = `${r.failure} (seed ${options.seed}; steps: ${seq.steps.map((s) => (s.kind === 'send' ? s.label : s.kind === 'end' ? `end:${s.how}` : s.kind)).join(' → ')})`;
        return report;
      }
    }
  } finally {
    process.off('uncaughtException', onUncaught);
  }
  if (options.tshark) {
    if (!tsharkAvailable()) {
      report.tsharkSkipped = 'tshark is not installed (scripts/setup.sh installs it)';
    } else {
      const verdict = tsharkCheck(streams);
      report.tsharkChecked = verdict.messages;
      if (verdict.problems.length > 0) report.failure = `tshark flags what the speaker sent: ${verdict.problems.slice(0, 5).join('; ')}`;
      else if (verdict.messages !== report.messagesReceived) report.failure = `tshark dissected ${verdict.messages} BGP messages, the codec ${report.messagesReceived}`;
    }
  }
  return report;
}
