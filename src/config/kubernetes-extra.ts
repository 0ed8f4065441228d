// The `kubernetes` keys that carry kube-vip's finer settings: lease names, the Services' namespace
// and interface, the status switch, the API server's address, the control-plane health check,
// node labels and node drain. validate.ts reads the rest of the section.
import { childPath } from './errors.js';
import { checkInterfaceName } from './peers.js';
import type { Reader } from './reader.js';
import type { KubernetesSettings } from './types.js';
import { type Checked, checkDnsLabel, checkInteger, invalid } from './values.js';

export const KUBERNETES_EXTRA_KEYS = [
  'controlPlaneCheckUrl', 'controlPlaneCheckTimeout', 'controlPlaneCheckFailureThreshold', 'controlPlaneCheckCaFile',
  'apiServerAddress', 'controlPlaneLease', 'servicesLease', 'servicesNamespace', 'writeServiceStatus', 'servicesInterface',
  'labelNode', 'withdrawWhenExcluded', 'withdrawWhenCordoned', 'namespaceFromPod',
] as const;

/** The longest wait between two control-plane probes, and for one (an hour). */
const MAX_CHECK_SECONDS = 3600;
const MAX_FAILURE_THRESHOLD = 1000;

export interface LeaseName {
  /** Absent: the namespace the caller defaults to. */
  namespace?: string;
  name: string;
}

/** A Lease name is a DNS subdomain (RFC 1123, at most 253 characters). */
const LEASE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** kube-vip's "[namespace/]name" (pkg/lease NamespaceName and ServiceName): a namespace before a "/". */
export function parseLeaseName(value: unknown): Checked<LeaseName> {
  const text = typeof value === 'string' ? value.trim() : undefined;
  const expected = 'a Lease name, "name" or "namespace/name" (lower-case letters, digits, "-" and ".")';
  if (text === undefined) return invalid(`expected ${expected}, got ${JSON.stringify(value)}`);
  const parts = text.split('/');
  if (parts.length > 2) return invalid(`expected ${expected}, got ${JSON.stringify(text)}: more than one "/"`);
  const name = parts[parts.length - 1]!;
  if (name.length > 253 || !LEASE_NAME.test(name)) return invalid(`expected ${expected}, got ${JSON.stringify(text)}`);
  if (parts.length === 1) return { ok: true, value: { name } };
  const namespace = checkDnsLabel(parts[0]);
  if (!namespace.ok) return namespace;
  return { ok: true, value: { namespace: namespace.value, name } };
}

/**
 * An http or https URL; "host:port" alone means https, as client-go reads a bare host. Returned
 * without a trailing "/" when it has no path.
 */
export function checkHttpUrl(value: unknown, what: string): Checked<string> {
  const text = typeof value === 'string' ? value.trim() : '';
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return invalid(`expected ${what} (https://host:port, or host:port), got ${JSON.stringify(value)}`);
  }
  if (text === '' || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.hostname === '') {
    return invalid(`expected ${what} (https://host:port, or host:port), got ${JSON.stringify(value)}`);
  }
  return { ok: true, value: url.pathname === '/' && !text.endsWith('/') ? url.origin : url.href };
}

/** Seconds, whole or not (YAML number or a string of digits), within [min, max]. */
function checkSeconds(value: unknown, min: number, what: string): Checked<number> {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isFinite(n) || n < min || n > MAX_CHECK_SECONDS) return invalid(`expected ${what} in seconds, ${min} to ${MAX_CHECK_SECONDS}, got ${JSON.stringify(value)}`);
  return { ok: true, value: n };
}

/** Reads the keys above into `settings`; absent keys stay absent (their defaults are documented in types.ts). */
export function readKubernetesExtra(reader: Reader, section: Record<string, unknown>, settings: KubernetesSettings): void {
  const at = (key: string) => childPath('kubernetes', key);
  const interval = section.controlPlaneCheckInterval;
  if (interval !== undefined) {
    const checked = reader.check(interval, at('controlPlaneCheckInterval'), (v) => checkSeconds(v, 0.1, 'the time between two probes'));
    if (checked !== undefined) settings.controlPlaneCheckInterval = checked;
  }
  const timeout = reader.check(section.controlPlaneCheckTimeout, at('controlPlaneCheckTimeout'), (v) => checkSeconds(v, 0.1, 'the time to wait for a probe'));
  if (timeout !== undefined) {
    const every = settings.controlPlaneCheckInterval ?? 1;
    if (timeout > every) reader.report('CONFIG_CONFLICT', at('controlPlaneCheckTimeout'), `must be at most controlPlaneCheckInterval (${every} s), so that probes never overlap; got ${timeout} s`);
    else settings.controlPlaneCheckTimeout = timeout;
  }
  const threshold = reader.check(section.controlPlaneCheckFailureThreshold, at('controlPlaneCheckFailureThreshold'), (v) => checkInteger(v, 1, MAX_FAILURE_THRESHOLD, 'failures in a row'));
  if (threshold !== undefined) settings.controlPlaneCheckFailureThreshold = threshold;
  const url = reader.check(section.controlPlaneCheckUrl, at('controlPlaneCheckUrl'), (v) => checkHttpUrl(v, 'the URL of the control-plane health check'));
  if (url !== undefined) settings.controlPlaneCheckUrl = url;
  const ca = reader.string(section.controlPlaneCheckCaFile, at('controlPlaneCheckCaFile'), { nonEmpty: true });
  if (ca !== undefined) settings.controlPlaneCheckCaFile = ca;
  const address = reader.check(section.apiServerAddress, at('apiServerAddress'), (v) => checkHttpUrl(v, 'the API server\'s address'));
  if (address !== undefined) settings.apiServerAddress = address;

  for (const key of ['controlPlaneLease', 'servicesLease'] as const) {
    const lease = reader.check(section[key], at(key), parseLeaseName);
    if (lease !== undefined) settings[key] = lease.namespace !== undefined ? `${lease.namespace}/${lease.name}` : lease.name;
  }
  const namespace = reader.check(section.servicesNamespace, at('servicesNamespace'), checkDnsLabel);
  if (namespace !== undefined) settings.servicesNamespace = namespace;
  const servicesInterface = reader.check(section.servicesInterface, at('servicesInterface'), checkInterfaceName);
  if (servicesInterface !== undefined) settings.servicesInterface = servicesInterface;

  // Stored only when they differ from the default, as the other defaulted keys.
  if (reader.boolean(section.writeServiceStatus, at('writeServiceStatus')) === false) settings.writeServiceStatus = false;
  if (reader.boolean(section.labelNode, at('labelNode')) === true) settings.labelNode = true;
  if (reader.boolean(section.withdrawWhenExcluded, at('withdrawWhenExcluded')) === false) settings.withdrawWhenExcluded = false;
  if (reader.boolean(section.withdrawWhenCordoned, at('withdrawWhenCordoned')) === true) settings.withdrawWhenCordoned = true;
  if (reader.boolean(section.namespaceFromPod, at('namespaceFromPod')) === true) settings.namespaceFromPod = true;
}

/** The lease a setting names, with `namespace` when it names none. */
export function leaseRef(setting: string | undefined, fallbackName: string, namespace: string): { namespace: string; name: string } {
  if (setting === undefined) return { namespace, name: fallbackName };
  const slash = setting.indexOf('/');
  return slash < 0 ? { namespace, name: setting } : { namespace: setting.slice(0, slash), name: setting.slice(slash + 1) };
}
