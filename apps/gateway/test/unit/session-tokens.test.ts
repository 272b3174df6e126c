import { randomBytes, randomUUID } from 'node:crypto';
import { readConfig } from '@hookstream/service-kit';
import { decodeJwt } from 'jose';
import { portalKeyConfig } from '../../src/config.js';
import { EXCHANGE_TOKEN_MAX_S, SessionTokenError, SessionTokens, type SessionGrant } from '../../src/sessions/session-tokens.js';

const T0 = Date.parse('2026-12-05T12:00:00Z');
const grant = (over: Partial<SessionGrant> = {}): SessionGrant => ({
  kind: 'portal',
  tenantId: '0b7e5c1a-2f3d-4e5f-8a9b-0c1d2e3f4a5b',
  partner: 'acme',
  webhookIds: ['3f2c9a4e-8d1b-4c7e-9a60-2b5d7e1f0c84'],
  readOnly: false,
  expiresAt: new Date(T0 + 3_600_000),
  ...over,
});
const reason = (p: Promise<unknown>) =>
  p.then(
    () => 'accepted',
    (e: unknown) => (e instanceof SessionTokenError ? e.reason : `other: ${String(e)}`),
  );

describe('session tokens (HS256 under HOOKSTREAM_PORTAL_KEY)', () => {
  const key = randomBytes(32);
  let now = T0;
  const tokens = new SessionTokens(key, () => now);
  beforeEach(() => {
    now = T0;
  });

  it('a single-use token expires after 10 minutes, or with a shorter session, and carries the grant back', async () => {
    const { token, jti, expiresAt } = await tokens.exchangeToken(grant());
    expect(expiresAt.getTime()).toBe(T0 + EXCHANGE_TOKEN_MAX_S * 1000);
    expect(decodeJwt(token)).toMatchObject({ jti, exp: (T0 + 600_000) / 1000, iat: T0 / 1000 });
    const back = await tokens.verifyExchangeToken(token);
    expect(back).toEqual({ grant: grant(), jti, tokenExpiresAt: expiresAt });
    const short = await tokens.exchangeToken(grant({ expiresAt: new Date(T0 + 60_000) }));
    expect(short.expiresAt.getTime()).toBe(T0 + 60_000);
  });

  it('refuses an expired, foreign-key, malformed or wrong-audience token, naming only why', async () => {
    const { token } = await tokens.exchangeToken(grant());
    now = T0 + 601_000;
    expect(await reason(tokens.verifyExchangeToken(token))).toBe('expired');
    now = T0;
    expect(await reason(new SessionTokens(randomBytes(32), () => now).verifyExchangeToken(token))).toBe('invalid');
    for (const bad of ['', 'abc', 'a.b', `${token}x.y`, 42, undefined, 'x'.repeat(9000)]) {
      expect(await reason(tokens.verifyExchangeToken(bad))).toBe('malformed');
    }
    // A session cookie is no exchange token, and the other way round.
    const { value } = await tokens.sessionCookie(grant(), randomUUID());
    expect(await reason(tokens.verifyExchangeToken(value))).toBe('invalid');
    expect(await reason(tokens.verifySessionCookie(token))).toBe('invalid');
    // A tampered payload breaks the signature.
    const [h, p, s] = token.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, tid: 'another-tenant' })).toString('base64url')}.${s}`;
    expect(await reason(tokens.verifyExchangeToken(tampered))).toBe('invalid');
  });

  it('a session cookie lasts as long as the session; its CSRF token is bound to that one session', async () => {
    const a = await tokens.sessionCookie(grant(), randomUUID());
    const b = await tokens.sessionCookie(grant(), randomUUID());
    expect(decodeJwt(a.value).exp).toBe((T0 + 3_600_000) / 1000);
    expect(await tokens.verifySessionCookie(a.value)).toEqual(a.session);
    expect(tokens.csrfToken(a.session)).toMatch(/^[\w-]{43}$/);
    expect(tokens.csrfToken(a.session)).toBe(tokens.csrfToken({ id: a.session.id }));
    expect(tokens.csrfToken(a.session)).not.toBe(tokens.csrfToken(b.session));
    now = T0 + 3_600_001;
    expect(await reason(tokens.verifySessionCookie(a.value))).toBe('expired');
  });

  it('a console grant carries no tenant; a portal grant without its tenant is refused', async () => {
    const consoleGrant: SessionGrant = { kind: 'console', readOnly: false, expiresAt: new Date(T0 + 60_000) };
    const c = await tokens.sessionCookie(consoleGrant, randomUUID());
    expect(await tokens.verifySessionCookie(c.value)).toEqual({ ...consoleGrant, id: c.session.id });
    const broken = await tokens.sessionCookie({ ...grant(), tenantId: undefined } as unknown as SessionGrant, randomUUID());
    expect(await reason(tokens.verifySessionCookie(broken.value))).toBe('invalid');
  });
});

describe('HOOKSTREAM_PORTAL_KEY', () => {
  const read = (v: string | undefined) => readConfig({ HOOKSTREAM_PORTAL_KEY: portalKeyConfig }, v === undefined ? {} : { HOOKSTREAM_PORTAL_KEY: v });
  it('is optional, base64 (or base64url) of at least 32 bytes, and never echoed when refused', () => {
    expect(read(undefined).HOOKSTREAM_PORTAL_KEY).toBeUndefined();
    const key = randomBytes(32);
    expect(Buffer.from(read(key.toString('base64')).HOOKSTREAM_PORTAL_KEY!)).toEqual(key);
    expect(Buffer.from(read(key.toString('base64url')).HOOKSTREAM_PORTAL_KEY!)).toEqual(key);
    const short = randomBytes(31).toString('base64');
    for (const bad of [short, 'not base64!', 'REPLACE-ME']) {
      expect(() => read(bad)).toThrow(/HOOKSTREAM_PORTAL_KEY must be base64 of at least 32 random bytes/);
      expect(() => read(bad)).not.toThrow(bad);
    }
  });
});
