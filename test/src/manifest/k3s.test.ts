// K3s, as docs/kubernetes.md walks through it: the `vip-speaker manifest` lines of its K3s section,
// run as written (kube-vip's flags: --inCluster --taint --controlplane --services --bgp
// --bgppeers), give manifests that K3s's auto-deploy folder takes: every object valid against the
// Kubernetes schemas, the DaemonSet scheduled on a K3s server (its labels, and the
// CriticalAddonsOnly taint of a dedicated server) and not on an agent, its env read by the daemon
// with the pod's service account. kube-vip's ARP line and the BGP line with kube-vip's elections
// (--leaderElection, --servicesElection) are held to the same.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { type V1DaemonSet, type V1PodSpec, loadAllYaml } from '@kubernetes/client-node';
import { configFromEnv, formatErrors } from '../../../src/config/index.js';
import { manifestCommand } from '../../../src/manifest/index.js';
import { fakeHost } from '../config/helpers.js';
import { resolveEnv } from './helpers.js';
import { validate } from './schemas.js';

const DOC = new URL('../../../../docs/kubernetes.md', import.meta.url);
const K3S_MANIFESTS = '/var/lib/rancher/k3s/server/manifests/';

/** The `vip-speaker manifest` lines of the K3s section, as [args, the file they are written to]. */
function walkThrough(): Array<{ args: string[]; file: string }> {
  const text = readFileSync(DOC, 'utf8');
  const section = text.slice(text.indexOf('**2b. K3s'), text.indexOf('**3. A Service.**'));
  assert.ok(section.length > 0, 'docs/kubernetes.md has a K3s section');
  return section
    .split('\n')
    .filter((l) => l.startsWith('vip-speaker manifest '))
    .map((l) => {
      const m = /^vip-speaker manifest (.+?) > (\S+)$/.exec(l.trim());
      assert.ok(m, `a manifest line written to a file: ${l}`);
      return { args: m[1]!.split(/\s+/), file: m[2]! };
    });
}

function run(args: string[]): { objects: Array<{ kind?: string }>; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  assert.equal(manifestCommand(args, (l) => out.push(l), (l) => err.push(l)), 0, err.join('\n'));
  return { objects: loadAllYaml(out.join('\n')) as Array<{ kind?: string }>, err };
}

interface Node {
  labels: Record<string, string>;
  taints: Array<{ key: string; value?: string; effect: string }>;
}

/** A K3s server as K3s registers it; a dedicated one (--node-taint) also refuses ordinary pods. */
const K3S_SERVER: Node = {
  labels: { 'kubernetes.io/os': 'linux', 'node-role.kubernetes.io/control-plane': 'true', 'node-role.kubernetes.io/master': 'true', 'node-role.kubernetes.io/etcd': 'true' },
  taints: [{ key: 'CriticalAddonsOnly', value: 'true', effect: 'NoExecute' }],
};
const K3S_AGENT: Node = { labels: { 'kubernetes.io/os': 'linux' }, taints: [] };

/** The scheduler's rules for a pod's nodeSelector, required node affinity and tolerations (the parts the manifests use). */
function schedulable(spec: V1PodSpec, node: Node): boolean {
  const selector = Object.entries(spec.nodeSelector ?? {}).every(([k, v]) => node.labels[k] === v);
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  const matches = (e: { key: string; operator: string; values?: string[] }) =>
    e.operator === 'Exists' ? e.key in node.labels : e.operator === 'In' ? (e.values ?? []).includes(node.labels[e.key] ?? '') : false;
  const affinity = !terms || terms.some((t) => (t.matchExpressions ?? []).every(matches));
  const tolerated = (taint: Node['taints'][number]) =>
    (spec.tolerations ?? []).some((t) => (t.effect === undefined || t.effect === taint.effect) && (t.key === undefined ? t.operator === 'Exists' : t.key === taint.key && (t.operator === 'Exists' || t.value === taint.value)));
  return selector && affinity && node.taints.every(tolerated);
}

