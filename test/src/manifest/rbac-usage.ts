// What the speaker asks of the API server, found by running it: the DaemonSet's own environment
// (the generator's, resolved as the kubelet would) read by the daemon's loader, the daemon run in
// this process against the fake API server through a scenario that takes every code path that
// makes a call (Services announced and withdrawn, a status written, an invalid address that comes
// and goes, a Service deleted with its Lease, the Leases won and released), and each request the
// fake saw turned into the RBAC (group, resource, verb, namespace) it needs.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1PolicyRule } from '@kubernetes/client-node';
import { pino } from 'pino';
import type { Announcer } from '../../../src/arp/announcer.js';
import { configFromEnv } from '../../../src/config/index.js';
import { Daemon } from '../../../src/daemon.js';
import { type RbacObject, buildRbac } from '../../../src/manifest/index.js';
import { FakeApiServer, type RecordedRequest } from '../../support/fake-apiserver/index.js';
import { LivezServer, makeCertificate } from '../../support/livez.js';
import { MemoryInterface } from '../../support/memory-interface.js';
import { until } from '../../support/wait.js';
import { endpointSlice, service } from '../kubernetes/fixtures.js';
import { container, options, resolveEnv } from './helpers.js';

/** One permission: `verb` on `group/resource` in `namespace` (undefined: cluster-wide). */
export interface Access {
  group: string;
  resource: string;
  verb: string;
  namespace?: string;
}

/** A grant of the manifest, with the object that makes it. */
export interface Grant extends Access {
  from: string;
}

export const describeAccess = (a: Access) => `${a.verb} ${a.group === '' ? '' : `${a.group}/`}${a.resource}${a.namespace === undefined ? ' (all namespaces)' : ` in ${a.namespace}`}`;

/** The RBAC verb and resource a request needs (kube-apiserver's RequestInfo); undefined for a non-resource URL. */
export function accessOf(r: Pick<RecordedRequest, 'method' | 'path' | 'query'>): Access | undefined {
  const parts = r.path.split('/').filter((p) => p !== '');
  let group: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length > 2) [group, rest] = ['', parts.slice(2)];
  else if (parts[0] === 'apis' && parts.length > 3) [group, rest] = [parts[1]!, parts.slice(3)];
  else return undefined;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length > 2) [namespace, rest] = [rest[1], rest.slice(2)];
  const [resource = '', name, subresource] = rest;
  const watch = r.query.watch === 'true' || r.query.watch === '1';
  const verb = { GET: name ? 'get' : watch ? 'watch' : 'list', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: name ? 'delete' : 'deletecollection' }[r.method] ?? r.method.toLowerCase();
  return { group, resource: subresource ? `${resource}/${subresource}` : resource, verb, ...(namespace !== undefined ? { namespace } : {}) };
}

/** Every (group, resource, verb, scope) the manifest's roles grant. */
export function grantsOf(objects: RbacObject[]): Grant[] {
  const grants: Grant[] = [];
  for (const o of objects) {
    if (o.kind !== 'Role' && o.kind !== 'ClusterRole') continue;
    const namespace = o.kind === 'Role' ? o.metadata?.namespace : undefined;
    for (const rule of ((o as { rules?: V1PolicyRule[] }).rules ?? [])) {
      for (const group of rule.apiGroups ?? []) for (const resource of rule.resources ?? []) for (const verb of rule.verbs) {
        grants.push({ from: `${o.kind} ${o.metadata?.name}`, group, resource, verb, ...(namespace !== undefined ? { namespace } : {}) });
      }
    }
  }
  return grants;
}

/** Whether the grant allows the access: a Role in its namespace only, a ClusterRole anywhere. */
export const allows = (g: Access, a: Access) => g.group === a.group && g.resource === a.resource && g.verb === a.verb && (g.namespace === undefined || g.namespace === a.namespace);

/** Records what would go on the wire in ARP mode. */
function silentAnnouncer(): Announcer {
  return {
    interface: 'eth0',
    open: () => undefined,
    announce: async () => undefined,
    refresh: () => ({ stop: () => undefined, lastError: undefined }) as unknown as ReturnType<Announcer['refresh']>,
    close: () => undefined,
  };
}

/** The node name helpers.ts resolveEnv gives spec.nodeName. */
const NODE = 'node-1';
const VIP = '203.0.113.30';

/**
 * Runs the DaemonSet of `args` through the scenario; returns every access its requests needed,
 * and the manifest's grants for the same flags.
 */
