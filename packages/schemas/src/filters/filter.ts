import { joinPointer, type ValidationError } from '../validation.js';

/**
 * Payload filters (issue 19.1): a JSON document over an event that a webhook's deliveries must
 * satisfy. The shape is the one Outpost users know: a field name descends into the event, an
 * object of fields means "all of these hold", a scalar means equality, `$`-operators compare,
 * and `$and` / `$or` / `$not` combine. `checkFilter` guards the API; `compileFilter` turns a
 * checked filter into a tree of closures once per webhook, so matching never re-reads the JSON.
 */

/** What a filter sees of an event. */
export interface FilterEvent {
  type: string;
  source?: string | undefined;
  subject?: string | undefined;
  time?: string | undefined;
  data: unknown;
}

/** The path (JSON Pointer into the filter) of the first condition that failed, or undefined when the event passes. */
export type CompiledFilter = (event: FilterEvent) => string | undefined;

/**
 * Bounds that keep a filter cheap to check and to evaluate: nesting of JSON objects, conditions
 * (comparisons and implicit equalities) in the whole filter, items of a `$in` / `$nin` / `$and` /
 * `$or` list, length of a string operand, and the serialised size.
 */
export const FILTER_LIMITS = { maxDepth: 8, maxConditions: 64, maxListItems: 100, maxStringLength: 1024, maxBytes: 16 * 1024 } as const;

/** The event fields a filter may name at its top level. */
export const FILTER_EVENT_FIELDS = ['type', 'source', 'subject', 'time', 'data'] as const;

const COMPARISONS = ['$eq', '$neq', '$in', '$nin', '$gt', '$gte', '$lt', '$lte', '$exist', '$startsWith'] as const;
type Comparison = (typeof COMPARISONS)[number];
const isComparison = (k: string): k is Comparison => (COMPARISONS as readonly string[]).includes(k);

type Scalar = string | number | boolean | null;
/** Where an object of the filter sits: the event itself, a field with children (`data.*`), or a string field (`type`, ...). */
type Place = 'root' | 'object' | 'string';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown): v is Scalar => v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

/** Every problem of a filter, with JSON Pointer paths under `base` (e.g. `/filter`); `[]` when it is valid. */
export function checkFilter(filter: unknown, base = ''): ValidationError[] {
  const errors: ValidationError[] = [];
  if (!isObject(filter)) return [{ path: base, message: 'a filter must be a JSON object', rule: 'type' }];
  let size: number;
  try {
    size = JSON.stringify(filter).length;
  } catch {
    size = Infinity;
  }
  if (size > FILTER_LIMITS.maxBytes) {
    return [{ path: base, message: `the filter is ${size} bytes of JSON; the limit is ${FILTER_LIMITS.maxBytes}`, rule: 'maxBytes' }];
  }
  const state = { conditions: 0 };
  checkNode(filter, base, 'root', 1, errors, state);
  if (state.conditions > FILTER_LIMITS.maxConditions) {
    errors.push({ path: base, message: `the filter has ${state.conditions} conditions; the limit is ${FILTER_LIMITS.maxConditions}`, rule: 'maxConditions' });
  }
  return errors;
}

