// `kubernetes.client`: how hard vip-speaker may press the API server, as a client-go rest.Config
// says it (QPS, Burst) plus the connections client-node may open (it speaks HTTP/1.1, one request
// per connection at a time, where client-go multiplexes one HTTP/2 connection).
import { childPath, shown } from './errors.js';
import type { Reader } from './reader.js';
import type { KubeClientSettings } from './types.js';
import { ok } from '../result.js';
import { checkInteger, invalid, type Checked } from './values.js';

export const KUBE_CLIENT_KEYS = ['qps', 'burst', 'maxConnections'] as const;

/**
 * kube-vip's client settings (pkg/k8s/client.go restConfig sets QPS 100 and Burst 250; client-go's
 * own defaults are 5 and 10), and a few keep-alive connections.
 */
export const KUBE_CLIENT_DEFAULTS: Readonly<KubeClientSettings> = { qps: 100, burst: 250, maxConnections: 4 };

const MAX_QPS = 10_000;
const MAX_BURST = 100_000;
const MAX_CONNECTIONS = 256;

/** The section, its absent keys filled in. */
export function kubeClientSettings(settings: { client?: Partial<KubeClientSettings> }): KubeClientSettings {
  return { ...KUBE_CLIENT_DEFAULTS, ...settings.client };
}

function checkQps(value: unknown): Checked<number> {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= MAX_QPS) return ok(value);
  return invalid(`expected requests per second, more than 0 and at most ${MAX_QPS} (fractions allowed), got ${shown(value)}`);
}

/** Only the keys given; `kubeClientSettings()` fills in the rest. Undefined when the section is absent. */
export function readKubeClient(reader: Reader, value: unknown): Partial<KubeClientSettings> | undefined {
  if (value === undefined) return undefined;
  const path = 'kubernetes.client';
  const section = reader.mapping(value, path, KUBE_CLIENT_KEYS) ?? {};
  const settings: Partial<KubeClientSettings> = {};
  const qps = reader.check(section.qps, childPath(path, 'qps'), checkQps);
  if (qps !== undefined) settings.qps = qps;
  const burst = reader.check(section.burst, childPath(path, 'burst'), (v) => checkInteger(v, 1, MAX_BURST, 'requests at once after a quiet time,'));
  if (burst !== undefined) settings.burst = burst;
  const connections = reader.check(section.maxConnections, childPath(path, 'maxConnections'), (v) => checkInteger(v, 1, MAX_CONNECTIONS, 'requests in flight (keep-alive connections),'));
  if (connections !== undefined) settings.maxConnections = connections;
  return settings;
}
