// `npm run fuzz`: runs each coverage-guided target under Jazzer.js (libFuzzer driving
// instrumented JavaScript) for a fixed time, then the stateful session fuzzer, and prints each
// one's figures: executions, edges covered (libFuzzer's count over the instrumented bgp/ and
// src/ code), and the lines of the target's own files that its corpus reaches (the corpus
// replayed once with Istanbul coverage). Every crash or hang found is copied into test/fixtures/crashers/<target>/,
// where test/fuzz/crashers.test.ts replays it with every `npm test`.
//
//   node dist/fuzz/run.js [--seconds N] [--only a,b] [--sessions N]
//
// The corpus each run grows is kept in .fuzz-corpus/ (not committed) and reused next time.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SEEDS } from './seeds.js';
import { ensurePrebuildLoads } from './support/jazzer-prebuild.js';
import { runSessionFuzz } from './session/run.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CORPUS = `${ROOT}.fuzz-corpus/`;
const CRASHERS = `${ROOT}test/fixtures/crashers/`;
const TARGETS = ['framer', 'roundtrip', 'config-file', 'peer-string', 'env', 'kubernetes'] as const;
const DEFAULT_SECONDS = 60;
const DEFAULT_SESSIONS = 2000;
/** Per input: anything slower is a hang (libFuzzer's timeout, reported as a crash). */
const INPUT_TIMEOUT_MS = 2000;
/** Wall-clock bound on one Jazzer.js run beyond its own -max_total_time. */
const RUN_GRACE_MS = 60_000;
const ARTIFACT_KINDS = ['crash', 'timeout', 'oom', 'slow-unit'];
/** The code each target is about: its line coverage is reported over these compiled files. */
const FOCUS: Record<string, RegExp> = {
  framer: /\/dist\/bgp\/codec\/(framer|header|message)\.js$/,
  roundtrip: /\/dist\/bgp\/codec\//,
  'config-file': /\/dist\/src\/config\/(file|validate|peers|peer-string|values|reader|timers|arp|errors|permissions)\.js$/,
  'peer-string': /\/dist\/src\/config\/peer-string\.js$/,
  env: /\/dist\/src\/config\/(env|load|validate|peers|peer-string|values)\.js$/,
  kubernetes: /\/dist\/src\/(kubernetes\/(service-rules|node-annotations|election-lock|lease-watch|status)|communities)\.js$/,
};

interface Figures {
  target: string;
  /** Lines of the target's focus files reached by its corpus, from a replay with coverage. */
  focusLines: string;
  executions: number;
  coverage: number;
  features: number;
  corpus: number;
  seconds: number;
  execsPerSecond: number;
  exitCode: number | null;
  found: string[];
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { seconds: { type: 'string' }, only: { type: 'string' }, sessions: { type: 'string' } } });
  const seconds = Number(values.seconds ?? process.env.FUZZ_SECONDS ?? DEFAULT_SECONDS);
  const sessions = Number(values.sessions ?? process.env.FUZZ_SESSIONS ?? DEFAULT_SESSIONS);
  const only = values.only?.split(',');
  const prebuild = ensurePrebuildLoads();
  if (prebuild.action === 'patched') console.log(`fuzz: adapted Jazzer.js's prebuilt addon to this system's glibc and libstdc++ (see fuzz/support/jazzer-prebuild.ts): ${prebuild.path}`);

  const results: Figures[] = [];
  for (const target of TARGETS) {
    if (only && !only.includes(target)) continue;
    results.push(await fuzzTarget(target, seconds));
  }
  let sessionFailure: string | undefined;
  if (!only || only.includes('session')) {
    const started = Date.now();
    const r = await runSessionFuzz({ sequences: sessions, seed: Date.now() >>> 0, tshark: true });
    const elapsed = (Date.now() - started) / 1000;
    sessionFailure = r.failure;
    console.log(`fuzz session: ${r.sequences} sequences, ${r.messagesSent} messages sent by the peer, ${r.messagesReceived} received and decoded (${r.tsharkChecked} also by tshark), seed ${r.seed}, ${elapsed.toFixed(1)} s; ends: ${JSON.stringify(r.ends)}`);
    if (r.failure) console.log(`fuzz session: FAILED: ${r.failure}`);
  }

  console.log('\ntarget        executions   exec/s   coverage (edges)  features  corpus  seconds  focus lines covered   found');
  for (const f of results) {
    console.log(
      `${f.target.padEnd(13)} ${String(f.executions).padStart(10)} ${String(f.execsPerSecond).padStart(8)} ${String(f.coverage).padStart(18)} ${String(f.features).padStart(9)} ${String(f.corpus).padStart(7)} ${String(f.seconds).padStart(8)}  ${f.focusLines.padEnd(20)} ${f.found.length ? f.found.join(' ') : '-'}`,
    );
  }
  const failed = results.filter((f) => f.found.length > 0 || (f.exitCode !== 0 && f.exitCode !== null));
  return failed.length > 0 || sessionFailure ? 1 : 0;
}

