import { readConfig } from '@hookstream/service-kit';
import { workerConfigSpec } from '../../src/config.js';

// The Jive seed's tuning table: "jive.webhooks.timeout.connection.default ... 15",
// "jive.webhooks.timeout.read.default ... 5", and the same values as ".max".
describe('the Jive seed timeouts: defaults and maxima of the deployment settings', () => {
  const spec = {
    DELIVERY_CONNECT_TIMEOUT_MS: workerConfigSpec.DELIVERY_CONNECT_TIMEOUT_MS,
    DELIVERY_READ_TIMEOUT_MS: workerConfigSpec.DELIVERY_READ_TIMEOUT_MS,
  };

  it('default to 15 s to connect and 5 s to read', () => {
    expect(readConfig(spec, {})).toEqual({ DELIVERY_CONNECT_TIMEOUT_MS: 15_000, DELIVERY_READ_TIMEOUT_MS: 5_000 });
  });

  it('accept up to the maxima (15 s, 5 s) and refuse more, naming the variable', () => {
    expect(readConfig(spec, { DELIVERY_CONNECT_TIMEOUT_MS: '15000', DELIVERY_READ_TIMEOUT_MS: '5000' })).toEqual({
      DELIVERY_CONNECT_TIMEOUT_MS: 15_000,
      DELIVERY_READ_TIMEOUT_MS: 5_000,
    });
    expect(() => readConfig(spec, { DELIVERY_CONNECT_TIMEOUT_MS: '15001' })).toThrow(/^DELIVERY_CONNECT_TIMEOUT_MS /);
    expect(() => readConfig(spec, { DELIVERY_READ_TIMEOUT_MS: '5001' })).toThrow(/^DELIVERY_READ_TIMEOUT_MS /);
  });
});
