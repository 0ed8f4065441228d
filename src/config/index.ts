// The daemon's configuration: a YAML file or kube-vip's environment variables, validated into
// one DaemonConfig. How the parts fit: file.ts and env.ts turn their input into one document
// shape; validate.ts (with peers.ts, peer-string.ts, arp.ts, values.ts, timers.ts) checks it and
// fills in defaults, collecting every error; load.ts picks the source; diff.ts compares two
// configs for a reload; redact.ts makes one safe to show; watch.ts notices a changed file
// however it was replaced; permissions.ts refuses files that others can write. kube-vip.ts and
// kube-vip-annotations.ts decide, name by name, what vip-speaker does with kube-vip's settings;
// env-kubernetes.ts and kubernetes-extra.ts read the Kubernetes-side ones.
export type * from './types.js';
export { loadConfigFile, parseConfig, systemHost } from './file.js';
export { configFromEnv, hasKubeVipEnvironment, GRACEFUL_RESTART_TIME_VARIABLE, GRACEFUL_RESTART_VARIABLE, KUBE_VIP_DEFAULTS, KUBE_VIP_VARIABLES } from './env.js';
export { resolveConfig, CONFIG_PATH_VARIABLE, LOG_FORMAT_VARIABLE, LOG_LEVEL_VARIABLE, type LoadedConfig } from './load.js';
export { buildConfig, DEFAULTS, KUBERNETES_DEFAULTS, kubernetesDefaults, TOP_LEVEL_KEYS } from './validate.js';
export { parsePeerString, splitPeerList, redactPeerString, PEER_STRING_FORMAT, type PeerStringFields } from './peer-string.js';
export { diffConfig, refuseRestartOnly, ReloadRefused, RESTART_ONLY, type ConfigDiff } from './diff.js';
export { redactConfig, describePeer, REDACTED } from './redact.js';
export { formatErrors } from './errors.js';
export { DEFAULT_MULTIHOP_TTL, checkInterfaceName } from './peers.js';
export { ARP_DEFAULTS, MAX_REFRESH_INTERVAL_MS, MIN_REFRESH_INTERVAL_MS, arpDefaults } from './arp.js';
export { KUBE_CLIENT_DEFAULTS, kubeClientSettings } from './kube-client.js';
// The value checks, for other readers of the same values (Service annotations, node annotations).
export { checkAsn, checkIp, checkVip, goParseUint, unusableAddress, unusablePeerAddress } from './values.js';
// kube-vip's names and what vip-speaker does with each: variables, Service and node annotations, labels.
export { accountKubeVipVariables, describeKubeVipAccount, kubeVipRefusals, kubeVipVariableSet, kubeVipWarning, KUBE_VIP_VARIABLE_NAMES, KUBE_VIP_VARIABLE_RULES, RETIRED_KUBE_VIP_VARIABLES, type KubeVipDecision, type KubeVipUse, type KubeVipVariableAccount } from './kube-vip.js';
export { KUBE_VIP_NODE_ANNOTATION_RULES, KUBE_VIP_SERVICE_ANNOTATION_RULES, NODE_LABEL_RULES, SERVICE_ANNOTATION_PREFIX, serviceAnnotationDecision, type AnnotationDecision, type AnnotationUse, type ServiceAnnotationContext } from './kube-vip-annotations.js';
export { KUBE_VIP_HEALTH_CHECK_DEFAULTS, WITHDRAW_WHEN_CORDONED_VARIABLE, WITHDRAW_WHEN_EXCLUDED_VARIABLE } from './env-kubernetes.js';
export { checkHttpUrl, leaseRef, parseLeaseName, type LeaseName } from './kubernetes-extra.js';
export { ConfigWatcher, DEFAULT_DEBOUNCE_MS, type ConfigWatcherEvents, type ConfigWatcherOptions } from './watch.js';
