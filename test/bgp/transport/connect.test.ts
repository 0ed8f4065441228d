// Loopback only: 127.0.0.0/8 and ::1, ports chosen by the kernel.
import { strict as assert } from 'node:assert';
import { connect, getSocketOption, SocketOption } from '../../../bgp/transport/index.js';
import { Resources, exchange, nextConnection, rejection } from './helpers.js';

const MISMATCH_TIMEOUT_MS = 1200;

describe('transport connect', () => {
  const resources = new Resources();
  afterEach(() => resources.closeAll());

  for (const host of ['127.0.0.1', '::1']) {
    it(`carries data both ways over ${host}`, async () => {
      const listener = await resources.listen({ host, port: 0 });
      const accepted = nextConnection(listener);
      const client = await resources.connect({ host, port: listener.address().port });
      const [server, remoteAddress] = await accepted;
      assert.equal(remoteAddress, host);
      await exchange(client, server);
    });

    it(`carries data both ways over ${host} with the same MD5 password on both sides`, async () => {
      const listener = await resources.listen({ host, port: 0, md5: new Map([[host, 'bgp-s3cret']]) });
      const accepted = nextConnection(listener);
      const client = await resources.connect({ host, port: listener.address().port, md5Password: 'bgp-s3cret' });
      const [server] = await accepted;
      await exchange(client, server);
    });

    it(`never completes over ${host} when the MD5 passwords differ, and the timeout names the password`, async () => {
      const listener = await resources.listen({ host, port: 0, md5: new Map([[host, 'right']]) });
      listener.on('connection', () => assert.fail('a mismatched SYN must not be accepted'));
      const error = await rejection(() =>
        resources.connect({ host, port: listener.address().port, md5Password: 'wrong', timeoutMs: MISMATCH_TIMEOUT_MS }),
      );
      assert.equal(error.code, 'BGP_TRANSPORT_CONNECT_TIMEOUT');
      assert.match(error.message, new RegExp(`connecting to .*${listener.address().port}`));
      assert.match(error.message, /MD5 password is set/);
      assert.match(error.message, /wrong or missing password on either side/);
    });
  }

  it('never completes when only the client has an MD5 password', async () => {
    const listener = await resources.listen({ host: '127.0.0.1', port: 0 });
    listener.on('connection', () => assert.fail('a signed SYN to a listener without a key must be dropped'));
    const error = await rejection(() =>
      resources.connect({ host: '127.0.0.1', port: listener.address().port, md5Password: 'only-here', timeoutMs: MISMATCH_TIMEOUT_MS }),
    );
    assert.equal(error.code, 'BGP_TRANSPORT_CONNECT_TIMEOUT');
    assert.match(error.message, /MD5 password/);
  });

  it('never completes when only the listener has an MD5 password, and the timeout says a password may be required', async () => {
    const listener = await resources.listen({ host: '127.0.0.1', port: 0, md5: new Map([['127.0.0.1', 'only-there']]) });
    listener.on('connection', () => assert.fail('an unsigned SYN from a keyed peer must be dropped'));
    const error = await rejection(() =>
      resources.connect({ host: '127.0.0.1', port: listener.address().port, timeoutMs: MISMATCH_TIMEOUT_MS }),
    );
    assert.equal(error.code, 'BGP_TRANSPORT_CONNECT_TIMEOUT');
    assert.match(error.message, /requires a TCP MD5 password/);
  });

  it('binds to the source address asked for (127.0.0.2)', async () => {
    const listener = await resources.listen({ host: '127.0.0.1', port: 0 });
    const accepted = nextConnection(listener);
    const client = await resources.connect({ host: '127.0.0.1', port: listener.address().port, localAddress: '127.0.0.2' });
    assert.equal(client.localAddress, '127.0.0.2');
    const [, remoteAddress] = await accepted;
    assert.equal(remoteAddress, '127.0.0.2');
  });

  it('signs with the key of the source address it binds to: the listener keys peers by address', async () => {
    const listener = await resources.listen({ host: '127.0.0.1', port: 0, md5: new Map([['127.0.0.2', 'per-peer']]) });
    const accepted = nextConnection(listener);
    const port = listener.address().port;
    const client = await resources.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2', md5Password: 'per-peer' });
    const [server] = await accepted;
    await exchange(client, server);
  });

  it('reports an unconfigured source address as BGP_TRANSPORT_BIND_FAILED', async () => {
    const error = await rejection(() => connect({ host: '127.0.0.1', port: 179, localAddress: '192.0.2.55' }));
    assert.equal(error.code, 'BGP_TRANSPORT_BIND_FAILED');
    assert.equal(error.errno, 'EADDRNOTAVAIL');
    assert.match(error.message, /192\.0\.2\.55.*not configured on this host/);
  });

  it('reports a closed port as BGP_TRANSPORT_ECONNREFUSED naming the peer', async () => {
    const listener = await resources.listen({ host: '127.0.0.1', port: 0 });
    const port = listener.address().port;
    await resources.closeAll();
    const error = await rejection(() => connect({ host: '127.0.0.1', port }));
    assert.equal(error.code, 'BGP_TRANSPORT_ECONNREFUSED');
    assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
  });

  it('reports an unknown interface for SO_BINDTODEVICE as BGP_TRANSPORT_NO_SUCH_INTERFACE', async () => {
    const error = await rejection(() => connect({ host: '127.0.0.1', port: 179, interface: 'vsnope0' }));
    assert.equal(error.code, 'BGP_TRANSPORT_NO_SUCH_INTERFACE');
    assert.match(error.message, /no network interface named "vsnope0"/);
  });

  it('connects through the interface it is bound to (lo)', async () => {
    const listener = await resources.listen({ host: '127.0.0.1', port: 0 });
    const accepted = nextConnection(listener);
    const client = await resources.connect({ host: '127.0.0.1', port: listener.address().port, interface: 'lo' });
    const [server] = await accepted;
    await exchange(client, server);
  });

  it('refuses a host name: peers are addresses and nothing is resolved', async () => {
    const error = await rejection(() => connect({ host: 'localhost', port: 179 }));
    assert.equal(error.code, 'BGP_TRANSPORT_INVALID_ADDRESS');
  });

  it('refuses an empty MD5 password instead of connecting unsigned', async () => {
    const error = await rejection(() => connect({ host: '127.0.0.1', port: 179, md5Password: '' }));
    assert.equal(error.code, 'BGP_TRANSPORT_INVALID_OPTION');
  });

  it('abandons a pending connection when its AbortSignal fires', async () => {
    const listener = await resources.listen({ host: '127.0.0.1', port: 0, md5: new Map([['127.0.0.1', 'x']]) });
    const controller = new AbortController();
    const pending = rejection(() => connect({ host: '127.0.0.1', port: listener.address().port, signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    assert.equal((await pending).code, 'BGP_TRANSPORT_ABORTED');
  });

  it('sets IP_TTL and IP_MINTTL before connecting (IPv4)', async () => {
    const listener = await resources.listen({ host: '127.0.0.1', port: 0 });
    const client = await resources.connect({ host: '127.0.0.1', port: listener.address().port, ttl: 1, minTtl: 2 });
    assert.equal(getSocketOption(client, SocketOption.IP_TTL), 1);
    assert.equal(getSocketOption(client, SocketOption.IP_MINTTL), 2);
  });

  it('sets IPV6_UNICAST_HOPS and IPV6_MINHOPCOUNT before connecting (IPv6)', async () => {
    // The listener answers with hop limit 255, or the SYN-ACK (default 64) would fail our minimum.
    const listener = await resources.listen({ host: '::1', port: 0, ttl: 255 });
    const client = await resources.connect({ host: '::1', port: listener.address().port, ttl: 255, minTtl: 200, timeoutMs: 3000 });
    assert.equal(getSocketOption(client, SocketOption.IPV6_UNICAST_HOPS), 255);
    assert.equal(getSocketOption(client, SocketOption.IPV6_MINHOPCOUNT), 200);
  });

  it('refuses a TTL of 0 or above 255', async () => {
    for (const ttl of [0, 256]) {
      const error = await rejection(() => connect({ host: '127.0.0.1', port: 179, ttl }));
      assert.equal(error.code, 'BGP_TRANSPORT_INVALID_OPTION');
    }
  });
});
