// The options of LeaderElector, kube-vip's defaults and names, and the checks client-go's
// NewLeaderElector makes of the timings.
import type { CoordinationV1Api, KubeConfig } from '@kubernetes/client-node';
import type { Clock } from '../../../bgp/index.js';
import type { KubernetesSettings } from '../../config/index.js';

/** kube-vip's defaults: vip_leaseduration 5, vip_renewdeadline 3, vip_retryperiod 1 (cmd/kube-vip.go). */
export const KUBE_VIP_ELECTION_DEFAULTS = { leaseDurationSeconds: 5, renewDeadlineSeconds: 3, retryPeriodSeconds: 1 } as const;
/** kube-vip's lease names: vip_leasename (control plane) and the services lease (cmd/kube-vip.go). */
export const CONTROL_PLANE_LEASE = 'plndr-cp-lock';
export const SERVICES_LEASE = 'plndr-svcs-lock';
/** client-go's wait.JitterUntil factor for the candidate's retries. */
export const JITTER_FACTOR = 1.2;

export interface LeaderElectorOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  /** Lease name: CONTROL_PLANE_LEASE, SERVICES_LEASE or serviceLeaseName(service). */
  name: string;
  /** This candidate's holderIdentity: the node name, unique per node. */
  identity: string;
  leaseDurationSeconds?: number;
  renewDeadlineSeconds?: number;
  retryPeriodSeconds?: number;
  /** Release the lease on stop (client-go's ReleaseOnCancel); default true. */
  releaseOnStop?: boolean;
  /** Labels for a Lease this elector creates. */
  labels?: Record<string, string>;
  /** Timers, monotonic time for expiry, wall time written into acquireTime and renewTime (default: the system's). */
  clock?: Clock;
  /** [0, 1), for the retry jitter (default Math.random). */
  random?: () => number;
  /** Replaces the API client (tests). */
  api?: CoordinationV1Api;
  /**
   * Watch the Lease and try at once when it is released or deleted (nudge()), instead of at the
   * next retry; default false. Needs `list` and `watch` on leases; polling goes on regardless.
   */
  watch?: boolean;
}

export interface StopOptions {
  /** Release the lease if this candidate holds it; default the `releaseOnStop` option. */
  release?: boolean;
  /**
   * Awaited after stoppedLeading('stopped') and before the release, only when a release is to be
   * written. Bounded by renewDeadline: past it, or if it rejects, the release goes ahead all the
   * same (nothing is logged). The bound keeps a stuck clean-up from holding the Lease: the
   * renewals have stopped, so other candidates would take it at expiry anyway.
   */
  beforeRelease?: () => Promise<void>;
}

/** `watch`: the Lease watch failed (it retries on its own, and polling goes on meanwhile). */
export type LeaseOperation = 'get' | 'create' | 'update' | 'release' | 'watch';

export interface ElectionFailure {
  operation: LeaseOperation;
  /** HTTP status, absent when no answer came. */
  code?: number;
  message: string;
}

export type StoppedReason = 'renew-deadline' | 'stopped';

export interface LeaderElectorEvents {
  /** This candidate became leader (client-go's OnStartedLeading). */
  leading: [];
  /** This candidate is no longer leader: its renewals failed for renewDeadline, or stop(). */
  stoppedLeading: [reason: StoppedReason];
  /** The observed holder changed, this candidate included (client-go's OnNewLeader). */
  newLeader: [identity: string];
  /** An API call of an attempt, or the Lease watch, failed (for logs and metrics; the loop carries on). */
  failure: [ElectionFailure];
}

/** Options that client-go's NewLeaderElector refuses. */
export class ElectionOptionsError extends Error {
  override name = 'ElectionOptionsError';
}

export type ElectionTimings = Pick<LeaderElectorOptions, 'leaseDurationSeconds' | 'renewDeadlineSeconds' | 'retryPeriodSeconds'>;

/** kube-vip's vip_leaseduration / vip_renewdeadline / vip_retryperiod as configured; unset ones take the elector's 5/3/1. */
export function electionTimings(k: Pick<KubernetesSettings, 'leaseDuration' | 'renewDeadline' | 'retryPeriod'>): ElectionTimings {
  return {
    ...(k.leaseDuration !== undefined ? { leaseDurationSeconds: k.leaseDuration } : {}),
    ...(k.renewDeadline !== undefined ? { renewDeadlineSeconds: k.renewDeadline } : {}),
    ...(k.retryPeriod !== undefined ? { retryPeriodSeconds: k.retryPeriod } : {}),
  };
}

/** The timings in seconds, defaults filled in, or ElectionOptionsError as client-go refuses them. */
export function checkElectionOptions(options: Pick<LeaderElectorOptions, 'identity' | 'leaseDurationSeconds' | 'renewDeadlineSeconds' | 'retryPeriodSeconds'>): { lease: number; renew: number; retry: number } {
  const lease = options.leaseDurationSeconds ?? KUBE_VIP_ELECTION_DEFAULTS.leaseDurationSeconds;
  const renew = options.renewDeadlineSeconds ?? KUBE_VIP_ELECTION_DEFAULTS.renewDeadlineSeconds;
  const retry = options.retryPeriodSeconds ?? KUBE_VIP_ELECTION_DEFAULTS.retryPeriodSeconds;
  // The lease records whole seconds.
  if (!Number.isInteger(lease) || lease < 1) throw new ElectionOptionsError(`leaseDurationSeconds must be a whole number of seconds, at least 1 (got ${lease})`);
  if (!(retry > 0)) throw new ElectionOptionsError(`retryPeriodSeconds must be greater than zero (got ${retry})`);
  if (!(lease > renew)) throw new ElectionOptionsError(`leaseDurationSeconds (${lease}) must be greater than renewDeadlineSeconds (${renew})`);
  if (!(renew > JITTER_FACTOR * retry)) throw new ElectionOptionsError(`renewDeadlineSeconds (${renew}) must be greater than retryPeriodSeconds × ${JITTER_FACTOR} (${JITTER_FACTOR * retry})`);
  if (!options.identity) throw new ElectionOptionsError('identity must not be empty');
  return { lease, renew, retry };
}