async function fuzzTarget(target: string, seconds: number): Promise<Figures> {
  const corpus = `${CORPUS}${target}/`;
  const artifacts = `${CORPUS}${target}-artifacts/`;
  mkdirSync(corpus, { recursive: true });
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  for (const seed of SEEDS[target]!()) writeFileSync(`${corpus}seed-${sha1(seed).slice(0, 16)}`, seed);

  const require = createRequire(import.meta.url);
  const cli = require.resolve('@jazzer.js/core/dist/cli.js');
  const args = [
    cli,
    `dist/fuzz/targets/${target}.js`,
    corpus,
    '--sync',
    // Coverage from the code under test only, not from the harness or the libraries.
    '-i', 'dist/bgp/',
    '-i', 'dist/src/',
    '-e', 'node_modules',
    `--timeout=${INPUT_TIMEOUT_MS}`,
    '--',
    `-max_total_time=${seconds}`,
    `-artifact_prefix=${artifacts}`,
    '-print_final_stats=1',
    '-use_value_profile=1',
  ];
  console.log(`fuzz ${target}: ${seconds} s`);
  const started = Date.now();
  const { code, output } = await run(process.execPath, args, (seconds * 1000) + RUN_GRACE_MS);
  const elapsed = Math.round((Date.now() - started) / 1000);
  const found = keepArtifacts(target, artifacts, output);
  const f = { ...figures(output), focusLines: await focusCoverage(target, corpus, cli) };
  // libFuzzer prints no final stats when it stops on a crash: derive the rate then.
  if (Number.isNaN(f.execsPerSecond)) f.execsPerSecond = Math.round(f.executions / Math.max(1, elapsed));
  return { target, ...f, seconds: elapsed, exitCode: code, found };
}

/** Replays the corpus with Istanbul coverage and sums the lines of the target's focus files. */
async function focusCoverage(target: string, corpus: string, cli: string): Promise<string> {
  const dir = `${CORPUS}${target}-coverage/`;
  rmSync(dir, { recursive: true, force: true });
  const args = [cli, `dist/fuzz/targets/${target}.js`, corpus, '--sync', '-i', 'dist/bgp/', '-i', 'dist/src/', '-e', 'node_modules', '--mode=regression', '--coverage', `--coverageDirectory=${dir}`, '--coverageReporters=json-summary'];
  await run(process.execPath, args, RUN_GRACE_MS * 5, false);
  try {
    const summary = JSON.parse(readFileSync(`${dir}coverage-summary.json`, 'utf8')) as Record<string, { lines: { total: number; covered: number } }>;
    let total = 0;
    let covered = 0;
    for (const [file, c] of Object.entries(summary)) {
      if (file === 'total' || !FOCUS[target]!.test(file)) continue;
      total += c.lines.total;
      covered += c.lines.covered;
    }
    return total ? `${covered}/${total} (${((100 * covered) / total).toFixed(1)}%)` : 'n/a';
  } catch {
    return 'n/a';
  }
}

/** libFuzzer's last status line and final stats. */
function figures(output: string): Pick<Figures, 'executions' | 'coverage' | 'features' | 'corpus' | 'execsPerSecond'> {
  const status = [...output.matchAll(/^#(\d+)\s+\S+\s+cov: (\d+) ft: (\d+) corp: (\d+)/gm)].at(-1);
  const stat = (name: string) => Number(new RegExp(`^stat::${name}:\\s+(\\d+)`, 'm').exec(output)?.[1] ?? NaN);
  const executions = stat('number_of_executed_units');
  return {
    executions: Number.isNaN(executions) ? Number(status?.[1] ?? 0) : executions,
    coverage: Number(status?.[2] ?? 0),
    features: Number(status?.[3] ?? 0),
    corpus: Number(status?.[4] ?? 0),
    execsPerSecond: stat('average_exec_per_sec'),
  };
}

/** Copies each crash or hang into the crashers folder as a .hex fixture with how it failed. */
function keepArtifacts(target: string, artifacts: string, output: string): string[] {
  const found: string[] = [];
  const reason = /^==\d+== (.*)$/m.exec(output)?.[1] ?? output.split('\n').find((l) => /Error|Exception|timeout/i.test(l)) ?? 'unknown';
  for (const file of readdirSync(artifacts)) {
    const kind = ARTIFACT_KINDS.find((k) => file.startsWith(`${k}-`));
    if (!kind) continue;
    const data = readFileSync(`${artifacts}${file}`);
    const folder = `${CRASHERS}${target}/`;
    mkdirSync(folder, { recursive: true });
    const name = `${kind}-${sha1(data).slice(0, 12)}.hex`;
    if (!existsSync(`${folder}${name}`)) {
      const lines = data.toString('hex').match(/.{1,64}/g) ?? [];
      writeFileSync(`${folder}${name}`, `# ${target}: ${kind} found by npm run fuzz\n# ${reason.replace(/\n/g, ' ').slice(0, 300)}\n${lines.join('\n')}\n`);
    }
    found.push(`${target}/${name}`);
  }
  return found;
}

function run(command: string, args: string[], timeoutMs: number, echo = true): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (echo) process.stdout.write(chunk.toString().split('\n').filter((l) => /pulse|NEW|DONE|Done|crash|==\d+==|Error|stat::/.test(l)).map((l) => `  ${l}\n`).join(''));
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    // Bounded even if the engine itself hangs: its own -max_total_time should end it first.
    const guard = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, output });
    });
  });
}

function sha1(data: Uint8Array): string {
  return createHash('sha1').update(data).digest('hex');
}

process.exitCode = await main();
