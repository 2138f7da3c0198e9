import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const restrict = (files, patterns, message) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
  },
});

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'coverage/**',
      'examples/**',
      '**/test/fixtures/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  // Architecture boundaries (docs/architecture.md, "may not" lists).
  {
    files: ['packages/leakwatch/src/engine/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'node:*',
                'fs',
                'path',
                'os',
                'child_process',
                'worker_threads',
                'crypto',
                'net',
                'http',
                'https',
              ],
              message: 'engine/ is pure: no I/O, no node:* imports.',
            },
            {
              group: [
                '**/sources/**',
                '**/git/**',
                '**/verify/**',
                '**/report/**',
                '**/cli/**',
                '**/scan.js',
                '**/config/**',
              ],
              message: 'engine/ may not import sources, git, verify, report, config or cli.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        'process',
        'console',
        'fetch',
        'setTimeout',
        'setInterval',
      ],
    },
  },
  restrict(
    ['packages/leakwatch/src/report/**/*.ts'],
    [
      'node:*',
      '**/sources/**',
      '**/git/**',
      '**/verify/**',
      '**/cli/**',
      '**/scan.js',
      '**/config/**',
    ],
    'report/ is pure: it may import engine types only.',
  ),
  restrict(
    ['packages/leakwatch/src/config/validate*.ts'],
    ['node:*', '**/sources/**', '**/git/**', '**/verify/**', '**/cli/**', '**/report/**'],
    'the config validator is pure.',
  ),
  restrict(
    ['packages/server/src/**/*.ts'],
    ['leakwatch/src/**', 'leakwatch/dist/**', '**/packages/leakwatch/**', '../../leakwatch/**'],
    'the server may import only leakwatch\'s public API ("leakwatch").',
  ),
  {
    files: ['packages/leakwatch/src/**/*.ts'],
    ignores: ['packages/leakwatch/src/cli/**', '**/*.test.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        {
          name: 'process',
          message: 'Only cli/ may touch process; pass env, cwd and the clock in.',
        },
        'console',
      ],
    },
  },
  {
    files: ['packages/server/src/**/*.ts'],
    ignores: ['packages/server/src/main.ts', 'packages/server/src/cli/**', '**/*.test.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'Only main.ts and cli/ may touch process.' },
        'console',
      ],
    },
  },
);
