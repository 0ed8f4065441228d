// A fake host for the config tests: no files, no network, a fixed interface table.
import type { HostAccess, InterfaceTable } from '../../../src/config/index.js';
import { formatErrors, parseConfig } from '../../../src/config/index.js';

export const INTERFACES: InterfaceTable = {
  lo: [
    { address: '127.0.0.1', family: 'IPv4', internal: true },
    { address: '::1', family: 'IPv6', internal: true },
  ],
  eth0: [
    { address: 'fe80::1', family: 'IPv6', internal: false },
    { address: '198.51.100.7', family: 'IPv4', internal: false },
  ],
  eth1: [{ address: '2001:db8:1::7', family: 'IPv6', internal: false }],
};

export function enoent(path: string): Error {
  return Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
}

/** A host whose files are `files`, whose environment is `env`, whose interfaces are INTERFACES. */
export function fakeHost(options: { env?: Record<string, string>; files?: Record<string, string>; interfaces?: InterfaceTable } = {}): HostAccess {
  const files = options.files ?? {};
  return {
    env: options.env ?? {},
    readFile: (path) => {
      const text = files[path];
      if (text === undefined) throw enoent(path);
      return text;
    },
    listInterfaces: () => options.interfaces ?? INTERFACES,
  };
}

/** The smallest valid file; tests append a top-level key, or another peer (peers come last). */
export const MINIMAL = 'asn: 65010\nrouterId: 198.51.100.7\nvips: [192.0.2.10]\npeers:\n  - 192.0.2.1:65001::false\n';

/** Parses and expects success. */
export function valid(text: string, host: HostAccess = fakeHost()) {
  const result = parseConfig(text, host);
  if (!result.ok) throw new Error(`expected a valid config, got:\n${formatErrors(result.error).join('\n')}`);
  return result.value;
}

/** Parses and expects failure: the formatted errors, one line each. */
export function errorLines(text: string, host: HostAccess = fakeHost()): string[] {
  const result = parseConfig(text, host);
  if (result.ok) throw new Error('expected errors, got a valid config');
  return formatErrors(result.error);
}

/** The one error line whose path is `path`. */
export function errorAt(text: string, path: string, host: HostAccess = fakeHost()): string {
  const result = parseConfig(text, host);
  if (result.ok) throw new Error('expected errors, got a valid config');
  const matching = result.error.filter((e) => e.path === path);
  if (matching.length !== 1) throw new Error(`expected one error at ${path}, got:\n${formatErrors(result.error).join('\n')}`);
  return formatErrors(matching)[0]!;
}
