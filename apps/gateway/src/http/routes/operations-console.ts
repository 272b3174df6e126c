import type { ErrorDetail } from '../../domain/errors.js';
import { decodeCursor } from '../../operations/dead-letter-console.js';
import { EXAMPLE_DELIVERY_ID, EXAMPLE_WEBHOOK_ID, errorResponse, idParam, jsonResponse, notFoundResponse } from '../../openapi/shapes.js';
import { param } from '../context.js';
import { throwIfErrors } from '../pagination.js';
import { integerQuery, uuidQuery } from '../query-params.js';
import type { Route } from './route.js';

const MAX_DEAD_LETTERS_PAGE = 500;
const MAX_WEBHOOKS = 1000;
const MAX_RATE_MINUTES = 1440;

const DeadLetter = {
  type: 'object',
  required: ['delivery_id', 'webhook_id', 'tenant_id', 'event_id', 'event_type', 'reason', 'attempts', 'dead_lettered_at'],
  properties: {
    delivery_id: { type: 'string', format: 'uuid' },
    webhook_id: { type: 'string', format: 'uuid' },
    tenant_id: { type: 'string', format: 'uuid' },
    event_id: { type: 'string' },
    event_type: { type: 'string' },
    reason: { type: ['string', 'null'], description: 'Why it was dead-lettered: the last error the worker recorded' },
    last_status_code: { type: ['integer', 'null'] },
    attempts: { type: 'integer' },
    cycle: { type: 'integer' },
    dead_lettered_at: { type: 'string', format: 'date-time' },
  },
};
const Replayed = jsonResponse({ type: 'object', required: ['replayed'], properties: { replayed: { type: 'integer' } } }, 'Queued again');
const brokerDown = { '503': errorResponse('The broker did not acknowledge; retry') };

/**
 * The operator console's API (#20), behind the admin token. Dead letters are read from the
 * audit (every dead letter is a `discarded` delivery with its body) rather than the DLQ topic,
 * so a page costs an indexed query, not a scan of the topic.
 */
