// `vip-speaker validate [--config FILE]`: checks a file (or, without one, the kube-vip
// environment) without touching the network or the host. One line per error; exit 2 on any.
import { formatErrors, resolveConfig } from '../config/index.js';

export function validateCommand(configPath: string | undefined, out: (line: string) => void, err: (line: string) => void): number {
  const loaded = resolveConfig(configPath !== undefined ? { configPath } : {});
  if (!loaded.ok) {
    for (const line of formatErrors(loaded.error)) err(line);
    err(`${loaded.error.length} error(s)`);
    return 2;
  }
  const { config, notes, source } = loaded.value;
  for (const note of notes) out(`note: ${note}`);
  out(
    `ok: ${source.kind === 'file' ? source.path : 'environment'}: mode ${config.mode}, AS ${config.node.asn}, router ID ${config.node.routerId}, ` +
      `${config.peers.length} peer(s), ${config.vips.static.length} static VIP(s) on ${config.vips.interface}`,
  );
  return 0;
}
