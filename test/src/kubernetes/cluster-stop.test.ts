// The cluster's stop is bounded as a whole: the Leases this node holds are released within the
// time it is given when the API server answers; when it does not, the stop ends at the bound all
// the same, with every request cut and every connection closed. Time is the fake clock's.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { parseConfig } from '../../../src/config/index.js';
import { type Cluster, startCluster } from '../../../src/kubernetes/index.js';
import { VipRegistry } from '../../../src/registry/index.js';
import { TestClock } from '../../support/clock.js';
import { FakeApiServer } from '../../support/fake-apiserver/index.js';
import { eventually } from '../../support-tests/helpers.js';

describe('cluster stop', function () {
  this.timeout(20_000);
  const dir = mkdtempSync(join(tmpdir(), 'vs-cluster-stop-'));
  let api: FakeApiServer;
  let cluster: Cluster | undefined;
  let clock: TestClock;

  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    api.release();
    await cluster?.stop({ withinMs: 0 });
    cluster = undefined;
    await api.stop();
  });

  const holder = () => (api.get('Lease', { namespace: 'kube-system', name: 'plndr-svcs-lock' }) as { spec?: { holderIdentity?: string } } | undefined)?.spec?.holderIdentity;

  /** Services, with the services Lease handed out (as to ARP mode) so that the test sees when it leads. */
  async function start(): Promise<void> {
    api = new FakeApiServer();
    await api.start();
    const kubeconfig = join(dir, `kubeconfig-${Date.now()}`);
    writeFileSync(kubeconfig, api.kubeconfigYaml());
    const r = parseConfig(['mode: arp', 'vipInterface: eth0', `kubernetes: { services: true, nodeName: n1, kubeconfig: ${kubeconfig} }`].join('\n'), {
      env: {},
      readFile: (p) => readFileSync(p, 'utf8'),
      listInterfaces: () => ({ eth0: [{ address: '192.0.2.2', family: 'IPv4', internal: false }] }),
    });
    assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.error));
    clock = new TestClock();
    cluster = await startCluster({ config: r.value, registry: new VipRegistry(), log: pino({ level: 'silent' }), clock, leasesHoldVips: true });
    const services = cluster.elections!.candidate({ kind: 'services' });
    // The elector's first attempt is due at once.
    await clock.fireUntil('the services Lease held', () => services.isLeader);
    assert.equal(holder(), 'n1');
  }

  it('releases the services Lease within the time given when the API server answers', async () => {
    await start();
    await cluster!.stop({ withinMs: 2000 });
    assert.equal(holder(), '');
    cluster = undefined;
    await eventually(() => assert.equal(api.openWatches, 0));
    await eventually(() => assert.equal(api.connectionStats().open, 0));
  });

  it('ends at the bound when the API server answers nothing: the release is cut, the connections closed', async () => {
    await start();
    const releases = () => api.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/leases/plndr-svcs-lock'));
    const before = releases().length;
    api.hold();
    let stopped = false;
    const stopping = cluster!.stop({ withinMs: 2000 }).then(() => (stopped = true));
    await eventually(() => assert.equal(releases().length, before + 1, 'the release sent'));
    await eventually(() => assert.ok(api.heldRequests >= 1, 'and held'));
    await clock.advanceAsync(1999);
    assert.equal(stopped, false);
    await clock.advanceAsync(1);
    await stopping;
    cluster = undefined;
    const release = releases().pop();
    await eventually(() => assert.equal(release?.aborted, true));
    await eventually(() => assert.equal(api.connectionStats().open, 0));
    api.release();
    assert.equal(holder(), 'n1', 'not released: it expires with its lease');
  });
});
