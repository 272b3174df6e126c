import { envelopeFromBinary, fixtures, mayHoldUnstorableText, MAX_ID_LENGTH, MAX_JSON_DEPTH } from '@hookstream/schemas';
import type { IncomingMessage } from 'node:http';
import { InvalidInput, TooLarge, UnsupportedMediaType } from '../../domain/errors.js';
import { intakeEvent, type Intake } from '../../ingest/event-intake.js';
import { errorResponse, idParam, jsonResponse, notFoundResponse, ref } from '../../openapi/shapes.js';
import { isJsonMediaType, mediaType, parseJsonBody, readBody, type JsonBodyLimits } from '../body.js';
import { param, type GatewayDeps } from '../context.js';
import { writeJson } from '../json-reply.js';
import type { Route } from './route.js';

const STRUCTURED = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';

/** Room for the envelope around `data` in a structured request body. */
const ENVELOPE_ALLOWANCE = 16 * 1024;

/** A structured CloudEvent as a publisher sends it (tenantid comes from the API key). */
function exampleEvent(id: string): Record<string, unknown> {
  const { tenantid: _tenant, ...event } = fixtures.envelope('replied-message', undefined, { id, time: '2026-01-31T12:00:00Z' });
  return event;
}

/**
 * The data plane: POST /v1/events (one CloudEvent, structured or binary mode) and
 * POST /v1/events/batch; GET /v1/events/{id} shows what became of an event.
 */
