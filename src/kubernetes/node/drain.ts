// Node drain: whether this node may announce Service VIPs, from its own Node object. A node
// labelled node.kubernetes.io/exclude-from-external-load-balancers (Kubernetes' well-known label,
// which the service controller and MetalLB honour) announces none; with
// kubernetes.withdrawWhenCordoned, neither does a cordoned one (spec.unschedulable), so that
// `kubectl drain` moves its traffic away before the pods go. Taking the label off, or uncordoning,
// brings the VIPs back. The control-plane VIP is not affected: it follows the API server's health.
import { EventEmitter } from 'node:events';
import { CoreV1Api, type KubeConfig, type V1Node } from '@kubernetes/client-node';
import type { Logger } from '../../log.js';
import { abortable } from '../client.js';
import { type InformerFailureInfo, type InformerStatus, type InformerTuning, ResilientInformer } from '../informers/informer.js';

export const EXCLUDE_FROM_LOAD_BALANCERS_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';

export interface DrainRules {
  /** Honour the exclude label (kubernetes.withdrawWhenExcluded, default true). */
  excluded: boolean;
  /** Withdraw while cordoned (kubernetes.withdrawWhenCordoned, default false). */
  cordoned: boolean;
}

/** Why this node must announce no Service VIP, or undefined when it may. The label counts whatever its value, as Kubernetes reads it. */
export function drainReason(node: V1Node | undefined, rules: DrainRules): string | undefined {
  const labels: unknown = node?.metadata?.labels;
  // Unchecked JSON from a watch: labels that are no mapping count as none.
  if (rules.excluded && typeof labels === 'object' && labels !== null && Object.hasOwn(labels, EXCLUDE_FROM_LOAD_BALANCERS_LABEL)) {
    return `this node is labelled ${EXCLUDE_FROM_LOAD_BALANCERS_LABEL}`;
  }
  if (rules.cordoned && node?.spec?.unschedulable === true) return 'this node is cordoned (spec.unschedulable), and kubernetes.withdrawWhenCordoned is on';
  return undefined;
}

export interface NodeDrainWatcherOptions {
  kubeConfig: KubeConfig;
  nodeName: string;
  rules: DrainRules;
  log: Logger;
  informer?: InformerTuning;
}

export interface NodeDrainWatcherEvents {
  /** The drain reason changed (undefined: announcing again); also once after the first list. */
  change: [reason: string | undefined];
  synced: [];
  error: [error: Error, info: InformerFailureInfo];
}

/** Watches this node's Node object (a metadata.name field selector) for drain. */
export class NodeDrainWatcher extends EventEmitter<NodeDrainWatcherEvents> {
  readonly informer: ResilientInformer<V1Node>;
  private reason: string | undefined;
  private seen = false;

  constructor(private readonly options: NodeDrainWatcherOptions) {
    super();
    const core = options.kubeConfig.makeApiClient(CoreV1Api);
    const fieldSelector = `metadata.name=${options.nodeName}`;
    this.informer = new ResilientInformer<V1Node>({
      ...options.informer,
      name: 'node-drain',
      kubeConfig: options.kubeConfig,
      path: '/api/v1/nodes',
      fieldSelector,
      list: (signal) => core.listNode({ fieldSelector }, abortable(signal)),
    });
    // A deleted Node keeps the last verdict: a node being removed is not a reason to announce again.
    this.informer.on('add', (node) => this.evaluate(node));
    this.informer.on('update', (node) => this.evaluate(node));
    this.informer.on('synced', () => {
      this.evaluate(this.informer.get(options.nodeName));
      this.emit('synced');
    });
    this.informer.on('error', (err, info) => {
      if (info.outageStart) options.log.warn({ informer: 'node-drain', error: this.informer.lastError?.message, retryInMs: info.retryInMs }, 'Kubernetes API unreachable: keeping the last known drain state');
      if (this.listenerCount('error') > 0) this.emit('error', err, info);
    });
  }

  /** Why this node announces no Service VIP now; undefined while it may (and before the first list). */
  get drained(): string | undefined {
    return this.reason;
  }

  start(): Promise<void> {
    return this.informer.start();
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }

  status(): InformerStatus {
    return this.informer.status();
  }

  private evaluate(node: V1Node | undefined): void {
    const reason = drainReason(node, this.options.rules);
    if (this.seen && reason === this.reason) return;
    const first = !this.seen;
    this.seen = true;
    this.reason = reason;
    if (reason !== undefined) this.options.log.warn({ node: this.options.nodeName, reason }, 'node drained: its Service VIPs are withdrawn');
    else if (!first) this.options.log.info({ node: this.options.nodeName }, 'node no longer drained: its Service VIPs are announced again');
    this.emit('change', reason);
  }
}
