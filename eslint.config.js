// Lint on top of `tsc --noEmit`: the rules here catch what the compiler lets through and
// what costs a service dearly at run time (a promise nobody awaits crashes or loses work).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', 'infra/kafka/.cache/**', 'infra/kafka/.run/**', 'infra/kafka/.run-cluster/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A dropped promise is an unhandled rejection (exit) or work silently not done.
      '@typescript-eslint/no-floating-promises': 'error',
      // An async function where a callback's result is ignored (event emitters, express
      // handlers wrapped elsewhere) is allowed; passing a promise as a condition is not.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    // One Publisher produces for every app, test and benchmark (it serialises the sends an
    // idempotent producer must not interleave, bounds waits, and cuts requests under the broker's
    // size limit): a kafkajs producer's or transaction's send/sendBatch is called nowhere else.
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.mjs'],
    ignores: ['packages/service-kit/src/kafka/publisher.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='sendBatch']",
          message: 'Produce through the Publisher (packages/service-kit/src/kafka/publisher.ts), not sendBatch.',
        },
        {
          selector: "CallExpression[callee.property.name='send'][callee.object.name=/^(producer|.*Producer|tx|transaction)$/]",
          message: 'Produce through the Publisher (packages/service-kit/src/kafka/publisher.ts), not producer.send.',
        },
        {
          selector: "CallExpression[callee.property.name='send'][callee.object.property.name=/^(producer|.*Producer|transaction)$/]",
          message: 'Produce through the Publisher (packages/service-kit/src/kafka/publisher.ts), not producer.send.',
        },
      ],
    },
  },
  {
    // @hookstream/store/testing inserts fixture rows and breaks tables on purpose: only tests
    // may reach it, never the code that runs in production.
    files: ['apps/*/src/**/*.ts', 'packages/*/src/**/*.ts', 'packages/*/src/**/*.tsx'],
    ignores: ['packages/store/src/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: '@hookstream/store/testing', message: 'Test fixtures only: import it from test/, never from src/.' }],
          patterns: [{ group: ['**/testing/index.js', '**/testing/*.js'], message: 'Test fixtures only: never imported by src/.' }],
        },
      ],
    },
  },
  {
    // Tests read API answers loosely typed; the services themselves may not.
    files: ['**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        structuredClone: 'readonly',
        performance: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
);
