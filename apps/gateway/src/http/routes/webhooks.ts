import { checkFilter, compileFilter, fixtures, MAX_ROTATION_GRACE_S, MAX_TRANSFORM_LENGTH, SIGNATURE_SCHEMES, type FilterEvent } from '@hookstream/schemas';
import { Type } from '@sinclair/typebox';
import type { Request } from 'express';
import { Conflict, InvalidInput, type ErrorDetail } from '../../domain/errors.js';
import { errorResponse, EXAMPLE_WEBHOOK_ID, fieldsParam, idParam, jsonResponse, notFoundResponse, pageParams, ref } from '../../openapi/shapes.js';
import { WEBHOOK_FIELDS } from '../../webhooks/present.js';
import { compileTransformAt } from '../../webhooks/transform-check.js';
import { param } from '../context.js';
import { pagedList, parseFields, parseFilters, parsePage, pickFields, throwIfErrors } from '../pagination.js';
import type { BodyDoc, Route } from './route.js';

const fieldsOf = (req: Request) => {
  const errors: ErrorDetail[] = [];
  const fields = parseFields(req.query, WEBHOOK_FIELDS, errors);
  throwIfErrors(errors);
  return fields;
};

/** An optional `true`/`false` query parameter; anything else is a 400 naming it. */
function booleanQuery(req: Request, name: string, errors: ErrorDetail[]): boolean | undefined {
  const raw = req.query[name];
  if (raw === undefined) return undefined;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  errors.push({ path: `/query/${name}`, message: 'must be true or false', rule: 'enum' });
  return undefined;
}

// Checked by the webhook service (normalizeWebhookRequest validates against this same schema,
// then applies aliases and the endpoint policy), so the route only documents it.
const webhookBody: BodyDoc = {
  content: { 'application/json': ref('WebhookRequest') },
  description:
    'A notification configuration (recognised by `endpoint`) or a webhooks-service entity (`callback`, `events`, `object`); the webhook reads back in the shape it was written in. `spot_id` (notification configuration) is optional, a deliberate extension: without it the webhook serves every spot of its tenant.',
  example: fixtures.webhookRequests.notificationToken,
};
const webhookId = idParam('id', 'Webhook id', EXAMPLE_WEBHOOK_ID);

const RotateRequestSchema = Type.Object(
  {
    grace_period_s: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_ROTATION_GRACE_S,
        description: 'Seconds the old key keeps signing next to the new one (default 86400; 0: the old key stops at once)',
      }),
    ),
  },
  { title: 'RotateSigningSecretRequest', additionalProperties: false },
);

const signingSecretShape = {
  type: 'object',
  properties: {
    signature_scheme: { type: 'string', enum: [...SIGNATURE_SCHEMES] },
    signing_secret: { type: 'string', description: 'hmac-sha256: the whsec_ secret receivers verify with' },
    public_key: { type: 'string', description: 'ed25519: the whpk_ public key receivers verify with (the private key is never answered)' },
    previous_public_key: { type: 'string', description: 'ed25519 during a grace period: the previous public key' },
    previous_expires_at: { type: ['string', 'null'], format: 'date-time', description: 'When the previous key stops signing (null: no previous key signs)' },
  },
};

const SampleString = (description: string) => Type.Optional(Type.String({ maxLength: 2048, description }));
const TransformTestRequestSchema = Type.Object(
  {
    event: Type.Object(
      {
        id: SampleString('The event id the transform reads as `id`'),
        type: SampleString('The catalogue type, read as `type`'),
        source: SampleString('Read as `source`'),
        subject: SampleString('Read as `subject`'),
        time: SampleString('Read as `time`'),
        data: Type.Object({}, { additionalProperties: true, description: 'The body the webhook would otherwise receive, read as `data`' }),
      },
      { additionalProperties: false },
    ),
    transform: Type.Optional(
      Type.String({ minLength: 1, maxLength: MAX_TRANSFORM_LENGTH, description: "A draft expression to try instead of the webhook's own (nothing is saved)" }),
    ),
  },
  { title: 'TransformTestRequest', additionalProperties: false },
);
type TransformTestRequest = {
  event: { data: Record<string, unknown> } & Partial<Record<'id' | 'type' | 'source' | 'subject' | 'time', string>>;
  transform?: string;
};

