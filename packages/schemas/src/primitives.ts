import { Type } from '@sinclair/typebox';
import type { SchemaOptions, TUnsafe } from '@sinclair/typebox';
import { describePattern } from './validation.js';
import { MAX_ID_LENGTH, MAX_NAME_LENGTH, MAX_URL_LENGTH } from './limits.js';

/**
 * A string enum as a plain `{type, enum}` schema. TypeBox's own enum/union helpers emit anyOf
 * of consts, which gives one error per alternative instead of a single "must be one of".
 */
export function StringEnum<const T extends readonly string[]>(values: T, options: SchemaOptions = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** Any JSON object; its content is described elsewhere or deliberately free-form. */
export function JsonObject(options: SchemaOptions = {}): TUnsafe<Record<string, unknown>> {
  return Type.Unsafe<Record<string, unknown>>({ type: 'object', ...options });
}

const HTTP_URL = describePattern('^[Hh][Tt][Tt][Pp][Ss]?://', 'must be an http:// or https:// URL');
const HTTPS_URL = describePattern('^[Hh][Tt][Tt][Pp][Ss]://', 'must be an https:// URL');

/** Absolute http(s) URL, capped at {@link MAX_URL_LENGTH}. */
export const HttpUrl = (options: SchemaOptions = {}) => Type.String({ format: 'uri', pattern: HTTP_URL, maxLength: MAX_URL_LENGTH, ...options });

/** Absolute https URL (endpoints that the seeds require to be TLS). */
export const HttpsUrl = (options: SchemaOptions = {}) => Type.String({ format: 'uri', pattern: HTTPS_URL, maxLength: MAX_URL_LENGTH, ...options });

/** Absolute URI of any scheme (`https:`, `urn:` ...), e.g. activity object ids. */
export const Uri = (options: SchemaOptions = {}) => Type.String({ format: 'uri', maxLength: MAX_URL_LENGTH, ...options });

/** Opaque identifier issued by someone else. */
export const Id = (options: SchemaOptions = {}) => Type.String({ minLength: 1, maxLength: MAX_ID_LENGTH, ...options });

export const Name = (options: SchemaOptions = {}) => Type.String({ maxLength: MAX_NAME_LENGTH, ...options });

export const DateTime = (options: SchemaOptions = {}) => Type.String({ format: 'date-time', maxLength: 64, ...options });

// Seconds, not milliseconds: the upper bound (year 5138) catches a millisecond value by mistake.
export const EpochSeconds = (options: SchemaOptions = {}) =>
  Type.Integer({ minimum: 0, maximum: 99_999_999_999, description: 'Unix epoch time in seconds', ...options });

export const EpochMillis = (options: SchemaOptions = {}) => Type.Integer({ minimum: 0, description: 'Unix epoch time in milliseconds', ...options });

export const Uuid = (options: SchemaOptions = {}) => Type.String({ format: 'uuid', ...options });

export const TENANT_ID_PATTERN = describePattern(
  '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$',
  'must be 1-128 characters of letters, digits, ".", "_", ":" or "-", starting with a letter or digit',
);
export const TenantId = (options: SchemaOptions = {}) => Type.String({ pattern: TENANT_ID_PATTERN, ...options });

/**
 * `required` for use inside applicators (if/then, anyOf, not). Strict Ajv insists that a required
 * property is declared next to it, so the properties are declared there as `true`.
 */
export function requires(...names: string[]) {
  return { type: 'object', properties: Object.fromEntries(names.map((n) => [n, true])), required: names };
}
