// The soak's sampler, a process of its own inside the daemon's namespace (where its admin
// endpoint listens on the loopback), one JSON line a sample:
//
//   node dist/integration/soak/sampler.js PID ADMIN_PORT INTERVAL_MS
//
// From the kernel, as the daemon cannot misreport them: resident memory (VmRSS in
// /proc/PID/status), open file descriptors (the entries of /proc/PID/fd), CPU time, and its TCP
// sockets by state (its fds' socket inodes looked up in /proc/PID/net/tcp and tcp6: LISTEN, and
// the rest as connections). From the daemon's
// own /metrics, which prom-client's default metrics fill from process.getActiveResourcesInfo():
// the live resources by type (Timeout: timers; TCPServerWrap: listening sockets; TCPSocketWrap:
// connections; FSEventWrap: file watches) and the V8 heap in use. The scrape's own connection is
// one of the TCPSocketWrap it counts, every time alike.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { request } from 'node:http';

const [pid = '', port = '9469', interval = '1000'] = process.argv.slice(2);
const SCRAPE_TIMEOUT_MS = 5000;
const KIB = 1024;
/** USER_HZ: the unit of utime and stime in /proc/PID/stat. */
const CLOCK_TICKS_PER_SECOND = 100;

export interface Sample {
  /** ms since the sampler started. */
  t: number;
  rssBytes: number;
  fds: number;
  /** User and system CPU time the daemon used so far, s. */
  cpuSeconds: number;
  /** The daemon's TCP sockets in LISTEN, and in any other state, as the kernel shows them. */
  listening: number;
  connections: number;
  /** Live resources by type, from nodejs_active_resources; undefined when the scrape failed. */
  resources?: Record<string, number>;
  heapUsedBytes?: number;
  error?: string;
}

function scrape(): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: Number(port), path: '/metrics', timeout: SCRAPE_TIMEOUT_MS }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('the admin endpoint did not answer')));
    req.on('error', reject);
    req.end();
  });
}

/** `name{type="Timeout"} 12` lines of one metric, by their type label. */
export function resourcesFrom(metrics: string, name: string): Record<string, number> {
  const out: Record<string, number> = {};
  const pattern = new RegExp(`^${name}\\{type="([^"]+)"\\} (\\d+(?:\\.\\d+)?)`, 'gm');
  for (const m of metrics.matchAll(pattern)) out[m[1]!] = Number(m[2]);
  return out;
}

export function valueOf(metrics: string, name: string): number | undefined {
  const m = new RegExp(`^${name} (\\d+(?:\\.\\d+)?(?:e\\+\\d+)?)`, 'm').exec(metrics);
  return m ? Number(m[1]) : undefined;
}

/** TCP_LISTEN in the `st` column of /proc/net/tcp (include/net/tcp_states.h). */
const TCP_LISTEN = '0A';

/** The process's TCP sockets: in LISTEN, and the others. */
export function tcpSockets(fdLinks: readonly string[], tables: readonly string[]): { listening: number; connections: number } {
  const inodes = new Set(fdLinks.flatMap((l) => /^socket:\[(\d+)\]$/.exec(l)?.[1] ?? []));
  let listening = 0;
  let connections = 0;
  for (const table of tables) {
    for (const line of table.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // sl local rem st tx:rx tr:when retrnsmt uid timeout inode
      if (cols.length < 10 || !inodes.has(cols[9]!)) continue;
      if (cols[3] === TCP_LISTEN) listening++;
      else connections++;
    }
  }
  return { listening, connections };
}

async function sampleOnce(start: number): Promise<Sample> {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKiB = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
  // Fields 14 and 15 of /proc/PID/stat, counted after the command name's closing parenthesis.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  const fds = readdirSync(`/proc/${pid}/fd`);
  const links = fds.flatMap((fd) => {
    try {
      return [readlinkSync(`/proc/${pid}/fd/${fd}`)];
    } catch {
      return []; // closed meanwhile
    }
  });
  const tables = ['tcp', 'tcp6'].map((t) => readFileSync(`/proc/${pid}/net/${t}`, 'utf8'));
  const sample: Sample = { t: Date.now() - start, rssBytes: rssKiB * KIB, fds: fds.length, cpuSeconds, ...tcpSockets(links, tables) };
  try {
    const metrics = await scrape();
    sample.resources = resourcesFrom(metrics, 'vip_speaker_nodejs_active_resources');
    const heap = valueOf(metrics, 'vip_speaker_nodejs_heap_size_used_bytes');
    if (heap !== undefined) sample.heapUsedBytes = heap;
  } catch (err) {
    sample.error = (err as Error).message;
  }
  return sample;
}

async function main(): Promise<void> {
  const start = Date.now();
  for (;;) {
    const began = Date.now();
    try {
      process.stdout.write(JSON.stringify(await sampleOnce(start)) + '\n');
    } catch (err) {
      // The daemon is gone (/proc/PID no longer exists): the soak sees the sampler end.
      process.stdout.write(JSON.stringify({ t: Date.now() - start, fatal: (err as Error).message }) + '\n');
      return;
    }
    await new Promise((r) => setTimeout(r, Math.max(0, Number(interval) - (Date.now() - began))));
  }
}

if (process.argv[1]?.endsWith('sampler.js') && pid) void main();
