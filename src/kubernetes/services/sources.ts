// LoadBalancer Services as a source of VIPs, with the elections around them: the ServiceWatcher
// claims the VIPs in the registry, and one node writes each Service's status.loadBalancer —
// the holder of the services lease (kube-vip's plndr-svcs-lock), or with per-Service election
// (svc_election) the holder of the Service's own lease (kubevip-<service>).
//
// BGP mode: every node announces, so every node stands for every lease only to elect the
// status writer. ARP mode: the same leases elect the node that holds the VIPs (src/arp-mode),
// so they are handed to it (`elections`), and a Service's own lease is stood for only while
// this node wants the Service's VIPs.
import type { KubeConfig } from '@kubernetes/client-node';
import { type Clock, withTimeout } from '../../../bgp/index.js';
import type { KubernetesSettings } from '../../config/index.js';
import type { Logger } from '../../log.js';
import type { VipRegistry } from '../../registry/index.js';
import { kubernetesDefaults } from '../../config/index.js';
import type { Candidate } from '../elections/candidate.js';
import { LeaderElector, SERVICES_LEASE } from '../elections/elector.js';
import type { ElectionTimings } from '../elections/options.js';
import { ServiceLeases } from '../elections/service-leases.js';
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
  /** The leases also elect the node that holds the VIPs (ARP mode with leader election). */
  leasesHoldVips: boolean;
  clock: Clock;
  /** How long start waits for the first lists before it goes on with what it has. */
  syncTimeoutMs: number;
}

/** The Service leases, for the mode that holds VIPs by lease. */
export interface ServiceElections {
  /** The services lease (absent with per-Service election). */
  servicesElector?: LeaderElector;
  /** A Service's own lease; stopping it lets a later stand make a fresh elector. */
  serviceCandidate(namespace: string, name: string): Candidate;
}

export interface ServiceSources {
  watcher: ServiceWatcher;
  /** Set in ARP mode with leader election. */
  elections: ServiceElections | undefined;
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
  // ARP mode gives a Local-policy Service a lease of its own even without svc_election.
  const perService = perServiceStatus || arp ? new ServiceLeases({ kubeConfig, identity: nodeName, watch: arp, clock, ...options.timings }) : undefined;
  const servicesElector = perServiceStatus ? undefined : new LeaderElector({ kubeConfig, namespace: rules.namespace, name: SERVICES_LEASE, identity: nodeName, watch: arp, clock, ...options.timings });
  const watcher = new ServiceWatcher({ kubeConfig, registry: options.registry, nodeName, rules, log, informer: { clock } });
  // The writer reads the Services from the watcher's cache, and hears of each new version there.
  const statusWriter = new ServiceStatusWriter({ kubeConfig, clock, cache: watcher.services, isLeader: () => (servicesElector ? servicesElector.isLeader : true) });
  watcher.services.on('update', (service) => statusWriter.observed(service.metadata?.namespace ?? '', service.metadata?.name ?? ''));
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
  servicesElector?.on('leading', () => {
    log.info({ lease: `${rules.namespace}/${SERVICES_LEASE}` }, 'elected to write Service status');
    void statusWriter.resync();
    events.becameReporter();
  });
  servicesElector?.on('stoppedLeading', (reason) => log.info({ reason }, 'no longer writes Service status'));
  statusWriter.on('failed', (namespace, name, message) => log.warn({ service: `${namespace}/${name}`, error: message }, 'Service status not written'));

  /** The VIPs each served Service asks for, for its status. */
  const latest = new Map<string, string[]>();
  // A Service's own elector, made once with its status listener.
  const withStatus = new WeakSet<LeaderElector>();
  const serviceElector = (namespace: string, name: string) => {
    const el = perService!.elector(namespace, name);
    if (perServiceStatus && !withStatus.has(el)) {
      withStatus.add(el);
      el.on('leading', () => {
        void statusWriter.sync(namespace, name, latest.get(`${namespace}/${name}`) ?? []);
        events.becameReporter(`${namespace}/${name}`);
      });
    }
    return el;
  };

  watcher.on('problem', (p) => log.warn({ problem: p }, 'Service value skipped'));
  watcher.on('served', (key, vips) => {
    const slash = key.indexOf('/');
    const [namespace, name] = [key.slice(0, slash), key.slice(slash + 1)];
    if (vips === null) {
      latest.delete(key);
      statusWriter.forget(namespace, name);
      // kube-vip leaves per-Service leases behind; ours go with their Service.
      if (perService) void perService.deleteServiceLease(namespace, name).then((r) => log.info({ service: key, lease: r }, 'Service lease cleaned up'));
      return;
    }
    latest.set(key, vips);
    if (!perServiceStatus) {
      void statusWriter.sync(namespace, name, vips);
      return;
    }
    const known = perService!.active.get(key);
    if (known?.isLeader) void statusWriter.sync(namespace, name, vips);
    // BGP: every node stands for every Service's lease. ARP: ArpMode stands when it wants the VIPs.
    else if (!known && !arp) serviceElector(namespace, name).start();
  });

  const elections: ServiceElections | undefined = arp
    ? {
        ...(servicesElector ? { servicesElector } : {}),
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

  servicesElector?.start();
  await watcher.start();
  const timeoutMs = options.syncTimeoutMs;
  const synced = await withTimeout(clock, timeoutMs, watcher.whenSynced().then(() => true), () => false);
  if (!synced) log.warn({ timeoutMs }, "the cluster's first lists are late; going on with what is known");

  return {
    watcher,
    elections,
    stop: async () => {
      // No request of their own: the watches end, the writes in flight are cut, the Events queued dropped.
      await Promise.all([watcher.stop(), statusWriter.stop(), recorder.stop()]);
      // Released at once, so that another node writes the Services' status without waiting;
      // the Lease calls go ahead of anything else still queued in the client.
      await Promise.all([servicesElector?.stop({ release: true }), perService?.stopAll()]);
    },
  };
}
