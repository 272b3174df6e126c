import { Router } from 'express';
import { DELIVERY_STATUSES } from '../../deliveries/delivery-history.js';
import { param, tenantOf, type GatewayDeps } from '../context.js';
import type { ErrorDetail } from '../errors.js';
import { pagedList, parsePage, throwIfErrors } from '../pagination.js';

/** Delivery history (written by the matcher and the worker) and manual retry. */
export function deliveryRoutes(deps: GatewayDeps): Router {
  const r = Router();
  r.get('/v1/webhooks/:id/deliveries', async (req, res) => {
    const errors: ErrorDetail[] = [];
    const page = parsePage(req.query, errors);
    const status = req.query.status;
    if (status !== undefined && (typeof status !== 'string' || !(DELIVERY_STATUSES as readonly string[]).includes(status))) {
      errors.push({ path: '/query/status', message: `must be one of: ${DELIVERY_STATUSES.join(', ')}`, rule: 'enum' });
    }
    const sinceRaw = req.query.since;
    let since: Date | undefined;
    if (sinceRaw !== undefined) {
      since = typeof sinceRaw === 'string' && /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/.test(sinceRaw) ? new Date(sinceRaw) : undefined;
      if (!since || Number.isNaN(since.getTime()))
        errors.push({ path: '/query/since', message: 'must be an RFC 3339 date-time, e.g. 2026-01-31T12:00:00Z', rule: 'format' });
    }
    throwIfErrors(errors);
    const id = param(req, 'id');
    const rows = await deps.deliveries.forWebhook(tenantOf(req).id, id, {
      ...page,
      ...(typeof status === 'string' ? { status } : {}),
      ...(since ? { since } : {}),
    });
    res.json(pagedList(rows, page, `${deps.settings.publicUrl.replace(/\/+$/, '')}/v1/webhooks/${id}/deliveries`, req.query as Record<string, unknown>));
  });

  r.get('/v1/deliveries/:id', async (req, res) => {
    res.json(await deps.deliveries.get(tenantOf(req).id, param(req, 'id')));
  });

  r.post('/v1/deliveries/:id/retry', async (req, res) => {
    res.status(202).json(await deps.deliveries.retry(tenantOf(req).id, param(req, 'id')));
  });
  return r;
}
