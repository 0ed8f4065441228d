// From a request (method, path, query, body) to what the store does and what the server answers,
// by the REST conventions of kube-apiserver: collections and named objects, namespaced and
// cluster-wide paths, the `/status` subresource, list paging and the resourceVersion parameter.
import { type KubeObject, isPlainObject } from './object.js';
import { patchTypeOf } from './patch.js';
import { type ResourceType, apiVersionOf, findResourceType } from './resources.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import * as S from './status.js';
import { type DeletePreconditions, type Store, type StoreResult, keyOf } from './store.js';
import { validateCreate } from './validation.js';
import type { WatchRequest } from './watch.js';

export interface ResourceRoute {
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: 'status';
}

export interface IncomingCall {
  method: string;
  query: URLSearchParams;
  contentType: string | undefined;
  body: string;
}

export type Reply = { kind: 'json'; code: number; body: unknown } | { kind: 'watch'; request: WatchRequest };

const json = (code: number, body: unknown): Reply => ({ kind: 'json', code, body });
const fail = (status: S.Status): Reply => json(status.code ?? 500, status);

/** `/api/v1/namespaces/ns/services/name/status` → its parts; undefined for any path not served. */
export function parseResourcePath(pathname: string): ResourceRoute | undefined {
  const segments = pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api' && segments.length >= 3) {
    [group, version, rest] = ['', segments[1] ?? '', segments.slice(2)];
  } else if (segments[0] === 'apis' && segments.length >= 4) {
    [group, version, rest] = [segments[1] ?? '', segments[2] ?? '', segments.slice(3)];
  } else {
    return undefined;
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  if (rest.length < 1 || rest.length > 3) return undefined;
  const [resource = '', name, subresource] = rest;
  const type = findResourceType(group, version, resource);
  if (type === undefined || (namespace !== undefined && !type.namespaced)) return undefined;
  if (name !== undefined && type.namespaced && namespace === undefined) return undefined;
  if (subresource !== undefined && (subresource !== 'status' || !type.statusSubresource)) return undefined;
  const route: ResourceRoute = { type };
  if (namespace !== undefined) route.namespace = namespace;
  if (name !== undefined) route.name = name;
  if (subresource === 'status') route.subresource = 'status';
  return route;
}

/** The `resourceVersion` parameter: undefined when unset, a number, or the 400 for anything else. */
function parseResourceVersion(value: string | null): StoreResult<number | undefined> {
  if (value === null || value === '') return { ok: true, value: undefined };
  if (!/^\d+$/.test(value)) return { ok: false, status: S.badRequest(`invalid resource version: ${JSON.stringify(value)}`) };
  return { ok: true, value: Number(value) };
}

function parseBody(call: IncomingCall): StoreResult<unknown> {
  if (call.body.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(call.body) as unknown };
  } catch (err) {
    return { ok: false, status: S.badRequest(`the body of the request could not be decoded as JSON: ${(err as Error).message}`) };
  }
}

interface ContinueToken {
  v: 'meta.k8s.io/v1';
  rv: number;
  start: string;
}

