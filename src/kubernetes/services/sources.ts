// LoadBalancer Services as a source of VIPs, with the elections around them: the ServiceWatcher
// claims the VIPs in the registry, and one node writes each Service's status.loadBalancer —
// the holder of the services lease (kube-vip's plndr-svcs-lock), or with per-Service election
// (svc_election) the holder of the Service's own lease (kubevip-<service>).
//
// When every node announces (BGP mode by default), every node stands for every lease only to
// elect the status writer. When the leases also elect the node that holds the VIPs (ARP mode;
// BGP mode with kube-vip's svc_election or vip_leaderelection), they are handed to the mode
// (`elections`), and a Service's own lease is stood for only while this node wants its VIPs.
//
// kube-vip's names apply: the services lease is svc_leasename's (kubernetes.servicesLease), a
// Service's own is its kube-vip.io/leaseName's; with disable_service_updates
// (kubernetes.writeServiceStatus: false) the elections still run but nothing is written.
import type { KubeConfig } from '@kubernetes/client-node';
import { type Clock, withTimeout } from '../../../bgp/index.js';
import type { KubernetesSettings } from '../../config/index.js';
import type { Logger } from '../../log.js';
import type { VipRegistry } from '../../registry/index.js';
import { kubernetesDefaults } from '../../config/index.js';
import type { Candidate } from '../elections/candidate.js';
import { LeaderElector } from '../elections/elector.js';
import type { ElectionTimings } from '../elections/options.js';
import { type LeaseKey, ServiceLeases, serviceLeaseOf } from '../elections/service-leases.js';
import { ServiceWatcher } from './watcher.js';
import { ServiceStatusWriter } from './status.js';
import { EventRecorder } from '../events/recorder.js';
import { ServiceEvents } from './events.js';

export interface ServiceSourcesOptions {
  kubeConfig: KubeConfig;
  nodeName: string;
  settings: KubernetesSettings;
  registry: VipRegistry;
  log: Logger;
  /** kube-vip's lease timings, when set. */
  timings: ElectionTimings;
  /** The leases also elect the node that holds the VIPs (ARP mode, or BGP mode with kube-vip's elections). */
  leasesHoldVips: boolean;
  /**
   * A Service with externalTrafficPolicy: Local has a lease of its own even without svc_election
   * (ARP mode); default: leasesHoldVips. BGP mode: false, since every node with a local endpoint
   * announces such a Service, and the RBAC grants no leases outside the speaker's namespace then.
   */
  localPolicyLeases?: boolean;
  clock: Clock;
  /** How long start waits for the first lists before it goes on with what it has. */
  syncTimeoutMs: number;
  /** The services lease (kube-vip's plndr-svcs-lock, or svc_leasename's). */
  servicesLease: LeaseKey;
  /** Why this node announces no Service VIP from the start (node drain), if it does not. */
  drained?: string;
}

/** The Service leases, for the mode that holds VIPs by lease. */
export interface ServiceElections {
  /** The services lease's elector now (absent with per-Service election); a fresh one once the last was stopped. */
  servicesElector?: () => LeaderElector;
  /** A Service's own lease; stopping it lets a later stand make a fresh elector. */
  serviceCandidate(namespace: string, name: string): Candidate;
}

