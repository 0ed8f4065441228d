// A config file changed while the daemon is still starting is applied once it has started. The
// start waits for the cluster's first lists (up to 10 s while the API server is unreachable);
// the file watch takes its first reading only after that, so a change in between was taken for
// the baseline and never applied (found by the fault lab: a node whose VIPs never came).
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { LabApiServer } from '../support/apiserver-client.js';
import { Lab, labSkipReason, waitFor } from '../support/lab.js';
import { VipSpeakerNode } from '../support/vip-speaker-node.js';

const API_PORT = 6443;

function config(kubeconfig: string, vips: string[]): string {
  return [
    'asn: 65100',
    'routerId: 192.0.2.2',
    'holdTime: 9',
    // No router answers here: the test is about the interface only.
    'peers: ["192.0.2.1:65000::false"]',
    'vips:',
    ...vips.map((v) => `  - ${v}`),
    'kubernetes:',
    '  services: true',
    `  kubeconfig: ${kubeconfig}`,
    '  nodeName: node1',
  ].join('\n') + '\n';
}

describe('reload: a change made while the daemon starts', function () {
  this.timeout(90_000);
  let lab: Lab | undefined;
  let node: VipSpeakerNode | undefined;

  before(function () {
    const reason = labSkipReason();
    if (reason) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
  });

  after(async () => {
    await node?.kill();
    lab?.destroySync();
  });

  it('is applied once the start is over, though the watch began after it', async () => {
    lab = new Lab('startup');
    await lab.addNamespace('node1');
    const api = new LabApiServer(lab, 'node1', '127.0.0.1', API_PORT);
    await api.start();
    const kubeconfig = join(lab.dir, 'kubeconfig.yaml');
    writeFileSync(kubeconfig, api.kubeconfig);
    // Unreachable: the start waits for the first lists.
    await api.down();
    node = new VipSpeakerNode(lab, 'node1', config(kubeconfig, ['203.0.113.30']));
    await node.start();
    const status = await node.status();
    if (!status.ready.reasons.includes('starting')) throw new Error(`the daemon was expected to be starting still: ${JSON.stringify(status.ready)}`);
    node.writeConfig(config(kubeconfig, ['203.0.113.30', '203.0.113.31']));
    await api.up();
    await waitFor('both VIPs on lo', async () => {
      const on = (await node!.loAddresses()).sort();
      return on.join(',') === '203.0.113.30/32,203.0.113.31/32' ? true : undefined;
    }, 30_000).catch((err: Error) => {
      throw new Error(`${err.message}; the log ends: ${node?.log().slice(-1500)}`);
    });
    // Found by comparing the file's digest with the one read before the load (no second parse).
    if (!node.log().includes(`"trigger":"changed during the start: ${node.configPath}"`)) throw new Error(`no reload for a change during the start in the log: ${node.log().slice(-1500)}`);
  });
});
