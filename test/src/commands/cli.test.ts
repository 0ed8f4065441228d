// The command line as a user meets it: exit codes, one error line per problem, nothing touched.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { formatStatus, formatUptime } from '../../../src/commands/status.js';

const run = promisify(execFile);
const CLI = join(process.cwd(), 'dist', 'src', 'cli.js');

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('vip-speaker command line', function () {
  this.timeout(20_000);
  const dir = mkdtempSync(join(tmpdir(), 'vs-cli-'));
  // It holds a password file: nothing of it may outlive the run.
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('validates the example configuration, given the secrets it points at', async () => {
    const secret = join(dir, 'tor-b.password');
    writeFileSync(secret, 'from-a-file\n');
    const example = join(dir, 'example.yaml');
    writeFileSync(example, readFileSync('peers.example.yaml', 'utf8').replace('/etc/vip-speaker/tor-b.password', secret));
    const r = await cli(['validate', '--config', example], { TOR_C_PASSWORD: 'from-the-environment' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ok: .*example\.yaml: mode bgp/m);
    assert.ok(!r.stdout.includes('from-a-file') && !r.stdout.includes('from-the-environment'));
  });

  it('validates the example and the README\'s minimal configuration as a new user copies them, warning of the secrets they name', async () => {
    const example = join(dir, 'as-shipped.yaml');
    writeFileSync(example, readFileSync('peers.example.yaml', 'utf8'));
    const a = await cli(['validate', '--config', example]);
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /^warning: .*as-shipped\.yaml:\d+: peers\[2\]\.passwordFile: \/etc\/vip-speaker\/tor-b\.password does not exist on this machine: `run` refuses to start until it does$/m);
    assert.match(a.stdout, /^warning: .*peers\[3\]\.passwordEnv: environment variable TOR_C_PASSWORD is not set here/m);
    assert.match(a.stdout, /^ok: .*as-shipped\.yaml: mode bgp, .*; 2 password\(s\) missing on this machine/m);
    const readme = /A minimal configuration[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readFileSync('README.md', 'utf8'))?.[1];
    assert.ok(readme, 'the README has a minimal configuration');
    const minimal = join(dir, 'minimal.yaml');
    writeFileSync(minimal, readme);
    const b = await cli(['validate', '--config', minimal]);
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stdout, /^ok: .*minimal\.yaml: mode bgp/m);
  });

  it('run still refuses a configuration whose password file is missing', async () => {
    const file = join(dir, 'missing-secret.yaml');
    writeFileSync(file, `asn: 65100\nrouterId: 192.0.2.2\nvips: [192.0.2.10]\npeers:\n  - { address: 192.0.2.1, asn: 65000, passwordFile: ${join(dir, 'absent.password')} }\n`);
    const r = await cli(['run', '--config', file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /peers\[0\]\.passwordFile: cannot read .*absent\.password: ENOENT/);
    assert.match(r.stderr, /nothing was changed/);
  });

  it('takes kube-vip\'s command name, manager, for run: a kube-vip manifest\'s args run it unchanged', async () => {
    const file = join(dir, 'manager.yaml');
    writeFileSync(file, 'asn: 0\nrouterId: 192.0.2.1\npeers: ["192.0.2.1:65000::false"]\nvips: [192.0.2.10]\n');
    const r = await cli(['manager', '--config', file]);
    assert.equal(r.code, 2, 'validated as run validates, before anything is touched');
    assert.match(r.stderr, /nothing was changed/);
    assert.match((await cli(['manager', '--help'])).stdout, /^usage: vip-speaker run/);
  });

  it('gives each command\'s help with --help, exit 0', async () => {
    for (const command of ['run', 'validate', 'status', 'decode']) {
      const r = await cli([command, '--help']);
      assert.equal(r.code, 0, `${command}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^usage: vip-speaker ${command}`), command);
    }
  });

  it('refuses an invalid file with one line per error, naming the key path and line, and exits 2', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'asn: 65x\nrouterId: 192.0.2.1\npeers: ["192.0.2.300:65000::false"]\nvips: [192.0.2.10]\nholdtime: 90\n');
    const r = await cli(['validate', '--config', file]);
    assert.equal(r.code, 2);
    const lines = r.stderr.trim().split('\n');
    assert.ok(lines.some((l) => /bad\.yaml:1: asn: .*65x/.test(l)), r.stderr);
    assert.ok(lines.some((l) => /bad\.yaml:3: peers\[0\]/.test(l) && /192\.0\.2\.300/.test(l)), r.stderr);
    assert.ok(lines.some((l) => /unknown key "holdtime".*did you mean "holdTime"/.test(l)), r.stderr);
    assert.match(lines[lines.length - 1]!, /3 error\(s\)/);
  });

  it('run refuses an invalid file before touching anything', async () => {
    const file = join(dir, 'bad-run.yaml');
    writeFileSync(file, 'asn: 0\nrouterId: 192.0.2.1\npeers: ["192.0.2.1:65000::false"]\nvips: [192.0.2.10]\n');
    const r = await cli(['run', '--config', file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /asn: .*AS 0/);
    assert.match(r.stderr, /nothing was changed/);
  });

  it('validates from kube-vip\'s environment variables when no file is given', async () => {
    const r = await cli(['validate'], { bgp_enable: 'true', cp_enable: 'true', address: '192.0.2.10', bgp_as: '65100', bgp_routerid: '192.0.2.2', bgp_peers: '192.0.2.1:65000::false' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /ok: environment: mode bgp, AS 65100, router ID 192\.0\.2\.2, 1 peer\(s\), 1 static VIP\(s\) on lo/);
  });

  it('validate lists every kube-vip variable found: used (where), used differently (how), not used (why)', async () => {
    const env = {
      bgp_enable: 'true', cp_enable: 'true', address: '192.0.2.10', bgp_as: '65100', bgp_routerid: '192.0.2.2', bgp_peers: '192.0.2.1:65000:s3cret:false',
      vip_leaseannotations: '{"a":"b"}', vip_skipdad: 'false', egress_podcidr: '10.0.0.0/8',
    };
    const r = await cli(['validate'], env);
    assert.equal(r.code, 0, r.stderr);
    const listing = r.stdout.split('\n').filter((l) => l.startsWith('  '));
    assert.match(r.stdout, /^kube-vip variables: 9 found$/m);
    assert.equal(listing.length, 9, 'one line each');
    assert.ok(listing.includes('  used: bgp_as → asn'), listing.join('\n'));
    assert.ok(listing.some((l) => /^ {2}used differently: vip_skipdad: IPv6 VIPs are added without DAD/.test(l)), listing.join('\n'));
    assert.ok(listing.some((l) => /^ {2}not used: egress_podcidr: egress SNAT/.test(l)), listing.join('\n'));
    assert.ok(!r.stdout.includes('s3cret'), 'no value, and so no password, is shown');
  });

  it('validate refuses a kube-vip variable whose absence would lose traffic, naming it and why', async () => {
    const r = await cli(['validate'], { bgp_enable: 'true', cp_enable: 'true', address: '192.0.2.10', bgp_as: '65100', bgp_routerid: '192.0.2.2', bgp_peers: '192.0.2.1:65000::false', vip_routingtable: 'true' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^vip-speaker: vip_routingtable: not supported: kube-vip's routing-table mode leaves the VIP routes in a table/m);
  });

  it('says clearly when status cannot reach a running daemon', async () => {
    const r = await cli(['status', '--admin', '127.0.0.1:1']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot reach the admin endpoint at 127\.0\.0\.1:1 .*is vip-speaker running\?/);
  });

  it('rejects an unknown command or option with the usage', async () => {
    const a = await cli(['frobnicate']);
    assert.equal(a.code, 2);
    assert.match(a.stderr, /unknown command "frobnicate"/);
    const b = await cli(['validate', '--confg', 'x']);
    assert.equal(b.code, 2);
    assert.match(b.stderr, /--confg/);
  });

  it('prints a status like a router\'s bgp summary', () => {
    const lines = formatStatus({
      version: '0.1.0',
      mode: 'bgp',
      node: { asn: 65100, routerId: '192.0.2.2' },
      ready: { ok: true, reasons: [] },
      peers: [{ address: '192.0.2.1', asn: 65000, state: 'Established', uptimeSeconds: 3725, prefixesSent: 2, prefixesReceived: 0, flaps: 1, lastError: null }],
      vips: [{ address: '203.0.113.10/32', owners: ['service:default/web', 'static'], inPlace: true, announced: true }],
    });
    assert.match(lines[0]!, /local AS 65100, router ID 192\.0\.2\.2, ready/);
    assert.match(lines.find((l) => l.startsWith('192.0.2.1'))!, /192\.0\.2\.1\s+65000\s+Established\s+01:02:05\s+2\s+0\s+1/);
    assert.match(lines.find((l) => l.startsWith('203.0.113.10'))!, /yes\s+yes\s+service:default\/web, static/);
    assert.equal(formatUptime(null), 'never');
    assert.equal(formatUptime(90061), '1d1h1m');
  });

  it('says to how many peers each VIP is announced, and who holds it under leader election', () => {
    const doc = (announcedTo: { peers: number; of: number }, leader: string | null) => ({
      version: '0.1.0',
      mode: 'bgp',
      node: { asn: 65100, routerId: '192.0.2.2' },
      ready: { ok: true, reasons: [] },
      peers: [{ address: '192.0.2.1', asn: 65000, state: 'Idle', uptimeSeconds: null, prefixesSent: 0, prefixesReceived: 0, flaps: 0, lastError: 'connect ECONNREFUSED' }],
      vips: [
        { address: '203.0.113.10/32', owners: ['static'], inPlace: true, announced: true, announcedTo, leader },
        { address: '203.0.113.11/32', owners: ['service:shop/web'], inPlace: false, announced: false, announcedTo: { peers: 0, of: 1 }, leader: 'node2' },
      ],
    });
    const idle = formatStatus(doc({ peers: 0, of: 1 }, null));
    assert.match(idle.find((l) => l.startsWith('203.0.113.10'))!, /^203\.0\.113\.10\/32\s+yes\s+to 0\/1 peer\s+\(every node\)\s+static$/);
    assert.match(idle.find((l) => l.startsWith('203.0.113.11'))!, /^203\.0\.113\.11\/32\s+no\s+no\s+node2\s+service:shop\/web$/);
    assert.match(formatStatus(doc({ peers: 2, of: 2 }, 'node1')).find((l) => l.startsWith('203.0.113.10'))!, /yes\s+to 2\/2 peers\s+node1\s+static/);
  });

  it('prints each peer\'s BFD session: state, negotiated intervals, detect time, diagnostics and discriminators', () => {
    const bfd = (state: string, holdingBgp: boolean) => ({
      state, localDiagnostic: holdingBgp ? 'ControlDetectionTimeExpired' : 'NoDiagnostic', remoteDiagnostic: 'NoDiagnostic', localDiscriminator: 11, remoteDiscriminator: holdingBgp ? 0 : 22,
      txIntervalMs: holdingBgp ? 1000 : 300, rxIntervalMs: 300, detectTimeMs: holdingBgp ? 0 : 900, configured: { detectMult: 3 }, remote: { detectMult: 3 }, multihop: false, holdingBgp, remoteControlPlaneIndependent: false,
    });
    const peer = { asn: 65000, uptimeSeconds: null, prefixesSent: 0, prefixesReceived: 0, flaps: 0, lastError: null };
    const lines = formatStatus({
      version: '0.1.0',
      mode: 'bgp',
      node: { asn: 65100, routerId: '192.0.2.2' },
      ready: { ok: true, reasons: [] },
      peers: [
        { ...peer, address: '192.0.2.1', state: 'Established', bfd: bfd('Up', false) },
        { ...peer, address: '2001:db8::1', state: 'Idle', bfd: bfd('Down', true) },
        { ...peer, address: '192.0.2.9', state: 'Established', bfd: null },
      ],
      vips: [],
    });
    const at = lines.indexOf('BFD');
    assert.ok(at > 0, 'a BFD section');
    assert.match(lines[at + 1]!, /^Neighbor\s+State\s+Hops\s+TX ms\s+RX ms\s+Detect ms/);
    assert.match(lines[at + 2]!, /^192\.0\.2\.1\s+Up\s+single\s+300\s+300\s+900 \(x3\)\s+NoDiagnostic\/NoDiagnostic\s+11\/22\s+clear$/);
    assert.match(lines[at + 3]!, /^2001:db8::1\s+Down\s+single\s+1000\s+300\s+-\s+ControlDetectionTimeExpired\/NoDiagnostic\s+11\/0\s+clear\s+holding BGP down until Up$/);
    assert.ok(!lines.slice(at).some((l) => l.startsWith('192.0.2.9')), 'a peer without BFD has no BFD row');
  });

  it('prints an ARP-mode status with the holder of each VIP and when it took over, and no sessions', () => {
    const now = Date.parse('2026-11-23T10:00:00Z');
    const lines = formatStatus({
      version: '0.1.0',
      mode: 'arp',
      node: { asn: 65000, routerId: '192.0.2.11' },
      ready: { ok: true, reasons: [] },
      peers: [],
      vips: [
        { address: '192.0.2.50/32', owners: ['static'], inPlace: false, announced: false, leader: 'node2', lastTakeover: '2026-11-23T09:58:55Z' },
        { address: '192.0.2.60/32', owners: ['service:shop/web'], inPlace: true, announced: false, leader: 'node1', lastTakeover: '2026-11-23T09:59:59Z' },
        { address: '192.0.2.70/32', owners: ['service:shop/local'], inPlace: false, announced: false, leader: null, lastTakeover: null },
      ],
    }, now);
    assert.equal(lines[0], 'vip-speaker 0.1.0, mode arp, ready');
    assert.ok(!lines.some((l) => l.startsWith('Neighbor')), 'no session table');
    assert.match(lines.find((l) => l.startsWith('192.0.2.50'))!, /^192\.0\.2\.50\/32\s+no\s+node2\s+00:01:05 ago\s+static$/);
    assert.match(lines.find((l) => l.startsWith('192.0.2.60'))!, /yes\s+node1\s+00:00:01 ago\s+service:shop\/web/);
    assert.match(lines.find((l) => l.startsWith('192.0.2.70'))!, /no\s+\(none seen\)\s+service:shop\/local/);
  });
});
