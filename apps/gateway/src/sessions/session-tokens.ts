import { createHmac, randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';

/** A portal session acts for one tenant and partner; a console session for the operator. */
export type SessionKind = 'portal' | 'console';

/** What a session may do, as carried by its single-use token and then by its cookie. */
export interface SessionGrant {
  kind: SessionKind;
  /** Portal only: the tenant the session acts for. */
  tenantId?: string;
  /** Portal only: the partner label (webhooks created in the session carry it). */
  partner?: string;
  /** Portal only: webhooks the session may see besides the partner's own. */
  webhookIds?: string[];
  readOnly: boolean;
  /** When the session ends (not the single-use token, which ends much sooner). */
  expiresAt: Date;
}

/** A session as its cookie proves it: the grant and the session's own id, to which the CSRF token is bound. */
export interface Session extends SessionGrant {
  id: string;
}

/** The single-use token lives at most this long: long enough to open a link, short enough that a leaked one is stale. */
export const EXCHANGE_TOKEN_MAX_S = 600;

const ALG = 'HS256';
// Distinct audiences: a session cookie is no exchange token and an exchange token no cookie.
const EXCHANGE_AUDIENCE = 'hookstream:session-exchange';
const SESSION_AUDIENCE = 'hookstream:session';
const ISSUER = 'hookstream-gateway';

/** Why a token was refused; the message never contains the token. */
export class SessionTokenError extends Error {
  constructor(readonly reason: 'malformed' | 'expired' | 'invalid') {
    super(reason === 'expired' ? 'the token has expired' : reason === 'malformed' ? 'the token is malformed' : 'the token is not valid');
    this.name = 'SessionTokenError';
  }
}

interface GrantClaims extends JWTPayload {
  kind?: unknown;
  tid?: unknown;
  partner?: unknown;
  wh?: unknown;
  ro?: unknown;
  /** Exchange token: when the session it opens ends (seconds since the epoch). */
  sexp?: unknown;
}

/**
 * Signs and verifies the two JWTs of UI sessions under HOOKSTREAM_PORTAL_KEY (HS256, jose): the
 * single-use exchange token a session URL carries, and the session cookie it is exchanged for.
 * Also derives each session's CSRF token from the key and the session id, so the token needs no
 * storage and only the cookie's holder can learn it (GET /v1/sessions/current).
 */
export class SessionTokens {
  constructor(
    private readonly key: Uint8Array,
    private readonly now: () => number = Date.now,
  ) {}

  /** A single-use token for `grant`: expires after EXCHANGE_TOKEN_MAX_S or with the session, whichever is first. */
  async exchangeToken(grant: SessionGrant): Promise<{ token: string; jti: string; expiresAt: Date }> {
    const nowS = Math.floor(this.now() / 1000);
    const sessionEndS = Math.floor(grant.expiresAt.getTime() / 1000);
    const exp = Math.min(nowS + EXCHANGE_TOKEN_MAX_S, sessionEndS);
    const jti = randomUUID();
    const token = await new SignJWT({ ...grantClaims(grant), sexp: sessionEndS })
      .setProtectedHeader({ alg: ALG, typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(EXCHANGE_AUDIENCE)
      .setIssuedAt(nowS)
      .setExpirationTime(exp)
      .setJti(jti)
      .sign(this.key);
    return { token, jti, expiresAt: new Date(exp * 1000) };
  }

  /** The grant of a valid exchange token, its jti and when the token expires (for the single-use claim). */
  async verifyExchangeToken(token: unknown): Promise<{ grant: SessionGrant; jti: string; tokenExpiresAt: Date }> {
    const claims = await this.verify(token, EXCHANGE_AUDIENCE);
    if (typeof claims.sexp !== 'number' || typeof claims.exp !== 'number') throw new SessionTokenError('invalid');
    const grant = grantOf(claims, new Date(claims.sexp * 1000));
    if (grant.expiresAt.getTime() <= this.now()) throw new SessionTokenError('expired');
    return { grant, jti: claims.jti!, tokenExpiresAt: new Date(claims.exp * 1000) };
  }

  /**
   * The session cookie's value: the grant and the session's id, expiring with the session. The id
   * is the exchange token's `jti` (claimed once), so whoever asked for the link knows the session
   * it opens and can revoke it.
   */
  async sessionCookie(grant: SessionGrant, id: string): Promise<{ value: string; session: Session }> {
    const value = await new SignJWT(grantClaims(grant))
      .setProtectedHeader({ alg: ALG, typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(SESSION_AUDIENCE)
      .setIssuedAt(Math.floor(this.now() / 1000))
      .setExpirationTime(Math.floor(grant.expiresAt.getTime() / 1000))
      .setJti(id)
      .sign(this.key);
    return { value, session: { ...grant, id } };
  }

  /** The session a cookie value proves. */
  async verifySessionCookie(value: unknown): Promise<Session> {
    const claims = await this.verify(value, SESSION_AUDIENCE);
    if (typeof claims.exp !== 'number') throw new SessionTokenError('invalid');
    return { ...grantOf(claims, new Date(claims.exp * 1000)), id: claims.jti! };
  }

  /** The CSRF token of a session: an HMAC of its id, so it is bound to that one session. */
  csrfToken(session: Pick<Session, 'id'>): string {
    return createHmac('sha256', this.key).update(`hookstream csrf\0${session.id}`).digest('base64url');
  }

  private async verify(token: unknown, audience: string): Promise<GrantClaims> {
    // A JWS in compact form, bounded: nothing else reaches jose.
    if (typeof token !== 'string' || token.length > 8192 || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) {
      throw new SessionTokenError('malformed');
    }
    try {
      const { payload } = await jwtVerify<GrantClaims>(token, this.key, {
        algorithms: [ALG],
        issuer: ISSUER,
        audience,
        currentDate: new Date(this.now()),
        requiredClaims: ['exp', 'jti'],
      });
      if (typeof payload.jti !== 'string' || !payload.jti) throw new SessionTokenError('invalid');
      return payload;
    } catch (e) {
      if (e instanceof SessionTokenError) throw e;
      if (e instanceof errors.JWTExpired) throw new SessionTokenError('expired');
      throw new SessionTokenError('invalid');
    }
  }
}

function grantClaims(grant: SessionGrant): Record<string, unknown> {
  return {
    kind: grant.kind,
    ro: grant.readOnly,
    ...(grant.tenantId ? { tid: grant.tenantId } : {}),
    ...(grant.partner !== undefined ? { partner: grant.partner } : {}),
    ...(grant.webhookIds?.length ? { wh: grant.webhookIds } : {}),
  };
}

/** The grant of verified claims; a token signed by our key yet shaped otherwise is refused all the same. */
function grantOf(claims: GrantClaims, expiresAt: Date): SessionGrant {
  const { kind, tid, partner, wh, ro } = claims;
  if (typeof ro !== 'boolean') throw new SessionTokenError('invalid');
  if (kind === 'console') return { kind, readOnly: ro, expiresAt };
  if (kind !== 'portal' || typeof tid !== 'string' || typeof partner !== 'string') throw new SessionTokenError('invalid');
  if (wh !== undefined && !(Array.isArray(wh) && wh.every((w) => typeof w === 'string'))) throw new SessionTokenError('invalid');
  return { kind, tenantId: tid, partner, webhookIds: (wh as string[] | undefined) ?? [], readOnly: ro, expiresAt };
}
