import { CLOUDEVENTS_SPECVERSION, type CloudEvent, type EventValidation } from './envelope.js';
import { catalogueEntry } from './events/catalogue.js';
import { MAX_ID_LENGTH, MAX_URL_LENGTH } from './limits.js';
import type { ValidationError } from './validation.js';

// The envelope schema's own bounds (CloudEventSchema), repeated for the attributes checked here.
const MAX_TYPE_LENGTH = 256;
const MAX_SUBJECT_LENGTH = 1024;
const MAX_TIME_LENGTH = 64;
// CloudEvents forbids control characters in string attributes (see CloudEventSchema): finding them is the point.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
// RFC 3339 date-time, the shape of the schema's `date-time` format; the calendar is checked by Date.parse.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/**
 * `validateEvent(envelope, { data: false })` for a record marked by the gateway
 * (`VALIDATED_WITH_HEADER`), whose intake validated the whole envelope against the same
 * catalogue: instead of the envelope's JSON Schema, hand-written checks of the attributes the
 * consumers of `events` read (`specversion`, `id`, `source`, `type`, `time`, `subject`,
 * `tenantid`, `spotid`, `data`), their types, presence and the bounds their storage needs, so a
 * malformed marked record is still refused with a reason and a path and never reaches code that
 * would throw on it. Attributes nothing reads (`dataschema`, `datacontenttype`, other
 * extensions) are not checked again. Errors use the schema's paths and rules, so a refusal is
 * classified as the full validation would classify it.
 */
export function validateMarkedEvent(envelope: unknown): EventValidation {
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) {
    return { ok: false, errors: [{ path: '', message: 'must be a CloudEvent JSON object', rule: 'type' }] };
  }
  const event = envelope as Record<string, unknown>;
  const errors: ValidationError[] = [];
  const specversion = event.specversion;
  if (specversion !== CLOUDEVENTS_SPECVERSION) {
    errors.push(
      specversion === undefined
        ? missing('/specversion')
        : {
            path: '/specversion',
            message: `unsupported CloudEvents specversion ${JSON.stringify(specversion)}; this reader understands "${CLOUDEVENTS_SPECVERSION}"`,
            rule: 'version',
          },
    );
    return { ok: false, errors };
  }
  checkText(errors, event, 'id', true, MAX_ID_LENGTH, true);
  checkText(errors, event, 'source', true, MAX_URL_LENGTH, false);
  checkText(errors, event, 'subject', false, MAX_SUBJECT_LENGTH, true);
  const time = event.time;
  let timeMs: number | undefined;
  if (time !== undefined && (typeof time !== 'string' || time.length > MAX_TIME_LENGTH || !DATE_TIME.test(time) || Number.isNaN((timeMs = Date.parse(time))))) {
    errors.push({ path: '/time', message: 'must be an RFC 3339 date-time string', rule: 'format' });
  }
  const tenantid = event.tenantid;
  if (tenantid === undefined) errors.push(missing('/tenantid'));
  else if (typeof tenantid !== 'string') errors.push({ path: '/tenantid', message: 'must be string', rule: 'type' });
  const spotid = event.spotid;
  if (spotid !== undefined && typeof spotid !== 'string' && typeof spotid !== 'boolean' && !Number.isInteger(spotid)) {
    errors.push({ path: '/spotid', message: 'must be a string, an integer or a boolean (CloudEvents extension attribute)', rule: 'type' });
  }
  const data = event.data;
  if (data === undefined) errors.push(missing('/data'));
  else if (typeof data !== 'object' || data === null || Array.isArray(data)) errors.push({ path: '/data', message: 'must be object', rule: 'type' });
  const type = event.type;
  let entry: ReturnType<typeof catalogueEntry>;
  if (type === undefined) errors.push(missing('/type'));
  else if (typeof type !== 'string' || type.length === 0 || type.length > MAX_TYPE_LENGTH) {
    errors.push({ path: '/type', message: `must be a string of 1 to ${MAX_TYPE_LENGTH} characters`, rule: 'type' });
  } else {
    entry = catalogueEntry(type);
    if (!entry) errors.push({ path: '/type', message: `unknown event type '${type}': not in the event catalogue`, rule: 'catalogue' });
  }
  if (errors.length > 0 || !entry) return { ok: false, errors };
  // The parsed time goes with the event: parsing it again for the event's row cost as much again.
  const valid: EventValidation = { ok: true, value: envelope as CloudEvent, type: entry.type, family: entry.family };
  if (timeMs !== undefined) valid.timeMs = timeMs;
  return valid;
}

function missing(path: string): ValidationError {
  return { path, message: `must have required property '${path.slice(1)}'`, rule: 'required' };
}

function checkText(errors: ValidationError[], event: Record<string, unknown>, name: string, required: boolean, maxLength: number, plain: boolean): void {
  const value = event[name];
  const path = `/${name}`;
  if (value === undefined) {
    if (required) errors.push(missing(path));
  } else if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
    errors.push({ path, message: `must be a string of 1 to ${maxLength} characters`, rule: typeof value === 'string' ? 'length' : 'type' });
  } else if (plain && CONTROL_CHARACTER.test(value)) {
    errors.push({
      path,
      message: 'must not contain control characters (U+0000-U+001F, U+007F-U+009F): CloudEvents forbids them in string attributes',
      rule: 'pattern',
    });
  }
}
