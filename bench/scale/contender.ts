// What the scale bench needs of each contender: write its configuration for a set of VIPs (before
// the clock starts), start it in the speaker namespace, and stop it. Every configuration is a
// template under bench/scale/configs/ with the routes filled in.
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScaleLab } from './topology.js';
import type { BenchVips } from './vips.js';

export interface StartOptions {
  /** Sessions to open: 1, or 2 for vip-speaker's second-peer memory figure. */
  peers: 1 | 2;
}

export interface Running {
  readonly child: ChildProcess;
  /** Work after the start that is part of the cold start (GoBGP's routes fed through its API). */
  readonly feeding?: Promise<void>;
  /** Resolves when the process has exited, with the time it did. */
  readonly exited: Promise<number>;
}

export interface Contender {
  readonly name: string;
  /** Its log file in the lab folder: `${logName}.log`. */
  readonly logName: string;
  /** The version as the program reports it. */
  version(): string;
  skipReason(): string | undefined;
  /** Writes the configuration into the lab folder (and starts helpers); not timed. */
  prepare(lab: ScaleLab, vips: BenchVips, options: StartOptions): void | Promise<void>;
  /** Starts the process (the clock is already running). */
  start(lab: ScaleLab, options: StartOptions): Running;
}

/** Starts `cmd` in the speaker namespace with its output in a log file of the lab. */
export function startLogged(lab: ScaleLab, name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Running {
  const fd = openSync(join(lab.lab.dir, `${name}.log`), 'a');
  let child: ChildProcess;
  try {
    child = lab.lab.spawn('speaker', cmd, args, { stdio: ['ignore', fd, fd], env });
  } finally {
    closeSync(fd);
  }
  child.on('error', () => undefined);
  const exited = new Promise<number>((resolve) => child.once('exit', () => resolve(performance.now())));
  return { child, exited };
}

export function logTail(lab: ScaleLab, name: string, chars = 1500): string {
  try {
    return readFileSync(join(lab.lab.dir, `${name}.log`), 'utf8').slice(-chars);
  } catch {
    return '';
  }
}

/** Resident memory now and at its peak (VmRSS, VmHWM), MiB, and CPU seconds (user + system). */
export function processFigures(pid: number): { rssMiB: number; peakMiB: number; cpuSeconds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  // /proc/PID/stat: fields 14 and 15 are utime and stime in clock ticks (USER_HZ, 100 on Linux).
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024, cpuSeconds: ticks / USER_HZ };
}

const USER_HZ = 100;

/** Fills `{{NAME}}` placeholders. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => values[key] ?? whole);
}
