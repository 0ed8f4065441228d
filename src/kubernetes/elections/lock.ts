// The Lease lock: client-go's resourcelock.LeaseLock (tools/leaderelection/resourcelock/
// leaselock.go) for @kubernetes/client-node. It reads the election record from a
// coordination.k8s.io/v1 Lease, creates the Lease when it is missing and replaces it with the
// resourceVersion it last saw, so that the API server refuses (409 Conflict) a write based on a
// stale read: the optimistic concurrency the whole election rests on.
import type { CoordinationV1Api, V1Lease, V1LeaseSpec, V1MicroTime } from '@kubernetes/client-node';
import { abortable } from '../client.js';

/** client-go's resourcelock.LeaderElectionRecord, as a Lease's spec holds it. */
export interface LeaderElectionRecord {
  /** Who holds the lease; '' after a release. */
  holderIdentity: string;
  leaseDurationSeconds: number;
  /** RFC 3339 with microseconds (metav1.MicroTime), exactly as on the wire; '' when unset. */
  acquireTime: string;
  renewTime: string;
  leaseTransitions: number;
}

/** Thrown by `update` before any `get` or `create`, as client-go's LeaseLock does. */
export class LeaseNotReadError extends Error {
  override name = 'LeaseNotReadError';
}

/** metav1.MicroTime text: `2024-01-01T00:00:00.000000Z` (kube-apiserver parses RFC3339Micro). */
export function microTime(date: Date): string {
  return date.toISOString().replace(/Z$/, '000Z');
}

function timeText(value: unknown): string {
  // client-node 1.4 has no V1MicroTime in its deserialiser's type map, so these arrive as text.
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  return '';
}

/** leaselock.go LeaseSpecToLeaderElectionRecord. */
export function recordOf(spec: V1LeaseSpec | undefined): LeaderElectionRecord {
  // A watch hands the Lease over unchecked: a field of another type reads as unset.
  const holder: unknown = spec?.holderIdentity;
  const count = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
  return {
    holderIdentity: typeof holder === 'string' ? holder : '',
    leaseDurationSeconds: count(spec?.leaseDurationSeconds),
    acquireTime: timeText(spec?.acquireTime),
    renewTime: timeText(spec?.renewTime),
    leaseTransitions: count(spec?.leaseTransitions),
  };
}

/** leaselock.go LeaderElectionRecordToLeaseSpec. */
function specOf(record: LeaderElectionRecord): V1LeaseSpec {
  // The times go out as text: client-node serialises a field of a type it does not know as it
  // is, which keeps the six fractional digits (and a Go writer's microseconds) exact.
  const time = (text: string) => (text === '' ? undefined : (text as unknown as V1MicroTime));
  const spec: V1LeaseSpec = {
    holderIdentity: record.holderIdentity,
    leaseDurationSeconds: record.leaseDurationSeconds,
    leaseTransitions: record.leaseTransitions,
  };
  const acquireTime = time(record.acquireTime);
  const renewTime = time(record.renewTime);
  if (acquireTime) spec.acquireTime = acquireTime;
  if (renewTime) spec.renewTime = renewTime;
  return spec;
}

/** A stable text of a record, standing in for client-go's observedRawRecord bytes. */
export function rawRecord(record: LeaderElectionRecord): string {
  return JSON.stringify([record.holderIdentity, record.leaseDurationSeconds, record.acquireTime, record.renewTime, record.leaseTransitions]);
}

export interface LeaseLockOptions {
  api: CoordinationV1Api;
  namespace: string;
  name: string;
  /** Labels put on a Lease this lock creates (never added to someone else's). */
  labels?: Record<string, string>;
}

export class LeaseLock {
  readonly namespace: string;
  readonly name: string;
  private readonly api: CoordinationV1Api;
  private readonly labels: Record<string, string>;
  /** The Lease as last read or written: its resourceVersion is the precondition of the next write. */
  private lease: V1Lease | undefined;

  constructor(options: LeaseLockOptions) {
    this.api = options.api;
    this.namespace = options.namespace;
    this.name = options.name;
    this.labels = { ...options.labels };
  }

  /** `namespace/name`, as client-go's Describe. */
  describe(): string {
    return `${this.namespace}/${this.name}`;
  }

  /** Reads the record; rejects with the ApiException (404 when the Lease is missing). */
  async get(signal: AbortSignal): Promise<LeaderElectionRecord> {
    const lease = await this.api.readNamespacedLease({ namespace: this.namespace, name: this.name }, abortable(signal));
    this.lease = lease;
    return recordOf(lease.spec);
  }

  /** Creates the Lease holding `record` (POST, as client-go); 409 AlreadyExists when someone was first. */
  async create(record: LeaderElectionRecord, signal: AbortSignal): Promise<void> {
    const body: V1Lease = { metadata: { namespace: this.namespace, name: this.name }, spec: specOf(record) };
    if (Object.keys(this.labels).length > 0) body.metadata!.labels = { ...this.labels };
    this.lease = await this.api.createNamespacedLease({ namespace: this.namespace, body }, abortable(signal));
  }

  /** Replaces the record, conditional on the resourceVersion last seen (409 Conflict if stale). */
  async update(record: LeaderElectionRecord, signal: AbortSignal): Promise<void> {
    if (!this.lease) throw new LeaseNotReadError(`lease ${this.describe()} not read yet: call get or create first`);
    const body: V1Lease = { ...this.lease, spec: specOf(record) };
    this.lease = await this.api.replaceNamespacedLease({ namespace: this.namespace, name: this.name, body }, abortable(signal));
  }
}
