// Typed access to attributes: `UnknownAttr` has a numeric `type`, so comparing `type` alone does
// not narrow the union; these helpers do.
import type { PathAttribute, UnknownAttr } from './messages.js';

export type KnownAttribute = Exclude<PathAttribute, UnknownAttr>;

export function isKnownAttr(a: PathAttribute): a is KnownAttribute {
  return !('value' in a);
}

/** The first attribute of this type, typed, or undefined. */
export function findAttribute<T extends KnownAttribute['type']>(attrs: readonly PathAttribute[], type: T): Extract<KnownAttribute, { type: T }> | undefined {
  for (const a of attrs) if (a.type === type && isKnownAttr(a)) return a as Extract<KnownAttribute, { type: T }>;
  return undefined;
}
