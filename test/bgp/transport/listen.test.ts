// Loopback only: 127.0.0.0/8 and ::1, ports chosen by the kernel.
import { strict as assert } from 'node:assert';
import { getSocketOption, listen, setMinTtl, setTtl, SocketOption } from '../../../bgp/transport/index.js';
import { Resources, exchange, nextConnection, rejection } from './helpers.js';

const MISMATCH_TIMEOUT_MS = 1200;

describe('transport listen', () => {
  const resources = new Resources();
  afterEach(() => resources.closeAll());

  it('takes a new peer password on a running listener for the next connection', async () => {
    const listener = await resources.listen({ host: '127.0.0.1', port: 0 });
    const port = listener.address().port;
    const before = await rejection(() =>
      resources.connect({ host: '127.0.0.1', port, md5Password: 'added-later', timeoutMs: MISMATCH_TIMEOUT_MS }),
    );
    assert.equal(before.code, 'BGP_TRANSPORT_CONNECT_TIMEOUT');

    listener.setPeerPassword('127.0.0.1', 'added-later');
    const accepted = nextConnection(listener);
    const client = await resources.connect({ host: '127.0.0.1', port, md5Password: 'added-later' });
    const [server] = await accepted;
    await exchange(client, server);
  });

  it('replaces and then removes a peer password on a running listener', async () => {
    const listener = await resources.listen({ host: '::1', port: 0, md5: new Map([['::1', 'old']]) });
    const port = listener.address().port;

    listener.setPeerPassword('::1', 'new');
    const stale = await rejection(() => resources.connect({ host: '::1', port, md5Password: 'old', timeoutMs: MISMATCH_TIMEOUT_MS }));
    assert.equal(stale.code, 'BGP_TRANSPORT_CONNECT_TIMEOUT');
    const accepted = nextConnection(listener);
    await resources.connect({ host: '::1', port, md5Password: 'new' });
    await accepted;

    listener.setPeerPassword('::1', undefined);
    const unsigned = nextConnection(listener);
    await resources.connect({ host: '::1', port });
    await unsigned;
  });

  it('removing a password that was never set is not an error', async () => {
    const listener = await resources.listen({ host: '127.0.0.1', port: 0 });
    listener.setPeerPassword('192.0.2.1', undefined);
  });

  it('accepts an IPv4 peer with MD5 on a dual-stack listener (key stored IPv4-mapped)', async () => {
    const listener = await resources.listen({ host: '::', port: 0, md5: new Map([['127.0.0.1', 'dual']]) });
    const accepted = nextConnection(listener);
    const client = await resources.connect({ host: '127.0.0.1', port: listener.address().port, md5Password: 'dual' });
    const [server, remoteAddress] = await accepted;
    assert.equal(remoteAddress, '127.0.0.1');
    await exchange(client, server);
  });

  it('gives accepted sockets the listener TTL and minimum TTL', async () => {
    const listener = await resources.listen({ host: '127.0.0.1', port: 0, ttl: 33, minTtl: 5 });
    const accepted = nextConnection(listener);
    await resources.connect({ host: '127.0.0.1', port: listener.address().port });
    const [server] = await accepted;
    assert.equal(getSocketOption(server, SocketOption.IP_TTL), 33);
    assert.equal(getSocketOption(server, SocketOption.IP_MINTTL), 5);
  });

  it('gives accepted sockets their peer TTL policy (eBGP TTL 1 here, GTSM there)', async () => {
    const listener = await resources.listen({ host: '127.0.0.1', port: 0 });
    listener.setPeerTtl('127.0.0.2', { ttl: 1 });
    listener.setPeerTtl('127.0.0.3', { ttl: 255, minTtl: 255 });
    const port = listener.address().port;

    const first = nextConnection(listener);
    await resources.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
    const [ebgp] = await first;
    assert.equal(getSocketOption(ebgp, SocketOption.IP_TTL), 1);
    assert.equal(getSocketOption(ebgp, SocketOption.IP_MINTTL), 0);

    const second = nextConnection(listener);
    await resources.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.3', ttl: 255 });
    const [gtsm] = await second;
    assert.equal(getSocketOption(gtsm, SocketOption.IP_TTL), 255);
    assert.equal(getSocketOption(gtsm, SocketOption.IP_MINTTL), 255);
  });

  it('drops SYNs below the listener minimum TTL (a 64-TTL SYN against GTSM 255)', async () => {
    const listener = await resources.listen({ host: '127.0.0.1', port: 0, minTtl: 255 });
    listener.on('connection', () => assert.fail('a SYN below the minimum TTL must be dropped'));
    const error = await rejection(() =>
      resources.connect({ host: '127.0.0.1', port: listener.address().port, ttl: 64, timeoutMs: MISMATCH_TIMEOUT_MS }),
    );
    assert.equal(error.code, 'BGP_TRANSPORT_CONNECT_TIMEOUT');
  });

  it('sets TTL options on a connected IPv6 socket, both families on a dual-stack socket', async () => {
    const listener = await resources.listen({ host: '::1', port: 0 });
    const client = await resources.connect({ host: '::1', port: listener.address().port });
    setTtl(client, 7);
    setMinTtl(client, 250);
    assert.equal(getSocketOption(client, SocketOption.IPV6_UNICAST_HOPS), 7);
    assert.equal(getSocketOption(client, SocketOption.IP_TTL), 7);
    assert.equal(getSocketOption(client, SocketOption.IPV6_MINHOPCOUNT), 250);
    assert.equal(getSocketOption(client, SocketOption.IP_MINTTL), 250);
  });

  it('reports a taken port as BGP_TRANSPORT_BIND_FAILED with EADDRINUSE', async () => {
    const listener = await resources.listen({ host: '127.0.0.1', port: 0 });
    const error = await rejection(() => listen({ host: '127.0.0.1', port: listener.address().port }));
    assert.equal(error.code, 'BGP_TRANSPORT_BIND_FAILED');
    assert.equal(error.errno, 'EADDRINUSE');
  });

  it('reports an unknown listen interface as BGP_TRANSPORT_NO_SUCH_INTERFACE', async () => {
    const error = await rejection(() => listen({ host: '127.0.0.1', port: 0, interface: 'vsnope0' }));
    assert.equal(error.code, 'BGP_TRANSPORT_NO_SUCH_INTERFACE');
  });

  it('refuses password changes once closed', async () => {
    const listener = await resources.listen({ host: '127.0.0.1', port: 0 });
    await listener.close();
    assert.throws(() => listener.setPeerPassword('127.0.0.1', 'late'), /listener is closed/);
  });
});