export async function observe(args: string[]): Promise<{ used: Access[]; grants: Grant[] }> {
  const o = options(args, 'daemonset');
  const dir = mkdtempSync(join(tmpdir(), 'vs-rbac-'));
  const api = new FakeApiServer();
  let local: LivezServer | undefined;
  let daemon: Daemon | undefined;
  try {
    await api.start();
    // With --controlplane the local API server answers /livez over TLS and carries the
    // control-plane Lease: the same fake behind a TLS front with kubeadm's names.
    let server = api.url;
    let ca = '';
    if (o.controlPlane) {
      const tls = makeCertificate(dir, 'apiserver');
      local = new LivezServer(tls, api.url);
      await local.listen();
      server = `https://127.0.0.1:${local.port}`;
      ca = `, certificate-authority-data: ${Buffer.from(readFileSync(tls.cert)).toString('base64')}`;
    }
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config', 'current-context: c',
      `clusters: [{ name: k, cluster: { server: "${server}"${o.controlPlane ? ca : ', insecure-skip-tls-verify: true'} } }]`,
      'users: [{ name: u, user: { token: fake-token } }]',
      'contexts: [{ name: c, context: { cluster: k, user: u } }]',
    ].join('\n'));
    // The DaemonSet's variables, with the kubeconfig in place of the service account (the same API).
    const env = { ...resolveEnv(container(args).env ?? []), k8s_config_file: kubeconfig, ...(local ? { port: String(local.port) } : {}) };
    const loaded = configFromEnv({ env, readFile: (p) => readFileSync(p, 'utf8'), listInterfaces: () => ({ eth0: [{ address: '192.0.2.2', family: 'IPv4', internal: false }] }) });
    assert.ok(loaded.ok, loaded.ok ? '' : JSON.stringify(loaded.error));
    const config = loaded.value;
    config.admin.port = 0;
    // No BGP session: the peers are documentation addresses nothing here may reach.
    config.peers = [];
    if (o.controlPlane) config.kubernetes.controlPlaneCheckInterval = 0.2;

    if (o.services) {
      api.create('Service', service('shop', 'web', { annotations: { 'kube-vip.io/loadbalancerIPs': VIP, 'kube-vip.io/allow-reconcile-without-endpoints': 'true' } }));
      api.create('Service', service('shop', 'local', { externalTrafficPolicy: 'Local', annotations: { 'kube-vip.io/loadbalancerIPs': '203.0.113.31' } }));
      api.create('EndpointSlice', endpointSlice('shop', 'local-1', 'local', [{ nodeName: NODE, ready: true }]));
      api.create('Service', service('shop', 'other', { loadBalancerClass: 'example.com/other-lb', annotations: { 'kube-vip.io/loadbalancerIPs': '203.0.113.32' } }));
    }
    if (o.nodeAnnotationPrefix !== undefined) api.create('Node', { metadata: { name: NODE, annotations: {} } });
    const iface = new MemoryInterface();
    daemon = new Daemon(config, { log: pino({ level: 'silent' }), addresses: iface, announcer: silentAnnouncer() });
    await daemon.start();

    if (o.controlPlane) await until('the control-plane VIP placed', () => iface.owned.has('192.0.2.10/32'), 15_000);
    if (o.services) await servicesScenario(api, iface, o.servicesElection || o.mode === 'arp');
    await daemon.stop();
    daemon = undefined;
    const used = api.requests.map(accessOf).filter((a): a is Access => a !== undefined);
    return { used, grants: grantsOf(buildRbac(options(args, 'rbac'))) };
  } finally {
    await daemon?.stop();
    await local?.close();
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every Service path that makes a call: status, Events and their series, a Service and its Lease deleted. */
async function servicesScenario(api: FakeApiServer, iface: MemoryInterface, ownLease: boolean): Promise<void> {
  const ingress = (name: string) => ((api.get('Service', { namespace: 'shop', name }) as { status?: { loadBalancer?: { ingress?: unknown[] } } } | undefined)?.status?.loadBalancer?.ingress ?? []).length;
  const invalid = () => (api.list('Event') as unknown as Array<{ reason: string; series?: { count: number } }>).filter((e) => e.reason === 'InvalidAddress');
  await until('the status written', () => ingress('web') > 0, 15_000);
  await until('the VIP placed', () => iface.owned.has(`${VIP}/32`), 15_000);
  // An invalid address that comes, goes and comes back: an Event, then its series.
  const annotate = (value: string) => api.patch('Service', { namespace: 'shop', name: 'web' }, { metadata: { annotations: { 'kube-vip.io/loadbalancerIPs': value } } });
  annotate(`${VIP},not-an-address`);
  await until('the InvalidAddress Event', () => invalid().length === 1, 15_000);
  annotate(VIP);
  annotate(`${VIP},not-an-address`);
  await until('its series', () => invalid()[0]?.series?.count === 2, 15_000);
  // A Service with a Lease of its own goes, and its Lease with it.
  const ownLeases = () => api.list('Lease', 'shop').map((l) => l.metadata.name);
  // Per-Service election, and in ARP mode a Local-policy Service: a Lease of its own, renewed
  // once (an update) before the Service goes.
  if (ownLease) {
    const lease = () => api.get('Lease', { namespace: 'shop', name: 'kubevip-local' });
    await until('the Service\'s own Lease', () => lease() !== undefined, 15_000);
    const first = lease()!.metadata.resourceVersion;
    await until('its renewal', () => (lease()?.metadata.resourceVersion ?? first) !== first, 15_000);
  }
  api.delete('Service', { namespace: 'shop', name: 'local' });
  await until('the Service\'s Lease deleted', () => !ownLeases().includes('kubevip-local'), 15_000);
}
