// What the VIP alerts read, from a running daemon's /metrics: VIPs wanted but not announced,
// announced but not wanted, VIPs per kind of owner, and failed addresses. An interface in memory
// refuses chosen addresses, as the kernel can (EPERM, IPv6 disabled...).
import { strict as assert } from 'node:assert';
import { get } from 'node:http';
import { pino } from 'pino';
import type { Announcer } from '../../src/arp/announcer.js';
import { parseConfig } from '../../src/config/index.js';
import { Daemon } from '../../src/daemon.js';
import type { PlacementResult } from '../../src/reconcile.js';
import { MemoryInterface } from '../support/memory-interface.js';

/** Refuses to add the addresses in `refuseAdd` and to remove those in `refuseRemove`. */
class RefusingInterface extends MemoryInterface {
  readonly refuseAdd = new Set<string>();
  readonly refuseRemove = new Set<string>();
  override async add(addresses: string[]): Promise<PlacementResult> {
    const r = await super.add(addresses.filter((a) => !this.refuseAdd.has(a)));
    return { ...r, failed: addresses.filter((a) => this.refuseAdd.has(a)).map((address) => ({ address, error: new Error(`cannot add ${address}: permission denied`) })) };
  }
  override async remove(addresses: string[]): Promise<PlacementResult> {
    const r = await super.remove(addresses.filter((a) => !this.refuseRemove.has(a)));
    return { ...r, failed: addresses.filter((a) => this.refuseRemove.has(a)).map((address) => ({ address, error: new Error(`cannot remove ${address}: permission denied`) })) };
  }
}

const silentAnnouncer: Announcer = {
  interface: 'eth0',
  open: () => undefined,
  announce: async () => undefined,
  refresh: () => ({ stop: () => undefined, lastError: undefined }) as unknown as ReturnType<Announcer['refresh']>,
  close: () => undefined,
};

function config(lines: string[]) {
  const r = parseConfig([...lines, 'admin: { address: 127.0.0.1, port: 9469 }'].join('\n'), {
    env: {},
    readFile: () => '',
    listInterfaces: () => ({ eth0: [{ address: '192.0.2.2', family: 'IPv4', internal: false }] }),
  });
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.error));
  r.value.admin.port = 0;
  return r.value;
}

function metric(port: number, line: RegExp): Promise<number> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/metrics', timeout: 5_000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => {
        const m = new RegExp(`^${line.source} (\\S+)$`, 'm').exec(body);
        if (m) resolve(Number(m[1]));
        else reject(new Error(`no ${line.source} in /metrics`));
      });
    }).on('error', reject);
  });
}

describe('daemon: the VIP metrics that the alerts read', function () {
  this.timeout(20_000);
  let daemon: Daemon | undefined;

  afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
  });

  it('BGP mode: a VIP whose address the interface refuses is wanted but not announced, and counted as a failure', async () => {
    const iface = new RefusingInterface();
    iface.refuseAdd.add('203.0.113.11/32');
    // A peer nobody answers for: the routes are handed to the speaker all the same.
    daemon = new Daemon(config(['asn: 65100', 'routerId: 192.0.2.2', 'peers: [192.0.2.1:65000::false]', 'vips: [203.0.113.10, 203.0.113.11]']), {
      log: pino({ level: 'silent' }),
      addresses: iface,
      speakerOptions: { connector: () => () => Promise.reject(new Error('no route in this test')) },
    });
    await daemon.start();
    const port = daemon.adminPort!;
    assert.equal(await metric(port, /vip_speaker_vips_wanted_not_announced/), 1);
    assert.equal(await metric(port, /vip_speaker_vips_announced_not_wanted/), 0);
    assert.equal(await metric(port, /vip_speaker_reconcile_failures_total/), 1);
    assert.equal(await metric(port, /vip_speaker_vips_owned\{owner="static"\}/), 2);
    assert.equal(await metric(port, /vip_speaker_vips_owned\{owner="service"\}/), 0);
  });

  it('ARP mode: held but not on the interface, and on the interface but no longer held', async () => {
    const iface = new RefusingInterface();
    iface.refuseAdd.add('192.0.2.51/32');
    iface.refuseRemove.add('192.0.2.50/32');
    const lines = (vips: string) => ['mode: arp', 'routerId: 192.0.2.2', 'vipInterface: eth0', `vips: ${vips}`, 'arp: { leaderElection: false }'];
    daemon = new Daemon(config(lines('[192.0.2.50, 192.0.2.51]')), { log: pino({ level: 'silent' }), addresses: iface, announcer: silentAnnouncer });
    await daemon.start();
    const port = daemon.adminPort!;
    assert.equal(await metric(port, /vip_speaker_vips_wanted_not_announced/), 1, '192.0.2.51 is held here but not on the interface');
    assert.equal(await metric(port, /vip_speaker_vips_announced_not_wanted/), 0);
    // 192.0.2.50 no longer wanted: its removal fails, so it stays on the interface.
    await daemon.reload(config(lines('[192.0.2.51]')));
    assert.ok(iface.owned.has('192.0.2.50/32'));
    assert.equal(await metric(port, /vip_speaker_vips_announced_not_wanted/), 1);
    assert.equal(await metric(port, /vip_speaker_vips_owned\{owner="static"\}/), 1);
  });
});
