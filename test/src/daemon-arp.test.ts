// ARP mode: one elected node holds the VIPs on its interface and announces them; when it stops,
// another takes over, and at no moment do two nodes hold a VIP.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Announcer } from '../../src/arp/announcer.js';
import { parseConfig } from '../../src/config/index.js';
import { Daemon } from '../../src/daemon.js';
import { FakeApiServer } from '../support/fake-apiserver/index.js';
import { MemoryInterface } from '../support/memory-interface.js';
import { until } from '../support/wait.js';

/** Records what would go on the wire. */
function recordingAnnouncer(sent: string[]): Announcer {
  return {
    interface: 'eth0',
    open: () => undefined,
    announce: async (vip) => {
      sent.push(vip);
    },
    refresh: () => ({ stop: () => undefined, lastError: undefined }) as unknown as ReturnType<Announcer['refresh']>,
    close: () => undefined,
  };
}

describe('ARP mode', function () {
  this.timeout(30_000);
  const dir = mkdtempSync(join(tmpdir(), 'vs-arp-'));
  let api: FakeApiServer;
  const daemons: Daemon[] = [];

  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    for (const d of daemons.splice(0)) await d.stop();
    await api?.stop();
  });

  function config(kubeconfig: string, node: string) {
    const r = parseConfig(
      ['mode: arp', 'routerId: 192.0.2.2', 'vipInterface: eth0', 'vips: [192.0.2.50, 2001:db8::50]', 'admin: { address: 127.0.0.1, port: 9469 }', `kubernetes: { nodeName: ${node}, kubeconfig: ${kubeconfig} }`].join('\n'),
      { env: {}, readFile: (p) => readFileSync(p, 'utf8'), listInterfaces: () => ({ eth0: [{ address: '192.0.2.2', family: 'IPv4', internal: false }] }) },
    );
    assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.error));
    r.value.admin.port = 0;
    return r.value;
  }

  it('holds the VIPs on the elected node only, and hands them over on a clean stop', async () => {
    api = new FakeApiServer();
    await api.start();
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, api.kubeconfigYaml());
    const ifaces = [new MemoryInterface(), new MemoryInterface()];
    const sent: string[][] = [[], []];
    for (const [i, node] of ['n1', 'n2'].entries()) {
      const d = new Daemon(config(kubeconfig, node), { log: pino({ level: 'silent' }), addresses: ifaces[i]!, announcer: recordingAnnouncer(sent[i]!) });
      daemons.push(d);
      await d.start();
    }
    const holders = () => ifaces.filter((f) => f.owned.has('192.0.2.50/32')).length;
    await until('one holder', () => holders() === 1);
    const leader = ifaces[0]!.owned.size ? 0 : 1;
    assert.deepEqual([...ifaces[leader]!.owned].sort(), ['192.0.2.50/32', '2001:db8::50/128']);
    assert.deepEqual(sent[leader]!.sort(), ['192.0.2.50', '2001:db8::50'], 'a takeover burst for each VIP');
    // Sample while the leader stops cleanly: never two holders.
    let overlap = false;
    const sampler = setInterval(() => {
      if (holders() > 1) overlap = true;
    }, 5);
    const started = Date.now();
    await daemons[leader]!.stop();
    await until('the other node holds the VIPs', () => ifaces[1 - leader]!.owned.has('192.0.2.50/32'), 10_000);
    const handover = Date.now() - started;
    clearInterval(sampler);
    assert.equal(overlap, false, 'two nodes held the VIP at once');
    assert.equal(ifaces[leader]!.owned.size, 0, 'the stopped node left nothing on its interface');
    assert.ok(handover < 3000, `handover took ${handover} ms`);
    assert.ok(sent[1 - leader]!.includes('192.0.2.50'));
  });
});
