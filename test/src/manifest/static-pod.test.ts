// The static pod: it must announce the control-plane VIP before the API server exists, so it needs
// nothing from the API: no service account, no Secret, no cluster DNS.
import { strict as assert } from 'node:assert';
import { configFromEnv, formatErrors } from '../../../src/config/index.js';
import type { InterfaceTable } from '../../../src/config/index.js';
import { buildDaemonSet, buildStaticPod, parseManifestArgs, renderManifest } from '../../../src/manifest/index.js';
import { fakeHost } from '../config/helpers.js';
import { ARP_CONTROL_PLANE, CONTROL_PLANE, options, resolveEnv } from './helpers.js';

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
  });

  it("mounts another kubeconfig where kube-vip's static pod mounts it, so that kube-vip's super-admin.conf step applies word for word", () => {
    const other = buildStaticPod(options([...CONTROL_PLANE, '--k8sConfigPath', '/etc/kubernetes/super-admin.conf'], 'pod'));
    assert.equal(other.spec!.volumes![0]!.hostPath!.path, '/etc/kubernetes/super-admin.conf');
    assert.deepEqual(other.spec!.containers[0]!.volumeMounts, [{ name: 'kubeconfig', mountPath: '/etc/kubernetes/admin.conf', readOnly: true }]);
    assert.equal(resolveEnv(other.spec!.containers[0]!.env!).k8s_config_file, '/etc/kubernetes/admin.conf');
    // kube-vip's documented step for kubeadm 1.29+: sed the hostPath of its manifest on the first node.
    const yaml = renderManifest('pod', options(CONTROL_PLANE, 'pod'), []);
    const edited = yaml.replace('path: /etc/kubernetes/admin.conf', 'path: /etc/kubernetes/super-admin.conf');
    assert.equal(edited.split('super-admin.conf').length - 1, 1 + (yaml.split('super-admin.conf').length - 1), 'the sed touches the hostPath alone');
    assert.match(edited, /hostPath:\n\s+path: \/etc\/kubernetes\/super-admin\.conf/);
    assert.match(edited, /mountPath: \/etc\/kubernetes\/admin\.conf/);
  });

  it('says in its header that BGP mode without an election needs no rights, and with --leaderElection that the first kubeadm 1.29+ node needs super-admin.conf', () => {
    assert.match(renderManifest('pod', options(CONTROL_PLANE, 'pod'), []), /^# BGP mode without --leaderElection needs no rights for the control-plane VIP/m);
    const elected = renderManifest('pod', options([...CONTROL_PLANE, '--leaderElection'], 'pod'), []);
    assert.match(elected, /^# --leaderElection: only the holder of the Lease plndr-cp-lock announces the control-plane VIP \(active\/standby, as kube-vip\);$/m);
    assert.match(elected, /^# The control-plane VIP is announced only once the Lease plndr-cp-lock is won/m);
    assert.match(elected, /only super-admin\.conf \(system:masters\) may write the Lease/);
    assert.equal(resolveEnv(buildStaticPod(options([...CONTROL_PLANE, '--leaderElection'], 'pod')).spec!.containers[0]!.env!).vip_leaderelection, 'true');
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

describe('manifest pod --arp (static pod, the control-plane VIP held by the elected node)', () => {
  const superAdmin = [...ARP_CONTROL_PLANE, '--k8sConfigPath', '/etc/kubernetes/super-admin.conf'];
  const pod = buildStaticPod(options(superAdmin, 'pod'));
  const c = pod.spec!.containers[0]!;
  /** As daemonset.test.ts's ARP_NODE: the daemon still wants a router ID from another interface. */
  const node: InterfaceTable = {
    lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
    eth0: [{ address: '198.51.100.7', family: 'IPv4', internal: false }],
    eth1: [{ address: '203.0.113.7', family: 'IPv4', internal: false }],
  };

  it('has the ARP env, with the kubeconfig that leader election goes through', () => {
    assert.deepEqual(resolveEnv(c.env!), {
      vip_nodename: 'node-1',
      cp_namespace: 'kube-system',
      vip_interface: 'eth0',
      cp_enable: 'true',
      address: '192.0.2.10',
      port: '6443',
      vip_arp: 'true',
      vip_leaderelection: 'true',
      prometheus_server: '127.0.0.1:9469',
      k8s_config_file: '/etc/kubernetes/admin.conf',
    });
  });

  it('mounts that kubeconfig read-only, as a file that must exist; no service account', () => {
    assert.deepEqual(pod.spec!.volumes, [{ name: 'kubeconfig', hostPath: { path: '/etc/kubernetes/super-admin.conf', type: 'File' } }]);
    assert.deepEqual(c.volumeMounts, [{ name: 'kubeconfig', mountPath: '/etc/kubernetes/admin.conf', readOnly: true }]);
    assert.equal(pod.spec!.serviceAccountName, undefined);
    assert.equal(options(ARP_CONTROL_PLANE, 'pod').kubeconfig, '/etc/kubernetes/admin.conf', "kubeadm's admin.conf unless told otherwise");
  });

  it('is read by the daemon as ARP mode on eth0, electing through the kubeconfig', () => {
    const result = configFromEnv(fakeHost({ env: resolveEnv(c.env!), interfaces: node }));
    assert.ok(result.ok, result.ok ? '' : formatErrors(result.error).join('\n'));
    assert.equal(result.value.mode, 'arp');
    assert.equal(result.value.vips.interface, 'eth0');
    assert.equal(result.value.arp.leaderElection, true);
    assert.equal(result.value.kubernetes.kubeconfig, '/etc/kubernetes/admin.conf', 'the mount path, whatever file the host gives');
    assert.deepEqual(result.value.vips.static.map((v) => v.address), ['192.0.2.10/32']);
  });

  it('says in its header that the election goes through the local API server, and that the first node needs super-admin.conf on kubeadm 1.29+', () => {
    const text = renderManifest('pod', options(ARP_CONTROL_PLANE, 'pod'), []);
    assert.match(text, /^# The control-plane VIP is put on only once the Lease plndr-cp-lock is won, with the credentials of \/etc\/kubernetes\/admin\.conf$/m);
    assert.match(text, /through this node's own API server \(https:\/\/127\.0\.0\.1:PORT\), never through the VIP/);
    assert.match(text, /only super-admin\.conf \(system:masters\) may write the Lease/);
    assert.doesNotMatch(renderManifest('pod', options(CONTROL_PLANE, 'pod'), []), /plndr-cp-lock|ARP/, 'BGP mode without --leaderElection elects nothing');
  });

  it('refuses what a static pod cannot have in ARP mode too', () => {
    const parsed = parseManifestArgs('pod', [...ARP_CONTROL_PLANE, '--inCluster']);
    assert.ok(!parsed.ok);
    assert.deepEqual(parsed.error.map((e) => `${e.flag} ${e.code}`), ['--inCluster MANIFEST_UNSUPPORTED']);
  });
});
