// Where the API server is and who we are to it. Credentials come from a kubeconfig file when
// one is given (kubernetes.kubeconfig, kube-vip's k8s_config_file), else from the files KUBECONFIG
// lists (merged, the first one's context current, as kubectl and client-go do), else from the pod's
// service account, as client-go's rest.InClusterConfig reads it. kubernetes.apiServerAddress
// (kube-vip's kubernetes_addr) then replaces the API server's URL, whichever they came from. This node's name comes from
// kubernetes.nodeName (kube-vip's vip_nodename), else NODE_NAME (manifests set it from the
// downward API's spec.nodeName), else the hostname as the kubelet takes it (lower case).
import { existsSync, readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { hostname } from 'node:os';
import { delimiter, join } from 'node:path';
import { type ConfigurationOptions, KubeConfig, Observable, type ObservableMiddleware } from '@kubernetes/client-node';
import { fail, ok, type Result } from '../result.js';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export type KubeClientErrorCode =
  | 'KUBE_NO_CREDENTIALS'
  | 'KUBE_NO_API_SERVER_ADDRESS'
  | 'KUBE_KUBECONFIG_UNREADABLE'
  | 'KUBE_KUBECONFIG_INVALID'
  | 'KUBE_KUBECONFIG_NO_CLUSTER';

/** Why no client can be made; the message says what to set. */
export class KubeClientError extends Error {
  override name = 'KubeClientError';
  constructor(
    readonly code: KubeClientErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** What loading reads from the host, injected so that tests choose it. */
export interface ClientHost {
  env: Readonly<Record<string, string | undefined>>;
  /** The service account's token, ca.crt and namespace live here. */
  serviceAccountDir: string;
  hostname: () => string;
}

export function systemClientHost(): ClientHost {
  return { env: process.env, serviceAccountDir: SERVICE_ACCOUNT_DIR, hostname };
}

export interface LoadedKubeConfig {
  kubeConfig: KubeConfig;
  source: 'kubeconfig' | 'KUBECONFIG' | 'in-cluster';
  /** The API server's URL, for the start-up log line. */
  server: string;
}

export function loadKubeConfig(settings: { kubeconfig?: string; apiServerAddress?: string }, host: ClientHost = systemClientHost()): Result<LoadedKubeConfig, KubeClientError> {
  const fromEnv = (host.env.KUBECONFIG ?? '').split(delimiter).filter((p) => p !== '');
  const loaded = settings.kubeconfig !== undefined ? fromFiles([settings.kubeconfig], 'kubeconfig') : fromEnv.length > 0 ? fromFiles(fromEnv, 'KUBECONFIG') : inCluster(host);
  if (!loaded.ok || settings.apiServerAddress === undefined) return loaded;
  return ok({ ...loaded.value, kubeConfig: withServer(loaded.value.kubeConfig, settings.apiServerAddress), server: settings.apiServerAddress });
}

/** The files merged in order: the first one's current context wins, and a name given twice is an error. */
function fromFiles(paths: readonly string[], source: 'kubeconfig' | 'KUBECONFIG'): Result<LoadedKubeConfig, KubeClientError> {
  const kubeConfig = new KubeConfig();
  const from = source === 'KUBECONFIG' ? ` (from KUBECONFIG=${paths.join(delimiter)})` : '';
  for (const [i, path] of paths.entries()) {
    const one = i === 0 ? kubeConfig : new KubeConfig();
    try {
      // loadFromFile, not loadFromString: it resolves the file's relative certificate paths.
      one.loadFromFile(path);
      if (one !== kubeConfig) kubeConfig.mergeConfig(one, true);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'string' && code.startsWith('E')) {
        return fail(new KubeClientError('KUBE_KUBECONFIG_UNREADABLE', `cannot read the kubeconfig ${path}${from}: ${code}`));
      }
      return fail(new KubeClientError('KUBE_KUBECONFIG_INVALID', `the kubeconfig ${path}${from} is not a valid kubeconfig: ${(err as Error).message}`));
    }
  }
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) {
    const context = kubeConfig.getCurrentContext();
    return fail(new KubeClientError('KUBE_KUBECONFIG_NO_CLUSTER', `the kubeconfig ${paths.join(delimiter)}${from} has no cluster for its current context ${JSON.stringify(context ?? '')}`));
  }
  return ok({ kubeConfig, source, server: cluster.server });
}

/** The same credentials, with the current cluster's server replaced (kube-vip's kubernetes_addr). */
function withServer(kubeConfig: KubeConfig, server: string): KubeConfig {
  const current = kubeConfig.getCurrentCluster();
  const replaced = new KubeConfig();
  replaced.loadFromOptions({
    clusters: kubeConfig.clusters.map((c) => (c.name === current?.name ? { ...c, server } : c)),
    users: kubeConfig.users,
    contexts: kubeConfig.contexts,
    currentContext: kubeConfig.currentContext,
  });
  return replaced;
}

/** client-node's KubeConfig.loadFromCluster, with the environment and the directory injected. */
function inCluster(host: ClientHost): Result<LoadedKubeConfig, KubeClientError> {
  const dir = host.serviceAccountDir;
  const tokenFile = join(dir, 'token');
  if (!existsSync(tokenFile)) {
    return fail(new KubeClientError('KUBE_NO_CREDENTIALS', `no service account at ${dir}, no kubeconfig given and KUBECONFIG not set: run in a pod with a service account, or set KUBECONFIG or kubernetes.kubeconfig (kube-vip's k8s_config_file)`));
  }
  const caFile = join(dir, 'ca.crt');
  if (!existsSync(caFile)) {
    return fail(new KubeClientError('KUBE_NO_CREDENTIALS', `the service account at ${dir} has a token but no ca.crt to check the API server with`));
  }
  const address = host.env.KUBERNETES_SERVICE_HOST;
  const port = host.env.KUBERNETES_SERVICE_PORT;
  if (!address || !port) {
    return fail(new KubeClientError('KUBE_NO_API_SERVER_ADDRESS', `a service account is mounted at ${dir}, but KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set, so the API server's address is unknown: set kubernetes.kubeconfig instead`));
  }
  const scheme = ['80', '8080', '8001'].includes(port) ? 'http' : 'https';
  const server = `${scheme}://${isIPv6(address) ? `[${address}]` : address}:${port}`;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'inCluster', server, caFile, skipTLSVerify: false }],
    // The token file is read again for each request: projected tokens rotate.
    users: [{ name: 'inClusterUser', authProvider: { name: 'tokenFile', config: { tokenFile } } }],
    contexts: [{ name: 'inClusterContext', cluster: 'inCluster', user: 'inClusterUser' }],
    currentContext: 'inClusterContext',
  });
  return ok({ kubeConfig, source: 'in-cluster', server });
}

