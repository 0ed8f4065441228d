// The fault lab's config files: the good ones load, the broken one is refused as the daemon
// would refuse it, and the fault table is one row per fault in order.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile } from '../../../src/config/index.js';
import { NODES } from '../../../integration/e2e/topology.js';
import { faultTable } from '../../../integration/faults/report.js';
import type { FaultOutcome } from '../../../integration/faults/results.js';
import { NODE2_VIP_INTERFACE, faultNodeConfig } from '../../../integration/faults/topology.js';

describe('fault lab: config files and the table', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vs-faults-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const load = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text, { mode: 0o644 });
    return loadConfigFile(file);
  };

  it('writes node configs the daemon accepts, with node2\'s VIPs on its own interface', () => {
    const node1 = load('node1.yaml', faultNodeConfig(NODES[0]!, '/nonexistent/kubeconfig', { staticVips: ['203.0.113.10', '2001:db8:f::10'], extraPeers: ['192.0.2.10:65001::false'] }));
    assert.ok(node1.ok, JSON.stringify(!node1.ok && node1.error));
    assert.deepEqual(node1.value.vips.static.map((v) => v.address), ['203.0.113.10/32', '2001:db8:f::10/128']);
    assert.deepEqual(node1.value.peers.map((p) => p.address), ['192.0.2.1', '192.0.2.10']);
    assert.equal(node1.value.kubernetes.services, true);
    const node2 = load('node2.yaml', faultNodeConfig(NODES[1]!, '/nonexistent/kubeconfig', { staticVips: [] }));
    assert.ok(node2.ok);
    assert.equal(node2.value.vips.interface, NODE2_VIP_INTERFACE);
  });

  it('writes a broken file that the daemon refuses', () => {
    const broken = load('broken.yaml', faultNodeConfig(NODES[0]!, '/nonexistent/kubeconfig', { staticVips: ['203.0.113.10'], broken: true }));
    assert.equal(broken.ok, false);
    assert.equal(!broken.ok && broken.error[0]?.code, 'CONFIG_SYNTAX');
  });

  it('tabulates the outcomes in their order, a fault that did not converge in bold', () => {
    const outcome = (order: number, fault: string, convergedAfterMs: number): FaultOutcome => ({
      order, fault, faultMs: 4000, outcome: 'a | b', convergedAfterMs, longestMs: 5200, longest: 'tor<-node1 missing-route 203.0.113.10/32',
      byKind: {}, unbackedMs: 0, unbackedSeen: 0, resolutionMs: 300, samples: 20, long: false,
    });
    const lines = faultTable([outcome(2, 'cut', -1), outcome(1, 'loss', 900)]).split('\n');
    assert.equal(lines.length, 4);
    assert.match(lines[2]!, /^\| 1 \| loss \| 4\.0 s \| a \\\| b \| 0\.9 s after \| 5\.2 s: tor<-node1 missing-route 203\.0\.113\.10\/32 \| none \| 20 \(300 ms\) \|$/);
    assert.match(lines[3]!, /\*\*not converged\*\*/);
  });
});
