// The daemon with BFD from a kube-vip peer string: the router's BFD is a BfdManager joined to
// the speaker's in memory, both on a ManualClock; BGP runs over loopback to a scripted peer.
// Checks what an operator sees: the BFD metrics by their exact names, and BFD in /status.
import { strict as assert } from 'node:assert';
import { get } from 'node:http';
import { pino } from 'pino';
import { BfdManager, ManualClock } from '../../bgp/index.js';
import { parseConfig } from '../../src/config/index.js';
import { Daemon } from '../../src/daemon.js';
import { MemoryBfdNetwork } from '../support/bfd-memory.js';
import { MemoryInterface } from '../support/memory-interface.js';
import { seededRandom } from '../support/random.js';
import { RawPeer } from '../support/raw-peer.js';
import { until } from '../support/wait.js';
import { loopbackConnector } from '../support/loopback.js';

function fetch(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

describe('the daemon with BFD', function () {
  this.timeout(20_000);
  let peer: RawPeer;
  let daemon: Daemon;
  let clock: ManualClock;
  let net: MemoryBfdNetwork;
  let router: BfdManager;

  beforeEach(async () => {
    peer = new RawPeer({ asn: 65000, bgpId: '192.0.2.1', holdTime: 90 });
    const port = await peer.listen();
    clock = new ManualClock();
    net = new MemoryBfdNetwork(clock);
    router = new BfdManager({ transport: net.transport('192.0.2.1'), clock, random: seededRandom(11) });
    router.add('192.0.2.2', { desiredMinTxMs: 300, requiredMinRxMs: 300, detectMult: 3 });
    const cfg = parseConfig(['asn: 65100', 'routerId: 192.0.2.2', 'peers:', `  - "192.0.2.1:65000::false:${port}::true;300;300;3"`, 'vips: [203.0.113.10]'].join('\n'), { env: {}, readFile: () => '', listInterfaces: () => ({}) });
    assert.ok(cfg.ok, cfg.ok ? '' : JSON.stringify(cfg.error));
    cfg.value.admin.port = 0;
    daemon = new Daemon(cfg.value, {
      log: pino({ level: 'silent' }),
      addresses: new MemoryInterface(),
      speakerOptions: {
        clock,
        bfd: { transport: net.transport('192.0.2.2'), random: seededRandom(12) },
        connector: loopbackConnector(port),
      },
    });
    await daemon.start();
    await peer.whenEstablished();
    clock.advance(3000);
  });

  afterEach(async () => {
    const stopped = daemon.stop();
    await clock.advanceAsync(5000);
    await stopped;
    await peer.close();
  });

  it('exports the BFD metrics under the names the alert rules use', async () => {
    const m = await fetch(daemon.adminPort!, '/metrics');
    for (const line of [
      'vip_speaker_bfd_session_up{peer="192.0.2.1"} 1',
      'vip_speaker_bfd_transitions_total{peer="192.0.2.1",diagnostic="NoDiagnostic"}',
    ]) {
      assert.ok(m.includes(line), `metrics lack ${line}`);
    }
    for (const name of ['vip_speaker_bfd_packets_sent_total', 'vip_speaker_bfd_packets_received_total']) {
      const n = Number(new RegExp(`^${name}\\{peer="192\\.0\\.2\\.1"\\} (\\d+)$`, 'm').exec(m)?.[1]);
      assert.ok(n > 0, `${name} is ${n}`);
    }
  });

  it('counts a detection-time failure and shows the session down', async () => {
    net.cutBoth('192.0.2.2', '192.0.2.1');
    clock.advance(1000);
    const m = await fetch(daemon.adminPort!, '/metrics');
    assert.ok(m.includes('vip_speaker_bfd_session_up{peer="192.0.2.1"} 0'));
    assert.ok(m.includes('vip_speaker_bfd_transitions_total{peer="192.0.2.1",diagnostic="ControlDetectionTimeExpired"} 1'));
    assert.ok(m.includes('vip_speaker_bgp_session_down_total{peer="192.0.2.1",reason="BfdDown"} 1'));
  });

  it('shows each peer\'s BFD state and negotiated intervals in /status', async () => {
    await until('the poll through', () => daemon.peers()[0]!.bfd?.polling === false);
    const doc = JSON.parse(await fetch(daemon.adminPort!, '/status')) as { peers: Array<{ bfd: { state: string; txIntervalMs: number; rxIntervalMs: number; detectTimeMs: number; localDiscriminator: number; remoteDiscriminator: number } | null }> };
    const bfd = doc.peers[0]!.bfd!;
    assert.deepEqual([bfd.state, bfd.txIntervalMs, bfd.rxIntervalMs, bfd.detectTimeMs, bfd.localDiscriminator > 0, bfd.remoteDiscriminator > 0], ['Up', 300, 300, 900, true, true]);
  });
});
