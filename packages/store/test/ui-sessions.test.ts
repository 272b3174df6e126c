import { createTestDatabase, type TestDatabase } from '@hookstream/test-kit';
import { countRowsWhere } from '../src/testing/index.js';
import { consumeSessionToken, pruneSessionTokens } from '../src/index.js';

describe('single-use session tokens (ui_session_tokens)', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t.drop();
  });

  it('claims a jti once: the first claim wins, every later or concurrent one loses', async () => {
    const later = new Date(Date.now() + 600_000);
    expect(await consumeSessionToken(t.db, 'jti-1', later)).toBe(true);
    expect(await consumeSessionToken(t.db, 'jti-1', later)).toBe(false);
    const concurrent = await Promise.all(Array.from({ length: 8 }, () => consumeSessionToken(t.db, 'jti-2', later)));
    expect(concurrent.filter(Boolean)).toHaveLength(1);
  });

  it('prunes the claims of expired tokens only', async () => {
    await consumeSessionToken(t.db, 'old-1', new Date(Date.now() - 1000));
    await consumeSessionToken(t.db, 'old-2', new Date(Date.now() - 1000));
    expect(await pruneSessionTokens(t.db, 1)).toBe(1);
    expect(await pruneSessionTokens(t.db)).toBe(1);
    expect(await pruneSessionTokens(t.db)).toBe(0);
    expect(await countRowsWhere(t.db, 'ui_session_tokens', { jti: 'jti-1' })).toBe(1);
  });
});
