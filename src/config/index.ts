// The daemon's configuration: a YAML file or kube-vip's environment variables, validated into
// one DaemonConfig. How the parts fit: file.ts and env.ts turn their input into one document
// shape; validate.ts (with peers.ts, peer-string.ts, arp.ts, values.ts, timers.ts) checks it and
// fills in defaults, collecting every error; load.ts picks the source; diff.ts compares two
// configs for a reload; redact.ts makes one safe to show; watch.ts notices a changed file
// however it was replaced; permissions.ts refuses files that others can write.
export type * from './types.js';
export { loadConfigFile, parseConfig, systemHost } from './file.js';
export { configFromEnv, hasKubeVipEnvironment, KUBE_VIP_DEFAULTS, KUBE_VIP_VARIABLES } from './env.js';
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
export { checkAsn, checkIp, checkVip, goParseUint, unusableAddress } from './values.js';
export { ConfigWatcher, DEFAULT_DEBOUNCE_MS, type ConfigWatcherEvents, type ConfigWatcherOptions } from './watch.js';
