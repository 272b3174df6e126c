import { eventTypeDescriptions } from '@hookstream/schemas';
import { jsonResponse } from '../../openapi/shapes.js';
import type { Route } from './route.js';

/** The event catalogue, for people choosing what to subscribe to (the portal's catalogue view, #20). */
export const eventTypeRoutes: Route[] = [
  {
    method: 'get',
    path: '/v1/event-types',
    auth: 'tenant',
    scope: 'read',
    // The catalogue is the same for every tenant: nothing of the tenant's is shown.
    portal: 'open',
    tag: 'Events',
    operationId: 'listEventTypes',
    summary: 'Every event type a webhook can subscribe to, with its JSON Schema and an example',
    description:
      'One entry per type of the catalogue (`packages/schemas`): `family` (notification, content, system), `channel` (where a webhook subscribes to it: ' +
      '`email` and `in-app` for notification types, the keys of `registered_events`; `content` or `system` for the activity verbs, a system verb by its `category`), ' +
      '`description`, `schema` (JSON Schema 2020-12 of the CloudEvent `data` a publisher sends) and `example` (valid `data`, also what a test event carries).',
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
                required: ['type', 'family', 'channel', 'description', 'schema', 'example'],
                properties: {
                  type: { type: 'string' },
                  family: { enum: ['notification', 'content', 'system'] },
                  channel: { type: 'array', items: { type: 'string' } },
                  category: { type: 'string' },
                  description: { type: 'string' },
                  schema: { type: 'object' },
                  example: { type: 'object' },
                },
              },
            },
          },
        },
        'The catalogue',
      ),
    },
    handler(_req, res) {
      // Fixed for the life of the process: clients may cache it for a while.
      res.setHeader('cache-control', 'private, max-age=300');
      res.json({ data: eventTypeDescriptions() });
    },
  },
];
