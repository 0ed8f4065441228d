// The control-plane VIP follows the local API server: with Kubernetes credentials (here a
// kubeconfig whose CA signed a stand-in API server), the daemon announces the configured VIP only
// while /livez answers, and withdraws it (and takes it off the interface) when it stops answering.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { parseConfig } from '../../src/config/index.js';
import { Daemon } from '../../src/daemon.js';
import { LivezServer, makeCertificate } from '../support/livez.js';
import { MemoryInterface } from '../support/memory-interface.js';
import { until as waitUntil } from '../support/wait.js';


/** The shared poll, with the longer wait a few /livez probes take. */
const until = (what: string, check: () => boolean) => waitUntil(what, check, 15_000, 50);

describe('the control-plane VIP behind the local API server\'s /livez', function () {
  this.timeout(30_000);
  const dir = mkdtempSync(join(tmpdir(), 'vs-cp-'));
  let livez: LivezServer;
  let daemon: Daemon | undefined;

  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    await daemon?.stop();
    await livez?.close();
  });

  function config(kubeconfig: string | undefined, port: number) {
    const k = kubeconfig ? `kubernetes: { controlPlane: true, kubeconfig: ${kubeconfig}, apiServerPort: ${port}, controlPlaneCheckInterval: 0.2 }` : `kubernetes: { controlPlane: true, apiServerPort: ${port} }`;
    const r = parseConfig(['asn: 65100', 'routerId: 192.0.2.2', 'peers: ["192.0.2.1:65000::false"]', 'vips: [203.0.113.1]', 'admin: { address: 127.0.0.1, port: 9469 }', k].join('\n'), {
      env: {},
      readFile: (p) => readFileSync(p, 'utf8'),
      listInterfaces: () => ({}),
    });
    assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.error));
    r.value.admin.port = 0;
    r.value.peers = []; // no session needed: the VIP's placement on the interface is what is checked
    return r.value;
  }

  it('announces while /livez answers 200 and withdraws after it fails', async () => {
    const tls = makeCertificate(dir, 'apiserver');
    livez = new LivezServer(tls);
    await livez.listen();
    const kubeconfig = join(dir, 'admin.conf');
    const ca = Buffer.from(readFileSync(tls.cert)).toString('base64');
    writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config', 'current-context: c',
      'clusters: [{ name: k, cluster: { server: "https://127.0.0.1:' + livez.port + '", certificate-authority-data: ' + ca + ' } }]',
      'users: [{ name: u, user: { token: t } }]',
      'contexts: [{ name: c, context: { cluster: k, user: u } }]',
    ].join('\n'));
    const iface = new MemoryInterface();
    daemon = new Daemon(config(kubeconfig, livez.port), { log: pino({ level: 'silent' }), addresses: iface });
    await daemon.start();
    await until('the VIP in place once /livez is healthy', () => iface.owned.has('203.0.113.1/32'));
    assert.deepEqual(daemon.registry.ownersOf('203.0.113.1'), ['control-plane']);
    livez.mode = 500;
    await until('the VIP gone once /livez fails', () => !iface.owned.has('203.0.113.1/32'));
    livez.mode = 200;
    await until('the VIP back', () => iface.owned.has('203.0.113.1/32'));
  });

  it('announces from the config alone when there are no Kubernetes credentials', async () => {
    const iface = new MemoryInterface();
    daemon = new Daemon(config(undefined, 1), { log: pino({ level: 'silent' }), addresses: iface });
    await daemon.start();
    await until('the VIP in place', () => iface.owned.has('203.0.113.1/32'));
    assert.deepEqual(daemon.registry.ownersOf('203.0.113.1'), ['static']);
  });
});
