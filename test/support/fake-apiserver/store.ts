// The fake's etcd: objects of every resource type under one global, monotonically increasing
// resourceVersion, and a bounded history of changes from which watches are replayed and past
// states are rebuilt (lists at an exact resourceVersion, continue tokens). Optimistic
// concurrency, generation and the status subresource follow kube-apiserver's generic registry.
import { randomUUID } from 'node:crypto';
import { type KubeObject, type ObjectKey, clone, deepEqual, isPlainObject, specPart } from './object.js';
import { type PatchType, applyPatch } from './patch.js';
import { type ResourceType, apiVersionOf } from './resources.js';
import * as S from './status.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One committed change; `previous` is the state before it (absent for ADDED). */
export interface StoreEvent {
  type: EventType;
  resourceType: ResourceType;
  object: KubeObject;
  previous?: KubeObject;
  resourceVersion: number;
}

export type StoreResult<T> = { ok: true; value: T } | { ok: false; status: S.Status };

export interface StoreOptions {
  /** How many events are kept for watches and past lists (kube-apiserver's watch cache holds ~100 to 1000s). */
  historyLimit?: number;
  /** Source of creationTimestamp, for tests that pin time. */
  now?: () => Date;
}

export interface WriteOptions {
  /** Writes through `/status`: only `.status` changes. */
  subresource?: 'status';
  /** A test acting as the cluster writes spec and status at once, which no API client can. */
  wholeObject?: boolean;
}

export interface DeletePreconditions {
  uid?: string;
  resourceVersion?: string;
}

type ObjectsByKey = Map<string, KubeObject>;

