import { canonicalEventType } from '@hookstream/schemas';
import { Type } from '@sinclair/typebox';
import { DELIVERY_STATUSES } from '../../deliveries/delivery-history.js';
import { InvalidInput, type ErrorDetail } from '../../domain/errors.js';
import { errorResponse, EXAMPLE_DELIVERY_ID, EXAMPLE_WEBHOOK_ID, idParam, jsonResponse, notFoundResponse, pageParams } from '../../openapi/shapes.js';
import { param } from '../context.js';
import { pagedList, parsePage, throwIfErrors } from '../pagination.js';
import { dateTimeQuery, integerQuery } from '../query-params.js';
import type { Route } from './route.js';

/** The longest window of a webhook's statistics: a week of hourly buckets. */
const MAX_STATS_HOURS = 168;

const RecoverBody = Type.Object(
  {
    since: Type.String({ format: 'date-time', description: 'Replay deliveries created at or after this time' }),
    until: Type.Optional(Type.String({ format: 'date-time', description: 'and before this time (default: now)' })),
  },
  { additionalProperties: false },
);

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
      {
        name: 'event_type',
        in: 'query',
        description: 'Only deliveries of this event type (an alias reads as its canonical type)',
        schema: { type: 'string' },
        example: 'user-followed',
      },
      {
        name: 'since',
        in: 'query',
        description: 'Only deliveries created at or after this time',
        schema: { type: 'string', format: 'date-time' },
        example: '2026-01-31T12:00:00Z',
      },
      {
        name: 'until',
        in: 'query',
        description: 'Only deliveries created before this time',
        schema: { type: 'string', format: 'date-time' },
        example: '2026-02-01T12:00:00Z',
      },
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
      const since = dateTimeQuery(req.query, 'since', errors);
      const until = dateTimeQuery(req.query, 'until', errors);
      const typeRaw = req.query.event_type;
      const eventType = typeof typeRaw === 'string' ? canonicalEventType(typeRaw) : undefined;
      if (typeRaw !== undefined && !eventType) {
        errors.push({ path: '/query/event_type', message: 'must be an event type of the catalogue (GET /v1/event-types)', rule: 'enum' });
      }
      throwIfErrors(errors);
      const id = param(req, 'id');
      const rows = await deps.deliveries.forWebhook(tenant.id, id, {
        ...page,
        ...(typeof status === 'string' ? { status } : {}),
        ...(eventType ? { eventType } : {}),
        ...(since ? { since } : {}),
        ...(until ? { until } : {}),
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
  {
    method: 'get',
    path: '/v1/webhooks/{id}/stats',
    auth: 'tenant',
    scope: 'read',
    tag: 'Deliveries',
    operationId: 'getWebhookStats',
    summary: "A webhook's success rate and latency per hour",
    description:
      'Its attempts of the last `hours` whole hours (the current hour is the last bucket), one bucket per hour, empty hours included: ' +
      '`attempts`, `succeeded` (2xx), `failed` (anything else), and the median and 95th percentile of their durations (`p50_ms`, `p95_ms`, null without attempts). ' +
      '`success_rate` is succeeded over attempts for the whole window (null without attempts).',
    params: [
      idParam('id', 'Webhook id', EXAMPLE_WEBHOOK_ID),
      {
        name: 'hours',
        in: 'query',
        description: 'Window in hours',
        schema: { type: 'integer', minimum: 1, maximum: MAX_STATS_HOURS, default: 24 },
        example: 24,
      },
    ],
    responses: {
      '200': jsonResponse(
        {
          type: 'object',
          required: ['from', 'to', 'success_rate', 'attempts', 'buckets'],
          properties: {
            from: { type: 'string', format: 'date-time' },
            to: { type: 'string', format: 'date-time' },
            success_rate: { type: ['number', 'null'] },
            attempts: { type: 'integer' },
            buckets: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  start: { type: 'string', format: 'date-time' },
                  attempts: { type: 'integer' },
                  succeeded: { type: 'integer' },
                  failed: { type: 'integer' },
                  p50_ms: { type: ['integer', 'null'] },
                  p95_ms: { type: ['integer', 'null'] },
                },
              },
            },
          },
        },
        'Hourly buckets',
      ),
      '400': errorResponse('Malformed parameter'),
      ...notFoundResponse,
    },
    async handler(req, res, { deps, tenant }) {
      const errors: ErrorDetail[] = [];
      const hours = integerQuery(req.query, 'hours', 1, MAX_STATS_HOURS, 24, errors);
      throwIfErrors(errors);
      res.json(await deps.stats.forWebhook(tenant.id, param(req, 'id'), hours));
    },
  },
  {
    method: 'post',
    path: '/v1/webhooks/{id}/recover',
    auth: 'tenant',
    scope: 'manage',
    tag: 'Deliveries',
    operationId: 'recoverWebhookDeliveries',
    summary: 'Send again every delivery of a webhook that failed in a time window',
    description:
      'Queues again, oldest first and with the same delivery ids, every delivery of the webhook created in [`since`, `until`) that ended failed ' +
      '(`discarded`: retries exhausted, a status that is not retried, dead-lettered), each as attempt 1 of a new cycle, recorded in its history like a manual retry. ' +
      '`replayed` says how many were queued.',
    params: [idParam('id', 'Webhook id', EXAMPLE_WEBHOOK_ID)],
    body: {
      schema: RecoverBody,
      invalidMessage: 'invalid recover request',
      example: { since: '2026-01-31T12:00:00Z' },
    },
    responses: {
      '202': jsonResponse({ type: 'object', required: ['replayed'], properties: { replayed: { type: 'integer' } } }, 'Queued'),
      '400': errorResponse('Malformed body'),
      '409': errorResponse('The webhook is disabled'),
      '503': errorResponse('The broker did not acknowledge; retry'),
      ...notFoundResponse,
    },
    async handler(req, res, { deps, tenant, body }) {
      const { since, until } = (await body()) as { since: string; until?: string };
      const from = new Date(since);
      const to = until === undefined ? undefined : new Date(until);
      if (to && to <= from) throw new InvalidInput('invalid recover request', [{ path: '/until', message: 'must be later than since', rule: 'range' }]);
      res.status(202).json(await deps.deliveries.recover(tenant.id, param(req, 'id'), from, to));
    },
  },
];