function encodeContinue(rv: number, lastKey: string): string {
  const token: ContinueToken = { v: 'meta.k8s.io/v1', rv, start: `${lastKey}\u0000` };
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeContinue(text: string): ContinueToken | undefined {
  try {
    const token = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (isPlainObject(token) && typeof token.rv === 'number' && typeof token.start === 'string') return token as unknown as ContinueToken;
  } catch {
    // fall through to undefined: an unreadable token is a 400
  }
  return undefined;
}

const CONTINUE_EXPIRED =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without ' +
  'the continue parameter, or use the continue token in this response to retrieve the remainder of the results. ' +
  'Continuing with the provided token results in an inconsistent list - objects that were created, modified, or ' +
  'deleted between the time the first chunk was returned and now may show up in the list.';

function list(store: Store, route: ResourceRoute, query: URLSearchParams): Reply {
  const { type } = route;
  const labels = parseLabelSelector(query.get('labelSelector'));
  if (!labels.ok) return fail(S.badRequest(labels.message));
  const fields = parseFieldSelector(query.get('fieldSelector'), type);
  if (!fields.ok) return fail(S.badRequest(fields.message));
  const rvParam = parseResourceVersion(query.get('resourceVersion'));
  if (!rvParam.ok) return fail(rvParam.status);
  const limit = Number(query.get('limit') ?? '0');
  const continueText = query.get('continue');

  // Which state to read (the resourceVersion table of "API Concepts"):
  let at: number | undefined;
  let start = '';
  if (continueText) {
    if (rvParam.value !== undefined && rvParam.value !== 0) return fail(S.badRequest('specifying resource version is not allowed when using continue'));
    const token = decodeContinue(continueText);
    if (token === undefined) return fail(S.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)'));
    if (token.rv < store.oldestResourceVersion) return fail(S.expired(CONTINUE_EXPIRED));
    [at, start] = [token.rv, token.start];
  } else if (rvParam.value !== undefined && rvParam.value !== 0) {
    const exact = query.get('resourceVersionMatch') === 'Exact' || limit > 0;
    if (rvParam.value > store.resourceVersion) return fail(S.tooLargeResourceVersion(rvParam.value, store.resourceVersion));
    at = exact ? rvParam.value : undefined;
  }
  const snapshot = store.snapshot(type, at);
  if (!snapshot.ok) return fail(snapshot.status);
  const listRv = at ?? store.resourceVersion;

  const inScope = (o: KubeObject): boolean =>
    (route.namespace === undefined || o.metadata.namespace === route.namespace) && labels.matches(o) && fields.matches(o);
  const matching = snapshot.value.filter((o) => inScope(o) && keyOf(o.metadata.namespace, o.metadata.name ?? '') >= start);
  const page = limit > 0 ? matching.slice(0, limit) : matching;
  const metadata: Record<string, unknown> = { resourceVersion: String(listRv) };
  const last = page[page.length - 1];
  if (page.length < matching.length && last !== undefined) {
    metadata.continue = encodeContinue(listRv, keyOf(last.metadata.namespace, last.metadata.name ?? ''));
    const unfiltered = !query.get('labelSelector') && !query.get('fieldSelector');
    if (unfiltered) metadata.remainingItemCount = matching.length - page.length;
  }
  // Items of a typed list carry no kind or apiVersion: the list's own say what they are.
  const items = page.map(({ kind: _k, apiVersion: _a, ...rest }) => rest);
  return json(200, { kind: type.listKind, apiVersion: apiVersionOf(type), metadata, items });
}

function watch(store: Store, route: ResourceRoute, query: URLSearchParams): Reply {
  const labels = parseLabelSelector(query.get('labelSelector'));
  if (!labels.ok) return fail(S.badRequest(labels.message));
  const fields = parseFieldSelector(query.get('fieldSelector'), route.type);
  if (!fields.ok) return fail(S.badRequest(fields.message));
  const rv = parseResourceVersion(query.get('resourceVersion'));
  if (!rv.ok) return fail(rv.status);
  const request: WatchRequest = {
    type: route.type,
    matches: (o) => labels.matches(o) && fields.matches(o),
    allowWatchBookmarks: query.get('allowWatchBookmarks') === 'true',
  };
  if (route.namespace !== undefined) request.namespace = route.namespace;
  if (rv.value !== undefined) request.resourceVersion = rv.value;
  if (query.get('sendInitialEvents') === 'true') {
    // As ValidateListOptions demands of a streaming list.
    if (!request.allowWatchBookmarks || query.get('resourceVersionMatch') !== 'NotOlderThan') {
      const cause = { field: 'sendInitialEvents', reason: 'FieldValueForbidden', detail: 'Forbidden: sendInitialEvents requires allowWatchBookmarks=true and resourceVersionMatch=NotOlderThan' };
      return fail(S.invalid('ListOptions', { resource: '', group: 'meta.k8s.io', name: '' }, cause));
    }
    request.sendInitialEvents = true;
  }
  const timeout = Number(query.get('timeoutSeconds') ?? '0');
  if (timeout > 0) request.timeoutSeconds = timeout;
  return { kind: 'watch', request };
}

function reply(result: StoreResult<unknown>, code = 200): Reply {
  return result.ok ? json(code, result.value) : fail(result.status);
}

function isWatch(query: URLSearchParams): boolean {
  const w = query.get('watch');
  return w === 'true' || w === '1';
}

/** Dispatches one request on a resource path to the store. */
export function handleResource(store: Store, route: ResourceRoute, call: IncomingCall): Reply {
  const { type, name, namespace, subresource } = route;
  const { method, query } = call;
  if (query.get('dryRun')) return fail(S.badRequest('dryRun is not supported by the fake API server'));
  if (name === undefined) {
    if (method === 'GET') return isWatch(query) ? watch(store, route, query) : list(store, route, query);
    if (method === 'POST') {
      if (type.namespaced && namespace === undefined) return fail(S.methodNotAllowed(method));
      const body = parseBody(call);
      if (!body.ok) return fail(body.status);
      if (!isPlainObject(body.value)) return fail(S.badRequest('the body of the request must be an object'));
      const refused = validateCreate(type, body.value as unknown as KubeObject, namespace);
      if (refused) return fail(refused);
      return reply(store.create(type, body.value as unknown as KubeObject, namespace), 201);
    }
    return fail(S.methodNotAllowed(method));
  }
  const key = namespace === undefined ? { name } : { namespace, name };
  const options = subresource === 'status' ? { subresource } : {};
  switch (method) {
    case 'GET': {
      const rv = parseResourceVersion(query.get('resourceVersion'));
      if (!rv.ok) return fail(rv.status);
      if (rv.value !== undefined && rv.value > store.resourceVersion) return fail(S.tooLargeResourceVersion(rv.value, store.resourceVersion));
      return reply(store.get(type, key));
    }
    case 'PUT': {
      const body = parseBody(call);
      if (!body.ok) return fail(body.status);
      const obj = body.value as KubeObject;
      if (subresource === undefined && type.allowCreateOnUpdate && !store.get(type, key).ok && isPlainObject(obj) && isPlainObject(obj.metadata)) {
        // AllowCreateOnUpdate: the PUT is a create (any resourceVersion sent is dropped).
        if (obj.metadata.name !== undefined && obj.metadata.name !== name) return reply(store.replace(type, key, obj, options));
        return reply(store.create(type, { ...obj, metadata: { ...obj.metadata, name } }, namespace), 201);
      }
      return reply(store.replace(type, key, obj, options));
    }
    case 'PATCH': {
      const patchType = patchTypeOf(call.contentType);
      if (patchType === undefined) return fail(S.unsupportedMediaType(call.contentType ?? ''));
      const body = parseBody(call);
      if (!body.ok) return fail(body.status);
      return reply(store.patch(type, key, patchType, body.value, options));
    }
    case 'DELETE': {
      if (subresource !== undefined) return fail(S.methodNotAllowed(method));
      const body = parseBody(call);
      if (!body.ok) return fail(body.status);
      const sent = isPlainObject(body.value) && isPlainObject(body.value.preconditions) ? body.value.preconditions : {};
      const preconditions: DeletePreconditions = {};
      if (typeof sent.uid === 'string') preconditions.uid = sent.uid;
      if (typeof sent.resourceVersion === 'string') preconditions.resourceVersion = sent.resourceVersion;
      const result = store.delete(type, key, preconditions);
      if (!result.ok) return fail(result.status);
      return json(200, type.deleteReturnsObject ? result.value : S.deleted(store.target(type, name), result.value.metadata.uid ?? ''));
    }
    default:
      return fail(S.methodNotAllowed(method));
  }
}
