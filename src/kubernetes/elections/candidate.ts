// A candidate for a Lease, as the code that acts on leadership sees it: LeaderElector is one,
// SoloCandidate leads alone when there is nobody to elect with. No Kubernetes client here, so
// that a mode can hold this type without loading the client.
import { EventEmitter } from 'node:events';
import type { StopOptions, StoppedReason } from './options.js';

export interface Candidate {
  readonly isLeader: boolean;
  /** The holder last observed ('' when none). */
  readonly leader: string;
  on(event: 'leading', listener: () => void): unknown;
  on(event: 'stoppedLeading', listener: (reason: StoppedReason) => void): unknown;
  on(event: 'newLeader', listener: (identity: string) => void): unknown;
  start(): void;
  stop(options?: StopOptions): Promise<void>;
}

/** Which Lease: kube-vip's plndr-cp-lock, plndr-svcs-lock, or a Service's own kubevip-<name>. */
export type LeaseRef = { kind: 'control-plane' } | { kind: 'services' } | { kind: 'service'; namespace: string; name: string };

/** Candidates for the Leases, made by the cluster sources with their credentials and timings. */
export interface Elections {
  /** The candidate for one Lease, not started (the services Lease's is shared with the status writer). */
  candidate(lease: LeaseRef): Candidate;
}

/** Leads from start to stop: a node alone (no Kubernetes credentials, or leader election off). */
export class SoloCandidate extends EventEmitter implements Candidate {
  private leading = false;
  constructor(readonly identity: string) {
    super();
  }
  get isLeader(): boolean {
    return this.leading;
  }
  get leader(): string {
    return this.leading ? this.identity : '';
  }
  start(): void {
    if (this.leading) return;
    this.leading = true;
    this.emit('newLeader', this.identity);
    this.emit('leading');
  }
  async stop(): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    this.emit('stoppedLeading', 'stopped');
  }
}
