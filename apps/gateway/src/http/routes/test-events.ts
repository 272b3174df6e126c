import { Type } from '@sinclair/typebox';
import { errorResponse, EXAMPLE_WEBHOOK_ID, idParam, jsonResponse, notFoundResponse } from '../../openapi/shapes.js';
import { param } from '../context.js';
import type { Route } from './route.js';

const TestEventBody = Type.Object(
  { type: Type.String({ minLength: 1, maxLength: 128, description: 'A catalogue event type (GET /v1/event-types); an alias reads as its canonical type' }) },
  { additionalProperties: false },
);

/** Test events (#20): try a webhook with any catalogue type and watch its attempt in the history. */
export const testEventRoutes: Route[] = [
  {
    method: 'post',
    path: '/v1/webhooks/{id}/test-events',
    auth: 'tenant',
    scope: 'manage',
    tag: 'Webhooks',
    operationId: 'sendTestEvent',
    summary: 'Send a webhook a test event of a chosen type',
    description:
      "Publishes an event of `type` with the catalogue's example data, addressed to this webhook only: it is delivered to it (signed, authenticated, " +
      'filtered and transformed like any event) whether or not it subscribes to the type, and to no other webhook. The delivery appears in ' +
      '`GET /v1/webhooks/{id}/deliveries` under the answered `event_id`. A publisher cannot mark its own events as tests.',
    params: [idParam('id', 'Webhook id', EXAMPLE_WEBHOOK_ID)],
    body: { schema: TestEventBody, invalidMessage: 'invalid test event request', example: { type: 'user-followed' } },
    responses: {
      '202': jsonResponse({ type: 'object', required: ['event_id'], properties: { event_id: { type: 'string', format: 'uuid' } } }, 'Published'),
      '400': errorResponse('Malformed body or unknown type'),
      '409': errorResponse('The webhook is disabled'),
      '503': errorResponse('The broker did not acknowledge; retry'),
      ...notFoundResponse,
    },
    async handler(req, res, { deps, tenant, body }) {
      const { type } = (await body()) as { type: string };
      res.status(202).json(await deps.testEvents.send(tenant.id, param(req, 'id'), type));
    },
  },
];
