// `vip-speaker manifest`: Kubernetes manifests for the speaker, from kube-vip-style flags.
//
// options.ts reads the flags into ManifestOptions, with mode.ts for which flags belong to BGP or
// ARP mode and monitoring-flags.ts for the monitoring kinds; container.ts, daemonset.ts, rbac.ts,
// static-pod.ts and monitoring.ts are pure builders of plain objects (typed with
// @kubernetes/client-node's and @kubernetes-models/prometheus-operator's models, so that a misspelt
// field fails to compile); yaml.ts prints them; command.ts ties them together. The alerting rules
// and the dashboard themselves are src/monitoring/'s.
export { MANIFEST_USAGE, MANIFEST_USAGE_LINE, formatManifestErrors, manifestCommand, renderManifest } from './command.js';
export { ADMIN_LOOPBACK, APP_NAME, NODE_IP_VARIABLE, TERMINATION_GRACE_SECONDS, probeHost, speakerContainer, speakerEnv, speakerSecurityContext } from './container.js';
export { CONTROL_PLANE_ROLES, buildDaemonSet, controlPlaneAffinity, controlPlaneTolerations, onControlPlaneOnly } from './daemonset.js';
export {
  DEFAULT_ADMIN_PORT,
  DEFAULT_IMAGE,
  MANIFEST_KINDS,
  defaultOptions,
  parseManifestArgs,
  type AdminAddress,
  type ManifestKind,
  type ManifestOptions,
} from './options.js';
export type { ManifestError, ManifestErrorCode } from './errors.js';
export { ARP_ONLY_FLAGS, BGP_ONLY_FLAGS, LEASE_DEFAULTS, LEASE_FLAGS, LEASE_JITTER_FACTOR, type SpeakerMode } from './mode.js';
export { SERVICE_LEASES_ROLE, buildRbac, clusterRules, hasOwnLeases, hasServiceLeases, leaseRules, serviceLeaseRules, type RbacObject } from './rbac.js';
export { STATIC_POD_PATH, SYSTEM_NODE_CRITICAL_PRIORITY, buildStaticPod } from './static-pod.js';
export { toYaml } from './yaml.js';
export { METRICS_PATH, METRICS_PORT_NAME, METRICS_SERVICE, buildMetricsService, buildPrometheusRule, buildServiceMonitor } from './monitoring.js';
export { MONITORING_KINDS, isMonitoringKind, readMonitoringLabels, type MonitoringKind } from './monitoring-flags.js';
