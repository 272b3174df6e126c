import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Static, TSchema } from '@sinclair/typebox';
import { MAX_REPORTED_ERRORS } from './limits.js';

/** One problem found in an input: where (JSON Pointer), what, and which schema rule caught it. */
export interface ValidationError {
  /** JSON Pointer into the validated value, e.g. `/data/comment/content/0/type`; `""` is the root. */
  path: string;
  message: string;
  /** The JSON Schema keyword (`required`, `enum`, `maximum`, ...) or a named semantic rule. */
  rule: string;
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; errors: ValidationError[] };

// One Ajv instance for the whole package: compiled validators are cached per schema object, so
// every schema is compiled at most once per process. `strict` makes a malformed schema fail at
// compile time (and in the test suite) instead of silently accepting everything; `verbose` keeps
// the failing sub-schema on each error so the formatter can explain `not` and name patterns.
const ajv = new Ajv2020({ allErrors: true, strict: true, verbose: true });
addFormats.default(ajv, ['date-time', 'uri', 'uri-reference', 'uuid']);

const compiled = new WeakMap<object, ValidateFunction>();

/** The cached Ajv validator of a schema (compiled on first use). */
export function validatorFor(schema: TSchema | object): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

/**
 * Validates `value` against `schema`. The value is returned as is (never coerced nor
 * defaulted); `basePath` is prepended to error paths when validating a nested part.
 */
export function validate<T extends TSchema>(schema: T, value: unknown, basePath = ''): ValidationResult<Static<T>> {
  const fn = validatorFor(schema);
  if (fn(value)) return { ok: true, value: value as Static<T> };
  return { ok: false, errors: formatAjvErrors(fn.errors ?? [], basePath).slice(0, MAX_REPORTED_ERRORS) };
}

/** Errors of a validation, or `[]` when valid. */
export function check(schema: TSchema, value: unknown, basePath = ''): ValidationError[] {
  const result = validate(schema, value, basePath);
  return result.ok ? [] : result.errors;
}

/** Appends reference tokens to a JSON Pointer, escaping `~` and `/` as RFC 6901 requires. */
export function joinPointer(base: string, ...tokens: Array<string | number>): string {
  let out = base;
  for (const token of tokens) out += '/' + String(token).replace(/~/g, '~0').replace(/\//g, '~1');
  return out;
}

const FORMAT_MESSAGES: Record<string, string> = {
  'date-time': 'must be an RFC 3339 date-time with a time zone, e.g. 2024-01-31T12:00:00Z',
  uri: 'must be an absolute URI',
  'uri-reference': 'must be a URI reference',
  uuid: 'must be a UUID',
};

// Patterns are unreadable in messages; schemas register a human description for theirs.
const PATTERN_MESSAGES = new Map<string, string>();

/** Registers the message used when a string fails `pattern`. */
export function describePattern(pattern: string, message: string): string {
  PATTERN_MESSAGES.set(pattern, message);
  return pattern;
}

function quoteList(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');
}

function messageOf(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `must have required property '${String(p.missingProperty)}'`;
    case 'dependentRequired':
      return `must have property '${String(p.missingProperty)}' when '${String(p.property)}' is present`;
    case 'additionalProperties':
      return `unknown property '${String(p.additionalProperty)}' is not allowed`;
    case 'enum':
      return `must be one of: ${quoteList((p.allowedValues as unknown[]) ?? [])}`;
    case 'const':
      return `must be equal to ${JSON.stringify(p.allowedValue)}`;
    case 'format':
      return FORMAT_MESSAGES[String(p.format)] ?? `must match format "${String(p.format)}"`;
    case 'pattern':
      return PATTERN_MESSAGES.get(String(p.pattern)) ?? `must match pattern ${String(p.pattern)}`;
    case 'not': {
      const description = (e.schema as { description?: unknown } | undefined)?.description;
      return typeof description === 'string' ? description : (e.message ?? 'must NOT match the excluded shape');
    }
    case 'propertyNames': {
      const pattern = (e.schema as { pattern?: unknown } | undefined)?.pattern;
      return typeof pattern === 'string' ? (PATTERN_MESSAGES.get(pattern) ?? `property name must match ${pattern}`) : 'property name is not allowed';
    }
    default:
      return e.message ?? `must satisfy ${e.keyword}`;
  }
}

