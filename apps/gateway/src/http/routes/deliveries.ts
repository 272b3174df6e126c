import { DELIVERY_STATUSES } from '../../deliveries/delivery-history.js';
import type { ErrorDetail } from '../../domain/errors.js';
import { errorResponse, EXAMPLE_DELIVERY_ID, EXAMPLE_WEBHOOK_ID, idParam, jsonResponse, notFoundResponse, pageParams } from '../../openapi/shapes.js';
import { param } from '../context.js';
import { pagedList, parsePage, throwIfErrors } from '../pagination.js';
import type { Route } from './route.js';

const deliveryId = idParam('id', 'Delivery id', EXAMPLE_DELIVERY_ID);

/** Delivery history (written by the matcher and the worker) and manual retry. */
export const deliveryRoutes: Route[] = [
  {
    method: 'get',
    path: '/v1/webhooks/{id}/deliveries',
    auth: 'tenant',
    scope: 'read',
    tag: 'Deliveries',
    operationId: 'listWebhookDeliveries',
    summary: 'Deliveries of a webhook, newest first',
    params: [
      idParam('id', 'Webhook id', EXAMPLE_WEBHOOK_ID),
      { name: 'status', in: 'query', schema: { enum: [...DELIVERY_STATUSES] }, example: 'retrying' },
      { name: 'since', in: 'query', schema: { type: 'string', format: 'date-time' }, example: '2026-01-31T12:00:00Z' },
      ...pageParams,
    ],
    responses: {
      '200': jsonResponse({ type: 'object' }, 'A page of deliveries'),
      '400': errorResponse('Malformed parameter'),
      ...notFoundResponse,
    },
    async handler(req, res, { deps, tenant }) {
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
      const rows = await deps.deliveries.forWebhook(tenant.id, id, {
        ...page,
        ...(typeof status === 'string' ? { status } : {}),
        ...(since ? { since } : {}),
      });
      res.json(pagedList(rows, page, `${deps.settings.publicUrl.replace(/\/+$/, '')}/v1/webhooks/${id}/deliveries`, req.query as Record<string, unknown>));
    },
  },
  {
    method: 'get',
    path: '/v1/deliveries/{id}',
    auth: 'tenant',
    scope: 'read',
    tag: 'Deliveries',
    operationId: 'getDelivery',
    summary: 'A delivery with all its attempts',
    description:
      'Each attempt shows the request headers it sent (`request_headers`; every credential — authorization, the token header, cookies — reads `[redacted]`, the `webhook-signature` is shown) and the `Retry-After` the receiver asked for (`retry_after_ms`, at most 24 h).',
    params: [deliveryId],
    responses: { '200': jsonResponse({ type: 'object' }, 'The delivery'), ...notFoundResponse },
    async handler(req, res, { deps, tenant }) {
      res.json(await deps.deliveries.get(tenant.id, param(req, 'id')));
    },
  },
  {
    method: 'post',
    path: '/v1/deliveries/{id}/retry',
    auth: 'tenant',
    scope: 'manage',
    tag: 'Deliveries',
    operationId: 'retryDelivery',
    summary: 'Queue one delivery again now (new cycle, attempt 1)',
    params: [deliveryId],
    responses: {
      '202': jsonResponse({ type: 'object' }, 'Queued'),
      '409': errorResponse('No recorded body, or the webhook was deleted'),
      '503': errorResponse('The broker did not acknowledge; retry'),
      ...notFoundResponse,
    },
    async handler(req, res, { deps, tenant }) {
      res.status(202).json(await deps.deliveries.retry(tenant.id, param(req, 'id')));
    },
  },
];
