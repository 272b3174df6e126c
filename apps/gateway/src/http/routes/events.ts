import { envelopeFromBinary } from '@hookstream/schemas';
import { Router, type Request } from 'express';
import { intakeEvent, type Intake } from '../../ingest/event-intake.js';
import { isJsonMediaType, mediaType, parseJsonBody, readBody } from '../body.js';
import { param, tenantOf, type GatewayDeps } from '../context.js';
import { HttpError } from '../errors.js';

const STRUCTURED = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';

/** Room for the envelope around `data` in a structured request body. */
const ENVELOPE_ALLOWANCE = 16 * 1024;

/**
 * The data plane: POST /v1/events (one CloudEvent, structured or binary mode) and
 * POST /v1/events/batch; GET /v1/events/{id} shows what became of an event.
 */
export function eventRoutes(deps: GatewayDeps): Router {
  const r = Router();
  const s = deps.settings;

  r.post('/v1/events/batch', async (req, res) => {
    const tenant = tenantOf(req);
    const type = mediaType(req);
    if (type !== BATCH && type !== 'application/json') {
      reject(deps, 'unsupported_media_type');
      throw new HttpError(415, `unsupported content type ${JSON.stringify(type || '(none)')}: send ${BATCH} (a JSON array of structured CloudEvents)`);
    }
    const body = await readBodyCounted(deps, req, s.batchMaxBytes);
    const items = parseCounted(deps, body);
    if (!Array.isArray(items)) {
      reject(deps, 'not_an_array');
      throw new HttpError(400, 'a batch must be a JSON array of structured CloudEvents');
    }
    if (items.length === 0) throw new HttpError(400, 'the batch is empty');
    if (items.length > s.batchMaxEvents) {
      reject(deps, 'too_many');
      throw new HttpError(413, `the batch has ${items.length} events; the limit is ${s.batchMaxEvents}`);
    }
    const now = new Date();
    const small = body.length <= s.eventMaxBytes;
    const intakes = items.map((item) => intakeEvent(item, tenant.id, s.eventMaxBytes, now, small));
    const results = await deps.ingest.publish(tenant.id, intakes);
    const rejected = results.filter((x) => x.status === 'rejected').length;
    const accepted = results.length - rejected;
    // 202: all accepted; 207: some refused (the others are accepted); 400: none accepted.
    const status = rejected === 0 ? 202 : accepted === 0 ? 400 : 207;
    res.status(status).json({
      ...(accepted === 0 ? { error: 'no event of the batch was accepted' } : {}),
      accepted,
      rejected,
      results,
    });
  });

  r.post('/v1/events', async (req, res) => {
    const tenant = tenantOf(req);
    const type = mediaType(req);
    const binary = req.headers['ce-specversion'] !== undefined && type !== STRUCTURED;
    let candidate: unknown;
    let small: boolean;
    if (binary) {
      if (!isJsonMediaType(type)) {
        reject(deps, 'unsupported_media_type');
        throw new HttpError(
          415,
          `unsupported content type ${JSON.stringify(type || '(none)')} for binary-mode data: event data must be JSON (application/json)`,
        );
      }
      const raw = await readBodyCounted(deps, req, s.eventMaxBytes);
      small = true;
      const data = parseCounted(deps, raw);
      candidate = envelopeFromBinary(ceHeaders(req), undefined, 'ce-');
      (candidate as Record<string, unknown>).data = data;
    } else {
      if (type !== STRUCTURED && type !== 'application/json') {
        reject(deps, 'unsupported_media_type');
        throw new HttpError(
          415,
          `unsupported content type ${JSON.stringify(type || '(none)')}: send ${STRUCTURED} or application/json (structured mode), or ce-* headers with JSON data (binary mode)`,
        );
      }
      const raw = await readBodyCounted(deps, req, s.eventMaxBytes + ENVELOPE_ALLOWANCE);
      small = raw.length <= s.eventMaxBytes;
      candidate = parseCounted(deps, raw);
    }
    const intake: Intake = intakeEvent(candidate, tenant.id, s.eventMaxBytes, new Date(), small);
    const [result] = await deps.ingest.publish(tenant.id, [intake]);
    if (!result || result.status === 'rejected') {
      const failed = intake as Extract<Intake, { ok: false }>;
      throw new HttpError(failed.status, failed.error, failed.details);
    }
    res.status(202).json({ id: result.id });
  });

  r.get('/v1/events/*id', async (req, res) => {
    const tenant = tenantOf(req);
    const id = param(req, 'id');
    const acceptedAt = await deps.dedup.acceptedAt(tenant.id, id);
    res.json(await deps.deliveries.event(tenant.id, id, acceptedAt));
  });

  return r;
}

function reject(deps: GatewayDeps, reason: string): void {
  deps.metrics.rejected.inc({ reason });
}

async function readBodyCounted(deps: GatewayDeps, req: Request, limit: number): Promise<Buffer> {
  try {
    return await readBody(req, limit);
  } catch (e) {
    if (e instanceof HttpError && e.status === 413) reject(deps, 'too_large');
    throw e;
  }
}

function parseCounted(deps: GatewayDeps, body: Buffer): unknown {
  try {
    return parseJsonBody(body);
  } catch (e) {
    reject(deps, 'malformed_json');
    throw e;
  }
}

function ceHeaders(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (k.startsWith('ce-') && typeof v === 'string') out[k] = v;
  }
  if (typeof req.headers['content-type'] === 'string') out['content-type'] = req.headers['content-type'];
  return out;
}
