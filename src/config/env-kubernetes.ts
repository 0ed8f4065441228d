// The kube-vip variables that tune the Kubernetes side, read into the same document shape as the
// config file (env.ts reads the rest): lease names, the Service status, the Services' namespace and
// interface, the local API server's address and health check, node labels, the health port.
// Parsing follows kube-vip's config_environment.go: "" counts as unset, booleans are Go's
// strconv.ParseBool, numbers strconv.ParseInt; what each one does is decided in kube-vip.ts.
import { configError } from './errors.js';
import type { ConfigError, HostAccess, Mode } from './types.js';
import { goParseBool } from './values.js';

type Env = HostAccess['env'];

/** kube-vip's flag defaults for its control-plane health check (cmd/kube-vip.go), used once its address is set. */
export const KUBE_VIP_HEALTH_CHECK_DEFAULTS = { periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 } as const;
/** kube-vip refuses a health_check_port under this (config_environment.go). */
export const KUBE_VIP_MIN_HEALTH_CHECK_PORT = 1024;
/** vip-speaker's own switch, read in env mode: withdraw this node's Service VIPs while it is cordoned. */
export const WITHDRAW_WHEN_CORDONED_VARIABLE = 'VIP_SPEAKER_WITHDRAW_WHEN_CORDONED';
/**
 * vip-speaker's own switch, read in env mode: "false" ignores node.kubernetes.io/exclude-from-external-load-balancers,
 * as kube-vip does (kubeadm puts the label on every control-plane node).
 */
export const WITHDRAW_WHEN_EXCLUDED_VARIABLE = 'VIP_SPEAKER_WITHDRAW_WHEN_EXCLUDED';

/** Where each new document path came from, for error messages. */
export const KUBERNETES_EXTRA_NAMES: Readonly<Record<string, string>> = {
  'kubernetes.servicesNamespace': 'svc_namespace',
  'kubernetes.servicesLease': 'svc_leasename',
  'kubernetes.controlPlaneLease': 'vip_leasename',
  'kubernetes.writeServiceStatus': 'disable_service_updates',
  'kubernetes.servicesInterface': 'vip_servicesinterface',
  'kubernetes.apiServerAddress': 'kubernetes_addr',
  'kubernetes.controlPlaneCheckUrl': 'control_plane_health_check_address',
  'kubernetes.controlPlaneCheckInterval': 'control_plane_health_check_period_seconds',
  'kubernetes.controlPlaneCheckTimeout': 'control_plane_health_check_timeout_seconds',
  'kubernetes.controlPlaneCheckFailureThreshold': 'control_plane_health_check_failure_threshold',
  'kubernetes.controlPlaneCheckCaFile': 'control_plane_health_check_ca_path',
  'kubernetes.labelNode': 'enable_node_labeling',
  'kubernetes.withdrawWhenCordoned': WITHDRAW_WHEN_CORDONED_VARIABLE,
  'kubernetes.withdrawWhenExcluded': WITHDRAW_WHEN_EXCLUDED_VARIABLE,
  'admin.healthPort': 'health_check_port',
};

const read = (env: Env, name: string): string | undefined => (env[name] === '' ? undefined : env[name]);

/**
 * Adds to `kubernetes` (the document's section) and `doc` what these variables say. `names` maps a
 * document path to the variable it came from, for the variable-named errors of env mode.
 */