export const operationsConsoleRoutes: Route[] = [
  {
    method: 'get',
    path: '/v1/admin/dead-letters',
    auth: 'admin',
    tag: 'Operations console',
    operationId: 'listDeadLetters',
    summary: 'Dead letters, newest first',
    description:
      'Deliveries that ended on `deliveries.dlq` (retries exhausted, a status that is not retried, 410 Gone, a job that could not be sent), ' +
      'optionally of one webhook or one tenant. Pages follow `next_cursor` (null on the last page).',
    params: [
      { name: 'webhook_id', in: 'query', schema: { type: 'string', format: 'uuid' }, example: EXAMPLE_WEBHOOK_ID },
      { name: 'tenant_id', in: 'query', schema: { type: 'string', format: 'uuid' } },
      { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: MAX_DEAD_LETTERS_PAGE, default: 50 } },
      { name: 'cursor', in: 'query', description: 'The `next_cursor` of the previous page', schema: { type: 'string' } },
    ],
    responses: {
      '200': jsonResponse(
        {
          type: 'object',
          required: ['data', 'next_cursor'],
          properties: { data: { type: 'array', items: DeadLetter }, next_cursor: { type: ['string', 'null'] } },
        },
        'A page of dead letters',
      ),
      '400': errorResponse('Malformed parameter'),
    },
    async handler(req, res, { deps }) {
      const errors: ErrorDetail[] = [];
      const webhookId = uuidQuery(req.query, 'webhook_id', errors);
      const tenantId = uuidQuery(req.query, 'tenant_id', errors);
      const limit = integerQuery(req.query, 'limit', 1, MAX_DEAD_LETTERS_PAGE, 50, errors);
      const cursor = req.query.cursor;
      const after = typeof cursor === 'string' && cursor.length <= 200 ? decodeCursor(cursor) : undefined;
      if (cursor !== undefined && !after) errors.push({ path: '/query/cursor', message: 'must be a next_cursor of an earlier page', rule: 'format' });
      throwIfErrors(errors);
      res.json(await deps.deadLetters.list({ webhookId, tenantId, limit, after }));
    },
  },
  {
    method: 'get',
    path: '/v1/admin/dead-letters/{id}',
    auth: 'admin',
    tag: 'Operations console',
    operationId: 'getDeadLetter',
    summary: 'One dead letter with its payload and every attempt',
    description: 'Each attempt shows its status code, duration, request headers (credentials read `[redacted]`) and the response excerpt.',
    params: [idParam('id', 'Delivery id', EXAMPLE_DELIVERY_ID)],
    responses: { '200': jsonResponse({ type: 'object' }, 'The dead letter, `payload` and `attempts`'), ...notFoundResponse },
    async handler(req, res, { deps }) {
      res.json(await deps.deadLetters.get(param(req, 'id')));
    },
  },
  {
    method: 'post',
    path: '/v1/admin/dead-letters/{id}/replay',
    auth: 'admin',
    tag: 'Operations console',
    operationId: 'replayDeadLetter',
    summary: 'Put one dead letter back into delivery',
    description: "As the CLI's `dlq replay`: attempt 1 of a new cycle on `deliveries`, recorded in the delivery's history.",
    params: [idParam('id', 'Delivery id', EXAMPLE_DELIVERY_ID)],
    responses: { '202': Replayed, ...brokerDown, ...notFoundResponse },
    async handler(req, res, { deps }) {
      res.status(202).json(await deps.deadLetters.replayOne(param(req, 'id')));
    },
  },
  {
    method: 'post',
    path: '/v1/admin/webhooks/{id}/dead-letters/replay',
    auth: 'admin',
    tag: 'Operations console',
    operationId: 'replayWebhookDeadLetters',
    summary: 'Put every dead letter of a webhook back into delivery, oldest first',
    description: "As the CLI's `dlq replay --webhook`: attempt 1 of a new cycle each; `replayed` says how many (0 when it has none).",
    params: [idParam('id', 'Webhook id', EXAMPLE_WEBHOOK_ID)],
    responses: { '202': Replayed, ...brokerDown },
    async handler(req, res, { deps }) {
      res.status(202).json(await deps.deadLetters.replayWebhook(param(req, 'id')));
    },
  },
  {
    method: 'get',
    path: '/v1/admin/webhooks',
    auth: 'admin',
    tag: 'Operations console',
    operationId: 'listWebhooksByState',
    summary: 'Webhooks marked buggy, or disabled',
    description:
      '`state=buggy`: the longest-marked first; `state=disabled`: switched off by their owner or by the system (`disabled_reason`, e.g. `gone`), the latest first.',
    params: [
      { name: 'state', in: 'query', schema: { enum: ['buggy', 'disabled'], default: 'buggy' }, example: 'buggy' },
      { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: MAX_WEBHOOKS, default: 200 } },
    ],
    responses: {
      '200': jsonResponse({ type: 'object', required: ['data'], properties: { data: { type: 'array', items: { type: 'object' } } } }, 'The webhooks'),
      '400': errorResponse('Malformed parameter'),
    },
    async handler(req, res, { deps }) {
      const errors: ErrorDetail[] = [];
      const state = req.query.state ?? 'buggy';
      if (state !== 'buggy' && state !== 'disabled') errors.push({ path: '/query/state', message: 'must be one of: buggy, disabled', rule: 'enum' });
      const limit = integerQuery(req.query, 'limit', 1, MAX_WEBHOOKS, 200, errors);
      throwIfErrors(errors);
      res.json(await deps.operations.webhooks(state as 'buggy' | 'disabled', limit));
    },
  },
  {
    method: 'put',
    path: '/v1/admin/webhooks/{id}/enable',
    auth: 'admin',
    tag: 'Operations console',
    operationId: 'adminEnableWebhook',
    summary: 'Re-enable a disabled or buggy webhook of any tenant',
    description:
      "The tenant's `PUT /v1/webhooks/{id}/enable` on the operator's behalf: the tenant's system webhooks are told, and the deliveries skipped while buggy are queued again " +
      '(`recovered_deliveries`).',
    params: [idParam('id', 'Webhook id', EXAMPLE_WEBHOOK_ID)],
    responses: {
      '200': jsonResponse({ type: 'object' }, 'Enabled'),
      '503': errorResponse('Re-enabled, but the broker did not acknowledge the recovered deliveries'),
      ...notFoundResponse,
    },
    async handler(req, res, { deps }) {
      res.json(await deps.operations.enable(param(req, 'id')));
    },
  },
  {
    method: 'get',
    path: '/v1/admin/consumer-lag',
    auth: 'admin',
    tag: 'Operations console',
    operationId: 'getConsumerLag',
    summary: "Consumer lag of this installation's groups, per partition",
    description:
      "The CLI's `lag`: every consumer group whose id starts with `KAFKA_TOPIC_PREFIX` (the matcher's and the delivery worker's), per topic partition.",
    responses: {
      '200': jsonResponse(
        {
          type: 'object',
          required: ['data'],
          properties: {
            data: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  group: { type: 'string' },
                  topic: { type: 'string' },
                  partition: { type: 'integer' },
                  offset: { type: 'string' },
                  high_watermark: { type: 'string' },
                  lag: { type: 'integer' },
                },
              },
            },
          },
        },
        'Lag per group and partition',
      ),
      '503': errorResponse('The broker did not answer'),
    },
    async handler(_req, res, { deps }) {
      res.json(await deps.operations.consumerLag());
    },
  },
  {
    method: 'get',
    path: '/v1/admin/delivery-rate',
    auth: 'admin',
    tag: 'Operations console',
    operationId: 'getDeliveryRate',
    summary: 'Delivered and failed attempts per minute',
    description: 'Every webhook, the last `minutes` whole minutes (the current minute last), empty minutes included.',
    params: [{ name: 'minutes', in: 'query', schema: { type: 'integer', minimum: 1, maximum: MAX_RATE_MINUTES, default: 60 }, example: 60 }],
    responses: {
      '200': jsonResponse(
        {
          type: 'object',
          required: ['buckets'],
          properties: {
            from: { type: 'string', format: 'date-time' },
            to: { type: 'string', format: 'date-time' },
            buckets: {
              type: 'array',
              items: {
                type: 'object',
                properties: { start: { type: 'string', format: 'date-time' }, delivered: { type: 'integer' }, failed: { type: 'integer' } },
              },
            },
          },
        },
        'Per-minute buckets',
      ),
      '400': errorResponse('Malformed parameter'),
    },
    async handler(req, res, { deps }) {
      const errors: ErrorDetail[] = [];
      const minutes = integerQuery(req.query, 'minutes', 1, MAX_RATE_MINUTES, 60, errors);
      throwIfErrors(errors);
      res.json(await deps.operations.deliveryRate(minutes));
    },
  },
];
