// Lint rules. The second block is the architecture check: bgp/ is a library of its own and
// must never import the service (src/) nor know of Kubernetes.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

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
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['../bgp/*/**', '../../bgp/*/**'], message: 'src/ uses the BGP library only through its public entry point bgp/index.ts.' },
        ],
      }],
    },
  },
);
