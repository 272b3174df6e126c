import { jestConfig } from '../../jest.base.config.js';

// The long part: the fault tests again with sustained load and 20 s outages (sizes set by the
// `long` script's environment), 10 000 retries, and the Kafka broker outage on a private broker.
export default {
  ...jestConfig({ integration: true }),
  testMatch: ['<rootDir>/long/**/*.test.ts', '<rootDir>/test/{sigkill,postgres-outage,retry-timing}.test.ts'],
  testTimeout: 600_000,
  maxWorkers: 1,
};