function pathOf(e: ErrorObject, base: string): string {
  const p = e.params as Record<string, unknown>;
  const at = base + e.instancePath;
  switch (e.keyword) {
    // Point at the property itself, so "remove field X" reports X's path, not its parent's.
    case 'required':
    case 'dependentRequired':
      return joinPointer(at, String(p.missingProperty));
    case 'additionalProperties':
      return joinPointer(at, String(p.additionalProperty));
    case 'propertyNames':
      return joinPointer(at, String(p.propertyName));
    default:
      return at;
  }
}

/** Turns Ajv errors into specific {path, message, rule} entries, deduplicated, in input order. */
export function formatAjvErrors(errors: readonly ErrorObject[], basePath = ''): ValidationError[] {
  const skip = new Set<ErrorObject>();
  const replacements = new Map<ErrorObject, ValidationError[]>();
  for (const e of errors) {
    if (e.keyword !== 'anyOf' && e.keyword !== 'oneOf') continue;
    const prefix = e.schemaPath + '/';
    const branchErrors = errors.filter((b) => b !== e && b.schemaPath.startsWith(prefix));
    for (const b of branchErrors) skip.add(b);
    replacements.set(e, collapseAlternatives(e, branchErrors, basePath));
  }

  const out: ValidationError[] = [];
  for (const e of errors) {
    const replacement = replacements.get(e);
    if (replacement) {
      if (!skip.has(e)) out.push(...replacement);
      continue;
    }
    if (skip.has(e)) continue;
    // `if` only says "must match then"; the errors of `then` itself are the specific ones.
    if (e.keyword === 'if') continue;
    // propertyNames also reports the inner failure; keep the one that names the property.
    if (e.propertyName !== undefined && e.keyword !== 'propertyNames') continue;
    out.push({ path: pathOf(e, basePath), message: messageOf(e), rule: e.keyword });
  }

  const seen = new Set<string>();
  return out.filter((e) => {
    const key = `${e.path}\u0000${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * anyOf reports every failed alternative, which reads as noise. Alternatives that differ only by
 * type or by which property is required become one message; otherwise the branch that got furthest
 * (did not fail on its type, fewest errors) is reported as if it were the only schema.
 */
function collapseAlternatives(anyOf: ErrorObject, branchErrors: ErrorObject[], basePath: string): ValidationError[] {
  const at = basePath + anyOf.instancePath;
  const sameLevel = branchErrors.every((e) => e.instancePath === anyOf.instancePath);
  if (branchErrors.length > 0 && sameLevel && branchErrors.every((e) => e.keyword === 'type')) {
    const types = [...new Set(branchErrors.map((e) => String((e.params as { type: unknown }).type)))];
    return [{ path: at, message: `must be ${types.join(' or ')}`, rule: 'type' }];
  }
  if (branchErrors.length > 0 && sameLevel && branchErrors.every((e) => e.keyword === 'required')) {
    const names = [...new Set(branchErrors.map((e) => `'${String((e.params as { missingProperty: unknown }).missingProperty)}'`))];
    return [{ path: at, message: `must have required property ${names.join(' or ')}`, rule: 'required' }];
  }
  const prefix = anyOf.schemaPath + '/';
  const byBranch = new Map<string, ErrorObject[]>();
  for (const e of branchErrors) {
    const branch = e.schemaPath.slice(prefix.length).split('/')[0] ?? '';
    byBranch.set(branch, [...(byBranch.get(branch) ?? []), e]);
  }
  const wrongType = (list: ErrorObject[]) => list.every((e) => e.keyword === 'type' && e.instancePath === anyOf.instancePath);
  const best = [...byBranch.values()].filter((list) => !wrongType(list)).sort((x, y) => x.length - y.length)[0];
  if (best) return formatAjvErrors(best, basePath);
  return [{ path: at, message: messageOf(anyOf), rule: anyOf.keyword }];
}
