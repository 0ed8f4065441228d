// LoadBalancer Services → the VIP registry. Two resilient informers (Services and
// EndpointSlices, all namespaces) keep a cache; every change recomputes the Services it touches
// with the pure rules of service-rules.ts and sets each one's claims as owner
// 'service:<namespace>/<name>'. Nothing is claimed before both caches hold a first full list, so
// that a half-seen cluster never withdraws anything; and while the API server cannot be reached
// the caches, and so the claims, stay as they were. Two Services sharing a VIP are two owners of
// it: the registry keeps it until the last one lets go.
//
// With kubernetes.servicesNamespace (kube-vip's svc_namespace) only that namespace is watched. A
// drained node (setDrained: excluded from external load balancers, or cordoned when asked) claims
// nothing, and claims again what its Services ask for once the drain ends.
import { EventEmitter } from 'node:events';
import { CoreV1Api, DiscoveryV1Api, type KubeConfig, type V1EndpointSlice, type V1Service } from '@kubernetes/client-node';
import type { Logger } from '../../log.js';
import type { VipRegistry } from '../../registry/index.js';
import { abortable } from '../client.js';
import { type InformerFailureInfo, type InformerStatus, type InformerTuning, ResilientInformer } from '../informers/informer.js';
import {
  type EndpointCounts, type ServiceProblem, type ServiceRuleSettings, type SkipReason, type TrafficPolicy, SERVICE_NAME_LABEL,
  announcement, claimsOf, countEndpoints, decideService, serviceKey, serviceOwner, sliceService,
} from './rules.js';

export interface ServiceWatcherOptions {
  kubeConfig: KubeConfig;
  registry: Pick<VipRegistry, 'replaceOwner' | 'releaseOwner'>;
  /** This node's name, as EndpointSlices name it (client.ts resolveNodeName). */
  nodeName: string;
  /** The class rules; `kubernetesDefaults(config.kubernetes)` has them. */
  rules: ServiceRuleSettings;
  log: Logger;
  /** Back-off, clock and watch timeouts (tests). */
  informer?: InformerTuning;
  /** Watch only this namespace's Services and EndpointSlices (kube-vip's svc_namespace); absent: all. */
  namespace?: string;
  /** Drained from the start: why this node announces no Service VIP. */
  drained?: string;
}

export interface ServiceWatcherEvents {
  /** The VIPs this node announces for a Service changed; [] when it gave them up. */
  announced: [service: string, vips: string[], why: string];
  /** A value in a Service was skipped (reported once per change of the Service's problems). */
  problem: [problem: ServiceProblem];
  /** The VIPs a served Service asks for, whatever this node announces (for its status); null when it is gone. */
  served: [service: string, vips: string[] | null];
  /** What the rules made of a Service at each evaluation, changed or not (services/events.ts keeps what changed). */
  evaluated: [service: string, outcome: ServiceOutcome];
  /** Both caches hold a first full list and the claims are in the registry. */
  synced: [];
  /** An informer's attempt failed; it retries by itself. Emitted only when someone listens. */
  error: [informer: string, error: Error, info: InformerFailureInfo];
  /** An informer is connected again after failures. */
  restored: [informer: string, info: { downForMs: number; failures: number }];
}

/** A Service as the rules see it on this node: gone, not ours, or served (and announced here or not). */
export type ServiceOutcome =
  | { kind: 'gone' }
  | { kind: 'skipped'; reason: SkipReason; detail: string }
  | { kind: 'served'; vips: string[]; source: 'annotation' | 'spec' | 'none'; problems: ServiceProblem[]; policy: TrafficPolicy; counts: EndpointCounts; announce: boolean; why: string };

export interface ServiceWatcherStatus {
  synced: boolean;
  informers: InformerStatus[];
  /** The Services this node announces, with their VIPs and the reason. */
  announced: { service: string; vips: string[]; why: string }[];
}

export class ServiceWatcher extends EventEmitter<ServiceWatcherEvents> {
  readonly services: ResilientInformer<V1Service>;
  readonly endpointSlices: ResilientInformer<V1EndpointSlice>;
  private readonly log: Logger;
  /** What this watcher claimed, per Service. */
  private readonly held = new Map<string, { vips: string[]; why: string; policy: TrafficPolicy }>();
  /** The problems last reported per Service, so that each is logged once. */
  private readonly reported = new Map<string, string>();
  /** What each Service asks for, as last reported by 'served'. */
  private readonly servedVips = new Map<string, string>();
  /** EndpointSlice → the Service it last belonged to (its label can change). */
  private readonly sliceOwners = new Map<string, string>();
  private ready = false;
  /** Why this node announces no Service VIP now; undefined while it may. */
  private drainedBecause: string | undefined;