describe('K3s: the walk-through of docs/kubernetes.md, run as written', () => {
  const lines = walkThrough();

  it('writes the RBAC and the DaemonSet into K3s\'s auto-deploy folder, with kube-vip\'s flags', () => {
    assert.deepEqual(lines.map((l) => [l.args[0], l.file]), [
      ['rbac', `${K3S_MANIFESTS}vip-speaker-rbac.yaml`],
      ['daemonset', `${K3S_MANIFESTS}vip-speaker.yaml`],
    ]);
    for (const flag of ['--inCluster', '--taint', '--controlplane', '--services', '--bgp', '--bgppeers']) {
      assert.ok(lines.every((l) => l.args.includes(flag)), flag);
    }
  });

  it('puts the VIP in K3s\'s --tls-san, on every server', () => {
    const text = readFileSync(DOC, 'utf8');
    const section = text.slice(text.indexOf('**2b. K3s'), text.indexOf('**3. A Service.**'));
    const servers = section.split('\n').filter((l) => /\bsh -s - server\b/.test(l));
    assert.equal(servers.length, 2, 'the first server and the others');
    for (const s of servers) assert.match(s, /--tls-san 192\.0\.2\.10\b/);
  });

  for (const { name, rbac, daemonset } of [
    { name: 'as written (BGP, every server announces)', rbac: lines[0]!.args, daemonset: lines[1]!.args },
    { name: 'with kube-vip\'s elections (--leaderElection --servicesElection)', rbac: [...lines[0]!.args, '--leaderElection', '--servicesElection'], daemonset: [...lines[1]!.args, '--leaderElection', '--servicesElection'] },
    {
      name: "kube-vip's ARP line",
      rbac: ['rbac', '--interface', 'eth0', '--address', '192.0.2.10', '--inCluster', '--taint', '--controlplane', '--services', '--arp', '--leaderElection'],
      daemonset: ['daemonset', '--interface', 'eth0', '--address', '192.0.2.10', '--inCluster', '--taint', '--controlplane', '--services', '--arp', '--leaderElection', '--image', 'registry.example/vip-speaker:1'],
    },
  ]) {
    describe(name, () => {
      const r = run(rbac);
      const d = run(daemonset);

      it('gives objects that are all valid against the Kubernetes schemas', () => {
        assert.deepEqual(r.objects.map((o) => o.kind), ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', ...(rbac.includes('--servicesElection') || rbac.includes('--arp') ? ['ClusterRole', 'ClusterRoleBinding'] : [])]);
        assert.deepEqual(d.objects.map((o) => o.kind), ['DaemonSet']);
        for (const o of [...r.objects, ...d.objects]) validate(o);
      });

      it('runs on every K3s server, dedicated ones too, and on no agent', () => {
        const spec = (d.objects[0] as V1DaemonSet).spec!.template.spec!;
        assert.equal(schedulable(spec, K3S_SERVER), true);
        assert.equal(schedulable(spec, { ...K3S_SERVER, taints: [] }), true);
        assert.equal(schedulable(spec, K3S_AGENT), false);
      });

      it('runs under the service account the RBAC makes, and its env is read by the daemon with in-cluster credentials', () => {
        const spec = (d.objects[0] as V1DaemonSet).spec!.template.spec!;
        const account = r.objects.find((o) => o.kind === 'ServiceAccount') as { metadata: { name: string; namespace: string } };
        assert.equal(spec.serviceAccountName, account.metadata.name);
        assert.equal((d.objects[0] as V1DaemonSet).metadata!.namespace, account.metadata.namespace);
        const env = resolveEnv(spec.containers[0]!.env!);
        const config = configFromEnv(fakeHost({ env, interfaces: { eth0: [{ address: '198.51.100.7', family: 'IPv4', internal: false }] } }));
        assert.ok(config.ok, config.ok ? '' : formatErrors(config.error).join('\n'));
        assert.equal(config.value.kubernetes.kubeconfig, undefined, 'the pod\'s service account');
        assert.deepEqual(config.value.vips.static.map((v) => v.address), ['192.0.2.10/32']);
        assert.equal(config.value.kubernetes.leaderElection, daemonset.includes('--leaderElection') && !daemonset.includes('--arp') ? true : undefined);
      });

      it('says when the image was not given', () => {
        assert.equal(d.err.some((l) => /is not published yet/.test(l)), !daemonset.includes('--image'));
      });
    });
  }
});