function checkNode(node: unknown, path: string, place: Place, depth: number, errors: ValidationError[], state: { conditions: number }): void {
  if (!isObject(node)) {
    errors.push({ path, message: 'must be an object of conditions', rule: 'type' });
    return;
  }
  if (depth > FILTER_LIMITS.maxDepth) {
    errors.push({ path, message: `nested deeper than ${FILTER_LIMITS.maxDepth} levels`, rule: 'maxDepth' });
    return;
  }
  for (const [key, value] of Object.entries(node)) {
    const at = joinPointer(path, key);
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(value) || value.length === 0 || value.length > FILTER_LIMITS.maxListItems) {
        errors.push({ path: at, message: `must be a list of 1 to ${FILTER_LIMITS.maxListItems} filters`, rule: 'type' });
        continue;
      }
      value.forEach((item, i) => checkNode(item, joinPointer(at, i), place, depth + 1, errors, state));
    } else if (key === '$not') {
      checkNode(value, at, place, depth + 1, errors, state);
    } else if (isComparison(key)) {
      if (place === 'root')
        errors.push({ path: at, message: `${key} compares a field: name one (type, source, subject, time, data.*) above it`, rule: 'operatorPlace' });
      else checkOperand(key, value, at, errors);
      state.conditions++;
    } else if (key.startsWith('$')) {
      errors.push({ path: at, message: `unknown operator ${key}: use one of ${[...COMPARISONS, '$and', '$or', '$not'].join(', ')}`, rule: 'operator' });
    } else if (place === 'string') {
      errors.push({ path: at, message: 'this event field is a string: only operators apply to it, not field names', rule: 'field' });
    } else if (place === 'root' && !(FILTER_EVENT_FIELDS as readonly string[]).includes(key)) {
      errors.push({ path: at, message: `unknown event field: a filter names ${FILTER_EVENT_FIELDS.join(', ')}`, rule: 'field' });
    } else if (isObject(value)) {
      checkNode(value, at, place === 'root' && key !== 'data' ? 'string' : 'object', depth + 1, errors, state);
    } else {
      checkScalar(value, at, 'implicit equality takes a string, number, boolean or null (a list is written {"$in": [...]})', errors);
      state.conditions++;
    }
  }
}

function checkOperand(op: Comparison, value: unknown, at: string, errors: ValidationError[]): void {
  switch (op) {
    case '$eq':
    case '$neq':
      checkScalar(value, at, `${op} takes a string, number, boolean or null`, errors);
      return;
    case '$in':
    case '$nin':
      if (!Array.isArray(value) || value.length === 0 || value.length > FILTER_LIMITS.maxListItems) {
        errors.push({ path: at, message: `${op} takes a list of 1 to ${FILTER_LIMITS.maxListItems} strings, numbers, booleans or nulls`, rule: 'type' });
        return;
      }
      value.forEach((item, i) => checkScalar(item, joinPointer(at, i), `${op} items are strings, numbers, booleans or nulls`, errors));
      return;
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      if (typeof value === 'string') checkScalar(value, at, '', errors);
      else if (typeof value !== 'number' || !Number.isFinite(value))
        errors.push({ path: at, message: `${op} takes a number or a string (ISO times compare as strings)`, rule: 'type' });
      return;
    case '$startsWith':
      if (typeof value === 'string') checkScalar(value, at, '', errors);
      else errors.push({ path: at, message: '$startsWith takes a string', rule: 'type' });
      return;
    case '$exist':
      if (typeof value !== 'boolean') errors.push({ path: at, message: '$exist takes true or false', rule: 'type' });
      return;
  }
}

function checkScalar(value: unknown, at: string, message: string, errors: ValidationError[]): void {
  if (!isScalar(value)) errors.push({ path: at, message, rule: 'type' });
  else if (typeof value === 'string' && value.length > FILTER_LIMITS.maxStringLength)
    errors.push({ path: at, message: `longer than ${FILTER_LIMITS.maxStringLength} characters`, rule: 'maxLength' });
}

/**
 * Compiles a filter into closures. Throws when the filter is not valid (`checkFilter` says why):
 * callers compile stored filters, which the API checked.
 */
export function compileFilter(filter: unknown): CompiledFilter {
  const errors = checkFilter(filter);
  if (errors.length > 0) throw new Error(`invalid filter at ${errors[0]!.path || '/'}: ${errors[0]!.message}`);
  return compileNode(filter as Record<string, unknown>, [], '') as CompiledFilter;
}

type Check = (event: unknown) => string | undefined;

const PASS: Check = () => undefined;

