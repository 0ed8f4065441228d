// Errors as the API server sends them: a `Status` object (meta/v1) whose `reason` is the stable
// name and whose `code` is the HTTP status. The messages copy kube-apiserver's wording
// (k8s.io/apimachinery/pkg/api/errors) so that a test asserting on them asserts on real text.

/** `Status.reason` values used here (metav1.StatusReason). */
export const StatusReason = {
  NotFound: 'NotFound',
  AlreadyExists: 'AlreadyExists',
  Conflict: 'Conflict',
  Invalid: 'Invalid',
  Expired: 'Expired',
  Gone: 'Gone',
  BadRequest: 'BadRequest',
  MethodNotAllowed: 'MethodNotAllowed',
  Unauthorized: 'Unauthorized',
  UnsupportedMediaType: 'UnsupportedMediaType',
  ServiceUnavailable: 'ServiceUnavailable',
  Timeout: 'Timeout',
} as const;
export type StatusReason = (typeof StatusReason)[keyof typeof StatusReason];

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: { reason?: string; message?: string; field?: string }[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  /** Absent on the Success Status that DELETE returns, as kube-apiserver leaves it out there. */
  code?: number;
}

/** The resource an error is about, as `Status.details` names it: plural resource, API group. */
export interface StatusTarget {
  resource: string;
  group: string;
  name?: string;
}

/** `services` or `leases.coordination.k8s.io`, as in kube-apiserver messages. */
function qualified(target: StatusTarget): string {
  return target.group === '' ? target.resource : `${target.resource}.${target.group}`;
}

function failure(code: number, reason: StatusReason, message: string, details?: StatusDetails): Status {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details !== undefined) status.details = details;
  return status;
}

function detailsOf(target: StatusTarget): StatusDetails {
  const details: StatusDetails = { kind: target.resource };
  if (target.name !== undefined) details.name = target.name;
  if (target.group !== '') details.group = target.group;
  return details;
}

export function notFound(target: StatusTarget): Status {
  return failure(404, StatusReason.NotFound, `${qualified(target)} "${target.name ?? ''}" not found`, detailsOf(target));
}

export function alreadyExists(target: StatusTarget): Status {
  return failure(409, StatusReason.AlreadyExists, `${qualified(target)} "${target.name ?? ''}" already exists`, detailsOf(target));
}

/** Optimistic concurrency: the `metadata.resourceVersion` sent is not the stored one. */
export function conflict(target: StatusTarget): Status {
  return failure(
    409,
    StatusReason.Conflict,
    `Operation cannot be fulfilled on ${qualified(target)} "${target.name ?? ''}": ` +
      'the object has been modified; please apply your changes to the latest version and try again',
    detailsOf(target),
  );
}

/** A failed DeleteOptions precondition (uid or resourceVersion). */
export function preconditionConflict(target: StatusTarget, field: 'UID' | 'ResourceVersion', want: string, have: string): Status {
  return failure(
    409,
    StatusReason.Conflict,
    `Operation cannot be fulfilled on ${qualified(target)} "${target.name ?? ''}": ` +
      `Precondition failed: ${field} in precondition: ${want}, ${field} in object meta: ${have}`,
    detailsOf(target),
  );
}

/**
 * 422 Invalid for one field, as field.ErrorList renders it: `Service "x" is invalid: metadata.name:
 * Required value`. `kind` is what the registry names (`Service`, or a resource such as `leases`).
 */
export function invalid(kind: string, target: StatusTarget, cause: { field: string; reason: string; detail: string }): Status {
  const qualifiedKind = target.group === '' ? kind : `${kind}.${target.group}`;
  const details: StatusDetails = { ...detailsOf(target), kind, causes: [{ reason: cause.reason, message: cause.detail, field: cause.field }] };
  return failure(422, StatusReason.Invalid, `${qualifiedKind} "${target.name ?? ''}" is invalid: ${cause.field}: ${cause.detail}`, details);
}

/** 422 for a patch that cannot be applied (a failed JSON Patch `test`, a missing path). */
export function unprocessable(message: string): Status {
  return failure(422, StatusReason.Invalid, message);
}

/** 410 Expired: what the watch cache answers for a resourceVersion older than its history. */
export function expired(message: string): Status {
  return failure(410, StatusReason.Expired, message);
}

/** 410 Gone: the older spelling of the same condition, kept for tests that want it. */
export function gone(message: string): Status {
  return failure(410, StatusReason.Gone, message);
}

export function badRequest(message: string): Status {
  return failure(400, StatusReason.BadRequest, message);
}

export function methodNotAllowed(method: string): Status {
  return failure(405, StatusReason.MethodNotAllowed, `the server does not allow this method on the requested resource (${method})`);
}

export function unauthorized(): Status {
  return failure(401, StatusReason.Unauthorized, 'Unauthorized');
}

export function unsupportedMediaType(contentType: string): Status {
  return failure(415, StatusReason.UnsupportedMediaType, `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got ${contentType})`);
}

export function serviceUnavailable(): Status {
  return failure(503, StatusReason.ServiceUnavailable, 'the server is currently unable to handle the request');
}

/** 504 for a get or list at a resourceVersion the server has not reached yet. */
export function tooLargeResourceVersion(asked: number, current: number): Status {
  return failure(504, StatusReason.Timeout, `Too large resource version: ${asked}, current: ${current}`, {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    retryAfterSeconds: 1,
  });
}

/** What DELETE returns for resources whose registry does not hand back the deleted object. */
export function deleted(target: StatusTarget, uid: string): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { ...detailsOf(target), uid } };
}

/** A Status carried as an error out of a helper call, named by its reason. */
export class FakeApiError extends Error {
  override readonly name = 'FakeApiError';
  constructor(readonly status: Status) {
    super(`${status.code ?? 200} ${status.reason ?? ''}: ${status.message ?? ''}`);
  }
}