  constructor(private readonly options: ServiceWatcherOptions) {
    super();
    this.log = options.log;
    const { kubeConfig } = options;
    this.drainedBecause = options.drained;
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const discovery = kubeConfig.makeApiClient(DiscoveryV1Api);
    const namespace = options.namespace;
    const within = namespace === undefined ? '' : `/namespaces/${encodeURIComponent(namespace)}`;
    this.services = new ResilientInformer<V1Service>({
      ...options.informer,
      name: 'services',
      kubeConfig,
      path: `/api/v1${within}/services`,
      list: (signal) => (namespace === undefined ? core.listServiceForAllNamespaces({}, abortable(signal)) : core.listNamespacedService({ namespace }, abortable(signal))),
    });
    this.endpointSlices = new ResilientInformer<V1EndpointSlice>({
      ...options.informer,
      name: 'endpointslices',
      kubeConfig,
      path: `/apis/discovery.k8s.io/v1${within}/endpointslices`,
      list: (signal) => (namespace === undefined ? discovery.listEndpointSliceForAllNamespaces({}, abortable(signal)) : discovery.listNamespacedEndpointSlice({ namespace }, abortable(signal))),
    });
    const serviceChanged = (service: V1Service) => this.recompute(serviceKey(service.metadata));
    this.services.on('add', serviceChanged);
    this.services.on('update', serviceChanged);
    this.services.on('delete', serviceChanged);
    this.endpointSlices.on('add', (slice) => this.sliceChanged(slice, false));
    this.endpointSlices.on('update', (slice) => this.sliceChanged(slice, false));
    this.endpointSlices.on('delete', (slice) => this.sliceChanged(slice, true));
    for (const informer of [this.services, this.endpointSlices] as const) {
      informer.on('synced', () => this.cacheSynced());
      informer.on('error', (err, info) => this.informerFailed(informer.name, err, info));
      informer.on('restored', (info) => {
        this.log.info({ informer: informer.name, downForMs: info.downForMs, failures: info.failures }, 'Kubernetes API reachable again');
        this.emit('restored', informer.name, info);
      });
    }
  }

  /**
   * Why this node must announce no Service VIP now (node drain), or undefined when it may again:
   * every Service's VIPs are released at once, and claimed again when the drain ends.
   */
  setDrained(reason: string | undefined): void {
    if (reason === this.drainedBecause) return;
    this.drainedBecause = reason;
    if (this.ready) this.recomputeAll();
  }

  get drained(): string | undefined {
    return this.drainedBecause;
  }

  /** Starts both informers; resolves after their first attempts (whenSynced() waits for the lists). */
  async start(): Promise<void> {
    this.log.info({ node: this.options.nodeName, namespace: this.options.namespace ?? '(all)', loadBalancerClass: this.options.rules.loadBalancerClass, loadBalancerClassOnly: this.options.rules.loadBalancerClassOnly }, 'watching LoadBalancer Services');
    await Promise.all([this.services.start(), this.endpointSlices.start()]);
  }

  /** Stops watching. The claims stay in the registry: stopping is not a reason to withdraw. */
  async stop(): Promise<void> {
    await Promise.all([this.services.stop(), this.endpointSlices.stop()]);
  }

  /** Gives up every VIP this watcher claimed (services turned off). */
  releaseAll(why = 'Services are no longer watched'): void {
    for (const key of [...this.held.keys()]) this.release(key, why);
  }