export const eventRoutes: Route[] = [
  {
    method: 'post',
    path: '/v1/events/batch',
    auth: 'tenant',
    scope: 'publish',
    tag: 'Events',
    operationId: 'publishEventBatch',
    // A publisher's batches are ingest too (the benchmark's steady load sends one every 10 ms): served before Express.
    direct: true,
    summary: (s) => `Publish up to ${s.batchMaxEvents} CloudEvents`,
    description:
      'Each item is checked on its own. Valid items are published (in one broker request) even when others are invalid; the response lists per item its index, id and status. 202: all accepted; 207: some rejected; 400: none accepted.',
    body: {
      content: { [BATCH]: { type: 'array', items: ref('CloudEvent') } },
      example: [exampleEvent('6d1f0c1e-7a52-4a0e-9a8e-3a4f5b6c7d01'), exampleEvent('6d1f0c1e-7a52-4a0e-9a8e-3a4f5b6c7d02')],
    },
    responses: {
      '202': jsonResponse(ref('BatchResult'), 'All accepted'),
      '207': jsonResponse(ref('BatchResult'), 'Some accepted, some rejected'),
      '400': jsonResponse(ref('BatchResult'), 'None accepted; or (as an Error) not a JSON array, malformed, or nested deeper than 64 levels per event'),
      '413': errorResponse('Too many events or body too large'),
      '415': errorResponse('Unsupported content type'),
      '503': errorResponse('The broker did not acknowledge; retry'),
    },
    async handler(req, res, { deps, tenant }) {
      const s = deps.settings;
      const type = mediaType(req);
      if (type !== BATCH && type !== 'application/json') {
        reject(deps, 'unsupported_media_type');
        throw new UnsupportedMediaType(`unsupported content type ${JSON.stringify(type || '(none)')}: send ${BATCH} (a JSON array of structured CloudEvents)`);
      }
      const body = await readBodyCounted(deps, req, s.batchMaxBytes);
      const items = parseCounted(deps, body, { maxDepth: MAX_JSON_DEPTH + 1 });
      if (!Array.isArray(items)) {
        reject(deps, 'not_an_array');
        throw new InvalidInput('a batch must be a JSON array of structured CloudEvents');
      }
      if (items.length === 0) throw new InvalidInput('the batch is empty');
      if (items.length > s.batchMaxEvents) {
        reject(deps, 'too_many');
        throw new TooLarge(`the batch has ${items.length} events; the limit is ${s.batchMaxEvents}`);
      }
      const now = new Date();
      const options = { withinLimit: body.length <= s.eventMaxBytes, mayHoldEscapes: mayHoldUnstorableText(body) };
      const intakes = items.map((item) => intakeEvent(item, tenant.id, s.eventMaxBytes, now, options));
      const results = await deps.ingest.publish(tenant.id, intakes);
      const rejected = results.filter((x) => x.status === 'rejected').length;
      const accepted = results.length - rejected;
      // 202: all accepted; 207: some refused (the others are accepted); 400: none accepted.
      const status = rejected === 0 ? 202 : accepted === 0 ? 400 : 207;
      writeJson(res, status, {
        ...(accepted === 0 ? { error: 'no event of the batch was accepted' } : {}),
        accepted,
        rejected,
        results,
      });
    },
  },
  {
    method: 'post',
    path: '/v1/events',
    auth: 'tenant',
    scope: 'publish',
    tag: 'Events',
    operationId: 'publishEvent',
    // The hot path of ingest: served before Express (http/direct-routes.ts).
    direct: true,
    summary: 'Publish one CloudEvent',
    description: (s) =>
      `Structured mode (application/cloudevents+json or application/json) or binary mode (ce-* headers, JSON data as body). A missing id is generated. Answered 202 only once the broker acknowledged. The same id within ${s.dedupWindowS} s is answered 202 again without being published twice. Data limit: ${s.eventMaxBytes} bytes.`,
    body: {
      content: { [STRUCTURED]: ref('CloudEvent'), 'application/json': ref('CloudEvent') },
      example: exampleEvent('6d1f0c1e-7a52-4a0e-9a8e-3a4f5b6c7d00'),
    },
    responses: {
      '202': jsonResponse(ref('Accepted'), 'Accepted (or already accepted within the dedup window)'),
      '400': errorResponse('Malformed JSON, nested deeper than 64 levels, invalid envelope or data, unknown type, a lifecycle type or hookstream/ source'),
      '413': errorResponse('Too large'),
      '415': errorResponse('Unsupported content type'),
      '503': errorResponse('The broker did not acknowledge; retry'),
    },
    async handler(req, res, { deps, tenant }) {
      const s = deps.settings;
      const type = mediaType(req);
      const binary = req.headers['ce-specversion'] !== undefined && type !== STRUCTURED;
      let candidate: unknown;
      let small: boolean;
      // Header values cannot carry U+0000 or a lone surrogate that the envelope schema lets through; the body can.
      let mayHoldEscapes: boolean;
      if (binary) {
        if (!isJsonMediaType(type)) {
          reject(deps, 'unsupported_media_type');
          throw new UnsupportedMediaType(
            `unsupported content type ${JSON.stringify(type || '(none)')} for binary-mode data: event data must be JSON (application/json)`,
          );
        }
        const raw = await readBodyCounted(deps, req, s.eventMaxBytes);
        small = true;
        mayHoldEscapes = mayHoldUnstorableText(raw);
        // The data is one level below the envelope it becomes part of.
        const data = parseCounted(deps, raw, { maxDepth: MAX_JSON_DEPTH - 1, pointerPrefix: '/data' });
        candidate = envelopeFromBinary(ceHeaders(req), undefined, 'ce-');
        (candidate as Record<string, unknown>).data = data;
      } else {
        if (type !== STRUCTURED && type !== 'application/json') {
          reject(deps, 'unsupported_media_type');
          throw new UnsupportedMediaType(
            `unsupported content type ${JSON.stringify(type || '(none)')}: send ${STRUCTURED} or application/json (structured mode), or ce-* headers with JSON data (binary mode)`,
          );
        }
        const raw = await readBodyCounted(deps, req, s.eventMaxBytes + ENVELOPE_ALLOWANCE);
        small = raw.length <= s.eventMaxBytes;
        mayHoldEscapes = mayHoldUnstorableText(raw);
        candidate = parseCounted(deps, raw);
      }
      const intake: Intake = intakeEvent(candidate, tenant.id, s.eventMaxBytes, new Date(), { withinLimit: small, mayHoldEscapes });
      const [result] = await deps.ingest.publish(tenant.id, [intake]);
      if (!result || result.status === 'rejected') {
        const failed = intake as Extract<Intake, { ok: false }>;
        throw failed.status === 413 ? new TooLarge(failed.error) : new InvalidInput(failed.error, failed.details);
      }
      writeJson(res, 202, { id: result.id });
    },
  },
  {
    method: 'get',
    path: '/v1/events/{id}',
    wildcard: ['id'],
    auth: 'tenant',
    scope: 'read',
    tag: 'Events',
    operationId: 'getEvent',
    summary: 'What became of an event: matched webhooks and each delivery status, and the webhooks whose filter rejected it',
    description:
      '`deliveries` lists the webhooks the event was delivered (or skipped) to, with their status; `filtered_webhooks` the ids of webhooks it was routed to but whose payload filter rejected it (no delivery exists for them).',
    // Any CloudEvent id the intake accepts (not only UUIDs); a longer one is malformed.
    params: [{ ...idParam('id', 'CloudEvent id', '6d1f0c1e-7a52-4a0e-9a8e-3a4f5b6c7d00'), schema: { type: 'string', minLength: 1, maxLength: MAX_ID_LENGTH } }],
    responses: { '200': jsonResponse({ type: 'object' }, 'The event'), ...notFoundResponse },
    async handler(req, res, { deps, tenant }) {
      const id = param(req, 'id');
      const acceptedAt = await deps.dedup.acceptedAt(tenant.id, id);
      res.json(await deps.deliveries.event(tenant.id, id, acceptedAt));
    },
  },
];

function reject(deps: GatewayDeps, reason: string): void {
  deps.metrics.rejected.inc({ reason });
}

async function readBodyCounted(deps: GatewayDeps, req: IncomingMessage, limit: number): Promise<Buffer> {
  try {
    return await readBody(req, limit);
  } catch (e) {
    if (e instanceof TooLarge) reject(deps, 'too_large');
    throw e;
  }
}

function parseCounted(deps: GatewayDeps, body: Buffer, limits?: JsonBodyLimits): unknown {
  try {
    return parseJsonBody(body, limits);
  } catch (e) {
    reject(deps, e instanceof InvalidInput && e.details?.[0]?.rule === 'maxDepth' ? 'too_deep' : 'malformed_json');
    throw e;
  }
}

function ceHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (k.startsWith('ce-') && typeof v === 'string') out[k] = v;
  }
  if (typeof req.headers['content-type'] === 'string') out['content-type'] = req.headers['content-type'];
  return out;
}
