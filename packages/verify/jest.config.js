import { jestConfig } from '../../jest.base.config.js';

export default jestConfig();
