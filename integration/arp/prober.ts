// The lab's client: asks the VIP without pause, one new TCP connection every EVERY ms, each given
// TIMEOUT ms to bring the echo server's "hello from NAME via ADDRESS". Attempts overlap (up to
// TIMEOUT / EVERY at once), so that the end of an outage is seen to within EVERY ms, not
// TIMEOUT. One JSON line per attempt on stdout, in the order they finish:
//   {"t": start, ms since the epoch, "ms": duration, "ok": true, "node": "node2"}
//   {"t": ..., "ms": ..., "ok": false, "error": "timeout" | "ECONNREFUSED" | ...}
//   ip netns exec NS node dist/integration/arp/prober.js ADDRESS PORT [EVERY_MS] [TIMEOUT_MS]
import { connect } from 'node:net';

export interface Attempt {
  t: number;
  ms: number;
  ok: boolean;
  node?: string;
  error?: string;
}

const [host, port = '8080', every = '20', timeout = '200'] = process.argv.slice(2);
if (!host) {
  process.stderr.write('usage: prober.js ADDRESS PORT [EVERY_MS] [TIMEOUT_MS]\n');
  process.exit(2);
}
const timeoutMs = Number(timeout);

function attempt(): void {
  const t = Date.now();
  const socket = connect({ host: host!, port: Number(port) });
  let answer = '';
  let done = false;
  const finish = (result: Omit<Attempt, 't' | 'ms'>) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    socket.destroy();
    process.stdout.write(JSON.stringify({ t, ms: Date.now() - t, ...result }) + '\n');
  };
  const timer = setTimeout(() => finish({ ok: false, error: 'timeout' }), timeoutMs);
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    answer += chunk;
    if (!answer.includes('\n')) return;
    const m = /^hello from (\S+) via /.exec(answer);
    finish(m ? { ok: true, node: m[1]! } : { ok: false, error: `unexpected answer ${JSON.stringify(answer.slice(0, 80))}` });
  });
  socket.on('end', () => finish({ ok: false, error: `closed after ${JSON.stringify(answer.slice(0, 80))}` }));
  socket.on('error', (err: NodeJS.ErrnoException) => finish({ ok: false, error: err.code ?? err.message }));
}

// The reader going away (the test ended) ends the prober too.
process.stdout.on('error', () => process.exit(0));
setInterval(attempt, Number(every));
