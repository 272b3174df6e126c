import { DEFAULT_HEARTBEAT_INTERVAL_MS, DEFAULT_SESSION_TIMEOUT_MS, heartbeatIntervalSetting, readConfig, sessionTimeoutSetting } from '../src/index.js';

// Issue 21: a SIGKILLed consumer holds its partitions until its group session expires; the
// defaults keep that under the 10 s recovery target, and a heartbeat too slow for the session
// is refused at start instead of making members drop out.
const spec = { S_MS: sessionTimeoutSetting(), H_MS: heartbeatIntervalSetting('S_MS') };

describe('consumer group liveness settings', () => {
  it('default to a 6 s session (the broker minimum) with a heartbeat every second', () => {
    expect(readConfig(spec, {})).toEqual({ S_MS: 6000, H_MS: 1000 });
    expect(DEFAULT_SESSION_TIMEOUT_MS).toBe(6000);
    expect(DEFAULT_HEARTBEAT_INTERVAL_MS).toBe(1000);
  });

  it('accept a longer session and a heartbeat up to a third of it', () => {
    expect(readConfig(spec, { S_MS: '30000', H_MS: '10000' })).toEqual({ S_MS: 30000, H_MS: 10000 });
  });

  it('refuse a session below what brokers accept by default, naming the variable', () => {
    expect(() => readConfig(spec, { S_MS: '3000' })).toThrow(/S_MS must be an integer from 6000 to 300000 \(got "3000"\)/);
  });

  it('refuse a heartbeat longer than a third of the session, naming both variables', () => {
    expect(() => readConfig(spec, { S_MS: '6000', H_MS: '3000' })).toThrow(/H_MS must be at most a third of S_MS \(6000 ms\): at most 2000 \(got "3000"\)/);
    expect(() => readConfig(spec, { H_MS: '2500' })).toThrow(/H_MS must be at most a third of S_MS/);
  });

  it('leave an invalid session to its own error', () => {
    expect(() => readConfig(spec, { S_MS: 'soon', H_MS: '1000' })).toThrow(/^S_MS must be an integer/);
  });
});
