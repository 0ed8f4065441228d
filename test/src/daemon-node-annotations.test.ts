// kube-vip's per-node BGP settings: this node's annotations (AS, source address, peers) replace
// the configured ones, before the first session and whenever they change.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { MessageType, type OpenMessage } from '../../bgp/index.js';
import { parseConfig } from '../../src/config/index.js';
import { Daemon } from '../../src/daemon.js';
import { FakeApiServer } from '../support/fake-apiserver/index.js';
import { RawPeer } from '../support/raw-peer.js';
import { until } from '../support/wait.js';
import { MemoryInterface } from '../support/memory-interface.js';
import { loopbackConnector } from '../support/loopback.js';


const PREFIX = 'bgp.example.com';

describe('per-node BGP settings from node annotations', function () {
  this.timeout(30_000);
  const dir = mkdtempSync(join(tmpdir(), 'vs-na-'));
  let api: FakeApiServer;
  let peer: RawPeer;
  let daemon: Daemon | undefined;

  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    await daemon?.stop();
    await peer?.close();
    await api?.stop();
  });

  it('peers with the annotated peer from the annotated AS, and follows a change', async () => {
    api = new FakeApiServer();
    await api.start();
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, api.kubeconfigYaml());
    api.create('Node', {
      metadata: {
        name: 'n1',
        annotations: { [`${PREFIX}/node-asn`]: '65101', [`${PREFIX}/src-ip`]: '192.0.2.21', [`${PREFIX}/peer-ip`]: '192.0.2.1', [`${PREFIX}/peer-asn`]: '65000' },
      },
    });
    peer = new RawPeer({ asn: 65000, bgpId: '192.0.2.1' });
    const port = await peer.listen();
    const r = parseConfig(
      ['asn: 65100', 'routerId: 192.0.2.2', 'peers: ["198.51.100.1:65009::false"]', 'vips: [203.0.113.1]', 'admin: { address: 127.0.0.1, port: 9469 }', `kubernetes: { nodeAnnotationPrefix: ${PREFIX}, nodeName: n1, kubeconfig: ${kubeconfig} }`].join('\n'),
      { env: {}, readFile: (p) => readFileSync(p, 'utf8'), listInterfaces: () => ({}) },
    );
    assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.error));
    r.value.admin.port = 0;
    daemon = new Daemon(r.value, {
      log: pino({ level: 'silent' }),
      addresses: new MemoryInterface(),
      // Every peer is reached at the scripted peer on loopback.
      speakerOptions: { connector: loopbackConnector(port) },
    });
    await daemon.start();
    assert.deepEqual(daemon.peers().map((p) => [p.address, p.peerAs]), [['192.0.2.1', 65000]]);
    await peer.whenEstablished();
    const open = peer.received.find((m) => m.type === MessageType.Open) as OpenMessage;
    assert.equal(open.myAs, 65101);
    assert.equal(open.bgpId, '192.0.2.21');

    api.patch('Node', { name: 'n1', namespace: '' }, { metadata: { annotations: { [`${PREFIX}/peer-ip`]: '192.0.2.1,192.0.2.9' } } });
    await until('the second annotated peer', () => daemon!.peers().length === 2, 10_000);
    assert.deepEqual(daemon.peers().map((p) => p.address).sort(), ['192.0.2.1', '192.0.2.9']);
  });
});