const transformTestShape = {
  type: 'object',
  required: ['ok'],
  properties: {
    ok: {
      type: 'boolean',
      description: 'true: `body` is what the endpoint would receive; false: `error` is why the delivery would be discarded (transform_error)',
    },
    body: { type: 'object', additionalProperties: true },
    error: { type: 'string' },
  },
};

/**
 * A filter test: a sample event (the fields a filter reads; other members are allowed, so a whole
 * CloudEvent can be pasted as it is) and, optionally, a draft filter to try instead of the
 * webhook's own, like the transform test's `{event, transform?}`.
 */
const FilterTestRequestSchema = Type.Object(
  {
    event: Type.Object({
      type: Type.String({ minLength: 1, maxLength: 256 }),
      source: Type.Optional(Type.String({ maxLength: 4096 })),
      subject: Type.Optional(Type.String({ maxLength: 4096 })),
      time: Type.Optional(Type.String({ maxLength: 64 })),
      data: Type.Optional(Type.Unknown()),
    }),
    filter: Type.Optional(
      Type.Unsafe<Record<string, unknown>>({ type: 'object', description: "A draft filter to try instead of the webhook's own (nothing is saved)" }),
    ),
  },
  { title: 'FilterTestRequest', additionalProperties: false },
);

const filterTestShape = {
  type: 'object',
  required: ['passes', 'has_filter'],
  properties: {
    passes: { type: 'boolean', description: 'Whether the webhook would receive the event as far as its filter goes (type, channel and object routing aside)' },
    has_filter: { type: 'boolean', description: 'false: the webhook has no filter, so every routed event passes' },
    failed_condition: {
      type: 'string',
      description: 'When it does not pass: the JSON Pointer, in the filter, of the condition that failed (e.g. /data/comment/state/$in)',
    },
  },
};

/** The body of a rotation is optional: no body (or an empty one) means the default grace period. */
const hasBody = (req: Request) => Boolean(req.headers['content-type']) || Number(req.headers['content-length'] ?? 0) > 0 || 'transfer-encoding' in req.headers;

