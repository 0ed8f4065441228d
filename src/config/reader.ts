// Reading an untyped document (parsed YAML, or the document env.ts builds from variables)
// key by key, collecting every problem instead of stopping at the first.
import { childPath, configError, didYouMean, shown, typeName } from './errors.js';
import type { ConfigError, ConfigErrorCode } from './types.js';
import type { Checked, Problem } from './values.js';

/** Turns a document path into what the user sees: an env variable name, a file line. */
export type Locator = (path: string) => { path: string; line?: number; column?: number };

export type Mapping = Record<string, unknown>;

export class Reader {
  readonly errors: ConfigError[] = [];

  constructor(private readonly locate: Locator = (path) => ({ path })) {}

  report(code: ConfigErrorCode, path: string, message: string): void {
    this.errors.push(this.located(code, path, message));
  }

  /** An error located as report() locates it, for the caller to keep elsewhere (not counted as an error). */
  located(code: ConfigErrorCode, path: string, message: string): ConfigError {
    const where = this.locate(path);
    const error = configError(code, where.path, message);
    if (where.line !== undefined) error.line = where.line;
    if (where.column !== undefined) error.column = where.column;
    return error;
  }

  /** How the user sees a document path (a variable name in env mode), for use inside messages. */
  name(path: string): string {
    return this.locate(path).path;
  }

  problem(path: string, problem: Problem): void {
    this.report(problem.code, path, problem.message);
  }

  /** The checked value, or undefined after reporting why not. Absent values are not checked. */
  check<T>(value: unknown, path: string, check: (value: unknown) => Checked<T>): T | undefined {
    if (value === undefined) return undefined;
    const result = check(value);
    if (result.ok) return result.value;
    this.problem(path, result.error);
    return undefined;
  }

  /** A mapping whose keys are all known; each unknown key is reported with the likely intended one. */
  mapping(value: unknown, path: string, known: readonly string[]): Mapping | undefined {
    if (value === undefined) return undefined;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.report('CONFIG_WRONG_TYPE', path, `expected a mapping of keys (${known.join(', ')}), got ${shown(value)}`);
      return undefined;
    }
    const mapping = value as Mapping;
    for (const key of Object.keys(mapping)) {
      if (known.includes(key)) continue;
      const guess = didYouMean(key, known);
      const where = path === '' ? 'at top level' : `in ${path}`;
      this.report('CONFIG_UNKNOWN_KEY', childPath(path, key), `unknown key ${JSON.stringify(key)} ${where}${guess ? ` (did you mean ${JSON.stringify(guess)}?)` : ''}`);
    }
    return mapping;
  }

  /** A string; a secret's value is never shown, only its type. */
  string(value: unknown, path: string, options: { secret?: boolean; nonEmpty?: boolean } = {}): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      this.report('CONFIG_WRONG_TYPE', path, `expected a string, got ${options.secret ? typeName(value) : shown(value)}`);
      return undefined;
    }
    if (options.nonEmpty && value.trim() === '') {
      this.report('CONFIG_INVALID_VALUE', path, 'expected a non-empty string');
      return undefined;
    }
    return value;
  }

  boolean(value: unknown, path: string): boolean | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') {
      this.report('CONFIG_WRONG_TYPE', path, `expected true or false, got ${shown(value)}`);
      return undefined;
    }
    return value;
  }

  oneOf<T extends string>(value: unknown, path: string, choices: readonly T[]): T | undefined {
    if (value === undefined) return undefined;
    if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
    this.report('CONFIG_INVALID_VALUE', path, `expected one of ${choices.map((c) => JSON.stringify(c)).join(', ')}, got ${shown(value)}`);
    return undefined;
  }

  list(value: unknown, path: string): unknown[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) {
      this.report('CONFIG_WRONG_TYPE', path, `expected a list, got ${shown(value)}`);
      return undefined;
    }
    return value;
  }

  /** A list of strings each passing `check`; duplicates are dropped. */
  checkedList(value: unknown, path: string, check: (value: unknown) => Checked<string>): string[] {
    const items = this.list(value, path) ?? [];
    const out: string[] = [];
    items.forEach((item, i) => {
      const canonical = this.check(item, childPath(path, i), check);
      if (canonical !== undefined && !out.includes(canonical)) out.push(canonical);
    });
    return out;
  }
}