export interface ServiceSources {
  watcher: ServiceWatcher;
  /** Set when the leases hold the VIPs (leasesHoldVips). */
  elections: ServiceElections | undefined;
  /** Resolves once no status write is queued or running. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts watching the Services and the status writer's election; resolves once the first lists
 * are in (or after syncTimeoutMs), so that a first reconcile does not take a graceful restart's
 * VIPs for stale ones.
 */
export async function startServiceSources(options: ServiceSourcesOptions): Promise<ServiceSources> {
  const { kubeConfig, nodeName, settings, log, clock } = options;
  const arp = options.leasesHoldVips;
  const rules = kubernetesDefaults(settings);
  const perServiceStatus = settings.servicesElection === true;
  const writeStatus = settings.writeServiceStatus !== false;
  const services = options.servicesLease;
  const watcher = new ServiceWatcher({
    kubeConfig, registry: options.registry, nodeName, log, informer: { clock },
    rules: { ...rules, placesOnInterface: arp || settings.servicesInterface !== undefined, ...(settings.servicesInterface !== undefined ? { servicesInterface: settings.servicesInterface } : {}) },
    ...(settings.servicesNamespace !== undefined ? { namespace: settings.servicesNamespace } : {}),
    ...(options.drained !== undefined ? { drained: options.drained } : {}),
  });
  // A Service's kube-vip.io/leaseName, as the watcher's cache has it.
  const annotationsOf = (namespace: string, name: string) => watcher.services.get(name, namespace)?.metadata?.annotations;
  // ARP mode gives a Local-policy Service a lease of its own even without svc_election.
  const perService = perServiceStatus || (arp && (options.localPolicyLeases ?? true))
    ? new ServiceLeases({ kubeConfig, identity: nodeName, watch: arp, clock, ...options.timings, leaseOf: (namespace, name) => serviceLeaseOf(namespace, name, annotationsOf(namespace, name)) })
    : undefined;
  // The services lease's elector; ARP mode stops it while this node is drained, and a new one
  // stands when the drain ends (a stopped elector never starts again).
  const makeServicesElector = () => {
    const elector = new LeaderElector({ kubeConfig, namespace: services.namespace, name: services.name, identity: nodeName, watch: arp, clock, ...options.timings });
    elector.on('leading', () => {
      log.info({ lease: `${services.namespace}/${services.name}` }, writeStatus ? 'elected to write Service status' : 'holds the services lease');
      void statusWriter.resync();
      events.becameReporter();
    });
    elector.on('stoppedLeading', (reason) => log.info({ reason }, 'no longer writes Service status'));
    return elector;
  };
  let servicesElector: LeaderElector | undefined;
  const currentServicesElector = () => {
    if (servicesElector?.stopped) servicesElector = makeServicesElector();
    return servicesElector;
  };
  // The writer reads the Services from the watcher's cache, and hears of each new version there.
  const statusWriter = new ServiceStatusWriter({ kubeConfig, clock, cache: watcher.services, vipHost: nodeName, isLeader: () => writeStatus && (servicesElector ? servicesElector.isLeader : true) });
  watcher.services.on('update', (service) => statusWriter.observed(service.metadata?.namespace ?? '', service.metadata?.name ?? ''));
  if (!writeStatus) log.info('Service status and kube-vip.io/vipHost are not written (disable_service_updates)');
  // Events on the Services (events.ts): this node's announcements, and from the status writer what holds everywhere.
  const recorder = new EventRecorder({ kubeConfig, nodeName, log, clock });
  const events = new ServiceEvents({
    watcher,
    statusWriter,
    recorder,
    nodeName,
    perNode: !arp,
    reportsFor: (key) => (servicesElector ? servicesElector.isLeader : perService?.active.get(key)?.isLeader === true),
  });
  servicesElector = perServiceStatus ? undefined : makeServicesElector();
  statusWriter.on('failed', (namespace, name, message) => log.warn({ service: `${namespace}/${name}`, error: message }, 'Service status not written'));

  /** The VIPs each served Service asks for, for its status. */
  const latest = new Map<string, string[]>();
  // A Service's own elector, made once with its status listener; Services sharing a Lease
  // (kube-vip.io/leaseName) share an elector, whose holder writes the status of each of them.
  const statusOf = new WeakMap<LeaderElector, Set<string>>();
  const serviceElector = (namespace: string, name: string) => {
    const el = perService!.elector(namespace, name);
    if (!perServiceStatus) return el;
    const key = `${namespace}/${name}`;
    let keys = statusOf.get(el);
    if (!keys) {
      const mine = (keys = new Set());
      statusOf.set(el, mine);
      el.on('leading', () => {
        for (const k of mine) {
          if (perService!.active.get(k) !== el) continue;
          const slash = k.indexOf('/');
          void statusWriter.sync(k.slice(0, slash), k.slice(slash + 1), latest.get(k) ?? []);
          events.becameReporter(k);
        }
      });
    }
    if (!keys.has(key)) {
      keys.add(key);
      // Joined a Lease this node already holds: its status is ours to write now.
      if (el.isLeader) void statusWriter.sync(namespace, name, latest.get(key) ?? []);
    }
    return el;
  };

  /** The Lease each Service was last seen to elect under, for its deletion once the Service is gone. */
  const leases = new Map<string, LeaseKey>();
  const inUse = (lease: LeaseKey) => [...leases.values()].some((l) => l.namespace === lease.namespace && l.name === lease.name);
  watcher.on('problem', (p) => log.warn({ problem: p }, 'Service value skipped'));
  watcher.on('served', (key, vips) => {
    const slash = key.indexOf('/');
    const [namespace, name] = [key.slice(0, slash), key.slice(slash + 1)];
    if (vips === null) {
      latest.delete(key);
      statusWriter.forget(namespace, name);
      const lease = leases.get(key);
      leases.delete(key);
      // kube-vip leaves per-Service leases behind; ours go with their (last) Service.
      if (perService) {
        void perService.deleteServiceLease(namespace, name, { ...(lease ? { lease } : {}), inUse }).then(
          (r) => log.info({ service: key, lease: r }, 'Service lease cleaned up'),
          (err: Error) => log.warn({ service: key, error: err.message }, 'Service lease not cleaned up'),
        );
      }
      return;
    }
    latest.set(key, vips);
    if (perService) leases.set(key, perService.leaseOf(namespace, name));
    if (!perServiceStatus) {
      void statusWriter.sync(namespace, name, vips);
      return;
    }
    const known = perService!.active.get(key);
    if (known?.isLeader) void statusWriter.sync(namespace, name, vips);
    // Every node stands for every Service's lease, unless the mode does, when it wants the VIPs.
    else if (!known && !arp) serviceElector(namespace, name).start();
  });

  const elections: ServiceElections | undefined = arp
    ? {
        ...(servicesElector ? { servicesElector: () => currentServicesElector()! } : {}),
        serviceCandidate: (namespace, name) => {
          const el = serviceElector(namespace, name);
          return {
            get isLeader() {
              return el.isLeader;
            },
            get leader() {
              return el.leader;
            },
            on: ((event: 'leading', listener: () => void) => el.on(event, listener)) as Candidate['on'],
            start: () => el.start(),
            stop: (o) => perService!.stop(namespace, name, o),
          };
        },
      }
    : undefined;

  // A node drained from the start leaves the services lease to the others (the mode stands when the drain ends).
  if (!(arp && options.drained !== undefined)) servicesElector?.start();
  const timeoutMs = options.syncTimeoutMs;
  // Bounded as a whole: a first watch whose answer never starts (a proxy that holds the headers
  // back until the first event) must not hold the daemon's start; the informers carry on.
  const synced = await withTimeout(clock, timeoutMs, Promise.all([watcher.start(), watcher.whenSynced()]).then(() => true), () => false);
  if (!synced && !watcher.synced) log.warn({ timeoutMs }, "the cluster's first lists are late; going on with what is known");
  else if (!synced) log.warn({ timeoutMs }, "the cluster's first watches have not started answering; going on with the lists (the watches keep trying)");

  return {
    watcher,
    elections,
    settled: () => statusWriter.settled(),
    stop: async () => {
      // No request of their own: the watches end, the writes in flight are cut, the Events queued dropped.
      await Promise.all([watcher.stop(), statusWriter.stop(), recorder.stop()]);
      // Released at once, so that another node writes the Services' status without waiting;
      // the Lease calls go ahead of anything else still queued in the client.
      await Promise.all([servicesElector?.stop({ release: true }), perService?.stopAll()]);
    },
  };
}
