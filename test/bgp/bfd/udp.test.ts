// The UDP adapter on the loopback interface (no root needed): real sockets, real kernel
// filters. Two systems on one host listen on ports of their own. TTL-wrong datagrams are sent
// first and a TTL-right one after it; the right one's arrival is awaited, and the wrong one
// must not have come before it (one socket's queue keeps the order).
import { strict as assert } from 'node:assert';
import { createSocket, type Socket } from 'node:dgram';
import { BFD_SOURCE_PORT_MAX, BFD_SOURCE_PORT_MIN } from '../../../bgp/bfd/constants.js';
import { BfdTransportError } from '../../../bgp/bfd/errors.js';
import { UdpBfdTransport } from '../../../bgp/bfd/udp.js';
import { until } from '../../support/wait.js';

const PORTS_A = { singleHop: 13784, multihop: 14784 };
const PORTS_B = { singleHop: 23784, multihop: 24784 };

interface Heard {
  payload: string;
  from: string;
  multihop: boolean;
}

function system(listen: typeof PORTS_A, peer: typeof PORTS_A, heard: Heard[]): UdpBfdTransport {
  const t = new UdpBfdTransport({ listenPorts: listen, peerPorts: peer, listenAddresses: { ipv4: '127.0.0.1', ipv6: '::1' } });
  t.onPacket((payload, from, multihop) => heard.push({ payload: payload.toString(), from, multihop }));
  return t;
}

/** Sends `text` with a given TTL from a plain socket bound to `source`. */
async function sendRaw(family: 'udp4' | 'udp6', source: string, ttl: number, port: number, text: string): Promise<void> {
  const s: Socket = createSocket(family);
  await new Promise<void>((r) => s.bind(0, source, () => r()));
  s.setTTL(ttl);
  await new Promise<void>((r, j) => s.send(text, port, family === 'udp4' ? '127.0.0.1' : '::1', (e) => (e ? j(e) : r())));
  await new Promise<void>((r) => s.close(() => r()));
}

describe('BFD UDP transport (loopback)', function () {
  if (process.platform !== 'linux') {
    console.log('      skipped: the BFD transport is Linux only');
    return;
  }
  const transports: UdpBfdTransport[] = [];
  const make = (listen: typeof PORTS_A, peer: typeof PORTS_A, heard: Heard[]) => {
    const t = system(listen, peer, heard);
    transports.push(t);
    return t;
  };
  afterEach(async () => {
    await Promise.all(transports.splice(0).map((t) => t.close()));
  });

  it('delivers a single-hop packet sent with TTL 255 from a source port in 49152–65535', async () => {
    const heardB: Heard[] = [];
    const a = make(PORTS_A, PORTS_B, []);
    make(PORTS_B, PORTS_A, heardB).open({ peer: '127.0.0.1', multihop: false, minTtl: 255 });
    const path = a.open({ peer: '127.0.0.1', multihop: false, minTtl: 255 });
    path.send(Buffer.from('hello'));
    await until('the packet at B', () => heardB.length > 0);
    assert.deepEqual(heardB[0], { payload: 'hello', from: '127.0.0.1', multihop: false });
    assert.ok(path.localPort >= BFD_SOURCE_PORT_MIN && path.localPort <= BFD_SOURCE_PORT_MAX, `${path.localPort}`);
  });

  it('drops a single-hop packet with TTL 254 in the kernel (RFC 5881 §5)', async () => {
    const heard: Heard[] = [];
    make(PORTS_B, PORTS_A, heard).open({ peer: '127.0.0.1', multihop: false, minTtl: 255 });
    await sendRaw('udp4', '127.0.0.1', 254, PORTS_B.singleHop, 'ttl254');
    await sendRaw('udp4', '127.0.0.1', 64, PORTS_B.singleHop, 'ttl64');
    await sendRaw('udp4', '127.0.0.1', 255, PORTS_B.singleHop, 'ttl255');
    await until('the TTL 255 packet', () => heard.length > 0);
    assert.deepEqual(heard.map((h) => h.payload), ['ttl255']);
  });

  it('drops an IPv6 single-hop packet with Hop Limit 254', async () => {
    const heard: Heard[] = [];
    make(PORTS_B, PORTS_A, heard).open({ peer: '::1', multihop: false, minTtl: 255 });
    await sendRaw('udp6', '::1', 254, PORTS_B.singleHop, 'hl254');
    await sendRaw('udp6', '::1', 255, PORTS_B.singleHop, 'hl255');
    await until('the Hop Limit 255 packet', () => heard.length > 0);
    assert.deepEqual(heard.map((h) => [h.payload, h.from]), [['hl255', '::1']]);
  });

  it('multihop: keeps the peer at its minimum TTL, drops it below and drops strangers', async () => {
    const heard: Heard[] = [];
    make(PORTS_B, PORTS_A, heard).open({ peer: '127.0.0.1', multihop: true, minTtl: 250 });
    await sendRaw('udp4', '127.0.0.1', 249, PORTS_B.multihop, 'low');
    await sendRaw('udp4', '127.0.0.2', 255, PORTS_B.multihop, 'stranger');
    await sendRaw('udp4', '127.0.0.1', 250, PORTS_B.multihop, 'ok');
    await until('the packet at the minimum TTL', () => heard.length > 0);
    assert.deepEqual(heard, [{ payload: 'ok', from: '127.0.0.1', multihop: true }]);
  });

  it('multihop: a closed session\'s peer is dropped again', async () => {
    const heard: Heard[] = [];
    const b = make(PORTS_B, PORTS_A, heard);
    b.open({ peer: '127.0.0.2', multihop: true, minTtl: 1 });
    b.open({ peer: '127.0.0.1', multihop: true, minTtl: 1 }).close();
    await sendRaw('udp4', '127.0.0.1', 255, PORTS_B.multihop, 'closed');
    await sendRaw('udp4', '127.0.0.2', 255, PORTS_B.multihop, 'open');
    await until('the open session\'s packet', () => heard.length > 0);
    assert.deepEqual(heard.map((h) => h.payload), ['open']);
  });

  it('says which port is taken and who may hold it', () => {
    make(PORTS_B, PORTS_A, []).open({ peer: '127.0.0.1', multihop: false, minTtl: 255 });
    const second = make(PORTS_B, PORTS_A, []);
    assert.throws(
      () => second.open({ peer: '127.0.0.1', multihop: false, minTtl: 255 }),
      (e: BfdTransportError) => e.code === 'BFD_ERR_BIND_FAILED' && /port 23784 is taken: is another BFD daemon/.test(e.message),
    );
  });

  it('refuses a source address of the other family', () => {
    assert.throws(() => make(PORTS_A, PORTS_B, []).open({ peer: '127.0.0.1', multihop: false, minTtl: 255, localAddress: '::1' }), (e: BfdTransportError) => e.code === 'BFD_ERR_BIND_FAILED' && /different address families/.test(e.message));
  });

  it('refuses an address that is no IP literal', () => {
    assert.throws(() => make(PORTS_A, PORTS_B, []).open({ peer: 'router.example', multihop: false, minTtl: 255 }), (e: BfdTransportError) => e.code === 'BFD_ERR_INVALID_OPTION');
  });
});