const NAME_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function keyOf(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

function rvOf(obj: KubeObject): string | undefined {
  const rv = obj.metadata.resourceVersion;
  return rv === undefined || rv === '' ? undefined : rv;
}

export class Store {
  private revision = 0;
  private readonly objects = new Map<ResourceType, ObjectsByKey>();
  private readonly history: StoreEvent[] = [];
  /** Every event with a resourceVersion above the floor is still in `history`. */
  private floor = 0;
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  private readonly historyLimit: number;
  private readonly now: () => Date;

  constructor(options: StoreOptions = {}) {
    this.historyLimit = options.historyLimit ?? 1000;
    this.now = options.now ?? (() => new Date());
  }

  /** The latest resourceVersion handed out: what a list at "most recent" reports. */
  get resourceVersion(): number {
    return this.revision;
  }

  /** The oldest resourceVersion a watch can start from; anything older is answered 410. */
  get oldestResourceVersion(): number {
    return this.floor;
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forgets the history before `rv`, as an etcd compaction does: older watches get 410. */
  compactBefore(rv: number): void {
    this.floor = Math.min(Math.max(this.floor, rv), this.revision);
    while (this.history.length > 0 && (this.history[0]?.resourceVersion ?? 0) <= this.floor) this.history.shift();
  }

  /** The events after `rv`, or the 410 that a watch cache answers for a version it no longer holds. */
  eventsSince(rv: number): StoreResult<StoreEvent[]> {
    if (rv < this.floor) return { ok: false, status: S.expired(`too old resource version: ${rv} (${this.floor})`) };
    return { ok: true, value: this.history.filter((e) => e.resourceVersion > rv) };
  }

  get(type: ResourceType, key: ObjectKey): StoreResult<KubeObject> {
    const found = this.bucket(type).get(keyOf(this.namespaceFor(type, key.namespace), key.name));
    return found ? { ok: true, value: clone(found) } : { ok: false, status: S.notFound(this.target(type, key.name)) };
  }

  /** All objects of a type as they were at `rv` (default: now), sorted as etcd keys sort. */
  snapshot(type: ResourceType, rv?: number): StoreResult<KubeObject[]> {
    const at = rv ?? this.revision;
    if (at > this.revision) return { ok: false, status: S.tooLargeResourceVersion(at, this.revision) };
    if (at < this.floor) return { ok: false, status: S.expired(`too old resource version: ${at} (${this.floor})`) };
    const state = new Map(this.bucket(type));
    for (let i = this.history.length - 1; i >= 0; i--) {
      const e = this.history[i];
      if (e === undefined || e.resourceVersion <= at) break;
      if (e.resourceType !== type) continue;
      const key = keyOf(e.object.metadata.namespace, e.object.metadata.name ?? '');
      if (e.previous === undefined) state.delete(key);
      else state.set(key, e.previous);
    }
    const items = [...state.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, o]) => clone(o));
    return { ok: true, value: items };
  }

  create(type: ResourceType, body: KubeObject, namespace?: string, options: { keepStatus?: boolean } = {}): StoreResult<KubeObject> {
    const obj = clone(body);
    obj.metadata = isPlainObject(obj.metadata) ? obj.metadata : {};
    const ns = this.namespaceFor(type, namespace ?? obj.metadata.namespace);
    if (type.namespaced && obj.metadata.namespace !== undefined && obj.metadata.namespace !== ns) {
      return { ok: false, status: S.badRequest('the namespace of the provided object does not match the namespace sent on the request') };
    }
    if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = obj.metadata.generateName + this.randomSuffix();
    const name = obj.metadata.name;
    if (!name) {
      const cause = { field: 'metadata.name', reason: 'FieldValueRequired', detail: 'Required value: name or generateName is required' };
      return { ok: false, status: S.invalid(type.kind, this.target(type, ''), cause) };
    }
    if (type.namespaced && !ns) {
      const cause = { field: 'metadata.namespace', reason: 'FieldValueRequired', detail: 'Required value' };
      return { ok: false, status: S.invalid(type.kind, this.target(type, name), cause) };
    }
    const bucket = this.bucket(type);
    const key = keyOf(ns, name);
    if (bucket.has(key)) return { ok: false, status: S.alreadyExists(this.target(type, name)) };
    if (type.createClearsStatus && !options.keepStatus) delete obj.status;
    obj.apiVersion = apiVersionOf(type);
    obj.kind = type.kind;
    const { resourceVersion: _rv, generation: _g, uid: _u, creationTimestamp: _c, namespace: _n, ...meta } = obj.metadata;
    obj.metadata = { ...meta, name, uid: randomUUID(), creationTimestamp: this.timestamp() };
    if (ns !== undefined) obj.metadata.namespace = ns;
    if (type.tracksGeneration) obj.metadata.generation = 1;
    return { ok: true, value: this.commit('ADDED', type, key, obj) };
  }

  /** PUT: 404 when missing, 409 when `metadata.resourceVersion` is given and stale. */
  replace(type: ResourceType, key: ObjectKey, body: KubeObject, options: WriteOptions = {}): StoreResult<KubeObject> {
    if (!isPlainObject(body) || !isPlainObject(body.metadata)) return { ok: false, status: S.badRequest('the body of the request is not an object with metadata') };
    if (body.metadata.name !== undefined && body.metadata.name !== key.name) {
      return { ok: false, status: S.badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${key.name})`) };
    }
    const current = this.current(type, key);
    if (!current.ok) return current;
    return this.update(type, current.value, body, options);
  }

  /** PATCH: the patch applies to the stored object; a resourceVersion it sets is a precondition. */
  patch(type: ResourceType, key: ObjectKey, patchType: PatchType, body: unknown, options: WriteOptions = {}): StoreResult<KubeObject> {
    const current = this.current(type, key);
    if (!current.ok) return current;
    const patched = applyPatch(patchType, current.value as unknown as Record<string, unknown>, body, type.mergeKeys);
    if (!patched.ok) return { ok: false, status: S.unprocessable(patched.message) };
    const obj = patched.value as unknown as KubeObject;
    if (!isPlainObject(obj.metadata)) obj.metadata = {};
    return this.update(type, current.value, obj, options);
  }

  delete(type: ResourceType, key: ObjectKey, preconditions: DeletePreconditions = {}): StoreResult<KubeObject> {
    const current = this.current(type, key);
    if (!current.ok) return current;
    const meta = current.value.metadata;
    const target = this.target(type, key.name);
    if (preconditions.uid !== undefined && preconditions.uid !== meta.uid) {
      return { ok: false, status: S.preconditionConflict(target, 'UID', preconditions.uid, meta.uid ?? '') };
    }
    if (preconditions.resourceVersion !== undefined && preconditions.resourceVersion !== meta.resourceVersion) {
      return { ok: false, status: S.preconditionConflict(target, 'ResourceVersion', preconditions.resourceVersion, meta.resourceVersion ?? '') };
    }
    this.commit('DELETED', type, keyOf(meta.namespace, key.name), clone(current.value), current.value);
    return { ok: true, value: clone(current.value) };
  }

  /** Status target for a resource type, for callers building their own errors. */
  target(type: ResourceType, name: string): S.StatusTarget {
    return { resource: type.resource, group: type.group, name };
  }

  private update(type: ResourceType, old: KubeObject, body: KubeObject, options: WriteOptions): StoreResult<KubeObject> {
    const sentRv = rvOf(body);
    const target = this.target(type, old.metadata.name ?? '');
    if (sentRv !== undefined && sentRv !== old.metadata.resourceVersion) return { ok: false, status: S.conflict(target) };
    if (sentRv === undefined && !type.allowUnconditionalUpdate && !options.wholeObject) {
      const cause = { field: 'metadata.resourceVersion', reason: 'FieldValueInvalid', detail: 'Invalid value: 0: must be specified for an update' };
      return { ok: false, status: S.invalid(type.resource, target, cause) };
    }
    let next: KubeObject;
    if (options.subresource === 'status') {
      // A status write changes `.status` only (metav1.ResetObjectMetaForStatus and the strategies).
      next = clone(old);
      if (body.status === undefined) delete next.status;
      else next.status = clone(body.status);
    } else {
      next = { ...clone(body), apiVersion: apiVersionOf(type), kind: type.kind };
      if (type.statusSubresource && !options.wholeObject) {
        if (old.status === undefined) delete next.status;
        else next.status = clone(old.status);
      }
      const { uid, creationTimestamp, namespace, name, generation } = old.metadata;
      next.metadata = { ...body.metadata, uid, creationTimestamp, name };
      if (namespace !== undefined) next.metadata.namespace = namespace;
      else delete next.metadata.namespace;
      if (type.tracksGeneration) {
        next.metadata.generation = deepEqual(specPart(next), specPart(old)) ? generation : (generation ?? 0) + 1;
      } else {
        delete next.metadata.generation;
      }
    }
    next.metadata.resourceVersion = old.metadata.resourceVersion;
    // An update that changes nothing is not written: no new resourceVersion, no watch event.
    if (deepEqual(next, old)) return { ok: true, value: clone(old) };
    return { ok: true, value: this.commit('MODIFIED', type, keyOf(old.metadata.namespace, old.metadata.name ?? ''), next, old) };
  }

  private commit(type: EventType, resourceType: ResourceType, key: string, obj: KubeObject, previous?: KubeObject): KubeObject {
    this.revision += 1;
    obj.metadata.resourceVersion = String(this.revision);
    const bucket = this.bucket(resourceType);
    if (type === 'DELETED') bucket.delete(key);
    else bucket.set(key, obj);
    const event: StoreEvent = { type, resourceType, object: obj, resourceVersion: this.revision };
    if (previous !== undefined) event.previous = previous;
    this.history.push(event);
    while (this.history.length > this.historyLimit) {
      const dropped = this.history.shift();
      if (dropped) this.floor = dropped.resourceVersion;
    }
    for (const listener of [...this.listeners]) listener(event);
    return clone(obj);
  }

  private current(type: ResourceType, key: ObjectKey): StoreResult<KubeObject> {
    const found = this.bucket(type).get(keyOf(this.namespaceFor(type, key.namespace), key.name));
    return found ? { ok: true, value: found } : { ok: false, status: S.notFound(this.target(type, key.name)) };
  }

  private namespaceFor(type: ResourceType, namespace: string | undefined): string | undefined {
    return type.namespaced ? namespace : undefined;
  }

  private bucket(type: ResourceType): ObjectsByKey {
    let bucket = this.objects.get(type);
    if (!bucket) {
      bucket = new Map();
      this.objects.set(type, bucket);
    }
    return bucket;
  }

  private timestamp(): string {
    return this.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  private randomSuffix(): string {
    let out = '';
    for (let i = 0; i < 5; i++) out += NAME_SUFFIX_ALPHABET[Math.floor(Math.random() * NAME_SUFFIX_ALPHABET.length)];
    return out;
  }
}
