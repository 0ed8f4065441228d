// Configuration errors are values: a stable code, the key path or variable name, and a sentence
// saying what was expected and what arrived. Nothing here throws.
import type { ConfigError, ConfigErrorCode } from './types.js';

export function configError(code: ConfigErrorCode, path: string, message: string): ConfigError {
  return { code, path, message };
}

/** One line per error: `file:line: path: message`, with whatever of these is known. */
export function formatErrors(errors: readonly ConfigError[]): string[] {
  return errors.map((e) => {
    const where = e.file !== undefined ? `${e.file}${e.line !== undefined ? `:${e.line}` : ''}: ` : e.line !== undefined ? `line ${e.line}: ` : '';
    return `${where}${e.path === '' ? '' : `${e.path}: `}${e.message}`;
  });
}

/** `peers` + 1 → `peers[1]`; `peers[1]` + `asn` → `peers[1].asn`; '' + `asn` → `asn`. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

/** A value as a message shows it: strings quoted, other types named. */
export function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

/** The type of a value in YAML's words, for messages about secrets (whose value is never shown). */
export function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return typeof value;
}

/** The closest known key, when a typo is likely: same letters in another case, or within two edits. */
export function didYouMean(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const sameLetters = known.find((k) => k.toLowerCase() === lower);
  if (sameLetters !== undefined) return sameLetters;
  let best: string | undefined;
  let bestDistance = Math.min(3, Math.ceil(key.length / 3) + 1);
  for (const candidate of known) {
    const d = editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}
