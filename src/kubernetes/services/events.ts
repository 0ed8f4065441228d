// Kubernetes Events on LoadBalancer Services (issue 15), one per change, written by
// events/recorder.ts. Two kinds, so that a cluster of N nodes does not write N copies of what
// holds everywhere:
//
// - this node's own doing, reported by every node (reportingInstance `vip-speaker-<node>`), as
//   MetalLB's speaker reports `nodeAssigned`: `Announced` when it starts announcing a Service's
//   VIPs (or announces others), and when it stops, the reason it stopped: `NoEndpointOnNode`
//   (Local policy, the last endpoint here went), `NoServingEndpoint`, `LoadBalancerClassNotServed`,
//   `NoAddress`, `Ignored`, `NotLoadBalancer`; action `Announce` or `Withdraw`. BGP mode only: in
//   ARP mode the watcher's claims are not what the node holds (the Lease decides);
// - what holds for the Service everywhere, reported by the node that writes its status (the
//   services Lease's holder, or the Service's own with per-Service election), action `Skip`:
//   `LoadBalancerClassNotServed` (its class is another's), `InvalidAddress` and `InvalidCommunity`
//   (Warning: a value skipped, the rest served), `NoAddress`, `NoServingEndpoint` (no node
//   announces it); and `StatusWritten` (action `WriteStatus`) when its status is written.
//
// "One per change": each is recorded when it becomes true, not again while it stays so; a reason
// that goes and comes back is a new change. A node that becomes the reporter records what holds
// then and it has not recorded itself (its predecessor's Events are not read back).
import type { V1ObjectReference } from '@kubernetes/client-node';
import type { EventSpec } from '../events/recorder.js';
import type { SkipReason } from './rules.js';
import type { ServiceStatusWriter } from './status.js';
import type { ServiceOutcome, ServiceWatcher } from './watcher.js';

export const SERVICE_EVENT_REASONS = {
  announced: 'Announced',
  noEndpointOnNode: 'NoEndpointOnNode',
  noServingEndpoint: 'NoServingEndpoint',
  classNotServed: 'LoadBalancerClassNotServed',
  invalidAddress: 'InvalidAddress',
  invalidCommunity: 'InvalidCommunity',
  noAddress: 'NoAddress',
  ignored: 'Ignored',
  notLoadBalancer: 'NotLoadBalancer',
  unsupportedAnnotation: 'UnsupportedAnnotation',
  statusWritten: 'StatusWritten',
} as const;

export const SERVICE_EVENT_ACTIONS = { announce: 'Announce', withdraw: 'Withdraw', skip: 'Skip', writeStatus: 'WriteStatus' } as const;

export interface ServiceEventsOptions {
  watcher: Pick<ServiceWatcher, 'on' | 'services'>;
  statusWriter: Pick<ServiceStatusWriter, 'on'>;
  recorder: { record(regarding: V1ObjectReference, event: EventSpec): void };
  nodeName: string;
  /** Whether this node reports what holds for the Service everywhere: it writes the Service's status. */
  reportsFor: (service: string) => boolean;
  /** Report this node's announcements (BGP mode); false in ARP mode, where the Lease decides what is held. */
  perNode: boolean;
}

const SKIP_REASONS: Record<SkipReason, string> = {
  NOT_LOAD_BALANCER: SERVICE_EVENT_REASONS.notLoadBalancer,
  IGNORE_ANNOTATION: SERVICE_EVENT_REASONS.ignored,
  OTHER_CLASS: SERVICE_EVENT_REASONS.classNotServed,
  NO_CLASS: SERVICE_EVENT_REASONS.classNotServed,
  UNSUPPORTED_ANNOTATION: SERVICE_EVENT_REASONS.unsupportedAnnotation,
};

/** Why this node does not announce a Service, as an Event reason. */
export function withdrawReason(outcome: ServiceOutcome | undefined): string {
  if (!outcome || outcome.kind === 'gone') return SERVICE_EVENT_REASONS.noServingEndpoint;
  if (outcome.kind === 'skipped') return SKIP_REASONS[outcome.reason];
  if (outcome.vips.length === 0) return SERVICE_EVENT_REASONS.noAddress;
  if (outcome.policy === 'Local' && outcome.counts.servingHere === 0 && outcome.counts.serving > 0) return SERVICE_EVENT_REASONS.noEndpointOnNode;
  return SERVICE_EVENT_REASONS.noServingEndpoint;
}

