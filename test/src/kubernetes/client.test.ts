// Finding the API server and this node's name: a kubeconfig file, the pod's service account,
// and the errors that say what to set when neither is there.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { type ClientHost, SERVICE_ACCOUNT_DIR, loadKubeConfig, podNamespace, resolveNodeName } from '../../../src/kubernetes/client.js';
import { FakeApiServer } from '../../support/fake-apiserver/index.js';

describe('kubernetes client: credentials', () => {
  let dir: string;
  const host = (env: Record<string, string> = {}, serviceAccountDir = join(dir, 'serviceaccount')): ClientHost => ({ env, serviceAccountDir, hostname: () => 'unused' });
  const failure = (result: ReturnType<typeof loadKubeConfig>) => {
    assert.ok(!result.ok, 'expected a failure');
    return result.error;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vip-speaker-client-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses a kubeconfig file when one is given, and talks to its server', async () => {
    const server = new FakeApiServer();
    await server.start();
    try {
      const path = join(dir, 'admin.conf');
      writeFileSync(path, server.kubeconfigYaml());
      const loaded = loadKubeConfig({ kubeconfig: path }, host());
      assert.ok(loaded.ok);
      assert.equal(loaded.value.source, 'kubeconfig');
      assert.equal(loaded.value.server, server.url);
      const list = await loaded.value.kubeConfig.makeApiClient(CoreV1Api).listServiceForAllNamespaces();
      assert.deepEqual(list.items, []);
    } finally {
      await server.stop();
    }
  });

  it('says when the kubeconfig cannot be read, is not one, or names no cluster', () => {
    const missing = failure(loadKubeConfig({ kubeconfig: join(dir, 'missing.conf') }, host()));
    assert.equal(missing.code, 'KUBE_KUBECONFIG_UNREADABLE');
    assert.match(missing.message, /^cannot read the kubeconfig .*missing\.conf: ENOENT$/);

    const garbage = join(dir, 'garbage.conf');
    writeFileSync(garbage, 'clusters: [[[');
    assert.equal(failure(loadKubeConfig({ kubeconfig: garbage }, host())).code, 'KUBE_KUBECONFIG_INVALID');

    const empty = join(dir, 'empty.conf');
    writeFileSync(empty, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\ncurrent-context: nowhere\n');
    const noCluster = failure(loadKubeConfig({ kubeconfig: empty }, host()));
    assert.equal(noCluster.code, 'KUBE_KUBECONFIG_NO_CLUSTER');
    assert.match(noCluster.message, /has no cluster for its current context "nowhere"/);
  });

  it('without a kubeconfig and without a service account, says so', () => {
    const error = failure(loadKubeConfig({}, host({}, join(dir, 'nothing-here'))));
    assert.equal(error.code, 'KUBE_NO_CREDENTIALS');
    const standard = failure(loadKubeConfig({}, { env: {}, serviceAccountDir: SERVICE_ACCOUNT_DIR, hostname: () => 'x' }));
    assert.match(standard.message, /^no service account at \/var\/run\/secrets\/kubernetes\.io\/serviceaccount, no kubeconfig given and KUBECONFIG not set: .*set KUBECONFIG or kubernetes\.kubeconfig/);
  });

  it('reads the files KUBECONFIG lists, merged with the first one\'s context current, as kubectl does', async () => {
    const server = new FakeApiServer();
    await server.start();
    try {
      // The first file names the context, which lives in the second.
      const first = join(dir, 'context-only.conf');
      writeFileSync(first, 'apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\ncurrent-context: fake\n');
      const second = join(dir, 'cluster.conf');
      writeFileSync(second, server.kubeconfigYaml().replace('current-context: fake', 'current-context: other'));
      const loaded = loadKubeConfig({}, host({ KUBECONFIG: `${first}:${second}` }, join(dir, 'no-account')));
      assert.ok(loaded.ok, loaded.ok ? '' : loaded.error.message);
      assert.deepEqual([loaded.value.source, loaded.value.server], ['KUBECONFIG', server.url]);
      const list = await loaded.value.kubeConfig.makeApiClient(CoreV1Api).listServiceForAllNamespaces();
      assert.deepEqual(list.items, []);
    } finally {
      await server.stop();
    }
  });

  it('prefers kubernetes.kubeconfig (k8s_config_file) to KUBECONFIG, and names KUBECONFIG when its file is missing', () => {
    const given = join(dir, 'given.conf');
    writeFileSync(given, 'apiVersion: v1\nkind: Config\nclusters: [{ name: k, cluster: { server: "https://192.0.2.1:6443" } }]\nusers: [{ name: u, user: { token: t } }]\ncontexts: [{ name: c, context: { cluster: k, user: u } }]\ncurrent-context: c\n');
    const loaded = loadKubeConfig({ kubeconfig: given }, host({ KUBECONFIG: join(dir, 'missing.conf') }));
    assert.ok(loaded.ok);
    assert.equal(loaded.value.server, 'https://192.0.2.1:6443');
    const missing = failure(loadKubeConfig({}, host({ KUBECONFIG: join(dir, 'missing.conf') })));
    assert.equal(missing.code, 'KUBE_KUBECONFIG_UNREADABLE');
    assert.match(missing.message, /missing\.conf \(from KUBECONFIG=.*\): ENOENT/);
  });

  it('kubernetes.apiServerAddress (kubernetes_addr) replaces the kubeconfig\'s server, keeping its credentials', async () => {
    const server = new FakeApiServer({ token: 'only-this-token' });
    await server.start();
    try {
      const path = join(dir, 'elsewhere.conf');
      writeFileSync(path, server.kubeconfigYaml().replace(server.url, 'http://127.0.0.2:1'));
      const loaded = loadKubeConfig({ kubeconfig: path, apiServerAddress: server.url }, host());
      assert.ok(loaded.ok);
      assert.equal(loaded.value.server, server.url);
      const list = await loaded.value.kubeConfig.makeApiClient(CoreV1Api).listServiceForAllNamespaces();
      assert.deepEqual(list.items, [], 'answered with the kubeconfig\'s token, at the address given');
    } finally {
      await server.stop();
    }
  });

  it('reads the pod\'s own namespace from its service account, and nothing out of a pod', () => {
    const accountDir = join(dir, 'sa');
    mkdirSync(accountDir);
    writeFileSync(join(accountDir, 'namespace'), 'kube-vip\n');
    assert.equal(podNamespace({ serviceAccountDir: accountDir }), 'kube-vip');
    assert.equal(podNamespace({ serviceAccountDir: join(dir, 'none') }), undefined);
  });

  describe('in a pod', () => {
    let accountDir: string;

    beforeEach(() => {
      accountDir = join(dir, 'serviceaccount');
      mkdirSync(accountDir);
      writeFileSync(join(accountDir, 'token'), 'pod-token');
      writeFileSync(join(accountDir, 'ca.crt'), '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n');
      writeFileSync(join(accountDir, 'namespace'), 'kube-system');
    });

    it('needs the CA the token comes with', () => {
      rmSync(join(accountDir, 'ca.crt'));
      const error = failure(loadKubeConfig({}, host({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' })));
      assert.equal(error.code, 'KUBE_NO_CREDENTIALS');
      assert.match(error.message, /has a token but no ca\.crt/);
    });

    it("needs the API server's address from the environment", () => {
      const error = failure(loadKubeConfig({}, host()));
      assert.equal(error.code, 'KUBE_NO_API_SERVER_ADDRESS');
      assert.match(error.message, /KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set/);
    });

    it('uses the service address and the token, read from its file', async () => {
      const loaded = loadKubeConfig({}, host({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }));
      assert.ok(loaded.ok);
      assert.equal(loaded.value.source, 'in-cluster');
      assert.equal(loaded.value.server, 'https://10.96.0.1:443');
      assert.equal(loaded.value.kubeConfig.getCurrentCluster()?.caFile, join(accountDir, 'ca.crt'));
      const options = await loaded.value.kubeConfig.applyToFetchOptions({});
      assert.equal((options.headers as unknown as Headers).get('Authorization'), 'Bearer pod-token');
    });

    it('brackets an IPv6 service address, and speaks http on the plain-text ports as client-go does', () => {
      const v6 = loadKubeConfig({}, host({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443' }));
      assert.ok(v6.ok);
      assert.equal(v6.value.server, 'https://[fd00::1]:6443');
      const plain = loadKubeConfig({}, host({ KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: '8080' }));
      assert.ok(plain.ok);
      assert.equal(plain.value.server, 'http://127.0.0.1:8080');
    });
  });
});

describe('kubernetes client: the node name', () => {
  const host = (env: Record<string, string>, name = 'Worker-1.Example.COM') => ({ env, hostname: () => name });

  it('is kubernetes.nodeName (vip_nodename) first', () => {
    assert.deepEqual(resolveNodeName({ nodeName: 'node-a' }, host({ NODE_NAME: 'node-b' })), { name: 'node-a', source: 'config' });
  });

  it('then NODE_NAME', () => {
    assert.deepEqual(resolveNodeName({}, host({ NODE_NAME: 'node-b' })), { name: 'node-b', source: 'NODE_NAME' });
  });

  it('then the hostname, lower-cased as the kubelet registers it', () => {
    assert.deepEqual(resolveNodeName({}, host({ NODE_NAME: '' })), { name: 'worker-1.example.com', source: 'hostname' });
  });
});
