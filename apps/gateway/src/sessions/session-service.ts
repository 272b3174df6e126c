import { timingSafeEqual } from 'node:crypto';
import { NotFound, Unauthenticated } from '../domain/errors.js';
import { SessionTokenError, type Session, type SessionGrant, type SessionTokens } from './session-tokens.js';

/** What sessions need of PostgreSQL (sessionStoreOf(db) binds the @hookstream/store functions). */
export interface SessionStore {
  /** Claims a single-use token's jti: true the first time on any gateway, false afterwards. */
  consume(jti: string, tokenExpiresAt: Date): Promise<boolean>;
  webhookExists(tenantId: string, webhookId: string): Promise<boolean>;
  /** Ends a session before its time, until `expiresAt`: for everyone (a logout) or as `tenantId`'s. */
  revoke(sessionId: string, expiresAt: Date, tenantId?: string): Promise<void>;
  /** Whether a session was revoked by a logout or by `tenantId` (the portal session's tenant). */
  revoked(sessionId: string, tenantId?: string): Promise<boolean>;
}

export interface PortalSessionRequest {
  partner: string;
  webhook_ids?: string[];
  expires_in_s?: number;
  read_only?: boolean;
}

/** A session link: the session's id (to revoke it), the URL carrying its single-use token, when it ends. */
export interface SessionLink {
  id: string;
  url: string;
  expires_at: string;
}

/** What the exchange and GET /v1/sessions/current answer (never a token). */
export interface SessionView {
  kind: 'portal' | 'console';
  tenant_id?: string;
  partner?: string;
  read_only: boolean;
  webhook_ids?: string[];
  expires_at: string;
  csrf_token: string;
}

export const DEFAULT_SESSION_S = 3600;
/** The longest a session may last (`expires_in_s` at most): a revocation by id is kept this long. */
export const MAX_SESSION_S = 86_400;

/** The refusal of a single-use token; the message says why without echoing it. */
export function sessionTokenRefused(reason: SessionTokenError['reason'] | 'reused' | 'revoked'): Unauthenticated {
  const why =
    reason === 'reused'
      ? 'it was already exchanged (session links work once)'
      : reason === 'revoked'
        ? 'its session was revoked'
        : reason === 'expired'
          ? 'it has expired (session links work for 10 minutes; ask for a new one)'
          : reason === 'malformed'
            ? 'it is not a session token'
            : 'its signature or claims are not valid';
  return new Unauthenticated(`the session token was refused: ${why}`, 'Cookie').coded('session_token_invalid');
}

/**
 * Portal and console sessions: a tenant (or the operator) asks for a session URL, whose
 * single-use token the UI exchanges for an HttpOnly session cookie. The URL carries the token in
 * its fragment so it never reaches a server log or a Referer header.
 */
