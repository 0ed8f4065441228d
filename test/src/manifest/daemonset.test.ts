// The DaemonSet and the container it shares with the static pod: least privilege, probes that
// reach the admin endpoint where it listens, placement, and an env block the daemon accepts.
import { strict as assert } from 'node:assert';
import { configFromEnv, formatErrors } from '../../../src/config/index.js';
import { buildDaemonSet, renderManifest, TERMINATION_GRACE_SECONDS } from '../../../src/manifest/index.js';
import { fakeHost } from '../config/helpers.js';
import { CONTROL_PLANE, SERVICES, container, options, resolveEnv } from './helpers.js';

function env(args: string[]): Record<string, string> {
  return resolveEnv(container(args).env ?? [], { secrets: { 'bgp-md5/password': 's3cret' } });
}

function daemonConfig(variables: Record<string, string>) {
  const result = configFromEnv(fakeHost({ env: variables }));
  if (!result.ok) throw new Error(`the daemon refuses the manifest's env:\n${formatErrors(result.error).join('\n')}`);
  return result.value;
}

describe('manifest daemonset: the pod', () => {
  const spec = buildDaemonSet(options(SERVICES)).spec!;
  const pod = spec.template.spec!;

  it('runs in the host network namespace with the cluster DNS, under its service account', () => {
    assert.equal(pod.hostNetwork, true);
    assert.equal(pod.dnsPolicy, 'ClusterFirstWithHostNet');
    assert.equal(pod.serviceAccountName, 'vip-speaker');
  });

  it('runs as root with NET_ADMIN and NET_RAW only: no escalation, read-only root, RuntimeDefault seccomp', () => {
    assert.deepEqual(pod.containers[0]!.securityContext, {
      runAsUser: 0,
      runAsGroup: 0,
      runAsNonRoot: false,
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'], add: ['NET_ADMIN', 'NET_RAW'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  it('leaves room for the bounded stop (10 s) with no preStop hook', () => {
    assert.ok(pod.terminationGracePeriodSeconds! >= 10 + 15, `grace ${pod.terminationGracePeriodSeconds}`);
    assert.equal(pod.terminationGracePeriodSeconds, TERMINATION_GRACE_SECONDS);
    assert.equal(pod.containers[0]!.lifecycle, undefined);
  });

  it('updates one node at a time, never two speakers on one node', () => {
    assert.deepEqual(spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  });

  it('asks for resources and bounds memory', () => {
    const resources = pod.containers[0]!.resources!;
    assert.ok(resources.requests?.cpu && resources.requests.memory && resources.limits?.memory);
  });

  it('selects its pods by labels that do not change with the version', () => {
    assert.deepEqual(spec.selector.matchLabels, { 'app.kubernetes.io/name': 'vip-speaker', 'app.kubernetes.io/component': 'speaker' });
    for (const [key, value] of Object.entries(spec.selector.matchLabels!)) assert.equal(spec.template.metadata!.labels![key], value);
  });
});

describe('manifest daemonset: placement', () => {
  it('puts Service speakers on every Linux node, control-plane nodes tolerated only with --taint', () => {
    const pod = buildDaemonSet(options(SERVICES)).spec!.template.spec!;
    assert.equal(pod.affinity, undefined);
    assert.equal(pod.tolerations, undefined);
    assert.deepEqual(pod.nodeSelector, { 'kubernetes.io/os': 'linux' });
    assert.ok(buildDaemonSet(options([...SERVICES, '--taint'])).spec!.template.spec!.affinity);
  });

  it('puts control-plane speakers on control-plane nodes only (either role label), tolerating their taints', () => {
    for (const args of [CONTROL_PLANE, [...CONTROL_PLANE, '--services']]) {
      const pod = buildDaemonSet(options(args)).spec!.template.spec!;
      const terms = pod.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms;
      assert.deepEqual(terms.map((t) => t.matchExpressions), [
        [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists' }],
        [{ key: 'node-role.kubernetes.io/master', operator: 'Exists' }],
      ]);
      assert.deepEqual(pod.tolerations, [
        { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' },
        { key: 'node-role.kubernetes.io/master', operator: 'Exists', effect: 'NoSchedule' },
      ]);
    }
  });
});

describe('manifest daemonset: probes reach the admin endpoint where it listens', () => {
  it('by default: on loopback, which the kubelet shares with a hostNetwork pod', () => {
    const c = container(SERVICES);
    assert.equal(env(SERVICES).prometheus_server, '127.0.0.1:9469');
    assert.deepEqual(c.livenessProbe!.httpGet, { host: '127.0.0.1', path: '/healthz', port: 9469, scheme: 'HTTP' });
    assert.deepEqual(c.readinessProbe!.httpGet, { host: '127.0.0.1', path: '/readyz', port: 9469, scheme: 'HTTP' });
    assert.deepEqual(daemonConfig(env(SERVICES)).admin, { address: '127.0.0.1', port: 9469 });
  });

  it("with --admin-address node: on the node's IP from the downward API, probed at the pod IP", () => {
    const args = [...SERVICES, '--admin-address', 'node', '--admin-port', '9470'];
    const c = container(args);
    const names = c.env!.map((v) => v.name);
    assert.ok(names.indexOf('VIP_SPEAKER_NODE_IP') < names.indexOf('prometheus_server'), 'a $(VAR) reference needs the variable defined before it');
    assert.equal(c.livenessProbe!.httpGet!.host, undefined);
    assert.equal(c.livenessProbe!.httpGet!.port, 9470);
    assert.deepEqual(daemonConfig(env(args)).admin, { address: '198.51.100.7', port: 9470 });
    const v6 = resolveEnv(c.env!, { hostIP: '2001:db8:1::7' });
    assert.deepEqual(daemonConfig(v6).admin, { address: '2001:db8:1::7', port: 9470 });
  });

  it('with an address: there, and on loopback for an unspecified one', () => {
    assert.equal(container([...SERVICES, '--admin-address', '198.51.100.7']).livenessProbe!.httpGet!.host, '198.51.100.7');
    assert.equal(container([...SERVICES, '--admin-address', '::']).readinessProbe!.httpGet!.host, '127.0.0.1');
    assert.equal(env([...SERVICES, '--admin-address', '::']).prometheus_server, '[::]:9469');
  });
});

describe('manifest daemonset: the env block', () => {
  it('is accepted by the daemon: Services, with the peers and AS given', () => {
    const config = daemonConfig(env(SERVICES));
    assert.equal(config.mode, 'bgp');
    assert.equal(config.node.asn, 65010);
    assert.deepEqual(config.peers.map((p) => `${p.address} ${p.asn}`), ['192.0.2.1 65001', '192.0.2.2 65001']);
    assert.equal(config.kubernetes.services, true);
  });

  it('is accepted by the daemon: the control-plane VIP, a peer with its password from the Secret', () => {
    const args = [...CONTROL_PLANE, '--peerAddress', '2001:db8::1', '--peerAS', '65002', '--multihop', '--peer-password-secret', 'bgp-md5'];
    const config = daemonConfig(env(args));
    assert.deepEqual(config.vips.static.map((v) => v.address), ['192.0.2.10/32']);
    assert.equal(config.kubernetes.controlPlane, true);
    const peer = config.peers.find((p) => p.address === '2001:db8::1')!;
    assert.equal(peer.asn, 65002);
    assert.equal(peer.multihop, true);
    assert.equal(peer.password, 's3cret');
  });

  it('never holds a password: the Secret is referenced, and nothing in the YAML is the secret', () => {
    const o = options([...SERVICES, '--peerAddress', '192.0.2.3', '--peer-password-secret', 'bgp-md5:tor']);
    const c = buildDaemonSet(o).spec!.template.spec!.containers[0]!;
    assert.deepEqual(c.env!.find((v) => v.name === 'bgp_peerpass'), { name: 'bgp_peerpass', valueFrom: { secretKeyRef: { name: 'bgp-md5', key: 'tor' } } });
    assert.match(renderManifest('daemonset', o, []), /kubectl -n kube-system create secret generic bgp-md5 --from-file=tor=PASSWORD_FILE/);
  });

  it('runs `run`, with --keep-routes-on-stop when asked', () => {
    assert.deepEqual(container(SERVICES).args, ['run']);
    assert.deepEqual(container([...SERVICES, '--keep-routes-on-stop']).args, ['run', '--keep-routes-on-stop']);
  });
});
