import { ConfigError, env, loadConfig, readConfig } from '../src/index.js';

describe('configuration from the environment', () => {
  it('applies defaults when variables are unset', () => {
    const c = loadConfig({}, {});
    expect(c.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(c.KAFKA_TOPIC_PREFIX).toBe('hookstream.');
    expect(c.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/hookstream');
    expect(c.V8_HEAP_GROWING_PERCENT).toBe(200);
  });

  it('parses a broker list', () => {
    const c = loadConfig({}, { KAFKA_BROKERS: 'kafka-1:9092, kafka-2:19092' });
    expect(c.KAFKA_BROKERS).toEqual(['kafka-1:9092', 'kafka-2:19092']);
  });

  it.each([
    ['KAFKA_BROKERS', 'localhost', /KAFKA_BROKERS must be a comma-separated list of host:port/],
    ['KAFKA_BROKERS', 'a:99999', /KAFKA_BROKERS must be/],
    ['DATABASE_URL', 'mysql://x/y', /DATABASE_URL must be a postgres:\/\//],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of fatal, error/],
    ['TOPIC_PARTITIONS_EVENTS', '0', /TOPIC_PARTITIONS_EVENTS must be an integer from 1 to 1000/],
    ['TOPIC_PARTITIONS_EVENTS', '2.5', /must be an integer/],
    ['V8_HEAP_GROWING_PERCENT', '-1', /V8_HEAP_GROWING_PERCENT must be an integer from 0 to 1000/],
  ])('rejects %s=%s with a message naming the variable and the rule', (name, value, pattern) => {
    expect(() => loadConfig({}, { [name]: value })).toThrow(pattern);
  });

  it('never echoes a secret value in the error', () => {
    try {
      readConfig({ DATABASE_URL: env.postgresUrl() }, { DATABASE_URL: 'http://user:hunter2@db/x' });
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as Error).message).not.toContain('hunter2');
      expect((e as Error).message).toContain('<redacted>');
    }
  });

  it('names a required variable that is missing', () => {
    expect(() => readConfig({ NEEDED: env.string() }, {})).toThrow('NEEDED is required: must be a non-empty string (it is not set)');
  });

  it('reads booleans strictly', () => {
    expect(readConfig({ F: env.bool() }, { F: 'yes' }).F).toBe(true);
    expect(() => readConfig({ F: env.bool() }, { F: 'maybe' })).toThrow('F must be true or false');
  });
});
