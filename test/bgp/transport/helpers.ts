// Shared by the transport tests: every socket and listener a test opens is tracked and closed
// in afterEach, so that mocha can exit and a failing test leaks nothing into the next.
import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { connect, listen, type ConnectOptions, type Listener, type ListenOptions } from '../../../bgp/transport/index.js';

export class Resources {
  private readonly sockets = new Set<Socket>();
  private readonly listeners = new Set<Listener>();

  async listen(options: ListenOptions): Promise<Listener> {
    const listener = await listen(options);
    this.listeners.add(listener);
    listener.on('connection', (socket) => this.track(socket));
    return listener;
  }

  async connect(options: ConnectOptions): Promise<Socket> {
    return this.track(await connect(options));
  }

  track(socket: Socket): Socket {
    this.sockets.add(socket);
    return socket;
  }

  async closeAll(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await Promise.all([...this.listeners].map((l) => l.close()));
    this.listeners.clear();
  }
}

/** The next accepted connection; attach before connecting. */
export function nextConnection(listener: Listener): Promise<[Socket, string]> {
  return once(listener, 'connection') as Promise<[Socket, string]>;
}

/** Reads until `expected` bytes arrived, then compares. */
export async function expectData(socket: Socket, expected: string): Promise<void> {
  const want = Buffer.from(expected);
  let got = Buffer.alloc(0);
  while (got.length < want.length) {
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    got = Buffer.concat([got, chunk]);
  }
  assert.equal(got.toString(), expected);
}

/** Proves a connection carries data both ways. */
export async function exchange(client: Socket, server: Socket): Promise<void> {
  const toServer = expectData(server, 'OPEN from client');
  client.write('OPEN from client');
  await toServer;
  const toClient = expectData(client, 'OPEN from server');
  server.write('OPEN from server');
  await toClient;
}

/** Runs `action` and returns the error it rejects with, failing the test if it resolves. */
export async function rejection(action: () => Promise<unknown>): Promise<Error & { code?: string; errno?: string }> {
  try {
    await action();
  } catch (error) {
    return error as Error & { code?: string };
  }
  assert.fail('expected a rejection');
}
