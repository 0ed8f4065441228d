// The prometheus-operator objects: a headless Service over the speaker pods' admin port with a
// ServiceMonitor that scrapes it (`manifest servicemonitor`), and the alerting rules as a
// PrometheusRule (`manifest prometheusrule`). Typed with @kubernetes-models/prometheus-operator's
// interfaces (a build-time dependency only: the types are erased), so that a misspelt field fails
// to compile; test/src/manifest/schema.test.ts validates them against the CRDs' schemas.
//
// The pods run in the host's network namespace, so each endpoint of the Service is a node's IP:
// the admin endpoint must listen there (--admin-address node), never on loopback only. The scrape
// names each series' instance after its node, as the kubelet and node-exporter targets do, so that
// alerts and the dashboard say which node.
import type { V1Service } from '@kubernetes/client-node';
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { RULE_GROUPS } from '../monitoring/index.js';
import { APP_NAME, labels, selectorLabels } from './container.js';
import type { ManifestOptions } from './options.js';

export const METRICS_SERVICE = `${APP_NAME}-metrics`;
export const METRICS_PORT_NAME = 'metrics';
export const METRICS_PATH = '/metrics';

/** The Service's own labels, which the ServiceMonitor selects; no other object carries the component. */
function serviceLabels(): Record<string, string> {
  return { ...labels(), 'app.kubernetes.io/component': 'metrics' };
}

/** The ServiceMonitor's and PrometheusRule's: ours, and those the Prometheus' selectors want. */
function monitoringLabels(o: ManifestOptions): Record<string, string> {
  return { ...labels(), 'app.kubernetes.io/component': 'monitoring', ...o.monitoringLabels };
}

/** Headless: Prometheus scrapes every pod, never through a cluster IP. */
export function buildMetricsService(o: ManifestOptions): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: METRICS_SERVICE, namespace: o.namespace, labels: serviceLabels() },
    spec: {
      clusterIP: 'None',
      selector: selectorLabels(),
      ports: [{ name: METRICS_PORT_NAME, port: o.adminPort, targetPort: o.adminPort, protocol: 'TCP' }],
    },
  };
}

export function buildServiceMonitor(o: ManifestOptions): IServiceMonitor {
  const { 'app.kubernetes.io/version': _version, ...selector } = serviceLabels();
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: APP_NAME, namespace: o.namespace, labels: monitoringLabels(o) },
    spec: {
      selector: { matchLabels: selector },
      namespaceSelector: { matchNames: [o.namespace] },
      endpoints: [
        {
          port: METRICS_PORT_NAME,
          path: METRICS_PATH,
          scheme: 'http',
          relabelings: [{ action: 'replace', sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'instance' }],
        },
      ],
    },
  };
}

export function buildPrometheusRule(o: ManifestOptions): IPrometheusRule {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: APP_NAME, namespace: o.namespace, labels: monitoringLabels(o) },
    spec: { groups: RULE_GROUPS.map((g) => ({ name: g.name, rules: g.rules.map((r) => ({ ...r, labels: { ...r.labels }, annotations: { ...r.annotations } })) })) },
  };
}
