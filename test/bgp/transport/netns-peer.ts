// A peer for gtsm.test.ts, run inside a network namespace with `ip netns exec`. It takes one JSON
// argument and prints one JSON object per line:
//   {"mode":"listen","host":"0.0.0.0","ttl":255,"minTtl":255}
//     → {"event":"ready","port":N}, then {"event":"connection","remoteAddress":"..."} per peer;
//       runs until killed.
//   {"mode":"connect","host":"192.0.2.1","port":N,"ttl":255,"minTtl":255,"timeoutMs":1500}
//     → {"event":"connected","localAddress":"..."} or {"event":"error","code":"...","message":"..."}; exits.
import { connect, listen, type TransportError } from '../../../bgp/transport/index.js';

interface PeerRequest {
  mode: 'listen' | 'connect';
  host: string;
  port?: number;
  ttl?: number;
  minTtl?: number;
  timeoutMs?: number;
}

const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
const request = JSON.parse(process.argv[2] ?? '{}') as PeerRequest;

if (request.mode === 'listen') {
  const listener = await listen({ host: request.host, port: request.port ?? 0, ttl: request.ttl, minTtl: request.minTtl });
  listener.on('connection', (socket, remoteAddress) => {
    say({ event: 'connection', remoteAddress });
    socket.destroy();
  });
  say({ event: 'ready', port: listener.address().port });
  process.on('SIGTERM', () => void listener.close().then(() => process.exit(0)));
} else {
  try {
    const socket = await connect({
      host: request.host,
      port: request.port ?? 179,
      ttl: request.ttl,
      minTtl: request.minTtl,
      timeoutMs: request.timeoutMs ?? 1500,
    });
    say({ event: 'connected', localAddress: socket.localAddress });
    socket.destroy();
  } catch (error) {
    say({ event: 'error', code: (error as TransportError).code, message: (error as Error).message });
  }
}
