// Where the configuration comes from, in one place:
//
// 1. a config file, when one is given (`--config FILE`, or VIP_SPEAKER_CONFIG): the file is the
//    whole configuration, and kube-vip's variables are ignored (each one set is named in a note,
//    so that nobody wonders why bgp_peers had no effect);
// 2. otherwise kube-vip's environment variables alone (env.ts);
// 3. then, whichever it was, VIP_SPEAKER_LOG_LEVEL and VIP_SPEAKER_LOG_FORMAT, so that debug
//    logging can be turned on without editing a ConfigMap.
//
// Nothing is merged field by field: one source per run is easy to reason about.
import { fail, ok, type Result } from '../result.js';
import { configError } from './errors.js';
import { configFromEnv, GRACEFUL_RESTART_TIME_VARIABLE, GRACEFUL_RESTART_VARIABLE } from './env.js';
import { loadConfigFile, systemHost } from './file.js';
import { accountKubeVipVariables, KUBE_VIP_VARIABLE_NAMES, type KubeVipVariableAccount, kubeVipVariableSet } from './kube-vip.js';
import { passwordFieldWarnings } from './password-hints.js';
import { READABLE_BY_OTHERS } from './permissions.js';
import type { ConfigError, DaemonConfig, HostAccess, LogFormat, LogLevel } from './types.js';

export const CONFIG_PATH_VARIABLE = 'VIP_SPEAKER_CONFIG';
export const LOG_LEVEL_VARIABLE = 'VIP_SPEAKER_LOG_LEVEL';
export const LOG_FORMAT_VARIABLE = 'VIP_SPEAKER_LOG_FORMAT';

export interface LoadedConfig {
  config: DaemonConfig;
  source: { kind: 'file'; path: string } | { kind: 'env' };
  /** Things worth one log line at start: ignored variables, kube-vip behaviour we differ from. */
  notes: string[];
  /** Things worth a warning: a password file that every user of the node can read. */
  warnings: string[];
  /** env mode: each kube-vip variable set, with what vip-speaker does with it (kube-vip.ts); [] for a file. */
  kubeVip: KubeVipVariableAccount[];
}

export function resolveConfig(options: { configPath?: string; host?: HostAccess } = {}): Result<LoadedConfig, ConfigError[]> {
  const host = options.host ?? systemHost();
  const env = host.env;
  const path = options.configPath ?? (env[CONFIG_PATH_VARIABLE] || undefined);
  const loaded = path !== undefined ? loadConfigFile(path, host) : configFromEnv(host);
  if (!loaded.ok) return loaded;
  const config = loaded.value;
  const errors: ConfigError[] = [];

  const level = env[LOG_LEVEL_VARIABLE];
  if (level) {
    if ((['debug', 'info', 'warn', 'error'] as const).includes(level as LogLevel)) config.log.level = level as LogLevel;
    else errors.push(configError('CONFIG_INVALID_VALUE', LOG_LEVEL_VARIABLE, `expected one of "debug", "info", "warn", "error", got ${JSON.stringify(level)}`));
  }
  const format = env[LOG_FORMAT_VARIABLE];
  if (format) {
    if ((['json', 'pretty'] as const).includes(format as LogFormat)) config.log.format = format as LogFormat;
    else errors.push(configError('CONFIG_INVALID_VALUE', LOG_FORMAT_VARIABLE, `expected "json" or "pretty", got ${JSON.stringify(format)}`));
  }
  if (errors.length > 0) return fail(errors);

  const notes: string[] = [];
  // What each kube-vip variable does (or does not) is decided in kube-vip.ts, once.
  const kubeVip = path === undefined ? accountKubeVipVariables(env, config.mode) : [];
  if (path !== undefined) {
    const ignored = KUBE_VIP_VARIABLE_NAMES.filter((name) => kubeVipVariableSet(env, name));
    if (ignored.length > 0) notes.push(`the config file ${path} is the whole configuration: ignoring kube-vip's ${ignored.join(', ')}`);
    const ownIgnored = [GRACEFUL_RESTART_VARIABLE, GRACEFUL_RESTART_TIME_VARIABLE].filter((name) => env[name]);
    if (ownIgnored.length > 0) notes.push(`ignoring ${ownIgnored.join(', ')}: the config file's gracefulRestart section applies`);
  } else if (config.mode === 'arp') {
    notes.push(...arpEnvNotes(env));
  }
  const warnings: string[] = passwordFieldWarnings(config.peers);
  for (const peer of config.peers) {
    const mode = peer.passwordFile !== undefined ? host.fileMode?.(peer.passwordFile) : undefined;
    if (mode !== undefined && (mode & READABLE_BY_OTHERS) !== 0) {
      warnings.push(`the password file ${peer.passwordFile} of peer ${peer.address} is readable by every user of the node (mode ${mode.toString(8).padStart(4, '0')}): chmod o-r it (in a Secret volume, defaultMode: 0400)`);
    }
  }
  return ok({ config, source: path !== undefined ? { kind: 'file', path } : { kind: 'env' }, notes, warnings, kubeVip });
}

/** Where ARP mode from kube-vip's variables behaves otherwise than kube-vip would, or than one might think. */
function arpEnvNotes(env: HostAccess['env']): string[] {
  const notes: string[] = [];
  if (!env.vip_leaderelection) {
    notes.push('vip_leaderelection is not set: kube-vip would then run without leader election, every node holding the VIPs; vip-speaker elects one node (set vip_leaderelection=false for kube-vip\'s behaviour)');
  }
  return notes;
}
