import { portalAccessOf } from '../../src/http/portal-access.js';
import { ROUTES } from '../../src/http/routes/index.js';

/**
 * Issue 20.1: what a portal session may reach is decided per route, deny by default. This list
 * changes only on purpose: a new tenant route is refused to the portal unless it is about one
 * webhook or delivery (then scoped to the session's webhooks) or says otherwise.
 */
describe('portal access of every tenant route', () => {
  const tenantRoutes = ROUTES.filter((r) => r.auth === 'tenant');
  const access = Object.fromEntries(tenantRoutes.map((r) => [`${r.method.toUpperCase()} ${r.path}`, portalAccessOf(r)]));

  it('refuses the routes not about one webhook (keys, events, secrets, portal sessions)', () => {
    for (const route of ['GET /v1/api-keys', 'POST /v1/api-keys', 'POST /v1/events', 'POST /v1/events/batch', 'GET /v1/secrets', 'POST /v1/portal/sessions']) {
      expect([route, access[route]]).toEqual([route, 'refused']);
    }
  });

  it('scopes every route about one webhook or delivery to the session, and the list and creation of webhooks', () => {
    for (const [route, a] of Object.entries(access)) {
      const path = route.split(' ')[1]!;
      if (path.startsWith('/v1/webhooks/{id}')) expect([route, a]).toEqual([route, 'webhook']);
      if (path.startsWith('/v1/deliveries/{id}')) expect([route, a]).toEqual([route, 'delivery']);
    }
    expect([access['GET /v1/webhooks'], access['POST /v1/webhooks']]).toEqual(['scoped', 'scoped']);
  });

  it('defaults a route it does not know to refused', () => {
    expect(portalAccessOf({ method: 'get', path: '/v1/something-new' })).toBe('refused');
    expect(portalAccessOf({ method: 'get', path: '/v1/something-new', portal: 'open' })).toBe('open');
  });
});
