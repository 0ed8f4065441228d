// The pieces of the resilient informer that sit on client-node itself: a Watch whose request in
// flight can be ended before the server answers, and a one-line description of the errors
// client-node raises (ApiException with a Status body, a watch's HTTP status, a socket error).
import { ApiException, type KubeConfig, Watch } from '@kubernetes/client-node';

/** A one-line description and a code for an error from client-node: ApiException, watch status, socket error. */
export function describeInformerError(err: unknown): { message: string; code?: string | number } {
  if (err instanceof ApiException) {
    let detail = '';
    try {
      const status = (typeof err.body === 'string' ? JSON.parse(err.body) : err.body) as { reason?: unknown; message?: unknown } | undefined;
      detail = [typeof status?.reason === 'string' ? ` ${status.reason}` : '', typeof status?.message === 'string' ? `: ${status.message}` : ''].join('');
    } catch {
      // not a Status: the code alone
    }
    // Some answers (401) come without their Status: the generated client keeps only a sentence.
    if (detail === '') detail = /^Message: (.+)$/m.exec(err.message)?.[1]?.replace(/^/, ' ') ?? '';
    return { message: `${err.code}${detail}`, code: err.code };
  }
  const e = (err ?? {}) as { statusCode?: unknown; code?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (typeof e.statusCode === 'number') return { message: `${e.statusCode} ${message}`, code: e.statusCode };
  if (typeof e.code === 'string' || typeof e.code === 'number') {
    return { message: message.includes(String(e.code)) ? message : `${e.code}: ${message}`, code: e.code };
  }
  return { message };
}

export const isAbort = (err: unknown): boolean => (err as { name?: unknown } | undefined)?.name === 'AbortError';

/** One watch request of TrackedWatch. */
interface WatchRequest {
  /** Set once the server has answered; aborting it ends the stream. */
  controller?: AbortController;
  /** Given up before its answer came: nothing from it reaches ListWatch any more. */
  abandoned: boolean;
  done: (err: unknown) => void;
  abandon: () => void;
}

function abortedController(): AbortController {
  const controller = new AbortController();
  controller.abort();
  return controller;
}

/**
 * client-node's Watch, with a handle on the request in flight so that it can be ended even
 * before the server answers (Watch itself hands its AbortController back only with the
 * answer). A request given up that way is cut off from ListWatch for good: its late answer is
 * aborted, its events and its end are dropped. A throw before the request is sent (credentials
 * that cannot be read) becomes a failure through `done`, as ListWatch expects, rather than an
 * unhandled rejection.
 */
export class TrackedWatch extends Watch {
  private current: WatchRequest | undefined;

  constructor(config: KubeConfig, private readonly stopped: () => boolean) {
    super(config);
  }

  override watch(...[path, query, callback, done]: Parameters<Watch['watch']>): Promise<AbortController> {
    let abandon = (): void => undefined;
    const abandoned = new Promise<AbortController>((resolve) => (abandon = () => resolve(abortedController())));
    const request: WatchRequest = { abandoned: false, done, abandon };
    this.current = request;
    const answered = super
      .watch(path, query, (...event) => void (request.abandoned || callback(...event)), (err) => void (request.abandoned || done(err)))
      .catch((err: unknown) => {
        if (!request.abandoned) done(err);
        return abortedController();
      })
      .then((controller) => {
        request.controller = controller;
        // Given up, or stop() came while the request was on its way: nothing stays open.
        if (request.abandoned || this.stopped()) controller.abort();
        return controller;
      });
    return Promise.race([answered, abandoned]);
  }

  /** Whether the request in flight has its answer (a stream is open). */
  get answered(): boolean {
    return this.current?.controller !== undefined;
  }

  /** Ends the request in flight with `reason`; false when none is in flight. */
  end(reason: Error): boolean {
    const request = this.current;
    if (!request || request.abandoned) return false;
    if (request.controller) {
      // Answered: aborting it ends the stream, and ListWatch reports an AbortError.
      if (request.controller.signal.aborted) return false;
      request.controller.abort();
      return true;
    }
    request.abandoned = true;
    request.abandon();
    request.done(reason);
    return true;
  }
}
