// ESLint (flat config): typescript-eslint's recommended rules, promises that are awaited or
// deliberately dropped (`void`), and the determinism rules of Temporal workflow code.
import js from '@eslint/js';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_'));

export default tseslint.config(
  { ignores: ['node_modules/**', '.data/**', 'backtests/**', 'test/web/screenshots/**', 'eslint.config.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A promise is awaited, returned, or dropped on purpose with `void`: never forgotten.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Tests read JSON bodies of any shape; migrations are written against Kysely<any>, as Kysely documents.
    files: ['test/**/*.ts', 'migrations/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Workflow code is replayed: no I/O, no clock or randomness of its own, no activity code.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins
              .flatMap((m) => [m, `node:${m}`])
              .map((name) => ({ name, message: 'workflow code runs in a deterministic sandbox: no Node built-ins' })),
            ...['@temporalio/activity', '@temporalio/client', '@temporalio/worker', 'pg', 'kysely', 'pino'].map((name) => ({
              name,
              message: 'workflow code may not do I/O: call an activity',
            })),
          ],
          patterns: [
            {
              group: ['**/activities', '**/activities/**'],
              message: 'workflows call activities through proxyActivities, never import them',
            },
            { group: ['**/db/**', '**/venues/**', '**/infra/**', '**/api/**'], message: 'workflow code may not do I/O: call an activity' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'use sleep() or a condition timeout from @temporalio/workflow' },
        { name: 'setInterval', message: 'use a timer loop with sleep()' },
        { name: 'fetch', message: 'workflow code may not do I/O: call an activity' },
        { name: 'process', message: 'workflow code may not read the process' },
      ],
    },
  },
  {
    // The browser scripts of the pages.
    files: ['web/client/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['node:*'], message: 'browser code' }] }] },
  },
);
