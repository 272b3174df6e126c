import { jestConfig } from '../../jest.base.config.js';

// Unit tests of the UI's pure logic (API client, formatting, chart scaling): no broker, no database.
export default jestConfig();
