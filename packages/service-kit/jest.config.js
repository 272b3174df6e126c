import { jestConfig } from '../../jest.base.config.js';

// Unit tests only: the kit's integration with Kafka and PostgreSQL is exercised by
// packages/test-kit's smoke tests (the test kit depends on this package).
export default jestConfig();
