// The control-plane VIP follows the local API server's /livez: a real HTTPS server on 127.0.0.1
// with a certificate made here by openssl, flipped between 200 and 500, hung, stopped; the
// probe cadence and the thresholds run on a manual clock.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { until } from '../../../support/wait.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../../bgp/index.js';
import { ControlPlaneHealth, type ControlPlaneHealthOptions, ControlPlaneOptionsError, INITIAL_HEALTH, stepHealth } from '../../../../src/kubernetes/control-plane/health.js';
import { probeLivez } from '../../../../src/kubernetes/control-plane/probe.js';
import { VipRegistry } from '../../../../src/registry/registry.js';
import { LivezServer, makeCertificate } from '../../../support/livez.js';

const VIP = '192.0.2.100';

describe('control-plane health', () => {
  describe('stepHealth', () => {
    const t = { failureThreshold: 3, successThreshold: 2 };
    const run = (results: boolean[]) => {
      let state = INITIAL_HEALTH;
      const verdicts: (boolean | undefined)[] = [];
      for (const ok of results) {
        const next = stepHealth(state, ok, t);
        state = next.state;
        verdicts.push(next.changed ? state.healthy : undefined);
      }
      return verdicts;
    };

    it('claims after successThreshold successes in a row', () => {
      assert.deepEqual(run([true, true, true]), [undefined, true, undefined]);
    });

    it('releases after failureThreshold failures in a row, and not before', () => {
      assert.deepEqual(run([true, true, false, false, true, false, false, false]), [undefined, true, undefined, undefined, undefined, undefined, undefined, false]);
    });

    it('says unhealthy at start-up once failureThreshold probes failed', () => {
      assert.deepEqual(run([false, false, false, false]), [undefined, undefined, false, undefined]);
    });

    it('needs successThreshold successes in a row to claim again after a failure', () => {
      assert.deepEqual(run([false, false, false, true, false, true, true]), [undefined, undefined, false, undefined, undefined, undefined, true]);
    });
  });

  describe('ControlPlaneHealth against an HTTPS /livez', () => {
    let dir: string;
    let tls: { cert: string; key: string };
    let otherCa: { cert: string; key: string };
    let apiserver: LivezServer;
    let clock: ManualClock;
    let registry: VipRegistry;
    let health: ControlPlaneHealth | undefined;
    let log: string[];

    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'vip-speaker-livez-'));
      tls = makeCertificate(dir, 'apiserver');
      otherCa = makeCertificate(dir, 'other');
    });

    after(() => rmSync(dir, { recursive: true, force: true }));

    beforeEach(async () => {
      apiserver = new LivezServer(tls);
      await apiserver.listen(0);
      clock = new ManualClock();
      registry = new VipRegistry();
      log = [];
    });

    afterEach(async () => {
      await health?.stop();
      health = undefined;
      await apiserver.close();
    });

    function watch(options: Partial<ControlPlaneHealthOptions> = {}): ControlPlaneHealth {
      health = new ControlPlaneHealth({ registry, vips: [{ address: VIP }], port: apiserver.port, caFile: tls.cert, clock, ...options });
      health.on('healthy', () => log.push(`${clock.now()} healthy`));
      health.on('unhealthy', (reason) => log.push(`${clock.now()} unhealthy ${reason}`));
      return health;
    }

    /** Moves the clock in steps, letting each probe's real HTTPS exchange finish. */
    async function run(ms: number, step = 100): Promise<void> {
      for (let t = 0; t < ms; t += step) {
        clock.advance(step);
        await health?.settled();
      }
    }

    const claimed = () => registry.ownersOf(VIP).includes('control-plane');

    it('claims after two good probes, releases within three seconds of a 500, claims again', async () => {
      const h = watch();
      h.start();
      await run(1000);
      assert.equal(claimed(), true, 'probes at 0 and 1000 ms');
      apiserver.mode = 500;
      await run(3000);
      assert.equal(claimed(), false);
      apiserver.mode = 200;
      await run(2000);
      assert.equal(claimed(), true);
      assert.deepEqual(log, ['1000 healthy', '4000 unhealthy HTTP_500', '6000 healthy']);
    });

    it('treats an API server that is not there at all as unhealthy: connection refused', async () => {
      await apiserver.close();
      const h = watch();
      h.start();
      await run(3000);
      assert.equal(claimed(), false);
      assert.deepEqual(log, ['2000 unhealthy CONNECTION_REFUSED']);
      // The static pod comes up: the VIP follows.
      await apiserver.listen();
      await run(2000);
      assert.equal(claimed(), true);
    });

    it('releases when the API server stops entirely', async () => {
      const h = watch();
      h.start();
      await run(2000);
      assert.equal(claimed(), true);
      await apiserver.close();
      await run(3000);
      assert.equal(claimed(), false);
      assert.deepEqual(log, ['1000 healthy', '5000 unhealthy CONNECTION_REFUSED']);
    });

    it('counts a probe that gets no answer within the timeout as a failure', async () => {
      const h = watch({ timeoutMs: 500 });
      h.start();
      await run(1000);
      apiserver.mode = 'hang';
      // settled() would wait for a hung probe, which only the clock can end: step the clock, letting
      // the promises run between steps. Probes at 2000, 3000, 4000 each time out 500 ms later.
      for (let t = 0; t < 4000 && claimed(); t += 100) await clock.advanceAsync(100);
      await h.settled();
      assert.equal(claimed(), false);
      assert.deepEqual(log, ['1000 healthy', '4500 unhealthy TIMEOUT']);
    });

    it('ends a hung probe on stop, without waiting for its timeout', async () => {
      apiserver.mode = 'hang';
      const h = watch({ timeoutMs: 1000 });
      const before = apiserver.requests;
      h.start();
      clock.advance(0);
      await until('the probe reaches the API server', () => apiserver.requests > before);
      await h.stop();
      assert.equal(clock.pending, 0);
    });

    it('times out before the CA file is even read, and drops the request it then makes without an uncaught error', async () => {
      const probe = probeLivez({ address: '127.0.0.1', port: apiserver.port, caFile: tls.cert, serverName: 'kubernetes', timeoutMs: 100 }, clock);
      // The timeout fires while readFile is still under way.
      clock.advance(100);
      const result = await probe;
      assert.equal(result.ok ? 'ok' : result.reason, 'TIMEOUT');
      // The CA read completes, the request is made and destroyed at once: an 'error' without a
      // listener would end the test run here as an uncaught exception.
      await readFile(tls.cert);
      for (let turn = 0; turn < 10; turn++) await new Promise((resolve) => setImmediate(resolve));
      assert.equal(apiserver.requests, 0);
    });

    it('refuses a certificate from another CA, and one without the expected name', async () => {
      const wrongCa = await probeLivez({ address: '127.0.0.1', port: apiserver.port, caFile: otherCa.cert, serverName: 'kubernetes', timeoutMs: 1000 }, clock);
      assert.equal(wrongCa.ok, false);
      assert.match(wrongCa.ok ? '' : wrongCa.reason, /^TLS_/);
      const wrongName = await probeLivez({ address: '127.0.0.1', port: apiserver.port, caFile: tls.cert, serverName: 'apiserver.example', timeoutMs: 1000 }, clock);
      assert.deepEqual(wrongName.ok ? '' : wrongName.reason, 'TLS_ERR_TLS_CERT_ALTNAME_INVALID');
      const byAddress = await probeLivez({ address: '127.0.0.1', port: apiserver.port, caFile: tls.cert, serverName: '127.0.0.1', timeoutMs: 1000 }, clock);
      assert.deepEqual(byAddress, { ok: true, status: 200 });
    });

    it('asks /livez with credentials where anonymous access is off (K3s): a token, a token file, a client certificate', async () => {
      const client = makeCertificate(dir, 'client');
      writeFileSync(join(dir, 'token'), 'sa-token\n');
      const k3s = new LivezServer(tls, undefined, { token: 'sa-token', clientCa: client.cert });
      await k3s.listen(0);
      try {
        const target = { address: '127.0.0.1', port: k3s.port, caFile: tls.cert, serverName: 'kubernetes', timeoutMs: 1000 };
        const anonymous = await probeLivez(target, clock);
        assert.equal(anonymous.ok ? 'ok' : anonymous.reason, 'HTTP_401');
        assert.match(anonymous.ok ? '' : anonymous.detail, /anonymous-auth=false/);
        assert.deepEqual(await probeLivez({ ...target, token: 'sa-token' }, clock), { ok: true, status: 200 });
        assert.deepEqual(await probeLivez({ ...target, tokenFile: join(dir, 'token') }, clock), { ok: true, status: 200 });
        assert.deepEqual(await probeLivez({ ...target, clientCertificate: { certFile: client.cert, keyFile: client.key } }, clock), { ok: true, status: 200 });
        assert.deepEqual(await probeLivez({ ...target, clientCertificate: { cert: readFileSync(client.cert, 'utf8'), key: readFileSync(client.key, 'utf8') } }, clock), { ok: true, status: 200 });
        const missing = await probeLivez({ ...target, clientCertificate: { certFile: join(dir, 'none.crt'), keyFile: client.key } }, clock);
        assert.equal(missing.ok ? 'ok' : missing.reason, 'CERTIFICATE_UNREADABLE');
      } finally {
        await k3s.close();
      }
    });

    it('says so when the CA file cannot be read, and never claims', async () => {
      const h = watch({ caFile: join(dir, 'missing.crt') });
      h.start();
      await run(3000);
      assert.equal(claimed(), false);
      assert.deepEqual(log, ['2000 unhealthy CA_UNREADABLE']);
    });

    it('refuses a timeout longer than the interval and thresholds below one', () => {
      const base = { registry, vips: [{ address: VIP }] };
      assert.throws(() => new ControlPlaneHealth({ ...base, intervalMs: 1000, timeoutMs: 1500 }), ControlPlaneOptionsError);
      assert.throws(() => new ControlPlaneHealth({ ...base, failureThreshold: 0 }), /failureThreshold/);
      assert.throws(() => new ControlPlaneHealth({ ...base, successThreshold: 1.5 }), /successThreshold/);
    });

    it('releases the VIPs on stop, claims new ones at once on setVips, and leaves no timer', async () => {
      const h = watch();
      h.start();
      await run(1000);
      h.setVips([{ address: VIP }, { address: '2001:db8::100' }]);
      assert.deepEqual(registry.desired().map((d) => d.address), ['192.0.2.100/32', '2001:db8::100/128']);
      await h.stop();
      assert.equal(registry.size, 0);
      assert.equal(clock.pending, 0);
    });
  });

  describe("kube-vip's control_plane_health_check_address: a URL of the user's", () => {
    let dir: string;
    let tls: { cert: string; key: string };
    let otherCa: { cert: string; key: string };
    let clock: ManualClock;
    let registry: VipRegistry;
    let health: ControlPlaneHealth | undefined;
    let plain: Server;
    let plainStatus = 200;
    let paths: string[];

    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'vip-speaker-url-'));
      tls = makeCertificate(dir, 'apiserver');
      otherCa = makeCertificate(dir, 'other');
    });
    after(() => rmSync(dir, { recursive: true, force: true }));
    beforeEach(async () => {
      clock = new ManualClock();
      registry = new VipRegistry();
      paths = [];
      plainStatus = 200;
      plain = createServer((req, res) => {
        paths.push(req.url ?? '');
        res.writeHead(plainStatus).end();
      });
      await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    });
    afterEach(async () => {
      await health?.stop();
      health = undefined;
      plain.closeAllConnections();
      await new Promise<void>((resolve) => plain.close(() => resolve()));
    });

    async function run(ms: number, step = 100): Promise<void> {
      for (let t = 0; t < ms; t += step) {
        clock.advance(step);
        await health?.settled();
      }
    }
    const claimed = () => registry.ownersOf(VIP).includes('control-plane');

    it('probes an http URL, with its path, at its period and failure threshold', async () => {
      const url = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/healthz?verbose`;
      health = new ControlPlaneHealth({ registry, vips: [{ address: VIP }], url, intervalMs: 5000, timeoutMs: 3000, failureThreshold: 2, clock });
      const verdicts: string[] = [];
      health.on('healthy', () => verdicts.push(`${clock.now()} healthy`));
      health.on('unhealthy', (reason) => verdicts.push(`${clock.now()} unhealthy ${reason}`));
      health.start();
      await run(5000, 500);
      assert.equal(claimed(), true, 'probes at 0 and 5000 ms');
      assert.deepEqual(paths, ['/healthz?verbose', '/healthz?verbose']);
      plainStatus = 503;
      await run(10_000, 500);
      assert.equal(claimed(), false);
      assert.deepEqual(verdicts, ['5000 healthy', '15000 unhealthy HTTP_503']);
    });

    it('checks an https URL against its own host, with the CA file given', async () => {
      const livez = new LivezServer(tls);
      await livez.listen(0);
      try {
        const target = { address: 'unused', port: 0, serverName: 'unused', timeoutMs: 1000, url: `https://127.0.0.1:${livez.port}/livez` };
        assert.deepEqual(await probeLivez({ ...target, caFile: tls.cert, caFileGiven: true }, clock), { ok: true, status: 200 });
        const wrongCa = await probeLivez({ ...target, caFile: otherCa.cert, caFileGiven: true }, clock);
        assert.match(wrongCa.ok ? '' : wrongCa.reason, /^TLS_/);
        const missing = await probeLivez({ ...target, caFile: join(dir, 'missing.crt'), caFileGiven: true }, clock);
        assert.equal(missing.ok ? '' : missing.reason, 'CA_UNREADABLE');
        // The cluster's CA is a help only: unreadable, the system's CAs remain (which do not know this one).
        const fallback = await probeLivez({ ...target, caFile: join(dir, 'missing.crt') }, clock);
        assert.match(fallback.ok ? '' : fallback.reason, /^TLS_/);
      } finally {
        await livez.close();
      }
    });

    it('checks the certificate against the URL\'s host, not the name /livez is checked against', async () => {
      // A certificate for the name "kubernetes" only: right for the /livez probe, wrong for https://127.0.0.1.
      const cert = join(dir, 'name-only.crt');
      const key = join(dir, 'name-only.key');
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=kube-apiserver', '-addext', 'subjectAltName=DNS:kubernetes', '-keyout', key, '-out', cert], { stdio: 'ignore' });
      const livez = new LivezServer({ cert, key });
      await livez.listen(0);
      try {
        const byUrl = await probeLivez({ address: 'unused', port: 0, serverName: 'kubernetes', timeoutMs: 1000, caFile: cert, caFileGiven: true, url: `https://127.0.0.1:${livez.port}/livez` }, clock);
        assert.equal(byUrl.ok ? '' : byUrl.reason, 'TLS_ERR_TLS_CERT_ALTNAME_INVALID');
        const livezProbe = await probeLivez({ address: '127.0.0.1', port: livez.port, serverName: 'kubernetes', timeoutMs: 1000, caFile: cert }, clock);
        assert.deepEqual(livezProbe, { ok: true, status: 200 });
      } finally {
        await livez.close();
      }
    });
  });
});