function compileNode(node: Record<string, unknown>, field: readonly string[], pointer: string): Check {
  const checks: Check[] = [];
  for (const [key, value] of Object.entries(node)) {
    const at = joinPointer(pointer, key);
    if (key === '$and') {
      checks.push(all((value as Record<string, unknown>[]).map((item, i) => compileNode(item, field, joinPointer(at, i)))));
    } else if (key === '$or') {
      const items = (value as Record<string, unknown>[]).map((item, i) => compileNode(item, field, joinPointer(at, i)));
      checks.push((e) => {
        for (const c of items) if (c(e) === undefined) return undefined;
        return at;
      });
    } else if (key === '$not') {
      const inner = compileNode(value as Record<string, unknown>, field, at);
      checks.push((e) => (inner(e) === undefined ? at : undefined));
    } else if (isComparison(key)) {
      checks.push(condition(key, value, field, at));
    } else if (isObject(value)) {
      checks.push(compileNode(value, [...field, key], at));
    } else {
      checks.push(condition('$eq', value, [...field, key], at));
    }
  }
  return all(checks);
}

function all(checks: Check[]): Check {
  if (checks.length === 0) return PASS;
  if (checks.length === 1) return checks[0]!;
  return (e) => {
    for (const c of checks) {
      const failed = c(e);
      if (failed !== undefined) return failed;
    }
    return undefined;
  };
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Reads a field path; own properties only (a filter on `constructor` must not find Object's). */
function read(event: unknown, path: readonly string[]): unknown {
  let v = event;
  for (const k of path) {
    if (typeof v !== 'object' || v === null || !hasOwn.call(v, k)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/** Equality of a field with a scalar: the same value, or a list holding it. */
const equals = (actual: unknown, expected: unknown): boolean => actual === expected || (Array.isArray(actual) && actual.includes(expected));
const inList = (actual: unknown, list: readonly Scalar[]): boolean => {
  for (const x of list) if (equals(actual, x)) return true;
  return false;
};

/**
 * One comparison as a single closure over its field path, operand and pointer: 100k webhooks may
 * each hold a filter, so a condition costs one function and its context, not a chain of them.
 * Order comparisons hold only between two numbers or two strings: a type mismatch fails.
 */
function condition(op: Comparison, operand: unknown, field: readonly string[], at: string): Check {
  const path = field.slice();
  switch (op) {
    case '$eq':
      return (e) => {
        const a = read(e, path);
        return a !== undefined && equals(a, operand) ? undefined : at;
      };
    case '$neq':
      return (e) => (equals(read(e, path), operand) ? at : undefined);
    case '$in': {
      const list = operand as Scalar[];
      return (e) => {
        const a = read(e, path);
        return a !== undefined && inList(a, list) ? undefined : at;
      };
    }
    case '$nin': {
      const list = operand as Scalar[];
      return (e) => (inList(read(e, path), list) ? at : undefined);
    }
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte': {
      const type = typeof operand;
      const b = operand as string | number;
      if (op === '$gt') return (e) => ordered(read(e, path), type, b, 1, false, at);
      if (op === '$gte') return (e) => ordered(read(e, path), type, b, 1, true, at);
      if (op === '$lt') return (e) => ordered(read(e, path), type, b, -1, false, at);
      return (e) => ordered(read(e, path), type, b, -1, true, at);
    }
    case '$startsWith': {
      const prefix = operand as string;
      return (e) => {
        const a = read(e, path);
        return typeof a === 'string' && a.startsWith(prefix) ? undefined : at;
      };
    }
    case '$exist': {
      const wanted = operand as boolean;
      return (e) => ((read(e, path) !== undefined) === wanted ? undefined : at);
    }
  }
}

/** `a` against `b` in direction `sign` (1: greater, -1: less), `orEqual` allowing equality. */
function ordered(a: unknown, type: string, b: string | number, sign: 1 | -1, orEqual: boolean, at: string): string | undefined {
  if (typeof a !== type) return at;
  const x = a as string | number;
  if (x === b) return orEqual ? undefined : at;
  return (sign === 1 ? x > b : x < b) ? undefined : at;
}