export function readKubernetesVariables(env: Env, mode: Mode, doc: Record<string, unknown>, kubernetes: Record<string, unknown>, errors: ConfigError[], names: Map<string, string>): void {
  for (const [path, name] of Object.entries(KUBERNETES_EXTRA_NAMES)) names.set(path, name);
  const bool = (name: string): boolean | undefined => {
    const text = read(env, name);
    if (text === undefined) return undefined;
    const value = goParseBool(text);
    if (value === undefined) errors.push(configError('CONFIG_INVALID_VALUE', name, `expected a boolean as Go's strconv.ParseBool reads it (true, false, 1, 0, ...), got ${JSON.stringify(text)}`));
    return value;
  };
  const int = (name: string): number | undefined => {
    const text = read(env, name);
    if (text === undefined) return undefined;
    if (!/^[+-]?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
      errors.push(configError('CONFIG_INVALID_VALUE', name, `expected a whole number as kube-vip's strconv.ParseInt reads it, got ${JSON.stringify(text)}`));
      return undefined;
    }
    return Number(text);
  };
  const text = (name: string, key: string): void => {
    const value = read(env, name);
    if (value !== undefined) kubernetes[key] = value;
  };

  // kube-vip puts its Leases in the pod's own namespace, cp_namespace only out of a pod (pkg/lease NamespaceName).
  kubernetes.namespaceFromPod = true;
  text('vip_leasename', 'controlPlaneLease');
  // kube-vip reads these two only when svc_enable is set at all, as the class settings.
  if (read(env, 'svc_enable') !== undefined) {
    text('svc_namespace', 'servicesNamespace');
    text('svc_leasename', 'servicesLease');
  }
  if (bool('disable_service_updates') === true) kubernetes.writeServiceStatus = false;
  if (bool('enable_node_labeling') === true) kubernetes.labelNode = true;
  if (bool(WITHDRAW_WHEN_CORDONED_VARIABLE) === true) kubernetes.withdrawWhenCordoned = true;
  if (bool(WITHDRAW_WHEN_EXCLUDED_VARIABLE) === false) kubernetes.withdrawWhenExcluded = false;
  text('kubernetes_addr', 'apiServerAddress');

  // Where Service VIPs go: ARP mode always puts them on an interface; BGP mode only with
  // bgp_attach_ip_to_interface (kube-vip adds them to no interface otherwise; vip-speaker to lo).
  const attach = bool('bgp_attach_ip_to_interface') === true;
  const servicesInterface = read(env, 'vip_servicesinterface');
  if (servicesInterface !== 'auto') {
    if (mode === 'arp' && servicesInterface !== undefined) kubernetes.servicesInterface = servicesInterface;
    if (mode === 'bgp' && attach) kubernetes.servicesInterface = servicesInterface ?? read(env, 'vip_interface') ?? 'lo';
  }

  // kube-vip's health check runs only with its address; the other knobs then default to its flags.
  // vip-speaker always probes the local API server, so they tune that probe when set alone.
  if (goParseBool(read(env, 'cp_enable') ?? '') === true) {
    const url = read(env, 'control_plane_health_check_address');
    const period = int('control_plane_health_check_period_seconds');
    const timeout = int('control_plane_health_check_timeout_seconds');
    const threshold = int('control_plane_health_check_failure_threshold');
    const defaults = url !== undefined ? KUBE_VIP_HEALTH_CHECK_DEFAULTS : undefined;
    if (url !== undefined) kubernetes.controlPlaneCheckUrl = url;
    const interval = period ?? defaults?.periodSeconds;
    if (interval !== undefined) kubernetes.controlPlaneCheckInterval = interval;
    const wait = timeout ?? defaults?.timeoutSeconds;
    if (wait !== undefined) kubernetes.controlPlaneCheckTimeout = wait;
    const failures = threshold ?? defaults?.failureThreshold;
    if (failures !== undefined) kubernetes.controlPlaneCheckFailureThreshold = failures;
    text('control_plane_health_check_ca_path', 'controlPlaneCheckCaFile');
  }

  const port = int('health_check_port');
  if (port !== undefined) {
    if (port < KUBE_VIP_MIN_HEALTH_CHECK_PORT) errors.push(configError('CONFIG_INVALID_VALUE', 'health_check_port', `expected a port of at least ${KUBE_VIP_MIN_HEALTH_CHECK_PORT}, as kube-vip requires, got ${port}`));
    else {
      const admin = (doc.admin as Record<string, unknown> | undefined) ?? {};
      admin.healthPort = port;
      doc.admin = admin;
    }
  }
}
