import { createDb } from '@hookstream/service-kit';
import { createTestDatabase, type TestDatabase } from '@hookstream/test-kit';
import { pingDatabase } from '../src/index.js';

describe('pingDatabase', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    await t.drop();
  });

  it('resolves while PostgreSQL answers and rejects when it cannot be reached', async () => {
    await expect(pingDatabase(t.db)).resolves.toBeUndefined();
    const nowhere = createDb('postgres://postgres@127.0.0.1:1/none', 1);
    try {
      await expect(pingDatabase(nowhere)).rejects.toThrow();
    } finally {
      await nowhere.destroy();
    }
  });
});
