import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { DateTime, Id, JsonObject, TenantId, Uri } from './primitives.js';
import { describePattern, validate } from './validation.js';
import type { ValidationError } from './validation.js';
import { catalogueEntry } from './events/catalogue.js';
import type { EventFamily, EventType } from './events/catalogue.js';
import { MAX_URL_LENGTH } from './limits.js';

export const CLOUDEVENTS_SPECVERSION = '1.0';

/** CloudEvents 1.0 attribute naming rule; applies to extension attributes such as `tenantid`. */
export const CLOUDEVENTS_ATTRIBUTE_NAME_PATTERN = describePattern(
  '^[a-z0-9]{1,20}$',
  'CloudEvents attribute names must be 1-20 lower-case letters or digits (^[a-z0-9]{1,20}$)',
);

/**
 * CloudEvents 1.0 (Type System, String): control characters U+0000-U+001F and U+007F-U+009F
 * MUST NOT be used in string attributes. They would also break the HTTP headers of binary mode
 * and the PostgreSQL event index (which cannot hold U+0000).
 */
const CLOUDEVENTS_STRING = describePattern(
  '^[^\\u0000-\\u001F\\u007F-\\u009F]*$',
  'must not contain control characters (U+0000-U+001F, U+007F-U+009F): CloudEvents forbids them in string attributes',
);

const JSON_MEDIA_TYPE = describePattern(
  '^[Aa][Pp][Pp][Ll][Ii][Cc][Aa][Tt][Ii][Oo][Nn]/([A-Za-z0-9.+-]+\\+)?[Jj][Ss][Oo][Nn]\\s*(;.*)?$',
  'must be a JSON media type (application/json or application/*+json)',
);

/**
 * A CloudEvent in structured JSON mode, as carried on the `events` topic. Besides the core
 * attributes, any extension attribute with a valid name and a scalar value is kept (CloudEvents
 * lets intermediaries add their own); `tenantid` is the one hookstream requires.
 */
export const CloudEventSchema = Type.Object(
  {
    specversion: Type.Literal(CLOUDEVENTS_SPECVERSION),
    id: Id({ pattern: CLOUDEVENTS_STRING, description: 'Unique per source; duplicates of the same id are the same event' }),
    source: Type.String({ format: 'uri-reference', minLength: 1, maxLength: MAX_URL_LENGTH, description: 'Context in which the event happened' }),
    type: Type.String({ minLength: 1, maxLength: 256, description: 'Catalogue key: a notification type or a jive: verb' }),
    time: Type.Optional(DateTime({ description: 'When the occurrence happened' })),
    subject: Type.Optional(Type.String({ pattern: CLOUDEVENTS_STRING, minLength: 1, maxLength: 1024 })),
    datacontenttype: Type.Optional(Type.String({ pattern: JSON_MEDIA_TYPE, maxLength: 256 })),
    dataschema: Type.Optional(Uri()),
    tenantid: TenantId({ description: 'Extension attribute: the tenant that owns the event' }),
    data: JsonObject({ description: 'The event payload; its schema is chosen by `type`' }),
  },
  {
    title: 'CloudEvent',
    propertyNames: { pattern: CLOUDEVENTS_ATTRIBUTE_NAME_PATTERN },
    additionalProperties: Type.Union([Type.String({ pattern: CLOUDEVENTS_STRING }), Type.Integer(), Type.Boolean()], {
      description: 'CloudEvents extension attribute (string, integer or boolean)',
    }),
  },
);

/** A structured-mode CloudEvent; `D` narrows `data`. Extension attributes are kept as extra keys. */
export type CloudEvent<D = Record<string, unknown>> = Omit<Static<typeof CloudEventSchema>, 'data'> & {
  data: D;
  [extension: string]: unknown;
};

export type EventValidation =
  | {
      ok: true;
      value: CloudEvent;
      type: EventType;
      family: EventFamily;
      /** `Date.parse(value.time)`, when the validation parsed it (a marked record's): readers make their date from it. */
      timeMs?: number;
    }
  | { ok: false; errors: ValidationError[] };

/**
 * Validates a structured CloudEvent and its `data` against the catalogue entry of its `type`.
 * All problems are reported at once, with paths from the envelope root (`/data/...`).
 * `data: false` checks the envelope and the type only, for data already validated against
 * this catalogue (see `VALIDATED_WITH_HEADER`).
 */
