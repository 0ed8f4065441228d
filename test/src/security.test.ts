// The promises about secrets and the admin endpoint, each tested where it could break: the MD5
// password is never on a command line (the CLI takes none, a lab's speaker gets its config in
// the environment), never in a log line at debug level through start, reload and stop, never
// in /status or /metrics; the admin endpoint listens on loopback unless told otherwise and
// answers only GET. (File permissions: test/src/config/permissions.test.ts; config errors and
// the redacted copy: test/src/config/secrets.test.ts.)
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseConfig, configFromEnv } from '../../src/config/index.js';
import { Daemon } from '../../src/daemon.js';
import { createLogger } from '../../src/log.js';
import { SpeakerProcess } from '../../integration/support/speaker-client.js';
import type { Lab } from '../../integration/support/lab.js';
import { MemoryInterface } from '../support/memory-interface.js';
import { RawPeer } from '../support/raw-peer.js';
import { loopbackConnector } from '../support/loopback.js';

const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const SECRET = 'Secret-MD5-4f9c';
const NEW_SECRET = 'Rotated-MD5-77ab';
const WRITE_METHODS = ['POST', 'PUT', 'DELETE', 'PATCH'];

function http(port: number, method: string, path: string): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('security', function () {
  this.timeout(30_000);

  describe('passwords are never on a command line', () => {
    it('the CLI has no password option: its usage names none, and `run --password` is refused', () => {
      const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
      assert.equal(help.status, 0);
      assert.doesNotMatch(help.stdout, /--\S*pass/i);
      const refused = spawnSync(process.execPath, [CLI, 'run', '--password', SECRET], { encoding: 'utf8' });
      assert.equal(refused.status, 2);
      assert.match(refused.stderr, /Unknown option '--password'/);
    });

    it("a lab's speaker process gets its config, passwords included, in its environment: its command line shows none", async function () {
      if (process.platform !== 'linux') this.skip();
      // The lab's spawn without the namespace: the same command, run here.
      const lab = { spawn: (_ns: string, cmd: string, args: string[], options: object) => spawn(cmd, args, options) } as unknown as Lab;
      const proc = new SpeakerProcess(lab, 'none', { localAs: 65001, routerId: '192.0.2.1', peers: [{ address: '192.0.2.9', peerAs: 65002, password: SECRET, passive: true }] });
      await proc.start();
      try {
        const pid = (proc as unknown as { child: { pid: number } }).child.pid;
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        assert.ok(cmdline.includes('speaker-proc.js'), cmdline);
        assert.ok(!cmdline.includes(SECRET), 'the password is on the command line');
      } finally {
        await proc.stop();
      }
    });
  });

  describe('the daemon through start, reload and stop', () => {
    let peer: RawPeer;
    let peerPort = 0;
    let daemon: Daemon | undefined;
    let logs = '';

    const configText = (port: number, password: string) =>
      ['asn: 65100', 'routerId: 192.0.2.2', 'peers:', `  - { address: 192.0.2.1, asn: 65000, port: ${port}, password: ${password} }`, 'vips: [203.0.113.10]'].join('\n');

    function config(port: number, password: string) {
      const c = parseConfig(configText(port, password), { env: {}, readFile: () => '', listInterfaces: () => ({}) });
      assert.ok(c.ok, c.ok ? '' : JSON.stringify(c.error));
      c.value.admin.port = 0; // any free port; the address stays the default
      return c.value;
    }

    beforeEach(async () => {
      logs = '';
      peer = new RawPeer({ asn: 65000, bgpId: '192.0.2.1' });
      const port = await peer.listen();
      peerPort = port;
      const sink = new Writable({ write: (chunk: Buffer, _enc, done) => ((logs += chunk.toString()), done()) });
      daemon = new Daemon(config(port, SECRET), {
        log: createLogger({ level: 'debug', destination: sink }),
        addresses: new MemoryInterface(),
        speakerOptions: {
          // The scripted peer has no MD5 key: the transport is replaced (MD5 is proven in bgp/transport's tests).
          connector: loopbackConnector(port),
        },
      });
      await daemon.start();
      await peer.whenEstablished();
    });

    afterEach(async () => {
      await daemon?.stop();
      await peer.close();
    });

    it('never logs the password, the old or the new one, at debug level', async () => {
      const changes = await daemon!.reload(config(peerPort, NEW_SECRET));
      assert.deepEqual(changes, ['peer 192.0.2.1 re-peered'], 'the new password re-peers the session');
      await daemon!.stop();
      daemon = undefined;
      assert.ok(logs.includes('vip-speaker starting') && logs.length > 0);
      assert.ok(!logs.includes(SECRET), 'the password is in the logs');
      assert.ok(!logs.includes(NEW_SECRET), 'the new password is in the logs');
    });

    it('never shows the password in /status or /metrics', async () => {
      for (const path of ['/status', '/metrics']) {
        const r = await http(daemon!.adminPort!, 'GET', path);
        assert.equal(r.code, 200);
        assert.ok(r.body.length > 0);
        assert.ok(!r.body.includes(SECRET), `the password is in ${path}`);
      }
    });

    it('listens for admin requests on loopback by default', () => {
      assert.match(logs, /"admin":"127\.0\.0\.1:\d+"/);
    });

    it('answers only GET (and HEAD): the admin endpoint is read-only', async () => {
      for (const path of ['/status', '/metrics', '/healthz', '/readyz', '/reload', '/']) {
        for (const method of WRITE_METHODS) {
          const r = await http(daemon!.adminPort!, method, path);
          assert.equal(r.code, 405, `${method} ${path}`);
        }
      }
    });
  });

  it('defaults the admin endpoint to loopback in a config file, and in kube-vip mode when prometheus_server is unset', () => {
    const file = parseConfig('asn: 65100\nrouterId: 192.0.2.2\nvips: [203.0.113.10]\npeers:\n  - 192.0.2.1:65000::false\n', { env: {}, readFile: () => '', listInterfaces: () => ({}) });
    assert.ok(file.ok);
    assert.equal(file.value.admin.address, '127.0.0.1');
    const env = configFromEnv({ env: { bgp_enable: 'true', bgp_routerid: '192.0.2.2', bgp_peers: '192.0.2.1:65000::false', cp_enable: 'true', address: '203.0.113.10' }, readFile: () => '', listInterfaces: () => ({}) });
    assert.ok(env.ok, env.ok ? '' : JSON.stringify(env.error));
    assert.equal(env.value.admin.address, '127.0.0.1');
  });
});
