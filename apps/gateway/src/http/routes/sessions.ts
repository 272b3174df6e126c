import { Type, type Static } from '@sinclair/typebox';
import type { Request } from 'express';
import { Forbidden, Unauthenticated, Unavailable } from '../../domain/errors.js';
import { MAX_SESSION_S, type SessionService } from '../../sessions/session-service.js';
import { EXAMPLE_WEBHOOK_ID, errorResponse, idParam, jsonResponse } from '../../openapi/shapes.js';
import { param } from '../context.js';
import { refuseIfThrottled } from '../auth.js';
import type { GatewayDeps } from '../context.js';
import { clearSessionCookie, sessionCookieOf, setSessionCookie } from '../session-cookie.js';
import type { Route } from './route.js';

const EXAMPLE_SESSION_ID = '5d1f3a9c-7b2e-4c8d-a6f0-e1b2c3d4e5f6';

/** Webhook ids one portal session may list: they travel in its cookie, which browsers cap at 4 KiB. */
export const MAX_SESSION_WEBHOOK_IDS = 50;

const ExpiresIn = Type.Integer({ minimum: 60, maximum: MAX_SESSION_S, description: 'How long the session lasts once opened, in seconds (default 3600)' });

const PortalSessionRequestSchema = Type.Object(
  {
    partner: Type.String({
      minLength: 1,
      maxLength: 64,
      pattern: '^[A-Za-z0-9 ._@-]+$',
      description: 'Who the session is for; webhooks created in the session carry this label, so later sessions of the same partner see them',
    }),
    webhook_ids: Type.Optional(
      Type.Array(Type.String({ format: 'uuid' }), {
        maxItems: MAX_SESSION_WEBHOOK_IDS,
        description: "Existing webhooks of the tenant the session may see and manage besides the partner's own",
      }),
    ),
    expires_in_s: Type.Optional(ExpiresIn),
    read_only: Type.Optional(Type.Boolean({ description: 'true: the session may look but change nothing (default false)' })),
  },
  { title: 'PortalSessionRequest', additionalProperties: false },
);

const ConsoleSessionRequestSchema = Type.Object({ expires_in_s: Type.Optional(ExpiresIn) }, { title: 'ConsoleSessionRequest', additionalProperties: false });

const ExchangeRequestSchema = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 8192, description: 'The token of the session URL (after #token=)' }) },
  { title: 'SessionExchangeRequest', additionalProperties: false },
);

const sessionUrlShape = {
  type: 'object',
  required: ['id', 'url', 'expires_at'],
  properties: {
    id: { type: 'string', format: 'uuid', description: 'The session this link opens: `DELETE /v1/portal/sessions/{id}` ends it (a portal session)' },
    url: { type: 'string', description: 'Open it in a browser; the single-use token in its fragment works once, within 10 minutes' },
    expires_at: { type: 'string', format: 'date-time', description: 'When the session ends' },
  },
};

const sessionShape = {
  type: 'object',
  required: ['kind', 'read_only', 'expires_at', 'csrf_token'],
  properties: {
    kind: { enum: ['portal', 'console'] },
    tenant_id: { type: 'string', format: 'uuid' },
    partner: { type: 'string' },
    read_only: { type: 'boolean' },
    webhook_ids: { type: 'array', items: { type: 'string', format: 'uuid' } },
    expires_at: { type: 'string', format: 'date-time' },
    csrf_token: { type: 'string', description: 'Send it as the x-csrf-token header with every request that changes something' },
  },
};

const cookieDoc =
  'Sets the cookie `hookstream_session` (HttpOnly, SameSite=Strict, Path=/, Secure when the public URL is https) that authenticates the same REST API: ' +
  'a portal session as its tenant (scopes read and manage, or read only) limited to its webhooks, a console session as the operator. ' +
  "With the cookie, every request other than GET/HEAD must carry `x-csrf-token`, and an `Origin` header must be the public URL's origin (else 403).";

function sessionsOf(deps: GatewayDeps): SessionService {
  if (!deps.sessions) throw new Unavailable('portal and console sessions are disabled: HOOKSTREAM_PORTAL_KEY is not set on this gateway');
  return deps.sessions;
}

/** Requests that open or end a session must come from our own pages when a browser sends them. */
function refuseForeignOrigin(req: Request, deps: GatewayDeps): void {
  const origin = req.headers.origin;
  const ours = new URL(deps.settings.publicUrl).origin;
  if (origin !== undefined && origin !== ours) throw new Forbidden(`session requests from a browser must come from ${ours}`, '').coded('origin_not_allowed');
}

