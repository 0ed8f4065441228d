// tcpdump as an independent witness for netns.test.ts: it captures on one namespace's interface
// to a file, and reads the file back as tcpdump's own text (-nn -e -v) with each frame's octets.
import { execFileSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Lab } from '../../../integration/support/lab.js';

export interface CapturedFrame {
  /** Seconds since the epoch, as tcpdump -tt prints it. */
  readonly time: number;
  /** tcpdump's text for the frame, continuation lines joined with '\n'. */
  readonly text: string;
  /** The whole frame, lower-case hex (tcpdump -xx). */
  readonly hex: string;
}

export interface Capture {
  /** What is in the file so far: tcpdump writes each frame at once (-U). */
  read(): CapturedFrame[];
  /** Stops tcpdump (the process this capture started) and reads the file. */
  stop(): Promise<CapturedFrame[]>;
}

/** ARP and Neighbor Advertisements (ICMPv6 type 136 right after the fixed IPv6 header). */
export const ANNOUNCEMENT_FILTER = 'arp or (icmp6 and ip6[40] == 136)';

let captures = 0;

/** Starts tcpdump in namespace `name` of the lab on `ifname`; resolves once it is listening. */
export async function startCapture(lab: Lab, name: string, ifname: string, filter = ANNOUNCEMENT_FILTER): Promise<Capture> {
  const file = join(lab.dir, `capture-${captures++}.pcap`);
  // -Z root: keep root, so that tcpdump can write into the lab's private directory.
  const child: ChildProcess = lab.spawn(name, 'tcpdump', ['-i', ifname, '--immediate-mode', '-U', '-nn', '-Z', 'root', '-w', file, filter]);
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('listening on')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`tcpdump exited (${code}) before listening: ${stderr.trim()}`)));
  });
  return {
    read: () => readCapture(file),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
      return readCapture(file);
    },
  };
}

/** tcpdump -r with -tt -nn -e -v -xx, split into frames. */
export function readCapture(file: string): CapturedFrame[] {
  const out = execFileSync('tcpdump', ['-r', file, '-tt', '-nn', '-e', '-v', '-xx'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const frames: CapturedFrame[] = [];
  let current: { time: number; text: string[]; hex: string[] } | undefined;
  const flush = () => {
    if (current) frames.push({ time: current.time, text: current.text.join('\n'), hex: current.hex.join('') });
  };
  for (const line of out.split('\n')) {
    const start = /^(\d+\.\d+) (.*)$/.exec(line);
    const octets = /^\s+0x[0-9a-f]{4}:\s+((?:[0-9a-f]{2,4} ?)+)/.exec(line);
    if (start) {
      flush();
      current = { time: Number(start[1]), text: [start[2]!], hex: [] };
    } else if (octets && current) {
      current.hex.push(octets[1]!.replace(/\s+/g, ''));
    } else if (line.trim() && current) {
      current.text.push(line.trim());
    }
  }
  flush();
  return frames;
}
