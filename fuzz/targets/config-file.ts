// Fuzz target: the config file loader. Any text is a config or a list of errors, never a throw;
// a config keeps the promises of its types, and no error shows a password.
import { parseConfig } from '../../src/config/index.js';
import { assertConfigResult, fuzzHost } from '../support/config-checks.js';

export const name = 'config-file';

export function fuzz(data: Uint8Array): void {
  const text = Buffer.from(data).toString('utf8');
  assertConfigResult(parseConfig(text, fuzzHost()));
}
