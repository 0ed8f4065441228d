// Small helpers around @kubernetes/client-node 1.4's failed calls, shared by the elector, the
// per-Service leases and the status writer: which HTTP status a call failed with, and a sentence
// for the log. (Aborting a call in flight is client.ts's `abortable`.)
import { ApiException } from '@kubernetes/client-node';

/** The label vip-speaker puts on the objects it creates, so it only ever deletes its own. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'vip-speaker';

/** The HTTP status of a failed call, or undefined when no answer came (refused, reset, aborted). */
export function httpStatusOf(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

/** `Status.reason` of a failed call (`Conflict`, `AlreadyExists`, ...): ApiException keeps the body as JSON text. */
export function statusReasonOf(err: unknown): string | undefined {
  if (!(err instanceof ApiException)) return undefined;
  const body: unknown = err.body;
  try {
    const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as { reason?: unknown } | undefined;
    return typeof parsed?.reason === 'string' ? parsed.reason : undefined;
  } catch {
    return undefined;
  }
}

/** One line for a log: `409 Conflict: ...` from the API's Status, or the transport error. */
export function describeApiError(err: unknown): string {
  if (err instanceof ApiException) {
    const body: unknown = err.body;
    let message = '';
    try {
      const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as { message?: unknown } | undefined;
      if (typeof parsed?.message === 'string') message = parsed.message;
    } catch {
      // a body that is not a Status: keep the code alone
    }
    const reason = statusReasonOf(err);
    return `${err.code}${reason ? ` ${reason}` : ''}${message ? `: ${message}` : ''}`;
  }
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
