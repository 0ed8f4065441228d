// kube-vip's enable_node_labeling: the label kube-vip.io/has-ip=<control-plane VIP> on the node
// that holds the control-plane VIP, taken off when it no longer does and when vip-speaker stops
// (kube-vip's CleanUpLabels), so that a nodeSelector or an operator can find the holder. The value
// is kube-vip's SanitizeIPForLabel: an IPv4 address as it is, an IPv6 one as 32 hex digits (a
// label value cannot hold ':').
//
// Writes are JSON merge patches of metadata.labels (`null` removes), one at a time, the latest
// wish winning: a burst of changes while a write runs makes one more write, not one per change. A
// failed write is retried after a delay on the clock.
import { EventEmitter } from 'node:events';
import { CoreV1Api, type KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { type Clock, type TimerHandle, systemClock } from '../../../bgp/index.js';
import { describeApiError } from '../api-errors.js';

export const HAS_IP_LABEL = 'kube-vip.io/has-ip';

/** kube-vip's SanitizeIPForLabel (pkg/utils/ip.go): IPv4 unchanged, IPv6 as the 16 bytes in hex. */
export function labelValueOfIp(address: string): string {
  const ip = address.split('/')[0]!;
  if (!ip.includes(':')) return ip;
  // Expand "::" into the zero groups it stands for, then write each group as four hex digits.
  const [head = '', tail = ''] = ip.split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const known = [...groups(head), ...groups(tail)];
  const all = ip.includes('::') ? [...groups(head), ...Array<string>(8 - known.length).fill('0'), ...groups(tail)] : known;
  return all.map((g) => g.toLowerCase().padStart(4, '0')).join('');
}

export interface NodeLabelerOptions {
  kubeConfig: KubeConfig;
  nodeName: string;
  clock?: Clock;
  /** A failed write is tried again after this long (default 5000 ms). */
  retryDelayMs?: number;
  /** Replaces the API client (tests). */
  api?: CoreV1Api;
}

export interface NodeLabelerEvents {
  written: [labels: Record<string, string | null>];
  failed: [message: string];
}

export class NodeLabeler extends EventEmitter<NodeLabelerEvents> {
  private readonly api: CoreV1Api;
  private readonly clock: Clock;
  private readonly retryDelayMs: number;
  /** What the Node should carry: a value, or null for "absent". */
  private wanted: Record<string, string | null> = {};
  /** What was last written successfully. */
  private written: Record<string, string | null> = {};
  private running: Promise<void> | undefined;
  private again = false;
  private retry: TimerHandle | undefined;

  constructor(private readonly options: NodeLabelerOptions) {
    super();
    this.api = options.api ?? options.kubeConfig.makeApiClient(CoreV1Api);
    this.clock = options.clock ?? systemClock;
    this.retryDelayMs = options.retryDelayMs ?? 5000;
  }

  /** The label's value from now on; null: take it off. Resolves once written (or failed, to be retried). */
  set(label: string, value: string | null): Promise<void> {
    if (this.wanted[label] === value && this.written[label] === value) return this.running ?? Promise.resolve();
    this.wanted[label] = value;
    return this.flush();
  }

  /** Resolves once no write is running (a retry waiting on the clock is not one). */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Takes off every label set here (stop); resolves once tried. */
  async clear(): Promise<void> {
    this.retry?.cancel();
    for (const label of Object.keys(this.wanted)) this.wanted[label] = null;
    await this.flush();
    this.retry?.cancel();
  }

  private flush(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.retry?.cancel();
    this.retry = undefined;
    this.running = (async () => {
      do {
        this.again = false;
        await this.writeOnce();
      } while (this.again);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async writeOnce(): Promise<void> {
    const patch: Record<string, string | null> = {};
    for (const [label, value] of Object.entries(this.wanted)) if (this.written[label] !== value) patch[label] = value;
    if (Object.keys(patch).length === 0) return;
    try {
      await this.api.patchNode({ name: this.options.nodeName, body: { metadata: { labels: patch } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      Object.assign(this.written, patch);
      this.emit('written', patch);
    } catch (err) {
      this.emit('failed', describeApiError(err));
      this.retry = this.clock.after(this.retryDelayMs, () => void this.flush());
    }
  }
}
