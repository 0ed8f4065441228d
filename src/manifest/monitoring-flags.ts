// The flags of the monitoring kinds: `manifest servicemonitor|prometheusrule` take the same flags
// as the DaemonSet (its namespace and admin endpoint) plus --monitoring-label, and need no feature
// flag; `manifest rules|dashboard` are the same for every deployment and take no flag at all.
import type { Problem } from './errors.js';
import { type AdminAddress, MONITORING_KINDS, type MonitoringKind } from './kinds.js';

export { MONITORING_KINDS, type MonitoringKind } from './kinds.js';

/** The kinds that are not Kubernetes objects, and do not depend on the deployment. */
const FIXED_KINDS: readonly MonitoringKind[] = ['rules', 'dashboard'];

export function isMonitoringKind(kind: string): kind is MonitoringKind {
  return (MONITORING_KINDS as readonly string[]).includes(kind);
}

/** A label name: an optional DNS-subdomain prefix and '/', then up to 63 of [A-Za-z0-9-_.], alphanumeric at both ends. */
const LABEL_NAME = /^(?:[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** A label value: empty, or up to 63 of [A-Za-z0-9-_.], alphanumeric at both ends. */
const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/**
 * --monitoring-label KEY=VALUE (repeatable): labels on the ServiceMonitor and the PrometheusRule,
 * for the Prometheus' serviceMonitorSelector and ruleSelector (kube-prometheus-stack selects
 * `release: <its release name>`).
 */
export function readMonitoringLabels(values: readonly string[], problem: Problem): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const text of values) {
    const at = text.indexOf('=');
    const key = at < 0 ? text : text.slice(0, at);
    const value = at < 0 ? undefined : text.slice(at + 1);
    if (value === undefined || !LABEL_NAME.test(key) || !LABEL_VALUE.test(value)) {
      problem('MANIFEST_INVALID_VALUE', 'monitoring-label', `expected KEY=VALUE with a Kubernetes label name and value (e.g. release=kube-prometheus-stack), got ${JSON.stringify(text)}`);
    } else if (key in labels && labels[key] !== value) {
      problem('MANIFEST_CONFLICT', 'monitoring-label', `label ${key} given twice, as ${JSON.stringify(labels[key])} and ${JSON.stringify(value)}`);
    } else {
      labels[key] = value;
    }
  }
  return labels;
}

/** What the monitoring kinds need of the flags; the feature flags are not among them. */
export function checkMonitoring(kind: MonitoringKind, given: ReadonlySet<string>, admin: AdminAddress, problem: Problem): void {
  if (FIXED_KINDS.includes(kind)) {
    for (const flag of given) problem('MANIFEST_UNSUPPORTED', flag, `\`manifest ${kind}\` takes no flags: it is the same for every deployment`);
    return;
  }
  if (kind === 'servicemonitor' && admin.kind === 'loopback') {
    problem('MANIFEST_CONFLICT', 'admin-address', 'Prometheus cannot scrape an endpoint on the node\'s loopback: give --admin-address node, as for the DaemonSet it scrapes');
  }
}