/** The pod's own namespace, as its service account says; undefined out of a pod. */
export function podNamespace(host: Pick<ClientHost, 'serviceAccountDir'> = systemClientHost()): string | undefined {
  try {
    const text = readFileSync(join(host.serviceAccountDir, 'namespace'), 'utf8').trim();
    return text === '' ? undefined : text;
  } catch {
    return undefined;
  }
}

export interface NodeName {
  name: string;
  /** Where it came from, for the start-up log line. */
  source: 'config' | 'NODE_NAME' | 'hostname';
}

export function resolveNodeName(settings: { nodeName?: string }, host: Pick<ClientHost, 'env' | 'hostname'> = systemClientHost()): NodeName {
  if (settings.nodeName) return { name: settings.nodeName, source: 'config' };
  const fromEnv = host.env.NODE_NAME?.trim();
  if (fromEnv) return { name: fromEnv.toLowerCase(), source: 'NODE_NAME' };
  // The kubelet registers the node under its lower-cased hostname unless told otherwise.
  return { name: host.hostname().trim().toLowerCase(), source: 'hostname' };
}

/**
 * Options for a typed client-node call that tie it to `signal`: aborting ends the request in
 * flight (the RequestContext carries the signal through to node-fetch).
 */
export function abortable(signal: AbortSignal): ConfigurationOptions<ObservableMiddleware> {
  const middleware: ObservableMiddleware = {
    pre: (context) => {
      context.setSignal(signal);
      return new Observable(Promise.resolve(context));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
  return { middleware: [middleware], middlewareMergeStrategy: 'append' };
}

/** The name every kubeadm, k3s and Kubespray API server certificate carries (kube-vip relies on it too). */
export const API_SERVER_CERTIFICATE_NAME = 'kubernetes';

/**
 * The same credentials, aimed at this node's own API server (https://127.0.0.1:port, the
 * certificate checked against `kubernetes`). The control-plane VIP's election must not go
 * through the VIP it elects a holder for: before any node holds it (kubeadm init, or every
 * control-plane node restarted at once) nothing answers there. kube-vip does the same
 * (`kubernetes:<port>` mapped to 127.0.0.1).
 */
export function localApiServerConfig(kubeConfig: KubeConfig, port: number): KubeConfig {
  const current = kubeConfig.getCurrentCluster();
  const local = new KubeConfig();
  local.loadFromOptions({
    clusters: kubeConfig.clusters.map((c) => (c.name === current?.name ? { ...c, server: `https://127.0.0.1:${port}`, tlsServerName: API_SERVER_CERTIFICATE_NAME } : c)),
    users: kubeConfig.users,
    contexts: kubeConfig.contexts,
    currentContext: kubeConfig.currentContext,
  });
  return local;
}
