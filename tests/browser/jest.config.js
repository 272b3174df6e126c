import { jestConfig } from '../../jest.base.config.js';

// A browser flow waits on the whole pipeline (gateway -> matcher -> worker -> receiver) and on
// page renders; a loaded two-core machine gets generous room, never a timed assertion.
export default { ...jestConfig({ integration: true }), testTimeout: 180_000 };