export function validateEvent(envelope: unknown, options: { data?: boolean } = {}): EventValidation {
  if (typeof envelope === 'object' && envelope !== null && !Array.isArray(envelope)) {
    const specversion = (envelope as { specversion?: unknown }).specversion;
    if (specversion !== undefined && specversion !== CLOUDEVENTS_SPECVERSION) {
      return {
        ok: false,
        errors: [
          {
            path: '/specversion',
            message: `unsupported CloudEvents specversion ${JSON.stringify(specversion)}; this reader understands "${CLOUDEVENTS_SPECVERSION}"`,
            rule: 'version',
          },
        ],
      };
    }
  }

  const shape = validate(CloudEventSchema, envelope);
  const errors = shape.ok ? [] : [...shape.errors];
  const candidate = envelope as { type?: unknown; data?: unknown } | null;
  const type = typeof candidate?.type === 'string' ? candidate.type : undefined;
  const entry = type === undefined ? undefined : catalogueEntry(type);

  if (type !== undefined && !entry) {
    errors.push({ path: '/type', message: `unknown event type '${type}': not in the event catalogue`, rule: 'catalogue' });
  }
  const data = candidate?.data;
  if (options.data !== false && entry && typeof data === 'object' && data !== null && !Array.isArray(data)) {
    const dataResult = validate(entry.published, data, '/data');
    if (!dataResult.ok) errors.push(...dataResult.errors);
  }
  if (errors.length > 0 || !entry) return { ok: false, errors };
  return { ok: true, value: envelope as CloudEvent, type: entry.type, family: entry.family };
}

export type BinaryPrefix = 'ce_' | 'ce-';

/**
 * Reads a binary-mode CloudEvent (Kafka `ce_` headers, or HTTP `ce-` headers, with the data as
 * message value / request body) into the structured form. Header names are case-insensitive;
 * `content-type` becomes `datacontenttype`. HTTP header values are percent-decoded as the HTTP
 * binding requires. Data given as bytes or a string is parsed as JSON when the content type is
 * JSON (or absent); if it does not parse it is left as is, and validation reports `/data`.
 */
export function envelopeFromBinary(headers: Record<string, string | undefined>, data: unknown, prefix: BinaryPrefix): Record<string, unknown> {
  const event: Record<string, unknown> = {};
  for (const [rawName, rawValue] of Object.entries(headers)) {
    if (rawValue === undefined) continue;
    const name = rawName.toLowerCase();
    if (name === 'content-type') {
      event.datacontenttype = rawValue;
    } else if (name.startsWith(prefix) && name.length > prefix.length) {
      event[name.slice(prefix.length)] = prefix === 'ce-' ? percentDecode(rawValue) : rawValue;
    }
  }
  event.data = decodeData(data, event.datacontenttype);
  return event;
}

/** Writes a structured CloudEvent as binary-mode headers plus a JSON body (the inverse of {@link envelopeFromBinary}). */
export function envelopeToBinary(event: CloudEvent<unknown>, prefix: BinaryPrefix): { headers: Record<string, string>; body: string } {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event)) {
    if (name === 'data' || value === undefined) continue;
    if (name === 'datacontenttype') headers['content-type'] = String(value);
    else headers[prefix + name] = prefix === 'ce-' ? percentEncode(String(value)) : String(value);
  }
  if (headers['content-type'] === undefined) headers['content-type'] = 'application/json';
  return { headers, body: JSON.stringify(event.data) };
}

function decodeData(data: unknown, contentType: unknown): unknown {
  const isJson = contentType === undefined || (typeof contentType === 'string' && /json/i.test(contentType));
  let text: string | undefined;
  if (typeof data === 'string') text = data;
  else if (data instanceof Uint8Array) text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
  if (text === undefined || !isJson) return text ?? data;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

// The HTTP binding percent-encodes space, double quote, percent and anything outside printable ASCII.
function percentEncode(value: string): string {
  return Array.from(Buffer.from(value, 'utf8'))
    .map((b) => (b <= 0x20 || b === 0x22 || b === 0x25 || b >= 0x7f ? '%' + b.toString(16).toUpperCase().padStart(2, '0') : String.fromCharCode(b)))
    .join('');
}

function percentDecode(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
