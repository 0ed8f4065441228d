// The daemon without root: a fake interface, a scripted BGP peer on loopback, and the real
// admin endpoint. Checks what an operator sees: /readyz, /metrics, /status, and no secret.
import { strict as assert } from 'node:assert';
import { get } from 'node:http';
import { pino } from 'pino';
import { parseConfig } from '../../src/config/index.js';
import { Daemon } from '../../src/daemon.js';
import { RawPeer } from '../support/raw-peer.js';
import { MemoryInterface } from '../support/memory-interface.js';
import { loopbackConnector } from '../support/loopback.js';


function fetch(port: number, path: string): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the daemon and its admin endpoint', function () {
  this.timeout(20_000);
  let peer: RawPeer;
  let daemon: Daemon;
  let iface: MemoryInterface;
  let peerPort = 0;
  const SECRET = 'very-secret-md5';

  beforeEach(async () => {
    peer = new RawPeer({ asn: 65000, bgpId: '192.0.2.1' });
    const port = await peer.listen();
    peerPort = port;
    const text = [
      'asn: 65100',
      'routerId: 192.0.2.2',
      'peers:',
      `  - { address: 192.0.2.1, asn: 65000, port: ${port}, password: ${SECRET} }`,
      'vips: [203.0.113.10, 2001:db8:f::10]',
      'admin: { address: 127.0.0.1, port: 9469 }',
    ].join('\n');
    const cfg = parseConfig(text, { env: {}, readFile: () => '', listInterfaces: () => ({}) });
    assert.ok(cfg.ok, cfg.ok ? '' : JSON.stringify(cfg.error));
    cfg.value.admin.port = 0; // any free port for the test
    iface = new MemoryInterface();
    // The peer 192.0.2.1 is reached on loopback here, and without MD5 (the scripted peer has no
    // key; MD5 itself is proven in bgp/transport's tests): the transport is replaced.
    daemon = new Daemon(cfg.value, {
      log: pino({ level: 'silent' }),
      addresses: iface,
      speakerOptions: {
        connector: loopbackConnector(port),
      },
    });
    await daemon.start();
  });

  afterEach(async () => {
    await daemon.stop();
    await peer.close();
  });

  it('becomes ready once the peer was tried and the VIPs are in place', async () => {
    await peer.whenEstablished();
    const r = await until('ready', async () => {
      const x = await fetch(daemon.adminPort!, '/readyz');
      return x.code === 200 ? x : undefined;
    });
    assert.equal(r.body, 'ok\n');
    assert.deepEqual([...iface.owned].sort(), ['2001:db8:f::10/128', '203.0.113.10/32']);
    assert.equal((await fetch(daemon.adminPort!, '/healthz')).code, 200);
  });

  it('exports session and VIP metrics in Prometheus format', async () => {
    await peer.whenEstablished();
    await until('the session up', async () => ((await fetch(daemon.adminPort!, '/metrics')).body.includes('vip_speaker_bgp_session_up{peer="192.0.2.1"} 1') ? true : undefined));
    const m = (await fetch(daemon.adminPort!, '/metrics')).body;
    for (const name of [
      'vip_speaker_bgp_session_state{peer="192.0.2.1"} 6',
      'vip_speaker_vips_desired 2',
      'vip_speaker_vips_in_place 2',
      'vip_speaker_bgp_messages_sent_total{peer="192.0.2.1",type="Open"} 1',
      'vip_speaker_reconcile_duration_seconds_count',
      'vip_speaker_bgp_session_flaps_total{peer="192.0.2.1"} 0',
      'vip_speaker_process_resident_memory_bytes',
    ]) {
      assert.ok(m.includes(name), `metrics lack ${name}`);
    }
  });

  it('shows sessions and VIPs with owners in /status, and never the password', async () => {
    await peer.whenEstablished();
    const r = await fetch(daemon.adminPort!, '/status');
    assert.equal(r.code, 200);
    const doc = JSON.parse(r.body) as { peers: Array<{ address: string }>; vips: Array<{ address: string; owners: string[] }> };
    assert.deepEqual(doc.peers.map((p) => p.address), ['192.0.2.1']);
    assert.deepEqual(doc.vips.map((v) => [v.address, v.owners]), [['2001:db8:f::10/128', ['static']], ['203.0.113.10/32', ['static']]]);
    assert.ok(!r.body.includes(SECRET), 'the password leaked into /status');
    assert.ok(!(await fetch(daemon.adminPort!, '/metrics')).body.includes(SECRET));
  });

  it('removes its VIPs and reports not ready on a clean stop', async () => {
    await peer.whenEstablished();
    await daemon.stop();
    assert.equal(iface.owned.size, 0);
    assert.equal(daemon.ready().ok, false);
  });

  it('applies a reloaded config as a difference and refuses what needs a restart', async () => {
    await peer.whenEstablished();
    const base = (extra: string) =>
      parseConfig(
        ['asn: 65100', 'routerId: 192.0.2.2', 'peers:', `  - { address: 192.0.2.1, asn: 65000, port: ${peerPort}, password: ${SECRET} }`, extra, 'vips: [203.0.113.10]', 'admin: { address: 127.0.0.1, port: 9469 }'].join('\n'),
        { env: {}, readFile: () => '', listInterfaces: () => ({}) },
      );
    const withPeer = base('  - 198.51.100.1:65001::false');
    assert.ok(withPeer.ok);
    withPeer.value.admin.port = 0;
    const changes = await daemon.reload(withPeer.value);
    assert.deepEqual(changes.sort(), ['peer 198.51.100.1 added', 'static VIPs updated']);
    assert.deepEqual(daemon.peers().map((p) => p.address).sort(), ['192.0.2.1', '198.51.100.1']);
    assert.deepEqual([...iface.owned], ['203.0.113.10/32'], 'the dropped VIP is removed');
    const otherAdmin = base('');
    assert.ok(otherAdmin.ok);
    otherAdmin.value.admin.port = 9470;
    await assert.rejects(daemon.reload(otherAdmin.value), /admin cannot change without a restart/);
    assert.deepEqual(daemon.peers().map((p) => p.address).sort(), ['192.0.2.1', '198.51.100.1'], 'a refused reload changes nothing');
  });
});
