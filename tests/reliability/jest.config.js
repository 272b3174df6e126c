import { jestConfig } from '../../jest.base.config.js';

// One file at a time: each starts a whole system (three processes) on a shared 2-core
// machine, and the files merge their numbers into one results file.
export default { ...jestConfig({ integration: true }), testTimeout: 180_000, maxWorkers: 1 };