/** What holds for a Service everywhere, worth telling: one EventSpec each (pure). */
export function clusterFindings(outcome: ServiceOutcome): EventSpec[] {
  const skip = SERVICE_EVENT_ACTIONS.skip;
  if (outcome.kind === 'gone') return [];
  if (outcome.kind === 'skipped') {
    // Not a LoadBalancer, or ignored on purpose: nothing to tell.
    if (outcome.reason !== 'OTHER_CLASS' && outcome.reason !== 'NO_CLASS') return [];
    return [{ type: 'Normal', reason: SERVICE_EVENT_REASONS.classNotServed, action: skip, note: `not announced by vip-speaker: ${outcome.detail}` }];
  }
  const found: EventSpec[] = outcome.problems.map((p) => ({
    type: 'Warning',
    reason: p.code === 'SERVICE_INVALID_ADDRESS' ? SERVICE_EVENT_REASONS.invalidAddress : SERVICE_EVENT_REASONS.invalidCommunity,
    action: skip,
    note: `${JSON.stringify(p.value)} skipped: ${p.message}`,
  }));
  if (outcome.vips.length === 0) {
    found.push(
      outcome.source === 'none'
        ? { type: 'Normal', reason: SERVICE_EVENT_REASONS.noAddress, action: skip, note: 'not announced: no address assigned yet (kube-vip.io/loadbalancerIPs or spec.loadBalancerIP)' }
        : { type: 'Warning', reason: SERVICE_EVENT_REASONS.noAddress, action: skip, note: 'not announced: none of its addresses is usable' },
    );
  } else if (outcome.counts.serving === 0 && !outcome.announce) {
    found.push({ type: 'Normal', reason: SERVICE_EVENT_REASONS.noServingEndpoint, action: skip, note: `${outcome.vips.join(', ')} not announced by any node: ${outcome.why}` });
  }
  return found;
}

const signature = (e: EventSpec) => JSON.stringify([e.type, e.reason, e.note]);

interface ServiceState {
  outcome: ServiceOutcome | undefined;
  /** The findings that hold now. */
  findings: EventSpec[];
  /** Those this node has recorded (while they held). */
  recorded: Set<string>;
  /** The VIPs this node announces. */
  announced: string[];
}

export class ServiceEvents {
  private readonly states = new Map<string, ServiceState>();

  constructor(private readonly options: ServiceEventsOptions) {
    const { watcher, statusWriter } = options;
    watcher.on('evaluated', (key, outcome) => this.evaluated(key, outcome));
    watcher.on('announced', (key, vips, why) => this.announced(key, vips, why));
    watcher.on('served', (key, vips) => {
      if (vips === null) this.states.delete(key);
    });
    statusWriter.on('written', (namespace, name, ips) => this.statusWritten(`${namespace}/${name}`, ips));
  }

  /**
   * This node now reports for `service` (or for every Service): what holds and it has not
   * recorded is recorded now. Call on winning the status writer's Lease.
   */
  becameReporter(service?: string): void {
    for (const key of service === undefined ? this.states.keys() : [service]) this.reportFindings(key);
  }

  private state(key: string): ServiceState {
    let s = this.states.get(key);
    if (!s) {
      s = { outcome: undefined, findings: [], recorded: new Set(), announced: [] };
      this.states.set(key, s);
    }
    return s;
  }

  private evaluated(key: string, outcome: ServiceOutcome): void {
    if (outcome.kind === 'gone') {
      this.states.delete(key);
      return;
    }
    const s = this.state(key);
    s.outcome = outcome;
    s.findings = clusterFindings(outcome);
    // A finding that no longer holds may be told again when it comes back.
    const now = new Set(s.findings.map(signature));
    for (const seen of [...s.recorded]) if (!now.has(seen)) s.recorded.delete(seen);
    this.reportFindings(key);
  }

  private reportFindings(key: string): void {
    const s = this.states.get(key);
    if (!s || s.findings.length === 0 || !this.options.reportsFor(key)) return;
    for (const finding of s.findings) {
      const sig = signature(finding);
      if (s.recorded.has(sig)) continue;
      s.recorded.add(sig);
      this.record(key, finding);
    }
  }

  private announced(key: string, vips: string[], why: string): void {
    const s = this.states.get(key);
    // The Service is gone: an Event about it would outlive it for nothing.
    if (!s) return;
    const before = s.announced;
    s.announced = vips;
    if (!this.options.perNode) return;
    const node = this.options.nodeName;
    if (vips.length > 0) {
      this.record(key, { type: 'Normal', reason: SERVICE_EVENT_REASONS.announced, action: SERVICE_EVENT_ACTIONS.announce, note: `node ${node} announces ${vips.join(', ')}: ${why}` });
    } else if (before.length > 0) {
      this.record(key, { type: 'Normal', reason: withdrawReason(s.outcome), action: SERVICE_EVENT_ACTIONS.withdraw, note: `node ${node} stopped announcing ${before.join(', ')}: ${why}` });
    }
  }

  private statusWritten(key: string, ips: string[]): void {
    if (!this.states.has(key)) return;
    const note = ips.length > 0 ? `status.loadBalancer.ingress set to ${ips.join(', ')} by node ${this.options.nodeName}` : `status.loadBalancer.ingress cleared by node ${this.options.nodeName}`;
    this.record(key, { type: 'Normal', reason: SERVICE_EVENT_REASONS.statusWritten, action: SERVICE_EVENT_ACTIONS.writeStatus, note });
  }

  private record(key: string, event: EventSpec): void {
    const slash = key.indexOf('/');
    const [namespace, name] = [key.slice(0, slash), key.slice(slash + 1)];
    const service = this.options.watcher.services.get(name, namespace);
    if (!service) return;
    const regarding: V1ObjectReference = { apiVersion: 'v1', kind: 'Service', namespace, name };
    if (service.metadata?.uid) regarding.uid = service.metadata.uid;
    if (service.metadata?.resourceVersion) regarding.resourceVersion = service.metadata.resourceVersion;
    this.options.recorder.record(regarding, event);
  }
}
