// Fuzz target: kube-vip's environment variables (and VIP_SPEAKER_LOG_*), read the way
// `vip-speaker run` reads them without a config file. The input picks variables and their
// values, often from a dictionary of values that mean something to some variable, so that the
// engine gets past the first checks. Any environment is a config or errors, never a throw.
import { KUBE_VIP_VARIABLE_NAMES, KUBE_VIP_VARIABLES, LOG_FORMAT_VARIABLE, LOG_LEVEL_VARIABLE, describeKubeVipAccount, resolveConfig } from '../../src/config/index.js';
import { assertConfigResult, fuzzHost } from '../support/config-checks.js';
import { FuzzInput } from '../support/input.js';

export const name = 'env';

// Every name kube-vip reads (kube-vip.ts's table), not only those env.ts reads itself.
const VARIABLES = [...new Set([...KUBE_VIP_VARIABLES, ...KUBE_VIP_VARIABLE_NAMES]), LOG_LEVEL_VARIABLE, LOG_FORMAT_VARIABLE];
const MAX_VARIABLES = 24;
const MAX_VALUE_BYTES = 96;

/** Values some variable accepts, or nearly does. */
const DICTIONARY = [
  '', 'true', 'false', '1', '0', 'T', 'FALSE', 'yes', '65000', '4200000000', '23456', '4294967296', '-1', '30', '3', '2', '10',
  '192.0.2.1', '198.51.100.7', '2001:db8::1', '192.0.2.10,2001:db8::10', '192.0.2.10/32', 'vip.example', 'eth0', 'lo', 'eth9',
  '192.0.2.1:65001::false', '192.0.2.1:65001:secret:true:179', '[2001:db8::1]:65001::false:179::true;300;300;3',
  '192.0.2.1:65001::false::mpbgp_nexthop=fixed;mpbgp_ipv4=198.51.100.7', '192.0.2.1,192.0.2.2', 'unnumbered:eth0',
  'fixed', 'auto_sourceip', 'auto_sourceif', ':2112', '127.0.0.1:2112', '[::1]:2112', '-4', '4', '8', 'debug', 'json', 'pretty',
  '32', '24', '/32,/128', '128', 'kube-system', 'kube-vip.io', 'kube-vip.io/lb', '5', '15', '3000', '100', '/etc/kubeconfig',
  'auto', 'ops/cp-lock', 'a/b/c', 'https://127.0.0.1:6443/livez', 'kubernetes:6443', '8081', '1023', '6443',
];

export function fuzz(data: Uint8Array): void {
  const input = new FuzzInput(data);
  const env: Record<string, string> = {};
  const count = input.int(MAX_VARIABLES);
  for (let i = 0; i < count && input.remaining > 0; i++) {
    const variable = input.pick(VARIABLES);
    env[variable] = input.boolean() ? input.pick(DICTIONARY) : input.string(MAX_VALUE_BYTES);
  }
  // The secret for bgp_peerpass is the fake host's, so that a leak shows.
  if (env.bgp_peerpass !== undefined) env.bgp_peerpass = 'FUZZSECRET-peerpass';
  const loaded = resolveConfig({ host: fuzzHost(env) });
  assertConfigResult(loaded.ok ? { ok: true, value: loaded.value.config } : loaded);
  // validate's listing shows names and decisions, never a value (bgp_peerpass is a password).
  if (loaded.ok && loaded.value.kubeVip.map(describeKubeVipAccount).join('\n').includes('FUZZSECRET')) throw new Error('the kube-vip listing shows a password');
}
