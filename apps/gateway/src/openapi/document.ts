import { JSON_SCHEMA_DIALECT, jsonSchemas } from '@hookstream/schemas';

type Json = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json, description: string) => ({ description, content: { 'application/json': { schema } } });
const error = (description: string) => json(ref('Error'), description);
const idParam = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });
const fieldsParam = { name: 'fields', in: 'query', description: 'Comma-separated fields to return (id is always included)', schema: { type: 'string' } };
const pageParams = [
  { name: 'startIndex', in: 'query', description: 'Zero-based index of the first item', schema: { type: 'integer', minimum: 0, default: 0 } },
  { name: 'count', in: 'query', description: 'Items per page', schema: { type: 'integer', minimum: 1, maximum: 100, default: 25 } },
];
const common = {
  '401': error('Missing or invalid API key'),
  '429': { ...error('Rate limit of the tenant exceeded'), headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait' } } },
};
const notFound = { '404': error('Not found (or owned by another tenant)') };
const webhookBody = {
  required: true,
  content: { 'application/json': { schema: ref('WebhookRequest') } },
  description: 'A notification configuration (recognised by `endpoint`) or a webhooks-service entity (`callback`, `events`, `object`)',
};

/** OpenAPI 3.1 document: the contract package's JSON Schemas as components, plus the gateway's routes. */
export function openApiDocument(publicUrl: string, limits: { eventMaxBytes: number; batchMaxEvents: number; dedupWindowS: number }): Json {
  const components: Json = {
    ...jsonSchemas,
    Error: {
      type: 'object',
      required: ['error'],
      properties: { error: { type: 'string' }, details: { type: 'array', items: ref('ValidationError') } },
    },
    Accepted: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
    BatchResult: {
      type: 'object',
      required: ['accepted', 'rejected', 'results'],
      properties: {
        accepted: { type: 'integer' },
        rejected: { type: 'integer' },
        error: { type: 'string' },
        results: {
          type: 'array',
          items: {
            type: 'object',
            required: ['index', 'status'],
            properties: {
              index: { type: 'integer', description: 'Position in the request array' },
              id: { type: 'string' },
              status: { enum: ['accepted', 'rejected'] },
              duplicate: { type: 'boolean', description: 'Accepted earlier within the dedup window; not published again' },
              code: { type: 'integer', description: 'HTTP status this item would have had alone (400, 413)' },
              error: { type: 'string' },
              details: { type: 'array', items: ref('ValidationError') },
            },
          },
        },
      },
    },
    Webhook: {
      type: 'object',
      description:
        'The normalized webhook spec without secrets (`auth_config.has_token`, `has_client_secret`, `has_signing_secret` tell whether one is set), plus state and links',
      properties: {
        id: { type: 'string', format: 'uuid' },
        kind: { enum: ['notification', 'content', 'system'] },
        endpoint: { type: 'string' },
        enabled: { type: 'boolean' },
        buggy: { type: 'boolean' },
        auth_type: { type: 'string' },
        auth_config: { type: 'object' },
        registered_events: ref('RegisteredEvents'),
        events: { type: 'array', items: { type: 'string' } },
        object: { type: 'string' },
        has_signing_secret: { type: 'boolean' },
        consecutive_failures: { type: 'integer' },
        uri: { type: 'string' },
        resources: { type: 'object' },
        created_at: { type: 'string', format: 'date-time' },
        updated_at: { type: 'string', format: 'date-time' },
      },
    },
    WebhookList: {
      type: 'object',
      properties: {
        startIndex: { type: 'integer' },
        itemsPerPage: { type: 'integer' },
        list: { type: 'array', items: ref('Webhook') },
        links: { type: 'object', properties: { next: { type: 'string' }, previous: { type: 'string' } } },
      },
    },
    Delivery: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        event_id: { type: 'string' },
        webhook_id: { type: 'string' },
        status: { enum: ['pending', 'delivered', 'retrying', 'discarded', 'skipped'] },
        attempts: { type: 'integer' },
      },
    },
  };

  const paths: Json = {
    '/v1/tenants': {
      post: {
        summary: 'Create a tenant (admin token); the API key is returned once',
        security: [{ admin: [] }],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } } },
        },
        responses: {
          '201': json({ type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, api_key: { type: 'string' } } }, 'Created'),
          '400': error('Invalid body'),
          '401': error('Missing or wrong admin token'),
          '503': error('HOOKSTREAM_ADMIN_TOKEN is not set'),
        },
      },
    },
    '/v1/events': {
      post: {
        summary: 'Publish one CloudEvent',
        description: `Structured mode (application/cloudevents+json or application/json) or binary mode (ce-* headers, JSON data as body). A missing id is generated. Answered 202 only once the broker acknowledged. The same id within ${limits.dedupWindowS} s is answered 202 again without being published twice. Data limit: ${limits.eventMaxBytes} bytes.`,
        requestBody: {
          required: true,
          content: { 'application/cloudevents+json': { schema: ref('CloudEvent') }, 'application/json': { schema: ref('CloudEvent') } },
        },
        responses: {
          '202': json(ref('Accepted'), 'Accepted (or already accepted within the dedup window)'),
          '400': error('Malformed JSON, invalid envelope or data, unknown type'),
          '413': error('Too large'),
          '415': error('Unsupported content type'),
          '503': error('The broker did not acknowledge; retry'),
          ...common,
        },
      },
    },
    '/v1/events/batch': {
      post: {
        summary: `Publish up to ${limits.batchMaxEvents} CloudEvents`,
        description:
          'Each item is checked on its own. Valid items are published (in one broker request) even when others are invalid; the response lists per item its index, id and status. 202: all accepted; 207: some rejected; 400: none accepted.',
        requestBody: { required: true, content: { 'application/cloudevents-batch+json': { schema: { type: 'array', items: ref('CloudEvent') } } } },
        responses: {
          '202': json(ref('BatchResult'), 'All accepted'),
          '207': json(ref('BatchResult'), 'Some accepted, some rejected'),
          '400': json(ref('BatchResult'), 'None accepted, or not a JSON array'),
          '413': error('Too many events or body too large'),
          '415': error('Unsupported content type'),
          '503': error('The broker did not acknowledge; retry'),
          ...common,
        },
      },
    },
    '/v1/events/{id}': {
      get: {
        summary: 'What became of an event: matched webhooks and each delivery status',
        parameters: [idParam('id', 'CloudEvent id')],
        responses: { '200': json({ type: 'object' }, 'The event'), ...notFound, ...common },
      },
    },
    '/v1/webhooks': {
      post: {
        summary: 'Create a webhook',
        parameters: [fieldsParam],
        requestBody: webhookBody,
        responses: {
          '201': json(ref('Webhook'), 'Created'),
          '400': error('Invalid (field errors in details)'),
          '409': error('An identical webhook exists'),
          '415': error('Not JSON'),
          ...common,
        },
      },
      get: {
        summary: 'List webhooks',
        parameters: [...pageParams, { name: 'filter', in: 'query', description: 'object(URI[,URI...])', schema: { type: 'string' } }, fieldsParam],
        responses: { '200': json(ref('WebhookList'), 'A page'), '400': error('Malformed parameter'), ...common },
      },
    },
    '/v1/webhooks/{id}': {
      get: {
        summary: 'Get a webhook',
        parameters: [idParam('id', 'Webhook id'), fieldsParam],
        responses: { '200': json(ref('Webhook'), 'The webhook'), ...notFound, ...common },
      },
      put: {
        summary: 'Update a webhook',
        description: 'A body of only {"enabled": bool} enables or disables it; any other body replaces the configuration (secrets must be sent again).',
        parameters: [idParam('id', 'Webhook id'), fieldsParam],
        requestBody: webhookBody,
        responses: { '200': json(ref('Webhook'), 'Updated'), '400': error('Invalid'), '409': error('An identical webhook exists'), ...notFound, ...common },
      },
      delete: {
        summary: 'Delete a webhook',
        parameters: [idParam('id', 'Webhook id')],
        responses: { '204': { description: 'Deleted' }, ...notFound, ...common },
      },
    },
    '/v1/webhooks/{id}/enable': {
      put: {
        summary: 'Re-enable a disabled or buggy webhook (no-op if enabled)',
        parameters: [idParam('id', 'Webhook id'), fieldsParam],
        responses: { '200': json(ref('Webhook'), 'Enabled'), ...notFound, ...common },
      },
    },
    '/v1/webhooks/{id}/deliveries': {
      get: {
        summary: 'Deliveries of a webhook, newest first',
        parameters: [
          idParam('id', 'Webhook id'),
          { name: 'status', in: 'query', schema: { enum: ['pending', 'delivered', 'retrying', 'discarded', 'skipped'] } },
          { name: 'since', in: 'query', schema: { type: 'string', format: 'date-time' } },
          ...pageParams,
        ],
        responses: { '200': json({ type: 'object' }, 'A page of deliveries'), '400': error('Malformed parameter'), ...notFound, ...common },
      },
    },
    '/v1/deliveries/{id}': {
      get: {
        summary: 'A delivery with all its attempts',
        parameters: [idParam('id', 'Delivery id')],
        responses: { '200': json({ type: 'object' }, 'The delivery'), ...notFound, ...common },
      },
    },
    '/v1/deliveries/{id}/retry': {
      post: {
        summary: 'Queue one delivery again now (new cycle, attempt 1)',
        parameters: [idParam('id', 'Delivery id')],
        responses: { '202': json({ type: 'object' }, 'Queued'), '409': error('No recorded body, or the webhook was deleted'), ...notFound, ...common },
      },
    },
    '/v1/secrets': {
      get: {
        summary: 'Names and times of the tenant secrets (values are never returned)',
        responses: { '200': json({ type: 'object' }, 'The names'), ...common },
      },
    },
    '/v1/secrets/{name}': {
      put: {
        summary: 'Create or rotate a secret (write-only); the next delivery uses the new value',
        parameters: [idParam('name', 'Secret name (may contain /, sent as is or as %2F)')],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { type: 'object', required: ['value'], properties: { value: { type: 'string', writeOnly: true } } } } },
        },
        responses: { '201': json({ type: 'object' }, 'Created'), '200': json({ type: 'object' }, 'Rotated'), '400': error('Invalid'), ...common },
      },
    },
    '/healthz': { get: { summary: 'Liveness', security: [], responses: { '200': { description: 'Alive' } } } },
    '/readyz': {
      get: {
        summary: 'Readiness (Kafka and PostgreSQL reachable)',
        security: [],
        responses: { '200': { description: 'Ready' }, '503': { description: 'Not ready' } },
      },
    },
    '/metrics': { get: { summary: 'Prometheus metrics', security: [], responses: { '200': { description: 'Metrics' } } } },
  };

  return {
    openapi: '3.1.0',
    jsonSchemaDialect: JSON_SCHEMA_DIALECT,
    info: {
      title: 'hookstream gateway',
      version: '1.0.0',
      description: 'Event ingest (data plane) and the webhooks, secrets and delivery history API (control plane).',
    },
    servers: [{ url: publicUrl }],
    security: [{ apiKey: [] }],
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'Tenant API key (hs_...)' },
        admin: { type: 'http', scheme: 'bearer', description: 'HOOKSTREAM_ADMIN_TOKEN' },
      },
    },
  };
}
