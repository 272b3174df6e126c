import { appliedMigrations } from '@hookstream/store/testing';
import { createTestDatabase, createTestKafka, startApp, type TestDatabase, type TestKafka } from '@hookstream/test-kit';

// runService applies migrations only through the migrator the app hands it (the schema belongs
// to @hookstream/store): this checks the matcher really hands it over.
describe('matcher with DATABASE_MIGRATE=true', () => {
  let pg: TestDatabase;
  let kafka: TestKafka;
  beforeAll(async () => {
    [pg, kafka] = await Promise.all([createTestDatabase({ migrate: false }), createTestKafka()]);
  });
  afterAll(async () => {
    await Promise.all([pg.drop(), kafka.close()]);
  });

  it('migrates an empty database before it starts', async () => {
    const app = await startApp('matcher', { env: { DATABASE_URL: pg.url, KAFKA_TOPIC_PREFIX: kafka.prefix, DATABASE_MIGRATE: 'true' } });
    try {
      expect((await fetch(`${app.opsUrl}/readyz`)).status).toBe(200);
      expect(await appliedMigrations(pg.db)).toEqual(expect.arrayContaining(['0001-core', '0007-tenant-rate-demand']));
      expect(app.output().join('\n')).toContain('"msg":"migrations applied"');
    } finally {
      expect(await app.stop('SIGTERM')).toBe(0);
    }
  });
});
