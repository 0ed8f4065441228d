// Lint rules. The second block is the architecture check: bgp/ is a library of its own and
// must never import the service (src/) nor know of Kubernetes.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { fileURLToPath } from 'node:url';
import { layersRule } from './eslint/layers.js';

/**
 * The layers of src/, lowest first: a module imports only from a lower rank (eslint/layers.js).
 * Data flows config and cluster → registry → reconcile → the mode → routers; the daemon composes.
 */
const SRC_RANKS = {
  result: 0, log: 0, version: 0, native: 0, communities: 0, memory: 0,
  config: 1, registry: 1,
  vip: 2, reconcile: 2,
  arp: 3, kubernetes: 3, admin: 3, monitoring: 3,
  modes: 4,
  daemon: 5,
  commands: 6, manifest: 6,
  main: 7,
  cli: 8,
};
const srcRoot = fileURLToPath(new globalThis.URL('./src', import.meta.url));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // The mocha reporter is CommonJS, as mocha loads reporters with require().
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['bgp/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/src/**', '../src/*', '../../src/*'], message: 'bgp/ is a standalone library: it must not import from src/.' },
          { group: ['@kubernetes/*', 'pino', 'prom-client', 'yaml'], message: 'bgp/ knows nothing of Kubernetes, logging or metrics backends: emit events instead.' },
        ],
      }],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { layers: { rules: { order: layersRule(SRC_RANKS, srcRoot) } } },
    rules: {
      'layers/order': 'error',
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['../bgp/*/**', '../../bgp/*/**'], message: 'src/ uses the BGP library only through its public entry point bgp/index.ts.' },
        ],
      }],
    },
  },
);
