import { createTestDatabase, type TestDatabase } from '@hookstream/test-kit';
import { countRowsWhere } from '../src/testing/index.js';
import { consumeSessionToken, pruneSessionTokens, revokeSession, sessionRevoked } from '../src/index.js';

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

  it('a logout revokes a session for everyone; a tenant revokes only its own; revocations are pruned when the session would have ended', async () => {
    const later = new Date(Date.now() + 3_600_000);
    const [tenantA, tenantB] = ['7a4e1c2b-9d3f-4e8a-b6c5-1f2e3d4c5b6a', '1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9'];
    expect(await sessionRevoked(t.db, 'session-1')).toBe(false);
    await revokeSession(t.db, 'session-1', later);
    await revokeSession(t.db, 'session-1', later);
    expect(await sessionRevoked(t.db, 'session-1')).toBe(true);
    expect(await sessionRevoked(t.db, 'session-1', tenantA)).toBe(true);

    // Another tenant's revocation of the id (first) neither ends this tenant's session nor stands in the way of its own.
    await revokeSession(t.db, 'session-2', later, tenantB);
    expect(await sessionRevoked(t.db, 'session-2', tenantA)).toBe(false);
    await revokeSession(t.db, 'session-2', later, tenantA);
    expect(await sessionRevoked(t.db, 'session-2', tenantA)).toBe(true);
    expect(await sessionRevoked(t.db, 'session-2', tenantB)).toBe(true);
    expect(await sessionRevoked(t.db, 'session-3', tenantA)).toBe(false);
    await revokeSession(t.db, 'session-3', later, tenantB);
    expect(await sessionRevoked(t.db, 'session-3', tenantA)).toBe(false);
    expect(await sessionRevoked(t.db, 'session-3')).toBe(false);

    await revokeSession(t.db, 'ended', new Date(Date.now() - 1000));
    const claimsLeft = await countRowsWhere(t.db, 'ui_session_tokens', {});
    expect(await pruneSessionTokens(t.db)).toBe(1);
    expect(await countRowsWhere(t.db, 'ui_session_tokens', {})).toBe(claimsLeft);
    expect(await countRowsWhere(t.db, 'ui_session_revocations', { session_id: 'ended' })).toBe(0);
    expect(await countRowsWhere(t.db, 'ui_session_revocations', {})).toBe(4);
  });
});
