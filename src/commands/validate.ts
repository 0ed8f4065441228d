// `vip-speaker validate [--config FILE]`: checks a file (or, without one, the kube-vip
// environment) without touching the network or the host. One line per error; exit 2 on any. In
// env mode it lists every kube-vip variable set: used, used differently (how), or not used (why).
import { describeKubeVipAccount, formatErrors, resolveConfig } from '../config/index.js';

export function validateCommand(configPath: string | undefined, out: (line: string) => void, err: (line: string) => void): number {
  const loaded = resolveConfig(configPath !== undefined ? { configPath } : {});
  if (!loaded.ok) {
    for (const line of formatErrors(loaded.error)) err(line);
    err(`${loaded.error.length} error(s)`);
    return 2;
  }
  const { config, notes, source, kubeVip } = loaded.value;
  for (const note of notes) out(`note: ${note}`);
  for (const warning of loaded.value.warnings) out(`warning: ${warning}`);
  // Every kube-vip variable found, accounted for: a migrated manifest shows each of its settings.
  if (source.kind === 'env') {
    out(`kube-vip variables: ${kubeVip.length} found`);
    for (const account of kubeVip) out(`  ${describeKubeVipAccount(account)}`);
  }
  out(
    `ok: ${source.kind === 'file' ? source.path : 'environment'}: mode ${config.mode}, AS ${config.node.asn}, router ID ${config.node.routerId}, ` +
      `${config.peers.length} peer(s), ${config.vips.static.length} static VIP(s) on ${config.vips.interface}`,
  );
  return 0;
}
