// The three PATCH bodies kube-apiserver accepts from ordinary clients, chosen by Content-Type:
// JSON Patch (RFC 6902, the default of @kubernetes/client-node), JSON Merge Patch (RFC 7386) and
// strategic merge patch, here only in its simple form: maps merge, `null` deletes, lists replace
// unless the resource names a merge key for that list, and `$patch: delete|replace` directives.
import { clone, isPlainObject } from './object.js';

export const PatchType = {
  Json: 'application/json-patch+json',
  Merge: 'application/merge-patch+json',
  StrategicMerge: 'application/strategic-merge-patch+json',
} as const;
export type PatchType = (typeof PatchType)[keyof typeof PatchType];

export type PatchResult = { ok: true; value: Record<string, unknown> } | { ok: false; message: string };

export function patchTypeOf(contentType: string | undefined): PatchType | undefined {
  const bare = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  return Object.values(PatchType).find((t) => t === bare);
}

/** RFC 7386 section 2: objects merge member by member, `null` removes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return clone(patch);
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** Strategic merge: `mergeKeys` maps a dotted field path (`status.conditions`) to its merge key. */
export function strategicMergePatch(target: unknown, patch: unknown, mergeKeys: Record<string, string>, path = ''): unknown {
  if (!isPlainObject(patch)) return clone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _directive, ...rest } = patch;
    return clone(rest);
  }
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    const fieldPath = path === '' ? key : `${path}.${key}`;
    const mergeKey = mergeKeys[fieldPath];
    if (value === null) delete result[key];
    else if (mergeKey !== undefined && Array.isArray(value)) result[key] = mergeList(result[key], value, mergeKey, mergeKeys, fieldPath);
    else result[key] = strategicMergePatch(result[key], value, mergeKeys, fieldPath);
  }
  return result;
}

function mergeList(target: unknown, patch: unknown[], mergeKey: string, mergeKeys: Record<string, string>, path: string): unknown[] {
  const result: unknown[] = Array.isArray(target) ? [...target] : [];
  for (const element of patch) {
    if (!isPlainObject(element)) {
      result.push(clone(element));
      continue;
    }
    const at = result.findIndex((e) => isPlainObject(e) && e[mergeKey] === element[mergeKey]);
    if (element.$patch === 'delete') {
      if (at >= 0) result.splice(at, 1);
    } else if (at >= 0) {
      result[at] = strategicMergePatch(result[at], element, mergeKeys, path);
    } else {
      result.push(strategicMergePatch(undefined, element, mergeKeys, path));
    }
  }
  return result;
}

/** RFC 6901: `/a/b~1c` → ['a', 'b/c']. */
function parsePointer(pointer: string): string[] | undefined {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return undefined;
  return pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = Record<string, unknown> | unknown[];

/** The parent container of the pointed-to location and the last token, or an error message. */
function locate(doc: unknown, pointer: string): { parent: Container; token: string } | string {
  const tokens = parsePointer(pointer);
  if (tokens === undefined || tokens.length === 0) return `invalid path: "${pointer}"`;
  let at: unknown = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(at)) at = at[Number(token)];
    else if (isPlainObject(at)) at = at[token];
    else return `path not found: "${pointer}"`;
  }
  if (!Array.isArray(at) && !isPlainObject(at)) return `path not found: "${pointer}"`;
  return { parent: at, token: tokens[tokens.length - 1] ?? '' };
}

function read(doc: unknown, pointer: string): { ok: true; value: unknown } | { ok: false } {
  const tokens = parsePointer(pointer);
  if (tokens === undefined) return { ok: false };
  let at: unknown = doc;
  for (const token of tokens) {
    if (Array.isArray(at) && /^\d+$/.test(token) && Number(token) < at.length) at = at[Number(token)];
    else if (isPlainObject(at) && Object.hasOwn(at, token)) at = at[token];
    else return { ok: false };
  }
  return { ok: true, value: at };
}

function add(doc: unknown, pointer: string, value: unknown): string | undefined {
  const loc = locate(doc, pointer);
  if (typeof loc === 'string') return loc;
  if (Array.isArray(loc.parent)) {
    const index = loc.token === '-' ? loc.parent.length : Number(loc.token);
    if (!Number.isInteger(index) || index < 0 || index > loc.parent.length) return `array index out of bounds: "${pointer}"`;
    loc.parent.splice(index, 0, clone(value));
  } else {
    loc.parent[loc.token] = clone(value);
  }
  return undefined;
}

function remove(doc: unknown, pointer: string): string | undefined {
  const loc = locate(doc, pointer);
  if (typeof loc === 'string') return loc;
  if (Array.isArray(loc.parent)) {
    const index = Number(loc.token);
    if (!Number.isInteger(index) || index < 0 || index >= loc.parent.length) return `array index out of bounds: "${pointer}"`;
    loc.parent.splice(index, 1);
  } else {
    if (!Object.hasOwn(loc.parent, loc.token)) return `path not found: "${pointer}"`;
    delete loc.parent[loc.token];
  }
  return undefined;
}

/** Applies the operations in order to a copy; any failure leaves the object untouched (RFC 6902 section 5). */
export function jsonPatch(target: Record<string, unknown>, ops: unknown): PatchResult {
  if (!Array.isArray(ops)) return { ok: false, message: 'a JSON Patch document must be an array of operations' };
  const doc = clone(target);
  for (const op of ops) {
    if (!isPlainObject(op) || typeof op.path !== 'string') return { ok: false, message: `invalid operation: ${JSON.stringify(op)}` };
    const path = op.path;
    let error: string | undefined;
    switch (op.op) {
      case 'add':
        error = add(doc, path, op.value);
        break;
      case 'remove':
        error = remove(doc, path);
        break;
      case 'replace':
        error = read(doc, path).ok ? (remove(doc, path) ?? add(doc, path, op.value)) : `replace operation does not apply: doc is missing key: ${path}`;
        break;
      case 'move':
      case 'copy': {
        const from = typeof op.from === 'string' ? read(doc, op.from) : { ok: false as const };
        if (!from.ok) error = `${String(op.op)} operation does not apply: doc is missing from path: ${String(op.from)}`;
        else error = (op.op === 'move' ? remove(doc, String(op.from)) : undefined) ?? add(doc, path, from.value);
        break;
      }
      case 'test': {
        const found = read(doc, path);
        if (!found.ok || JSON.stringify(found.value) !== JSON.stringify(op.value)) error = `testing value ${path} failed: test failed`;
        break;
      }
      default:
        error = `Unexpected kind: ${String(op.op)}`;
    }
    if (error !== undefined) return { ok: false, message: error };
  }
  return { ok: true, value: doc };
}

/** Applies a patch of the given type to a copy of `target`. */
export function applyPatch(type: PatchType, target: Record<string, unknown>, body: unknown, mergeKeys: Record<string, string>): PatchResult {
  if (type === PatchType.Json) return jsonPatch(target, body);
  if (!isPlainObject(body)) return { ok: false, message: 'a merge patch body must be a JSON object' };
  const merged = type === PatchType.Merge ? mergePatch(target, body) : strategicMergePatch(target, body, mergeKeys);
  return isPlainObject(merged) ? { ok: true, value: merged } : { ok: false, message: 'the patch did not produce an object' };
}
