// `manifest servicemonitor|prometheusrule|rules|dashboard`: the Service reaches the pods the
// DaemonSet makes on the port they listen on, the ServiceMonitor selects that Service, the
// PrometheusRule and the rule file carry the same alerts, and the flags they need are checked.
import { strict as assert } from 'node:assert';
import { parse, parseAllDocuments } from 'yaml';
import { alertNames } from '../../../src/monitoring/index.js';
import { buildDaemonSet, buildMetricsService, buildPrometheusRule, buildServiceMonitor, manifestCommand, parseManifestArgs, type ManifestKind } from '../../../src/manifest/index.js';
import { SERVICES, options, resolveEnv } from './helpers.js';

function run(args: string[]): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const code = manifestCommand(args, (l) => out.push(l), (l) => err.push(l));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function problems(args: string[], kind: ManifestKind): string[] {
  const parsed = parseManifestArgs(kind, args);
  if (parsed.ok) throw new Error('expected errors, got valid flags');
  return parsed.error.map((e) => `${e.flag} ${e.code}`);
}

/** Whether every matchLabels entry is among the labels. */
function selects(matchLabels: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(matchLabels).every(([k, v]) => labels?.[k] === v);
}

describe('manifest servicemonitor', () => {
  const NODE = ['--admin-address', 'node', '--admin-port', '9470'];

  it('puts a headless Service over the DaemonSet\'s pods, on the port their admin endpoint listens on', () => {
    const ds = buildDaemonSet(options([...SERVICES, ...NODE]));
    const service = buildMetricsService(options(NODE, 'servicemonitor'));
    assert.equal(service.spec!.clusterIP, 'None');
    assert.ok(selects(service.spec!.selector!, ds.spec!.template.metadata!.labels), 'the Service does not select the speaker pods');
    const env = resolveEnv(ds.spec!.template.spec!.containers[0]!.env!, { hostIP: '198.51.100.7' });
    assert.equal(env.prometheus_server, '[198.51.100.7]:9470');
    assert.deepEqual(service.spec!.ports, [{ name: 'metrics', port: 9470, targetPort: 9470, protocol: 'TCP' }]);
  });

  it('selects that Service, in its namespace, by the port\'s name, and names each target after its node', () => {
    const o = options([...NODE, '-n', 'net'], 'servicemonitor');
    const service = buildMetricsService(o);
    const monitor = buildServiceMonitor(o);
    assert.ok(selects(monitor.spec.selector.matchLabels!, service.metadata!.labels), 'the ServiceMonitor does not select the Service');
    assert.ok(!selects(monitor.spec.selector.matchLabels!, buildDaemonSet(options(SERVICES)).metadata!.labels), 'the selector matches other objects of the speaker too');
    assert.deepEqual(monitor.spec.namespaceSelector, { matchNames: ['net'] });
    assert.equal(service.metadata!.namespace, 'net');
    assert.equal(monitor.spec.endpoints[0]!.port, service.spec!.ports![0]!.name);
    assert.deepEqual(monitor.spec.endpoints[0]!.relabelings, [{ action: 'replace', sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'instance' }]);
  });

  it('prints the Service and the ServiceMonitor as two documents', () => {
    const r = run(['servicemonitor', ...NODE]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(parseAllDocuments(r.out).map((d) => (d.toJS() as { kind: string }).kind), ['Service', 'ServiceMonitor']);
  });

  it('refuses an admin endpoint on loopback, which Prometheus cannot reach', () => {
    assert.deepEqual(problems([], 'servicemonitor'), ['--admin-address MANIFEST_CONFLICT']);
    assert.deepEqual(problems(['--admin-address', '127.0.0.1'], 'servicemonitor'), ['--admin-address MANIFEST_CONFLICT']);
  });

  it('takes the DaemonSet\'s flags as they are, with no feature flag needed', () => {
    assert.equal(options([...SERVICES, ...NODE], 'servicemonitor').adminPort, 9470);
    assert.equal(options(NODE, 'servicemonitor').services, false);
  });
});

describe('manifest prometheusrule and rules', () => {
  it('holds every alert, in a PrometheusRule and in a plain rule file alike', () => {
    const rule = buildPrometheusRule(options([], 'prometheusrule'));
    assert.deepEqual(rule.spec.groups!.flatMap((g) => g.rules!.map((r) => r.alert)), alertNames());
    const r = run(['rules']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual((parse(r.out) as { groups: unknown }).groups, rule.spec.groups);
  });

  it('labels the PrometheusRule and the ServiceMonitor for the Prometheus\' selectors', () => {
    const o = options(['--admin-address', 'node', '--monitoring-label', 'release=kube-prometheus-stack', '--monitoring-label', 'example.com/team=net'], 'prometheusrule');
    for (const object of [buildPrometheusRule(o), buildServiceMonitor(o)]) {
      assert.equal(object.metadata!.labels!.release, 'kube-prometheus-stack');
      assert.equal(object.metadata!.labels!['example.com/team'], 'net');
      assert.equal(object.metadata!.labels!['app.kubernetes.io/name'], 'vip-speaker');
    }
  });

  it('refuses a label that Kubernetes would refuse, and one given twice with two values', () => {
    assert.deepEqual(problems(['--monitoring-label', 'release'], 'prometheusrule'), ['--monitoring-label MANIFEST_INVALID_VALUE']);
    assert.deepEqual(problems(['--monitoring-label', 'bad key=x'], 'prometheusrule'), ['--monitoring-label MANIFEST_INVALID_VALUE']);
    assert.deepEqual(problems(['--monitoring-label', `release=${'x'.repeat(64)}`], 'prometheusrule'), ['--monitoring-label MANIFEST_INVALID_VALUE']);
    assert.deepEqual(problems(['--monitoring-label', 'a=1', '--monitoring-label', 'a=2'], 'prometheusrule'), ['--monitoring-label MANIFEST_CONFLICT']);
    assert.equal(options(['--monitoring-label', 'empty='], 'prometheusrule').monitoringLabels.empty, '');
  });

  it('`rules` and `dashboard` take no flags', () => {
    assert.deepEqual(problems(['-n', 'x'], 'rules'), ['--namespace MANIFEST_UNSUPPORTED']);
    assert.deepEqual(problems(['--services'], 'dashboard'), ['--services MANIFEST_UNSUPPORTED']);
  });
});

describe('manifest dashboard', () => {
  it('prints the dashboard as JSON', () => {
    const r = run(['dashboard']);
    assert.equal(r.code, 0, r.err);
    const dashboard = JSON.parse(r.out) as { uid: string; panels: unknown[] };
    assert.equal(dashboard.uid, 'vip-speaker');
    assert.ok(dashboard.panels.length > 10);
  });
});
