import { createTestDatabase, type TestDatabase } from '@hookstream/test-kit';
import { migrateLatest, migrateRollbackAll } from '../src/index.js';

// Existing databases have these names recorded in knex_migrations: renaming one would re-apply it.
const HISTORY = [
  '0001-core',
  '0002-gateway',
  '0003-matcher',
  '0004-delivery-worker',
  '0005-delivery-history-index',
  '0006-webhook-change-seq',
  '0007-tenant-rate-demand',
  '0008-api-keys',
  '0009-tenant-webhook-limit',
  '0010-api-key-scopes',
  '0011-delivery-steering',
  '0012-delivery-publication-order',
  '0013-event-filtered-webhooks',
  '0014-ui-sessions',
  '0015-operations-console-indexes',
  '0016-ui-session-revocations',
];

describe('store migrations', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    await t.drop();
  });

  it('apply to an empty database under the names existing databases recorded', async () => {
    expect(await migrateLatest(t.db)).toEqual(HISTORY);
    expect(await t.db('knex_migrations').orderBy('id').pluck('name')).toEqual(HISTORY);
    expect(await migrateLatest(t.db)).toEqual([]);
  });

  it('roll back completely and apply again', async () => {
    await migrateRollbackAll(t.db);
    expect(await t.db.schema.hasTable('deliveries')).toBe(false);
    expect(await migrateLatest(t.db)).toEqual(HISTORY);
    expect(await t.db.schema.hasTable('deliveries')).toBe(true);
  });
});
