// Shared jest settings: TypeScript compiled by SWC into native ESM (run with
// --experimental-vm-modules); type checking is the job of `npm run lint`.
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

/** @param {{ integration?: boolean }} [opts] */
export function jestConfig(opts = {}) {
  return {
    testEnvironment: 'node',
    extensionsToTreatAsEsm: ['.ts'],
    moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
    transform: {
      '^.+\\.ts$': [
        '@swc/jest',
        {
          jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
          module: { type: 'es6' },
          sourceMaps: 'inline',
        },
      ],
    },
    testMatch: ['<rootDir>/test/**/*.test.ts'],
    testTimeout: 60_000,
    ...(opts.integration
      ? {
          globalSetup: `${root}packages/test-kit/dist/jest/global-setup.js`,
          globalTeardown: `${root}packages/test-kit/dist/jest/global-teardown.js`,
        }
      : {}),
  };
}
