import type { Knex } from '@hookstream/service-kit';
import { deliveryVisibleToPartner, webhookVisibleToPartner, type PartnerScope } from '@hookstream/store';
import { Forbidden, NotFound } from '../domain/errors.js';
import type { Session } from '../sessions/session-tokens.js';
import type { Route } from './routes/route.js';

/**
 * What a portal session may do with a tenant route:
 * - `webhook`: the route is about the webhook `{id}`; one outside the session's scope is a 404,
 *   exactly like another tenant's;
 * - `delivery`: the same for the delivery `{id}`, through its webhook;
 * - `scoped`: the handler narrows what it reads or writes to the scope (`ctx.partnerScope`): the
 *   webhook list, webhook creation (the new webhook carries the partner label);
 * - `open`: nothing tenant-private beyond the webhooks (the event catalogue);
 * - `refused`: not about one webhook and not needed by the portal: 403 `not_available_in_portal`.
 */
export type PortalAccess = 'webhook' | 'delivery' | 'scoped' | 'open' | 'refused';

/**
 * A route's portal access: what it declares, else what its path says. Deny by default: a new
 * tenant route is refused to portal sessions unless it is about one webhook or delivery, or says
 * otherwise.
 */
export function portalAccessOf(route: Pick<Route, 'method' | 'path' | 'portal'>): PortalAccess {
  if (route.portal) return route.portal;
  if (route.path.startsWith('/v1/webhooks/{id}')) return 'webhook';
  if (route.path.startsWith('/v1/deliveries/{id}')) return 'delivery';
  return 'refused';
}

/** The webhooks one portal session may see. */
export function partnerScopeOf(session: Session): PartnerScope {
  return { partner: session.partner!, webhookIds: session.webhookIds ?? [] };
}

/** A route a portal session may not use at all: 403 `not_available_in_portal`, before its scope is looked at. */
export function refuseOutsidePortal(route: Route): void {
  if (portalAccessOf(route) === 'refused') {
    throw new Forbidden(`${route.method.toUpperCase()} ${route.path} is not available to a portal session`, '').coded('not_available_in_portal');
  }
}

/** Applies a route's portal access to a portal session's request (after its path parameters were checked). */
export async function enforcePortalAccess(db: Knex, route: Route, tenantId: string, scope: PartnerScope, id: () => string): Promise<void> {
  const access = portalAccessOf(route);
  switch (access) {
    case 'refused':
      return refuseOutsidePortal(route);
    case 'webhook':
      if (!(await webhookVisibleToPartner(db, tenantId, id(), scope))) throw new NotFound('webhook');
      return;
    case 'delivery':
      if (!(await deliveryVisibleToPartner(db, tenantId, id(), scope))) throw new NotFound('delivery');
      return;
    case 'scoped':
    case 'open':
      return;
  }
}
