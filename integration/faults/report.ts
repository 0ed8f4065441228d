// Turns the fault lab's results.json into the table of docs/faults.md (between its markers)
// and docs/faults.json. `npm run lab:faults` runs it after the long faults:
//   node dist/integration/faults/report.js
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type FaultOutcome, RESULTS_FILE } from './results.js';

const DOC = fileURLToPath(new URL('../../../docs/faults.md', import.meta.url));
const JSON_OUT = fileURLToPath(new URL('../../../docs/faults.json', import.meta.url));
export const BEGIN = '<!-- faults table: written by npm run lab:faults -->';
export const END = '<!-- end of the faults table -->';

const s = (ms: number) => (ms < 0 ? 'never' : `${(ms / 1000).toFixed(1)} s`);
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function faultTable(outcomes: ReadonlyArray<FaultOutcome & { at?: string }>): string {
  const rows = [...outcomes].sort((a, b) => a.order - b.order);
  const lines = [
    '| # | Fault | Lasted | What happened | Back to the desired set | Longest divergence | Blackhole | Samples (resolution) |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const o of rows) {
    const blackhole = o.unbackedMs > 0 ? `${s(o.unbackedMs)} (${o.unbackedSeen} samples)` : 'none';
    lines.push(
      `| ${o.order} | ${cell(o.fault)} | ${s(o.faultMs)} | ${cell(o.outcome)} | ${o.convergedAfterMs < 0 ? '**not converged**' : `${s(o.convergedAfterMs)} after`} | ${s(o.longestMs)}${o.longest ? `: ${cell(o.longest)}` : ''} | ${blackhole} | ${o.samples} (${o.resolutionMs} ms) |`,
    );
  }
  return lines.join('\n');
}

function main(): void {
  const all = JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as Record<string, FaultOutcome & { at: string }>;
  const outcomes = Object.values(all);
  const when = outcomes.map((o) => o.at).sort();
  const context = `Run of ${when[0]?.slice(0, 10) ?? '?'} (${outcomes.every((o) => o.long) ? 'long versions' : 'short versions'}), ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' / ')} (1/5/15 min) at the end.`;
  const block = `${BEGIN}\n\n${context}\n\n${faultTable(outcomes)}\n\n${END}`;
  const doc = readFileSync(DOC, 'utf8');
  const from = doc.indexOf(BEGIN);
  const to = doc.indexOf(END);
  if (from < 0 || to < from) throw new Error(`docs/faults.md has no table markers (${BEGIN} ... ${END})`);
  writeFileSync(DOC, doc.slice(0, from) + block + doc.slice(to + END.length));
  writeFileSync(JSON_OUT, JSON.stringify({ context, outcomes: outcomes.sort((a, b) => a.order - b.order) }, null, 2) + '\n');
  console.log(`docs/faults.md and docs/faults.json: ${outcomes.length} faults`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
