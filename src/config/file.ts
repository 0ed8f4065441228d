// The YAML config file (see peers.example.yaml and docs/configuration.md). Parsing is pure:
// the environment, file reads and the interface list come in through HostAccess, so tests run
// without root, network or files. Every error carries the line it is about.
import { readFileSync, statSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { fail, type Result } from '../result.js';
import { childPath, configError } from './errors.js';
import type { Locator } from './reader.js';
import type { ConfigError, DaemonConfig, HostAccess } from './types.js';
import { PERMISSION_BITS, insecureFile } from './permissions.js';
import { buildConfig } from './validate.js';
import { type VipBlock, cutVipBlock } from './vip-list.js';

/** The real host: process.env, the file system, os.networkInterfaces(). */
export function systemHost(env: HostAccess['env'] = process.env): HostAccess {
  return { env, readFile: (path) => readFileSync(path, 'utf8'), listInterfaces: () => networkInterfaces(), fileMode };
}

/** Permission bits of a file, symlinks followed (a ConfigMap's files are links into ..data). */
function fileMode(path: string): number | undefined {
  try {
    return statSync(path).mode & PERMISSION_BITS;
  } catch {
    return undefined;
  }
}

/** Reads and validates a config file; errors name the file and line. */
export function loadConfigFile(path: string, host: HostAccess = systemHost()): Result<DaemonConfig, ConfigError[]> {
  const insecure = insecureFile(path, 'the config file', host);
  if (insecure) {
    const error = configError('CONFIG_INSECURE', '', insecure);
    error.file = path;
    return fail([error]);
  }
  let text: string;
  try {
    text = host.readFile(path);
  } catch (err) {
    const error = configError('CONFIG_UNREADABLE', '', `cannot read the config file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    error.file = path;
    return fail([error]);
  }
  const result = parseConfig(text, host);
  if (!result.ok) for (const error of result.error) error.file = path;
  return result;
}

/**
 * Parses and validates the text of a config file. `fastVips: false` gives the whole text to the
 * YAML parser (tests compare the two paths).
 */
export function parseConfig(text: string, host: Partial<HostAccess> = {}, options: { fastVips?: boolean } = {}): Result<DaemonConfig, ConfigError[]> {
  return parse(text, host, options.fastVips ?? true);
}

function parse(text: string, host: Partial<HostAccess>, fastVips: boolean): Result<DaemonConfig, ConfigError[]> {
  const full: HostAccess = { ...systemHost(host.env ?? {}), ...host };
  // A long list of VIPs is read apart (vip-list.ts); the parser gets the rest.
  const block = fastVips ? cutVipBlock(text) : undefined;
  const source = block?.rest ?? text;
  const realLine = (line: number) => (block && line > block.keyLine ? line + block.removedLines : line);
  const lineCounter = new LineCounter();
  // prettyErrors off: its messages quote the source line, which may hold a password.
  const document = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntax = document.errors.map((e) => {
    const position = lineCounter.linePos(e.pos[0]);
    const line = realLine(position.line);
    const error = configError('CONFIG_SYNTAX', '', `YAML: ${e.message.split('\n')[0]}${quotingHint(text, line)}`);
    error.line = line;
    error.column = position.col;
    return error;
  });
  // Whatever went wrong is told as the parser alone tells it, from the whole text.
  if (block && syntax.length > 0) return parse(text, host, false);
  if (syntax.length > 0) return fail(syntax);
  let plain: unknown;
  try {
    plain = document.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return fail([configError('CONFIG_SYNTAX', '', `YAML: ${(err as Error).message.split('\n')[0]}`)]);
  }
  if (block) {
    if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) return parse(text, host, false);
    (plain as Record<string, unknown>).vips = block.items;
  }
  const built = buildConfig(plain, { host: full, locate: lineLocator(document.contents, lineCounter, block, realLine) });
  // In file order: a stable sort keeps the order of errors on one line.
  if (!built.ok) built.error.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  return built;
}

/** A bracketed IPv6 peer string left unquoted is a YAML flow sequence: say so. */
function quotingHint(text: string, line: number): string {
  const source = text.split('\n')[line - 1] ?? '';
  return /^\s*-\s*\[/.test(source) ? ' (a peer string that starts with "[" must be quoted: "[2001:db8::1]:65000::false")' : '';
}

/** Maps each key path of the document to where it is written. */
function lineLocator(root: YamlNode | null, lineCounter: LineCounter, block: VipBlock | undefined, realLine: (line: number) => number): Locator {
  const positions = new Map<string, number>();
  const visit = (node: unknown, path: string) => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const keyPath = childPath(path, key);
        const start = (pair.key as YamlNode | null)?.range?.[0];
        if (start !== undefined) positions.set(keyPath, start);
        visit(pair.value, keyPath);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const itemPath = childPath(path, i);
        const start = (item as YamlNode | null)?.range?.[0];
        if (start !== undefined) positions.set(itemPath, start);
        visit(item, itemPath);
      });
    }
  };
  visit(root, '');
  return (path) => {
    const item = block ? /^vips\[(\d+)\]/.exec(path) : null;
    if (item && block && Number(item[1]) < block.items.length) {
      return { path, line: block.itemLines[Number(item[1])]!, column: block.itemColumns[Number(item[1])]! };
    }
    // The closest enclosing key that is written in the file (a default has no line of its own).
    for (let p = path; p !== ''; p = p.replace(/(\.[^.[\]]+|\[\d+\])$/, '')) {
      const start = positions.get(p);
      if (start !== undefined) {
        const { line, col } = lineCounter.linePos(start);
        return { path, line: realLine(line), column: col };
      }
      if (!/(\.[^.[\]]+|\[\d+\])$/.test(p)) break;
    }
    return { path };
  };
}
