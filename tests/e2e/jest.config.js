import { jestConfig } from '../../jest.base.config.js';

export default { ...jestConfig({ integration: true }), testTimeout: 120_000 };