export class SessionService {
  constructor(
    private readonly tokens: SessionTokens,
    private readonly store: SessionStore,
    private readonly publicUrl: string,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * POST /v1/portal/sessions: every listed webhook must be the tenant's (else 404 at /webhook_ids/N).
   * The answer's `id` is the session's, for DELETE /v1/portal/sessions/{id}.
   */
  async createPortalSession(tenantId: string, req: PortalSessionRequest): Promise<SessionLink> {
    const webhookIds = [...new Set(req.webhook_ids ?? [])];
    for (const [i, id] of (req.webhook_ids ?? []).entries()) {
      if (!(await this.store.webhookExists(tenantId, id))) throw new NotFound('webhook', `webhook not found at /webhook_ids/${i}: ${id}`);
    }
    return this.url('portal', {
      kind: 'portal',
      tenantId,
      partner: req.partner,
      webhookIds,
      readOnly: req.read_only ?? false,
      expiresAt: this.sessionEnd(req.expires_in_s),
    });
  }

  /** POST /v1/console/sessions (admin token). */
  async createConsoleSession(req: { expires_in_s?: number }): Promise<SessionLink> {
    return this.url('console', { kind: 'console', readOnly: false, expiresAt: this.sessionEnd(req.expires_in_s) });
  }

  /**
   * POST /v1/sessions/exchange: a valid token whose jti no gateway has claimed yet opens the
   * session; the cookie value lasts as long as the session.
   */
  async exchange(token: unknown): Promise<{ cookie: string; maxAgeS: number; view: SessionView }> {
    let verified: Awaited<ReturnType<SessionTokens['verifyExchangeToken']>>;
    try {
      verified = await this.tokens.verifyExchangeToken(token);
    } catch (e) {
      if (e instanceof SessionTokenError) throw sessionTokenRefused(e.reason);
      throw e;
    }
    if (await this.store.revoked(verified.jti, verified.grant.tenantId)) throw sessionTokenRefused('revoked');
    if (!(await this.store.consume(verified.jti, verified.tokenExpiresAt))) throw sessionTokenRefused('reused');
    const { value, session } = await this.tokens.sessionCookie(verified.grant, verified.jti);
    const maxAgeS = Math.max(1, Math.floor((session.expiresAt.getTime() - this.now()) / 1000));
    return { cookie: value, maxAgeS, view: this.view(session) };
  }

  /**
   * The session a cookie value proves; a forged, expired, malformed or revoked (logged out) one is
   * a 401 `session_invalid`. The revocation is read from PostgreSQL on every call: UI requests come
   * at a person's pace, and every gateway then agrees at once.
   */
  async authenticate(cookie: string): Promise<Session> {
    let session: Session;
    try {
      session = await this.tokens.verifySessionCookie(cookie);
    } catch (e) {
      if (!(e instanceof SessionTokenError)) throw e;
      const why = e.reason === 'expired' ? 'the session has expired' : 'the session cookie is not valid';
      throw new Unauthenticated(`${why}: open a new session link`, 'Cookie').coded('session_invalid');
    }
    if (await this.store.revoked(session.id, session.tenantId)) {
      throw new Unauthenticated('the session has ended (logged out or revoked): open a new session link', 'Cookie').coded('session_invalid');
    }
    return session;
  }

  /** A logout: the session ends for every copy of its cookie, on every gateway. */
  async logout(session: Session): Promise<void> {
    await this.store.revoke(session.id, session.expiresAt);
  }

  /**
   * DELETE /v1/portal/sessions/{id}: the tenant ends a portal session it issued, opened or not
   * (its link then fails too). Sessions are not stored when issued, so any id is accepted; the
   * revocation only matches this tenant's sessions, and lasts as long as a session can.
   */
  async revokePortalSession(tenantId: string, sessionId: string): Promise<void> {
    await this.store.revoke(sessionId, new Date(this.now() + MAX_SESSION_S * 1000), tenantId);
  }

  /** Whether `sent` is the CSRF token of `session` (constant time). */
  csrfMatches(session: Session, sent: string | undefined): boolean {
    if (typeof sent !== 'string') return false;
    const a = Buffer.from(this.tokens.csrfToken(session));
    const b = Buffer.from(sent);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** The body of the exchange and of GET /v1/sessions/current. */
  view(session: Session): SessionView {
    return {
      kind: session.kind,
      ...(session.kind === 'portal' ? { tenant_id: session.tenantId!, partner: session.partner!, webhook_ids: session.webhookIds ?? [] } : {}),
      read_only: session.readOnly,
      expires_at: session.expiresAt.toISOString(),
      csrf_token: this.tokens.csrfToken(session),
    };
  }

  private sessionEnd(expiresInS: number | undefined): Date {
    return new Date(Math.floor(this.now() / 1000) * 1000 + (expiresInS ?? DEFAULT_SESSION_S) * 1000);
  }

  private async url(path: 'portal' | 'console', grant: SessionGrant): Promise<SessionLink> {
    const { token, jti } = await this.tokens.exchangeToken(grant);
    return { id: jti, url: `${this.publicUrl}/${path}/#token=${token}`, expires_at: grant.expiresAt.toISOString() };
  }
}
