// Services created and deleted at a steady rate: the background change a fault happens in.
// Each step creates `churn-N` (a LoadBalancer Service with one VIP, IPv4 and IPv6 in turn,
// announced without endpoints) and deletes the oldest once more than `keep` are alive. It acts
// on the fake API server's store, so it goes on during an API outage as the cluster would.
import type { LabApiServer } from '../support/apiserver-client.js';

export const ANNOTATION_IPS = 'kube-vip.io/loadbalancerIPs';
export const ANNOTATION_WITHOUT_ENDPOINTS = 'kube-vip.io/allow-reconcile-without-endpoints';
/** IPv4 churn VIPs come from 203.0.113.128/25, IPv6 ones from 2001:db8:f:c::/64. */
const IPV4_CHURN_BASE = 128;
const IPV4_CHURN_SPAN = 120;

export function churnVip(i: number): string {
  return i % 2 === 0 ? `203.0.113.${IPV4_CHURN_BASE + ((i / 2) % IPV4_CHURN_SPAN)}` : `2001:db8:f:c::${i.toString(16)}`;
}

/** A LoadBalancer Service announced by every node, endpoints or not. */
export function lbService(name: string, vip: string, namespace = 'default'): object {
  return {
    metadata: { namespace, name, annotations: { [ANNOTATION_IPS]: vip, [ANNOTATION_WITHOUT_ENDPOINTS]: 'true' } },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }], externalTrafficPolicy: 'Cluster' },
  };
}

export class ServiceChurn {
  created = 0;
  deleted = 0;
  errors = 0;
  private next = 0;
  private readonly alive: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private busy: Promise<void> = Promise.resolve();

  constructor(
    private readonly api: LabApiServer,
    private readonly options: { periodMs: number; keep: number; prefix?: string },
  ) {}

  start(): void {
    this.timer ??= setInterval(() => {
      this.busy = this.busy.then(() => this.step());
    }, this.options.periodMs);
  }

  /** Stops after the step under way; the Services alive stay. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.busy;
  }

  /** One change of each kind: a Service created, the oldest deleted when too many live. */
  async step(): Promise<void> {
    const i = this.next++;
    const name = `${this.options.prefix ?? 'churn'}-${i}`;
    try {
      await this.api.create('Service', lbService(name, churnVip(i)));
      this.alive.push(name);
      this.created++;
      while (this.alive.length > this.options.keep) {
        await this.api.delete('Service', 'default', this.alive.shift()!);
        this.deleted++;
      }
    } catch {
      this.errors++;
    }
  }
}
