import { randomBytes } from 'node:crypto';

/** Short random suffix for names that must not collide between tests. */
export function uniqueId(prefix = 't'): string {
  return `${prefix}${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/** Where the test run's broker and database server are (set by the jest global setup). */
export function testInfra(): { brokers: string[]; pgServerUrl: string } {
  const brokers = process.env.KAFKA_BROKERS;
  const pgServerUrl = process.env.HOOKSTREAM_TEST_PG_URL;
  if (!brokers || !pgServerUrl) {
    throw new Error('test infrastructure missing: run tests through jest with the test-kit global setup (npm test)');
  }
  return { brokers: brokers.split(','), pgServerUrl };
}