/** The webhooks service: create, list, get, update, delete, re-enable. */
export const webhookRoutes: Route[] = [
  {
    method: 'post',
    path: '/v1/webhooks',
    auth: 'tenant',
    scope: 'manage',
    tag: 'Webhooks',
    operationId: 'createWebhook',
    summary: 'Create a webhook',
    params: [fieldsParam],
    body: webhookBody,
    responses: {
      '201': jsonResponse(ref('Webhook'), 'Created'),
      '400': errorResponse('Invalid (field errors in details)'),
      '409': errorResponse('An identical webhook exists, or the tenant reached its webhook limit'),
      '415': errorResponse('Not JSON'),
    },
    // A webhook created in a portal session carries its partner label, so later sessions of the partner see it.
    portal: 'scoped',
    async handler(req, res, { deps, tenant, body, partnerScope }) {
      const fields = fieldsOf(req);
      const { shownSigningKey, ...row } = await deps.webhooks.create(tenant.id, await body(), partnerScope ? { partner: partnerScope.partner } : {});
      res
        .status(201)
        .location(`/v1/webhooks/${row.id}`)
        .json({ ...pickFields(deps.webhooks.present(row), fields), ...shownSigningKey });
    },
  },
  {
    method: 'get',
    path: '/v1/webhooks',
    auth: 'tenant',
    scope: 'read',
    tag: 'Webhooks',
    operationId: 'listWebhooks',
    summary: 'List webhooks',
    params: [
      ...pageParams,
      {
        name: 'filter',
        in: 'query',
        description: 'object(URI[,URI...]): a comma separates two URIs only when a URI (scheme:) follows it, so a URI may contain commas',
        schema: { type: 'string' },
        example: 'object(https://example.com/places/1)',
      },
      { name: 'buggy', in: 'query', description: 'Only webhooks marked buggy (true) or only the others (false)', schema: { type: 'boolean' }, example: 'true' },
      fieldsParam,
    ],
    responses: { '200': jsonResponse(ref('WebhookList'), 'A page'), '400': errorResponse('Malformed parameter') },
    // A portal session lists the webhooks of its scope only.
    portal: 'scoped',
    async handler(req, res, { deps, tenant, partnerScope }) {
      const errors: ErrorDetail[] = [];
      const page = parsePage(req.query, errors);
      const filters = parseFilters(req.query, ['object'], errors);
      const fields = parseFields(req.query, WEBHOOK_FIELDS, errors);
      const buggy = booleanQuery(req, 'buggy', errors);
      throwIfErrors(errors);
      const rows = await deps.webhooks.list(tenant.id, {
        ...page,
        ...(filters.object ? { objects: filters.object } : {}),
        ...(buggy !== undefined ? { buggy } : {}),
        ...(partnerScope ? { partnerScope } : {}),
      });
      const items = rows.map((row) => pickFields(deps.webhooks.present(row), fields));
      res.json(pagedList(items, page, `${deps.settings.publicUrl.replace(/\/+$/, '')}/v1/webhooks`, req.query as Record<string, unknown>));
    },
  },
  {
    method: 'get',
    path: '/v1/webhooks/{id}',
    auth: 'tenant',
    scope: 'read',
    tag: 'Webhooks',
    operationId: 'getWebhook',
    summary: 'Get a webhook',
    params: [webhookId, fieldsParam],
    responses: { '200': jsonResponse(ref('Webhook'), 'The webhook'), ...notFoundResponse },
    async handler(req, res, { deps, tenant }) {
      const fields = fieldsOf(req);
      res.json(pickFields(deps.webhooks.present(await deps.webhooks.get(tenant.id, param(req, 'id'))), fields));
    },
  },
  {
    method: 'put',
    path: '/v1/webhooks/{id}',
    auth: 'tenant',
    scope: 'manage',
    tag: 'Webhooks',
    operationId: 'updateWebhook',
    summary: 'Update a webhook',
    description: 'A body of only {"enabled": bool} enables or disables it; any other body replaces the configuration (secrets must be sent again).',
    params: [webhookId, fieldsParam],
    body: { ...webhookBody, example: { enabled: false } },
    responses: {
      '200': jsonResponse(ref('Webhook'), 'Updated'),
      '400': errorResponse('Invalid'),
      '409': errorResponse('An identical webhook exists'),
      '415': errorResponse('Not JSON'),
      ...notFoundResponse,
    },
    async handler(req, res, { deps, tenant, body }) {
      const fields = fieldsOf(req);
      const id = param(req, 'id');
      // An unknown id is a 404 whatever the body holds.
      await deps.webhooks.get(tenant.id, id);
      const { shownSigningKey, ...row } = await deps.webhooks.update(tenant.id, id, await body());
      res.json({ ...pickFields(deps.webhooks.present(row), fields), ...shownSigningKey });
    },
  },
  {
    method: 'put',
    path: '/v1/webhooks/{id}/enable',
    auth: 'tenant',
    scope: 'manage',
    tag: 'Webhooks',
    operationId: 'enableWebhook',
    summary: 'Re-enable a disabled or buggy webhook (no-op if enabled)',
    description:
      'Re-enabling a buggy webhook also queues again, in publication order and with the same delivery ids, the deliveries it skipped while buggy ' +
      '(`recovered_deliveries` says how many); `?recover=false` re-enables without them (they stay `skipped` in the history).',
    params: [
      webhookId,
      fieldsParam,
      {
        name: 'recover',
        in: 'query',
        description: 'Replay the deliveries skipped while buggy (default true)',
        schema: { type: 'boolean', default: true },
        example: 'false',
      },
    ],
    responses: {
      '200': jsonResponse(ref('Webhook'), 'Enabled; `recovered_deliveries` is the number of skipped deliveries queued again'),
      '400': errorResponse('Malformed parameter'),
      '503': errorResponse('Re-enabled, but the broker did not acknowledge the recovered deliveries (the rest stay skipped)'),
      ...notFoundResponse,
    },
    async handler(req, res, { deps, tenant }) {
      const errors: ErrorDetail[] = [];
      const fields = parseFields(req.query, WEBHOOK_FIELDS, errors);
      const recover = booleanQuery(req, 'recover', errors);
      throwIfErrors(errors);
      const { row, recovered } = await deps.webhooks.reenable(tenant.id, param(req, 'id'), { recover: recover ?? true });
      res.json({ ...pickFields(deps.webhooks.present(row), fields), recovered_deliveries: recovered });
    },
  },
  {
    method: 'delete',
    path: '/v1/webhooks/{id}',
    auth: 'tenant',
    scope: 'manage',
    tag: 'Webhooks',
    operationId: 'deleteWebhook',
    summary: 'Delete a webhook',
    params: [webhookId],
    responses: { '204': { description: 'Deleted' }, ...notFoundResponse },
    async handler(req, res, { deps, tenant }) {
      await deps.webhooks.remove(tenant.id, param(req, 'id'));
      res.status(204).end();
    },
  },
  {
    method: 'get',
    path: '/v1/webhooks/{id}/signing-secret',
    auth: 'tenant',
    // manage, not read: the answer is a credential (the HMAC secret), not a view of the configuration.
    scope: 'manage',
    tag: 'Webhooks',
    operationId: 'getWebhookSigningSecret',
    summary: 'The current signing key receivers verify with (an HMAC secret, or an Ed25519 public key)',
    description: 'Reveals the HMAC secret, so each read is recorded in the operator log (tenant, webhook, never the value).',
    params: [webhookId],
    responses: { '200': jsonResponse(signingSecretShape, 'The current key'), ...notFoundResponse },
    async handler(req, res, { deps, tenant, key }) {
      const id = param(req, 'id');
      const answer = await deps.webhooks.signingSecret(tenant.id, id);
      deps.logger.info({ tenant: tenant.id, api_key: key.keyId, webhook: id, scheme: answer.signature_scheme }, 'webhook signing secret read');
      res.json(answer);
    },
  },
  {
    method: 'post',
    path: '/v1/webhooks/{id}/filter/test',
    auth: 'tenant',
    // read: the answer says nothing the webhook's GET does not show (its filter), and changes nothing.
    scope: 'read',
    tag: 'Webhooks',
    operationId: 'testWebhookFilter',
    summary: "Whether a sample event passes the webhook's payload filter (or a draft one), and if not which condition failed",
    params: [webhookId],
    body: {
      schema: FilterTestRequestSchema,
      invalidMessage: 'invalid sample event',
      example: { event: { type: 'message-approved', source: '/spots/sp_Hr4ld2024', data: { comment: { state: 'approved' } } } },
    },
    responses: {
      '200': jsonResponse(filterTestShape, 'The verdict'),
      '400': errorResponse('Not a sample event, or an invalid draft filter (the path at fault is named)'),
      ...notFoundResponse,
    },
    async handler(req, res, { deps, tenant, body }) {
      const row = await deps.webhooks.get(tenant.id, param(req, 'id'));
      const input = (await body()) as { event: FilterEvent; filter?: Record<string, unknown> };
      if (input.filter !== undefined) {
        const problems = checkFilter(input.filter, '/filter');
        if (problems.length > 0) throw new InvalidInput('invalid filter', problems);
      }
      const filter = input.filter ?? (row.spec as { filter?: unknown }).filter;
      if (filter === undefined) {
        res.json({ passes: true, has_filter: false });
        return;
      }
      const { type, source, subject, time, data } = input.event;
      const failed = compileFilter(filter)({ type, source, subject, time, data });
      res.json(failed === undefined ? { passes: true, has_filter: true } : { passes: false, has_filter: true, failed_condition: failed });
    },
  },
  {
    method: 'post',
    path: '/v1/webhooks/{id}/signing-secret/rotate',
    auth: 'tenant',
    scope: 'manage',
    tag: 'Webhooks',
    operationId: 'rotateWebhookSigningSecret',
    summary: 'Replace the signing key; the old one keeps signing next to it during the grace period',
    description:
      'Answers the new key once (an Ed25519 key as its public half) and when the old key stops signing. Until then every delivery carries both signatures, space-separated in webhook-signature (new first); a webhook_secret_rotated event reaches the webhook system webhooks.',
    params: [webhookId],
    body: { schema: RotateRequestSchema, invalidMessage: 'invalid rotation', example: { grace_period_s: 86_400 } },
    responses: {
      '200': jsonResponse(signingSecretShape, 'Rotated'),
      '400': errorResponse('Invalid grace period'),
      '409': errorResponse('The webhook does not sign'),
      ...notFoundResponse,
    },
    async handler(req, res, { deps, tenant, key, body }) {
      const id = param(req, 'id');
      const { grace_period_s } = (hasBody(req) ? await body() : {}) as { grace_period_s?: number };
      const answer = await deps.webhooks.rotateSigningSecret(tenant.id, id, grace_period_s);
      deps.logger.info({ tenant: tenant.id, api_key: key.keyId, webhook: id, grace_period_s: grace_period_s ?? null }, 'webhook signing secret rotated');
      res.json(answer);
    },
  },
  {
    method: 'post',
    path: '/v1/webhooks/{id}/transform/test',
    auth: 'tenant',
    // manage like every POST (route-scopes test): it runs a tenant's expression, a draft one included, on our CPU.
    scope: 'manage',
    tag: 'Webhooks',
    operationId: 'testWebhookTransform',
    summary: "Preview the body a sample event becomes through the webhook's transform (or a draft one)",
    description:
      'Evaluated with the same bounds as a delivery (50 ms, depth 500, sequences of 100,000 items, a JSON object of at most 256 KiB). An expression that throws or runs over answers 200 with `ok: false` and the message a delivery would record.',
    params: [webhookId],
    body: {
      schema: TransformTestRequestSchema,
      invalidMessage: 'invalid transform test',
      example: {
        event: { id: 'evt-1', type: 'jive:created', subject: 'thread-7', data: { content: { subject: 'Hello' } } },
        transform: '{"text": "New: " & data.content.subject}',
      },
    },
    responses: {
      '200': jsonResponse(transformTestShape, 'The result, or the error a delivery would be discarded with'),
      '400': errorResponse('Invalid sample event, or a draft transform that does not compile (path /transform)'),
      '409': errorResponse('The webhook has no transform and none was sent'),
      ...notFoundResponse,
    },
    async handler(req, res, { deps, tenant, body }) {
      const row = await deps.webhooks.get(tenant.id, param(req, 'id'));
      const input = (await body()) as TransformTestRequest;
      const text = input.transform ?? row.spec.transform;
      if (text === undefined) throw new Conflict('the webhook has no transform: send a draft in `transform`, or set one with PUT /v1/webhooks/{id}');
      const checked = compileTransformAt(text, '/transform');
      if ('error' in checked) {
        if (input.transform !== undefined) throw new InvalidInput('invalid transform test', [checked.error]);
        res.json({ ok: false, error: checked.error.message });
        return;
      }
      const { data, ...members } = input.event;
      res.json(await checked.transform.evaluate({ ...members, data }));
    },
  },
];
