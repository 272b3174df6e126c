import { randomBytes } from 'node:crypto';
import { SessionService, type SessionStore } from '../../src/sessions/session-service.js';
import { SessionTokens } from '../../src/sessions/session-tokens.js';

const T0 = Date.parse('2026-12-05T12:00:00Z');
const TENANT = '0b7e5c1a-2f3d-4e5f-8a9b-0c1d2e3f4a5b';
const OWN = '3f2c9a4e-8d1b-4c7e-9a60-2b5d7e1f0c84';
const FOREIGN = '9b1e6f2a-4c3d-5e8f-a7b6-0c1d2e3f4a5b';

/** The store as PostgreSQL behaves: a jti is claimed once; the tenant owns OWN only. */
class MemoryStore implements SessionStore {
  readonly claimed = new Map<string, Date>();
  async consume(jti: string, expiresAt: Date): Promise<boolean> {
    if (this.claimed.has(jti)) return false;
    this.claimed.set(jti, expiresAt);
    return true;
  }
  async webhookExists(tenantId: string, id: string): Promise<boolean> {
    return tenantId === TENANT && id === OWN;
  }
  /** `<session id> <revoking tenant, or nothing for a logout>`. */
  readonly revocations = new Set<string>();
  async revoke(sessionId: string, _expiresAt: Date, tenantId?: string): Promise<void> {
    this.revocations.add(`${sessionId} ${tenantId ?? ''}`);
  }
  async revoked(sessionId: string, tenantId?: string): Promise<boolean> {
    return this.revocations.has(`${sessionId} `) || (tenantId !== undefined && this.revocations.has(`${sessionId} ${tenantId}`));
  }
}

describe('SessionService', () => {
  let now = T0;
  const store = new MemoryStore();
  const service = new SessionService(new SessionTokens(randomBytes(32), () => now), store, 'https://hooks.example', () => now);
  const tokenOf = (url: string) => url.slice(url.indexOf('#token=') + 7);

  it('a portal URL opens one session: the token is claimed until it expires, a second exchange is refused', async () => {
    const { url, expires_at } = await service.createPortalSession(TENANT, { partner: 'acme', webhook_ids: [OWN, OWN], expires_in_s: 7200, read_only: true });
    expect(url).toMatch(/^https:\/\/hooks\.example\/portal\/#token=/);
    expect(expires_at).toBe(new Date(T0 + 7_200_000).toISOString());
    const opened = await service.exchange(tokenOf(url));
    expect(opened.maxAgeS).toBe(7200);
    expect(opened.view).toEqual({
      kind: 'portal',
      tenant_id: TENANT,
      partner: 'acme',
      webhook_ids: [OWN],
      read_only: true,
      expires_at,
      csrf_token: expect.any(String),
    });
    expect([...store.claimed.values()]).toEqual([new Date(T0 + 600_000)]);
    await expect(service.exchange(tokenOf(url))).rejects.toMatchObject({
      code: 'session_token_invalid',
      message: expect.stringContaining('already exchanged'),
    });
    const session = await service.authenticate(opened.cookie);
    expect(service.view(session)).toEqual(opened.view);
    expect(service.csrfMatches(session, opened.view.csrf_token)).toBe(true);
    expect(service.csrfMatches(session, undefined)).toBe(false);
    expect(service.csrfMatches(session, `${opened.view.csrf_token}x`)).toBe(false);
  });

  it("a portal link's id is its session's: the tenant revokes it, opened or not; another tenant's revocation does not touch it", async () => {
    const opened = await service.createPortalSession(TENANT, { partner: 'acme' });
    const session = await service.exchange(tokenOf(opened.url));
    expect((await service.authenticate(session.cookie)).id).toBe(opened.id);
    await service.revokePortalSession(FOREIGN, opened.id);
    expect((await service.authenticate(session.cookie)).id).toBe(opened.id);
    await service.revokePortalSession(TENANT, opened.id);
    await expect(service.authenticate(session.cookie)).rejects.toMatchObject({ code: 'session_invalid', message: expect.stringContaining('revoked') });

    // Revoked before it was opened: the link no longer opens.
    const unopened = await service.createPortalSession(TENANT, { partner: 'acme' });
    await service.revokePortalSession(TENANT, unopened.id);
    await expect(service.exchange(tokenOf(unopened.url))).rejects.toMatchObject({
      code: 'session_token_invalid',
      message: expect.stringContaining('revoked'),
    });
  });

  it('a logout ends the session for every copy of its cookie', async () => {
    const { url } = await service.createConsoleSession({});
    const opened = await service.exchange(tokenOf(url));
    const session = await service.authenticate(opened.cookie);
    await service.logout(session);
    await expect(service.authenticate(opened.cookie)).rejects.toMatchObject({ code: 'session_invalid', message: expect.stringContaining('logged out') });
  });

  it("refuses a webhook that is not the tenant's, naming its index", async () => {
    await expect(service.createPortalSession(TENANT, { partner: 'acme', webhook_ids: [OWN, FOREIGN] })).rejects.toMatchObject({
      message: expect.stringContaining('/webhook_ids/1'),
    });
  });

  it('a console session lasts an hour by default; an expired link or cookie is refused without echoing it', async () => {
    const { url, expires_at } = await service.createConsoleSession({});
    expect(expires_at).toBe(new Date(T0 + 3_600_000).toISOString());
    now = T0 + 601_000;
    const token = tokenOf(url);
    const refusal = await service.exchange(token).catch((e: unknown) => e as Error & { code?: string });
    expect(refusal).toMatchObject({ code: 'session_token_invalid', message: expect.stringContaining('expired') });
    expect((refusal as Error).message).not.toContain(token);
    await expect(service.authenticate('a.b.c')).rejects.toMatchObject({ code: 'session_invalid' });
    now = T0;
  });
});