/** Portal sessions (tenants), console sessions (the operator), the exchange of a session URL's token and the current session. */
export const sessionRoutes: Route[] = [
  {
    method: 'post',
    path: '/v1/portal/sessions',
    auth: 'tenant',
    scope: 'manage',
    tag: 'Sessions',
    operationId: 'createPortalSession',
    summary: 'A partner portal link for this tenant',
    description:
      'Answers a URL of the partner portal (`/portal/`) carrying a single-use token (valid 10 minutes) in its fragment. The portal exchanges it for a session ' +
      'that acts for this tenant, limited to `webhook_ids` and the webhooks created by the same `partner`. Every `webhook_ids` entry must be a webhook of this tenant ' +
      '(else 404 naming `/webhook_ids/N`). Needs HOOKSTREAM_PORTAL_KEY on the gateway (else 503).',
    body: {
      schema: PortalSessionRequestSchema,
      content: { 'application/json': PortalSessionRequestSchema as unknown as Record<string, unknown> },
      invalidMessage: 'invalid portal session request',
      example: { partner: 'acme-partner', webhook_ids: [EXAMPLE_WEBHOOK_ID], expires_in_s: 3600, read_only: false },
    },
    responses: {
      '201': jsonResponse(sessionUrlShape, 'The portal URL'),
      '400': errorResponse('Invalid request (field errors in details)'),
      '404': errorResponse('A webhook id of webhook_ids is not one of this tenant (the message names /webhook_ids/N)'),
      '503': errorResponse('HOOKSTREAM_PORTAL_KEY is not set'),
    },
    async handler(_req, res, { deps, tenant, body }) {
      const sessions = sessionsOf(deps);
      const request = (await body()) as Static<typeof PortalSessionRequestSchema>;
      res
        .status(201)
        .set('cache-control', 'no-store')
        .json(await sessions.createPortalSession(tenant.id, request));
    },
  },
  {
    method: 'delete',
    path: '/v1/portal/sessions/{id}',
    auth: 'tenant',
    scope: 'manage',
    tag: 'Sessions',
    operationId: 'revokePortalSession',
    summary: 'Ends a partner portal session this tenant issued',
    description:
      'The `id` is the one `POST /v1/portal/sessions` answered. The session ends on every gateway at once; a link not opened yet no longer opens. ' +
      'Sessions are not stored when issued, so an unknown id is accepted too (nothing of another tenant is touched). Idempotent.',
    params: [idParam('id', 'Portal session id', EXAMPLE_SESSION_ID)],
    responses: { '204': { description: 'Ended' }, '503': errorResponse('HOOKSTREAM_PORTAL_KEY is not set') },
    async handler(req, res, { deps, tenant }) {
      await sessionsOf(deps).revokePortalSession(tenant.id, param(req, 'id'));
      deps.logger.info({ tenant: tenant.id, session: param(req, 'id') }, 'portal session revoked');
      res.status(204).end();
    },
  },
  {
    method: 'post',
    path: '/v1/console/sessions',
    auth: 'admin',
    tag: 'Sessions',
    operationId: 'createConsoleSession',
    summary: 'An operator console link (admin token)',
    description:
      'Answers a URL of the operator console (`/console/`) carrying a single-use token (valid 10 minutes) in its fragment. The console login page calls it ' +
      'with the pasted admin token. Only the admin token itself may ask: a console session cannot prolong itself (403).',
    body: {
      schema: ConsoleSessionRequestSchema,
      content: { 'application/json': ConsoleSessionRequestSchema as unknown as Record<string, unknown> },
      invalidMessage: 'invalid console session request',
      example: { expires_in_s: 3600 },
      optional: true,
    },
    responses: {
      '201': jsonResponse(sessionUrlShape, 'The console URL'),
      '400': errorResponse('Invalid request (field errors in details)'),
      '403': errorResponse('Called with a session cookie instead of the admin token'),
    },
    async handler(req, res, { deps, session, body }) {
      const sessions = sessionsOf(deps);
      if (session) throw new Forbidden('a console session cannot open another one: use the admin token', '').coded('not_available_in_console');
      const empty = !req.headers['content-type'] && !Number(req.headers['content-length'] ?? 0) && !('transfer-encoding' in req.headers);
      const request = empty ? {} : ((await body()) as Static<typeof ConsoleSessionRequestSchema>);
      res
        .status(201)
        .set('cache-control', 'no-store')
        .json(await sessions.createConsoleSession(request));
    },
  },
  {
    method: 'post',
    path: '/v1/sessions/exchange',
    auth: 'none',
    tag: 'Sessions',
    operationId: 'exchangeSessionToken',
    summary: "Opens a session: exchanges a session URL's single-use token for the session cookie",
    description: `${cookieDoc} A token works once across every gateway; a reused, expired, forged or malformed one is a 401 \`session_token_invalid\`.`,
    body: {
      schema: ExchangeRequestSchema,
      content: { 'application/json': ExchangeRequestSchema as unknown as Record<string, unknown> },
      invalidMessage: 'invalid exchange request',
      example: { token: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.c2lnbmF0dXJl' },
    },
    responses: {
      '200': jsonResponse(sessionShape, 'The session (the cookie is set)'),
      '400': errorResponse('No token in the body'),
      '401': errorResponse('session_token_invalid: reused, expired, forged or malformed'),
      '403': errorResponse('origin_not_allowed: sent by a page of another origin'),
      '429': errorResponse('Too many failed authentications from this address'),
      '503': errorResponse('HOOKSTREAM_PORTAL_KEY is not set'),
    },
    async handler(req, res, { deps, body }) {
      const sessions = sessionsOf(deps);
      refuseForeignOrigin(req, deps);
      const address = refuseIfThrottled(req, deps);
      const { token } = (await body()) as Static<typeof ExchangeRequestSchema>;
      let opened: Awaited<ReturnType<SessionService['exchange']>>;
      try {
        opened = await sessions.exchange(token);
      } catch (e) {
        if (e instanceof Unauthenticated) deps.authThrottle.failed(address);
        throw e;
      }
      setSessionCookie(res, opened.cookie, opened.maxAgeS, deps.settings.publicUrl);
      res.set('cache-control', 'no-store').json(opened.view);
    },
  },
  {
    method: 'get',
    path: '/v1/sessions/current',
    auth: 'none',
    tag: 'Sessions',
    operationId: 'getCurrentSession',
    summary: 'The session of the cookie (with its CSRF token), for a page that was reloaded',
    responses: {
      '200': jsonResponse(sessionShape, 'The session'),
      '401': errorResponse('session_invalid: no cookie, or an expired, forged or ended session'),
      '503': errorResponse('HOOKSTREAM_PORTAL_KEY is not set'),
    },
    async handler(req, res, { deps }) {
      const sessions = sessionsOf(deps);
      const cookie = sessionCookieOf(req);
      if (cookie === undefined) throw new Unauthenticated('no session: open a session link', 'Cookie').coded('session_invalid');
      const address = refuseIfThrottled(req, deps);
      let session: Awaited<ReturnType<SessionService['authenticate']>>;
      try {
        session = await sessions.authenticate(cookie);
      } catch (e) {
        deps.authThrottle.failed(address);
        throw e;
      }
      if (session.kind === 'portal' && !(await deps.auth.tenant(session.tenantId!))) {
        throw new Unauthenticated('the session has ended: its tenant is disabled', 'Cookie').coded('session_invalid');
      }
      res.set('cache-control', 'no-store').json(sessions.view(session));
    },
  },
  {
    method: 'delete',
    path: '/v1/sessions/current',
    auth: 'none',
    tag: 'Sessions',
    operationId: 'deleteCurrentSession',
    summary: 'Logs out: ends the session and clears its cookie',
    description:
      'With a valid session cookie the request must carry its `x-csrf-token` (else 403 `csrf_token_invalid`); the session then ends on every gateway, ' +
      'for any copy of the cookie too. Without one it just clears the cookie.',
    responses: {
      '204': { description: 'The cookie is cleared' },
      '403': errorResponse('csrf_token_invalid or origin_not_allowed'),
      '503': errorResponse('HOOKSTREAM_PORTAL_KEY is not set'),
    },
    async handler(req, res, { deps }) {
      const sessions = sessionsOf(deps);
      refuseForeignOrigin(req, deps);
      const cookie = sessionCookieOf(req);
      const session = cookie === undefined ? undefined : await sessions.authenticate(cookie).catch(() => undefined);
      if (session) {
        const sent = req.headers['x-csrf-token'];
        if (!sessions.csrfMatches(session, typeof sent === 'string' ? sent : undefined)) {
          throw new Forbidden('missing or wrong x-csrf-token header: send the csrf_token of the session', '').coded('csrf_token_invalid');
        }
        await sessions.logout(session);
      }
      clearSessionCookie(res, deps.settings.publicUrl);
      res.status(204).end();
    },
  },
];
