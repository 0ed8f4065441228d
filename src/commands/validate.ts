// `vip-speaker validate [--config FILE]`: checks a file (or, without one, the kube-vip
// environment) without touching the network or the host. One line per error; exit 2 on any. In
// env mode it lists every kube-vip variable set: used, used differently (how), or not used (why).
// A password file or variable that does not exist here is a warning, not an error: validate may
// run where the secret is not mounted (a workstation, a fresh machine trying the example), while
// `run` still refuses to start without it.
import { type ConfigError, describeKubeVipAccount, formatErrors, resolveConfig, systemHost } from '../config/index.js';

export function validateCommand(configPath: string | undefined, out: (line: string) => void, err: (line: string) => void): number {
  const missingSecrets: ConfigError[] = [];
  const host = { ...systemHost(), deferMissingSecret: (problem: ConfigError) => void missingSecrets.push(problem) };
  const loaded = resolveConfig(configPath !== undefined ? { configPath, host } : { host });
  if (!loaded.ok) {
    for (const line of formatErrors(loaded.error)) err(line);
    err(`${loaded.error.length} error(s)`);
    return 2;
  }
  const { config, notes, warnings, source, kubeVip } = loaded.value;
  for (const note of notes) out(`note: ${note}`);
  for (const warning of warnings) out(`warning: ${warning}`);
  const file = source.kind === 'file' ? source.path : undefined;
  for (const line of formatErrors(missingSecrets.map((e) => (file !== undefined ? { ...e, file } : e)))) out(`warning: ${line}`);
  // Every kube-vip variable found, accounted for: a migrated manifest shows each of its settings.
  if (source.kind === 'env') {
    out(`kube-vip variables: ${kubeVip.length} found`);
    for (const account of kubeVip) out(`  ${describeKubeVipAccount(account)}`);
  }
  out(
    `ok: ${file ?? 'environment'}: mode ${config.mode}, AS ${config.node.asn}, router ID ${config.node.routerId}, ` +
      `${config.peers.length} peer(s), ${config.vips.static.length} static VIP(s) on ${config.vips.interface}` +
      (missingSecrets.length ? `; ${missingSecrets.length} password(s) missing on this machine (see the warnings)` : ''),
  );
  return 0;
}
