// A kubeconfig for @kubernetes/client-node that points at the fake. The server is plain http://,
// which client-node 1.x accepts only when the cluster says `insecure-skip-tls-verify: true`.
import { KubeConfig } from '@kubernetes/client-node';

export interface KubeconfigOptions {
  server: string;
  token: string;
  /** The context's default namespace, if any. */
  namespace?: string;
}

/** The kubeconfig as YAML text, as it would sit in a file. */
export function kubeconfigYaml(options: KubeconfigOptions): string {
  const lines = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '  - name: fake',
    '    cluster:',
    `      server: ${JSON.stringify(options.server)}`,
    '      insecure-skip-tls-verify: true',
    'users:',
    '  - name: fake',
    '    user:',
    `      token: ${JSON.stringify(options.token)}`,
    'contexts:',
    '  - name: fake',
    '    context:',
    '      cluster: fake',
    '      user: fake',
    ...(options.namespace !== undefined ? [`      namespace: ${JSON.stringify(options.namespace)}`] : []),
    'current-context: fake',
    '',
  ];
  return lines.join('\n');
}

/** A loaded KubeConfig, read from the same YAML a file would hold. */
export function makeKubeConfig(options: KubeconfigOptions): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigYaml(options));
  return kc;
}
