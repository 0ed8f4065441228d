// The informer's watchdog: a connection that goes silent without closing (the API server's node
// died, or a firewall dropped the flow) is noticed and replaced. A TCP proxy between the client
// and the fake API server plays the network: `blackhole()` drops every byte and every close on
// the open connections and on new ones, `heal()` lets new connections through again.
import { strict as assert } from 'node:assert';
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import { CoreV1Api, type V1Service } from '@kubernetes/client-node';
import { abortable } from '../../../../src/kubernetes/client.js';
import { InformerStalledError, ResilientInformer } from '../../../../src/kubernetes/informers/informer.js';
import { TestClock } from '../../../support/clock.js';
import { FakeApiServer, makeKubeConfig } from '../../../support/fake-apiserver/index.js';
import { eventually, service } from '../fixtures.js';

class BlackholeProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private dropping = false;

  constructor(private readonly upstreamPort: number) {
    this.server = createServer((client) => this.accept(client));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  /** Open connections go silent for good; new ones are accepted and go nowhere. */
  blackhole(): void {
    this.dropping = true;
    for (const socket of this.sockets) (socket as Socket & { dead?: boolean }).dead = true;
  }

  heal(): void {
    this.dropping = false;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket & { dead?: boolean }): void {
    const upstream: Socket & { dead?: boolean } = connect(this.upstreamPort, '127.0.0.1');
    client.dead = upstream.dead = this.dropping;
    for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
      this.sockets.add(from);
      from.on('data', (chunk) => {
        if (!from.dead && !to.dead) to.write(chunk);
      });
      from.on('end', () => {
        if (!from.dead && !to.dead) to.end();
      });
      from.on('error', () => to.destroy());
      from.on('close', () => this.sockets.delete(from));
    }
    // Both halves die together.
    const markDead = () => (client.dead = upstream.dead = client.dead || upstream.dead);
    client.on('data', markDead);
    upstream.on('data', markDead);
  }
}

describe('informer watchdog: a connection that goes silent', () => {
  let server: FakeApiServer;
  let proxy: BlackholeProxy;
  let informer: ResilientInformer<V1Service>;
  let clock: TestClock;

  beforeEach(async () => {
    clock = new TestClock();
    server = new FakeApiServer();
    await server.start();
    proxy = new BlackholeProxy(Number(new URL(server.url).port));
    const port = await proxy.listen();
    const kubeConfig = makeKubeConfig({ server: `http://127.0.0.1:${port}`, token: 'fake-token' });
    const core = kubeConfig.makeApiClient(CoreV1Api);
    informer = new ResilientInformer<V1Service>({
      name: 'services',
      kubeConfig,
      path: '/api/v1/services',
      list: (signal) => core.listServiceForAllNamespaces({}, abortable(signal)),
      backoff: { initialMs: 20, maxMs: 50, jitter: 0 },
      watchTimeoutSeconds: 1,
      stallTimeoutMs: 1300,
      clock,
    });
  });

  afterEach(async () => {
    await informer.stop();
    await proxy.close();
    await server.stop();
  });

  it('asks the server to end each watch, re-watches from its resourceVersion, and raises no alarm', async () => {
    const errors: Error[] = [];
    informer.on('error', (err) => errors.push(err));
    server.create('Service', service('default', 'a'));
    await informer.start();
    await informer.whenSynced();
    const watches = () => server.requests.filter((r) => r.query.watch === 'true');
    // Three times: the server ends the watch (1 s, in real time), the informer re-watches, and
    // 1 s of the clock passes: 3 s in all, well past the 1.3 s watchdog, which each new watch re-arms.
    for (let round = 1; round <= 3; round++) {
      await eventually(() => assert.ok(watches().length > round, `watch ${round + 1} opened`));
      await clock.advanceAsync(1000);
    }
    assert.ok(watches().every((w) => w.query.timeoutSeconds === '1'));
    assert.deepEqual(errors, []);
    assert.equal(informer.connected, true);
  });

  it('aborts a watch that went silent, gives up a retry that gets no answer, and recovers when the network heals', async () => {
    const errors: Error[] = [];
    informer.on('error', (err) => errors.push(err));
    const restored: number[] = [];
    informer.on('restored', (info) => restored.push(info.failures));
    server.create('Service', service('default', 'a'));
    await informer.start();
    await informer.whenSynced();
    await eventually(() => assert.ok(server.openWatches >= 1));
    proxy.blackhole();
    // Changes the informer cannot see while the network drops everything.
    server.create('Service', service('default', 'b'));
    // The watchdog of the silent watch.
    assert.equal(await clock.fireNext(), 1300);
    await eventually(() => assert.ok(errors.length >= 1));
    assert.ok(errors[0] instanceof InformerStalledError, String(errors[0]));
    assert.match(errors[0].message, /the watch went silent/);
    assert.equal(informer.connected, false);
    assert.deepEqual(informer.list().map((s) => s.metadata?.name), ['a'], 'the cache keeps its last state');
    // The retry (after the back-off), whose watch from the resourceVersion it had gets no answer
    // either, and is given up in turn by its own watchdog.
    assert.equal(await clock.fireNext(), 20);
    assert.equal(await clock.fireNext(), 1300);
    await eventually(() => assert.ok(errors.some((e) => /the watch request got no answer/.test(e.message))));
    proxy.heal();
    await clock.fireNext();
    await eventually(() => assert.equal(informer.connected, true));
    await eventually(() => assert.deepEqual(informer.list().map((s) => s.metadata?.name).sort(), ['a', 'b']));
    assert.equal(restored.length, 1);
  });
});
