// Label and field selectors as the list and watch query parameters carry them
// (k8s.io/apimachinery/pkg/labels and pkg/fields). Every requirement must hold (AND).
import { type KubeObject, isPlainObject } from './object.js';
import type { ResourceType } from './resources.js';

export type Selector = (obj: KubeObject) => boolean;
export type SelectorResult = { ok: true; matches: Selector } | { ok: false; message: string };

const MATCH_ALL: Selector = () => true;

/** Splits on commas that are outside parentheses (`a in (x,y),b` is two requirements). */
function splitRequirements(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current.trim());
  return parts.filter((p) => p !== '');
}

function parseLabelRequirement(req: string): Selector | string {
  const set = /^([^\s!=<>(),]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(req);
  if (set) {
    const [, key = '', op, list = ''] = set;
    const values = list.split(',').map((v) => v.trim()).filter((v) => v !== '');
    return op === 'in'
      ? (o) => values.includes(o.metadata.labels?.[key] ?? '\u0000absent')
      : (o) => !values.includes(o.metadata.labels?.[key] ?? '\u0000absent');
  }
  const cmp = /^([^\s!=<>(),]+)\s*(==|!=|=|<|>)\s*([^\s!=<>(),]*)$/.exec(req);
  if (cmp) {
    const [, key = '', op, value = ''] = cmp;
    const label = (o: KubeObject): string | undefined => o.metadata.labels?.[key];
    switch (op) {
      case '=':
      case '==':
        return (o) => label(o) === value;
      case '!=':
        // Like kube-apiserver: an object without the label matches `key!=value`.
        return (o) => label(o) !== value;
      case '<':
      case '>': {
        const bound = Number(value);
        if (!Number.isInteger(bound)) return `unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`;
        return (o) => {
          const v = Number(label(o));
          return label(o) !== undefined && Number.isInteger(v) && (op === '<' ? v < bound : v > bound);
        };
      }
    }
  }
  const exists = /^(!?)([^\s!=<>(),]+)$/.exec(req);
  if (exists) {
    const [, not, key = ''] = exists;
    return not === '!' ? (o) => o.metadata.labels?.[key] === undefined : (o) => o.metadata.labels?.[key] !== undefined;
  }
  return `unable to parse requirement: found '${req}', expected: key, !key, key=value, key!=value, key in (...), key notin (...)`;
}

export function parseLabelSelector(text: string | null): SelectorResult {
  if (text === null || text.trim() === '') return { ok: true, matches: MATCH_ALL };
  const tests: Selector[] = [];
  for (const req of splitRequirements(text)) {
    const parsed = parseLabelRequirement(req);
    if (typeof parsed === 'string') return { ok: false, message: parsed };
    tests.push(parsed);
  }
  return { ok: true, matches: (o) => tests.every((t) => t(o)) };
}

/** A field's value as a field selector compares it: a string, '' when absent. */
function fieldValue(obj: KubeObject, path: string): string {
  let at: unknown = obj;
  for (const part of path.split('.')) {
    if (!isPlainObject(at)) return '';
    at = at[part];
  }
  if (at === undefined || at === null) return '';
  return typeof at === 'string' ? at : JSON.stringify(at);
}

/** Splits on unescaped commas and undoes the `\,` `\=` `\\` escapes of fields.EscapeValue. */
function splitFieldRequirements(text: string): string[] {
  return text.split(/(?<!\\),/).map((p) => p.trim()).filter((p) => p !== '');
}

function unescape(value: string): string {
  return value.replace(/\\([,=\\])/g, '$1');
}

export function parseFieldSelector(text: string | null, type: ResourceType): SelectorResult {
  if (text === null || text.trim() === '') return { ok: true, matches: MATCH_ALL };
  const known = ['metadata.name', 'metadata.namespace', ...type.extraFieldSelectors];
  const tests: Selector[] = [];
  for (const req of splitFieldRequirements(text)) {
    const m = /^([^=!]+?)\s*(==|!=|=)\s*(.*)$/.exec(req);
    if (!m) return { ok: false, message: `invalid selector: '${text}'; can't understand '${req}'` };
    const [, field = '', op, raw = ''] = m;
    if (!known.includes(field)) return { ok: false, message: `field label not supported: ${field}` };
    const value = unescape(raw);
    tests.push(op === '!=' ? (o) => fieldValue(o, field) !== value : (o) => fieldValue(o, field) === value);
  }
  return { ok: true, matches: (o) => tests.every((t) => t(o)) };
}
