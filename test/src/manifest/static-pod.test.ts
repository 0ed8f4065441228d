// The static pod: it must announce the control-plane VIP before the API server exists, so it needs
// nothing from the API: no service account, no Secret, no cluster DNS.
import { strict as assert } from 'node:assert';
import { configFromEnv, formatErrors } from '../../../src/config/index.js';
import { buildDaemonSet, buildStaticPod } from '../../../src/manifest/index.js';
import { fakeHost } from '../config/helpers.js';
import { CONTROL_PLANE, options, resolveEnv } from './helpers.js';

describe('manifest pod (static pod for control-plane nodes)', () => {
  const pod = buildStaticPod(options(CONTROL_PLANE, 'pod'));
  const spec = pod.spec!;
  const c = spec.containers[0]!;

  it('needs nothing from the API server: no service account, no Secret; only the node name, which the kubelet knows', () => {
    assert.equal(spec.serviceAccountName, undefined);
    assert.deepEqual(c.env!.filter((v) => v.valueFrom !== undefined), [{ name: 'vip_nodename', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }]);
    assert.equal(spec.dnsPolicy, undefined, 'with hostNetwork the default resolves through the node');
  });

  it('announces the control-plane VIP from its env alone, as the daemon reads it', () => {
    const variables = resolveEnv(c.env!);
    assert.equal(variables.cp_enable, 'true');
    assert.equal(variables.address, '192.0.2.10');
    const result = configFromEnv(fakeHost({ env: variables }));
    assert.ok(result.ok, result.ok ? '' : formatErrors(result.error).join('\n'));
    assert.deepEqual(result.value.vips.static.map((v) => v.address), ['192.0.2.10/32']);
    assert.equal(result.value.kubernetes.kubeconfig, '/etc/kubernetes/admin.conf');
  });

  it("mounts kubeadm's admin.conf read-only, as a file that must exist", () => {
    assert.deepEqual(spec.volumes, [{ name: 'kubeconfig', hostPath: { path: '/etc/kubernetes/admin.conf', type: 'File' } }]);
    assert.deepEqual(c.volumeMounts, [{ name: 'kubeconfig', mountPath: '/etc/kubernetes/admin.conf', readOnly: true }]);
    const other = buildStaticPod(options([...CONTROL_PLANE, '--k8sConfigPath', '/etc/kubernetes/super-admin.conf'], 'pod'));
    assert.equal(other.spec!.volumes![0]!.hostPath!.path, '/etc/kubernetes/super-admin.conf');
    assert.equal(resolveEnv(other.spec!.containers[0]!.env!).k8s_config_file, '/etc/kubernetes/super-admin.conf');
  });

  it('is node-critical, as kubeadm writes its own static pods', () => {
    assert.equal(spec.priorityClassName, 'system-node-critical');
    assert.equal(spec.priority, 2000001000);
  });

  it('has the DaemonSet container: host network, security context, probes, grace period', () => {
    const ds = buildDaemonSet(options(CONTROL_PLANE)).spec!.template.spec!;
    assert.equal(spec.hostNetwork, true);
    assert.deepEqual(c.securityContext, ds.containers[0]!.securityContext);
    assert.deepEqual(c.livenessProbe, ds.containers[0]!.livenessProbe);
    assert.deepEqual(c.readinessProbe, ds.containers[0]!.readinessProbe);
    assert.equal(spec.terminationGracePeriodSeconds, ds.terminationGracePeriodSeconds);
  });
});
