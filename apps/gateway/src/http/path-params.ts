import { firstUnstorableText } from '@hookstream/schemas';
import { InvalidInput, type ErrorDetail } from '../domain/errors.js';
import type { ParamDoc } from './routes/route.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Why a path parameter's value does not fit its documented schema, or undefined when it does. */
export function pathParamProblem(param: ParamDoc, value: string): ErrorDetail | undefined {
  const s = param.schema as { format?: unknown; pattern?: unknown; minLength?: unknown; maxLength?: unknown };
  const problem = (rule: string, message: string): ErrorDetail => ({ path: `/path/${param.name}`, message: param.malformed ?? message, rule });
  if (s.format === 'uuid' && !UUID.test(value)) return problem('format', 'must be a UUID (8-4-4-4-12 hexadecimal digits)');
  if (typeof s.minLength === 'number' && value.length < s.minLength) return problem('minLength', `must have at least ${s.minLength} characters`);
  if (typeof s.maxLength === 'number' && value.length > s.maxLength) return problem('maxLength', `must have at most ${s.maxLength} characters`);
  if (typeof s.pattern === 'string' && !new RegExp(s.pattern).test(value)) return problem('pattern', `must match ${s.pattern}`);
  // A value is looked up in PostgreSQL, which cannot take U+0000 (%00) even in a query.
  const unstorable = firstUnstorableText(value, `/path/${param.name}`);
  if (unstorable) return unstorable;
  return undefined;
}

/**
 * A malformed id is the caller's mistake, not a missing resource (#17.1, the webhooks service's
 * "400 (Bad Request) If any input field is missing or malformed"): a 400 naming each parameter,
 * before any lookup. A well-formed id of another tenant stays a 404.
 */
export function checkPathParams(params: readonly ParamDoc[] | undefined, valueOf: (name: string) => string): void {
  const details = (params ?? []).filter((p) => p.in === 'path').flatMap((p) => pathParamProblem(p, valueOf(p.name)) ?? []);
  if (details.length)
    throw new InvalidInput(`malformed path parameter${details.length > 1 ? 's' : ''}: ${details.map((d) => d.path.slice(6)).join(', ')}`, details);
}
