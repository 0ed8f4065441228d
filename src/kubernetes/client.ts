// Where the API server is and who we are to it. Credentials come from a kubeconfig file when
// one is given (kubernetes.kubeconfig, kube-vip's k8s_config_file), else from the pod's service
// account, as client-go's rest.InClusterConfig reads it. This node's name comes from
// kubernetes.nodeName (kube-vip's vip_nodename), else NODE_NAME (manifests set it from the
// downward API's spec.nodeName), else the hostname as the kubelet takes it (lower case).
import { existsSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
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
  source: 'kubeconfig' | 'in-cluster';
  /** The API server's URL, for the start-up log line. */
  server: string;
}

export function loadKubeConfig(settings: { kubeconfig?: string }, host: ClientHost = systemClientHost()): Result<LoadedKubeConfig, KubeClientError> {
  return settings.kubeconfig !== undefined ? fromFile(settings.kubeconfig) : inCluster(host);
}

function fromFile(path: string): Result<LoadedKubeConfig, KubeClientError> {
  const kubeConfig = new KubeConfig();
  try {
    // loadFromFile, not loadFromString: it resolves the file's relative certificate paths.
    kubeConfig.loadFromFile(path);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('E')) {
      return fail(new KubeClientError('KUBE_KUBECONFIG_UNREADABLE', `cannot read the kubeconfig ${path}: ${code}`));
    }
    return fail(new KubeClientError('KUBE_KUBECONFIG_INVALID', `the kubeconfig ${path} is not a valid kubeconfig: ${(err as Error).message}`));
  }
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) {
    const context = kubeConfig.getCurrentContext();
    return fail(new KubeClientError('KUBE_KUBECONFIG_NO_CLUSTER', `the kubeconfig ${path} has no cluster for its current context ${JSON.stringify(context ?? '')}`));
  }
  return ok({ kubeConfig, source: 'kubeconfig', server: cluster.server });
}

/** client-node's KubeConfig.loadFromCluster, with the environment and the directory injected. */
function inCluster(host: ClientHost): Result<LoadedKubeConfig, KubeClientError> {
  const dir = host.serviceAccountDir;
  const tokenFile = join(dir, 'token');
  if (!existsSync(tokenFile)) {
    return fail(new KubeClientError('KUBE_NO_CREDENTIALS', `no service account at ${dir} and no kubeconfig given: run in a pod with a service account, or set kubernetes.kubeconfig (kube-vip's k8s_config_file)`));
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