  whenSynced(): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve) => this.once('synced', () => resolve()));
  }

  get synced(): boolean {
    return this.ready;
  }

  status(): ServiceWatcherStatus {
    return {
      synced: this.ready,
      informers: [this.services.status(), this.endpointSlices.status()],
      announced: [...this.held].map(([service, h]) => ({ service, vips: h.vips, why: h.why })).sort((a, b) => (a.service < b.service ? -1 : 1)),
    };
  }

  /** For /readyz: ready once both caches hold a first list (an outage later keeps it ready: the last state is served). */
  readiness(): { ok: boolean; reasons: string[] } {
    if (this.ready) return { ok: true, reasons: [] };
    const reasons = [this.services, this.endpointSlices]
      .filter((i) => !i.synced)
      .map((i) => `${i.name} not listed yet${i.lastError ? ` (${i.lastError.message})` : ''}`);
    return { ok: false, reasons };
  }

  private cacheSynced(): void {
    if (!this.services.synced || !this.endpointSlices.synced) return;
    const first = !this.ready;
    this.ready = true;
    // A first list, or a relist: recompute everything (each owner changes only if its claims do).
    this.recomputeAll();
    if (first) {
      this.log.info({ services: this.services.list().length, endpointSlices: this.endpointSlices.list().length, announced: this.held.size }, 'Services and EndpointSlices listed');
      this.emit('synced');
    }
  }

  private informerFailed(name: string, err: Error, info: InformerFailureInfo): void {
    const fields = { informer: name, error: this.errorText(name), retryInMs: info.retryInMs, failures: info.failures };
    // One warning per outage; the retries after it are debug.
    if (info.outageStart) this.log.warn(fields, 'Kubernetes API unreachable: keeping the last known Services and endpoints');
    else this.log.debug(fields, 'Kubernetes API still unreachable');
    if (this.listenerCount('error') > 0) this.emit('error', name, err, info);
  }

  private errorText(name: string): string {
    const informer = name === this.services.name ? this.services : this.endpointSlices;
    return informer.lastError?.message ?? 'unknown error';
  }

  private sliceChanged(slice: V1EndpointSlice, deleted: boolean): void {
    const key = serviceKey(slice.metadata);
    const before = this.sliceOwners.get(key);
    const now = deleted ? undefined : sliceService(slice);
    if (now === undefined) this.sliceOwners.delete(key);
    else this.sliceOwners.set(key, now);
    if (before !== undefined) this.recompute(before);
    if (now !== undefined && now !== before) this.recompute(now);
  }

  private recomputeAll(): void {
    const slicesByService = new Map<string, V1EndpointSlice[]>();
    for (const slice of this.endpointSlices.list()) {
      const key = sliceService(slice);
      if (key === undefined) continue;
      const list = slicesByService.get(key);
      if (list) list.push(slice);
      else slicesByService.set(key, [slice]);
    }
    const present = new Set<string>();
    for (const service of this.services.list()) {
      const key = serviceKey(service.metadata);
      present.add(key);
      this.recompute(key, slicesByService.get(key) ?? []);
    }
    for (const key of [...this.held.keys()]) if (!present.has(key)) this.release(key, 'the Service is gone');
    for (const key of [...this.servedVips.keys()]) if (!present.has(key)) this.served(key, null);
  }

  private served(key: string, vips: string[] | null): void {
    const signature = vips === null ? undefined : vips.join(',');
    if (this.servedVips.get(key) === signature) return;
    if (signature === undefined) this.servedVips.delete(key);
    else this.servedVips.set(key, signature);
    this.emit('served', key, vips);
  }

  private recompute(key: string, slices?: V1EndpointSlice[]): void {
    if (!this.ready) return;
    const slash = key.indexOf('/');
    const namespace = key.slice(0, slash);
    const name = key.slice(slash + 1);
    const service = this.services.get(name, namespace);
    if (!service) {
      this.served(key, null);
      this.emit('evaluated', key, { kind: 'gone' });
      return this.release(key, 'the Service is gone');
    }
    const decision = decideService(service, this.options.rules);
    this.served(key, decision.served ? decision.vips : []);
    if (!decision.served) {
      this.emit('evaluated', key, { kind: 'skipped', reason: decision.reason, detail: decision.detail });
      return this.release(key, `not served: ${decision.detail}`);
    }
    this.report(key, decision.problems);
    const mine = slices ?? this.endpointSlices.list(namespace).filter((s) => s.metadata?.labels?.[SERVICE_NAME_LABEL] === name);
    const counts = countEndpoints(mine, this.options.nodeName);
    const { announce, why } = announcement(decision, counts);
    const { vips, source, problems, trafficPolicy: policy } = decision;
    this.emit('evaluated', key, { kind: 'served', vips, source, problems, policy, counts, announce: announce && vips.length > 0, why });
    if (!announce || decision.vips.length === 0) return this.release(key, decision.vips.length === 0 ? `no address (${decision.source === 'none' ? 'none assigned yet' : 'none usable'})` : why);
    if (this.drainedBecause !== undefined) return this.release(key, this.drainedBecause);
    this.claim(key, decision, why);
  }

  private claim(key: string, decision: Extract<ReturnType<typeof decideService>, { served: true }>, why: string): void {
    const previous = this.held.get(key);
    const before = previous?.vips ?? [];
    let changed: boolean;
    try {
      // A Local-policy Service's VIPs may be held only where it has an endpoint (ARP mode's grouping).
      changed = this.options.registry.replaceOwner(serviceOwner(key), claimsOf(decision), { nodeLocal: decision.trafficPolicy === 'Local' });
    } catch (err) {
      this.log.error({ service: key, vips: decision.vips, error: (err as Error).message }, 'cannot claim the Service VIPs');
      return;
    }
    this.held.set(key, { vips: decision.vips, why, policy: decision.trafficPolicy });
    if (changed || before.join() !== decision.vips.join() || previous?.policy !== decision.trafficPolicy) {
      this.log.info({ service: key, vips: decision.vips, why }, 'Service VIPs announced');
      this.emit('announced', key, decision.vips, why);
    }
  }

  private release(key: string, why: string): void {
    const before = this.held.get(key);
    this.held.delete(key);
    this.reported.delete(key);
    const changed = this.options.registry.releaseOwner(serviceOwner(key));
    if (!before && !changed) return;
    this.log.info({ service: key, vips: before?.vips ?? [], why }, 'Service VIPs withdrawn');
    this.emit('announced', key, [], why);
  }

  private report(key: string, problems: ServiceProblem[]): void {
    const signature = problems.map((p) => `${p.code} ${p.field} ${p.value}`).join('\n');
    if ((this.reported.get(key) ?? '') === signature) return;
    this.reported.set(key, signature);
    for (const p of problems) {
      this.log.warn({ service: p.service, field: p.field, value: p.value, code: p.code, problem: p.message }, 'Service value skipped');
      this.emit('problem', p);
    }
  }
}
