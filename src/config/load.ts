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
import { fail, ok, type Result } from '../../bgp/index.js';
import { configError } from './errors.js';
import { configFromEnv, KUBE_VIP_VARIABLES } from './env.js';
import { loadConfigFile, systemHost } from './file.js';
import type { ConfigError, DaemonConfig, HostAccess, LogFormat, LogLevel } from './types.js';

export const CONFIG_PATH_VARIABLE = 'VIP_SPEAKER_CONFIG';
export const LOG_LEVEL_VARIABLE = 'VIP_SPEAKER_LOG_LEVEL';
export const LOG_FORMAT_VARIABLE = 'VIP_SPEAKER_LOG_FORMAT';

export interface LoadedConfig {
  config: DaemonConfig;
  source: { kind: 'file'; path: string } | { kind: 'env' };
  /** Things worth one log line at start: ignored variables, features parsed but not run. */
  notes: string[];
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
  if (path !== undefined) {
    const ignored = KUBE_VIP_VARIABLES.filter((name) => env[name] !== undefined && env[name] !== '');
    if (ignored.length > 0) notes.push(`the config file ${path} is the whole configuration: ignoring kube-vip's ${ignored.join(', ')}`);
  } else {
    if (env.bgp_routerid && env.bgp_routerinterface) notes.push('bgp_routerid and bgp_routerinterface are both set: bgp_routerid wins, as in kube-vip');
    if (!config.kubernetes.controlPlane && (env.address || env.vip_address)) notes.push('address is set but cp_enable is not true: ignored, as kube-vip does');
  }
  for (const peer of config.peers) {
    if (peer.bfd?.enabled) notes.push(`peer ${peer.address}: BFD is parsed but not run yet; the hold timer (${peer.holdTime ?? config.timers.holdTime} s) detects a dead peer`);
  }
  return ok({ config, source: path !== undefined ? { kind: 'file', path } : { kind: 'env' }, notes });
}
