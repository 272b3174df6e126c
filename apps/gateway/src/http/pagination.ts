import { InvalidInput, type ErrorDetail } from '../domain/errors.js';

export interface Page {
  startIndex: number;
  count: number;
}

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;

type Query = Record<string, unknown>;

function intParam(query: Query, name: string, def: number, min: number, max: number, errors: ErrorDetail[]): number {
  const raw = query[name];
  if (raw === undefined || raw === '') return def;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    errors.push({ path: `/query/${name}`, message: `must be an integer from ${min} to ${max}`, rule: 'range' });
    return def;
  }
  return Number(raw);
}

/** `startIndex` (zero-based) and `count` as the Jive webhooks service takes them. */
export function parsePage(query: Query, errors: ErrorDetail[] = []): Page {
  const startIndex = intParam(query, 'startIndex', 0, 0, 1_000_000, errors);
  const count = intParam(query, 'count', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE, errors);
  return { startIndex, count };
}

/**
 * `a,b` of a filter: a comma separates two values only when a URI (`scheme:`) starts right after
 * it, so a comma inside a URI (`/places/1;m=2,3`, `urn:x:a,b`) stays part of it.
 */
function splitUris(raw: string): string[] {
  return raw
    .split(/,(?=\s*[A-Za-z][A-Za-z0-9+.-]*:)/)
    .map((v) => v.trim())
    .filter(Boolean);
}

/**
 * Parses `filter=name(v1,v2)` parameters (repeatable). Only the names in `allowed` may be
 * used. The seed separates values by commas; see splitUris for commas inside a URI.
 */
export function parseFilters(query: Query, allowed: readonly string[], errors: ErrorDetail[] = []): Record<string, string[]> {
  const raw = query.filter;
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const out: Record<string, string[]> = {};
  for (const f of list) {
    const m = typeof f === 'string' ? /^([A-Za-z]+)\((.*)\)$/s.exec(f.trim()) : null;
    if (!m) {
      errors.push({
        path: '/query/filter',
        message: `must look like name(value), for example ${allowed[0] ?? 'object'}(https://example.com/places/1)`,
        rule: 'format',
      });
      continue;
    }
    const name = m[1]!;
    if (!allowed.includes(name)) {
      errors.push({ path: '/query/filter', message: `unknown filter '${name}'; supported: ${allowed.join(', ')}`, rule: 'enum' });
      continue;
    }
    const values = splitUris(m[2]!);
    if (values.length === 0) {
      errors.push({ path: '/query/filter', message: `filter '${name}' needs at least one value`, rule: 'minItems' });
      continue;
    }
    out[name] = [...(out[name] ?? []), ...values];
  }
  return out;
}

/** `fields=a,b`: the names, each of which must be in `allowed`; undefined when absent. */
export function parseFields(query: Query, allowed: readonly string[], errors: ErrorDetail[] = []): string[] | undefined {
  const raw = query.fields;
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string') {
    errors.push({ path: '/query/fields', message: 'must be a comma-separated list of field names', rule: 'type' });
    return undefined;
  }
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !allowed.includes(n));
  if (unknown.length) {
    errors.push({ path: '/query/fields', message: `unknown field(s) ${unknown.join(', ')}; available: ${allowed.join(', ')}`, rule: 'enum' });
    return undefined;
  }
  return names;
}

/** Keeps only the named fields (plus `id`, which identifies the item). */
export function pickFields<T extends Record<string, unknown>>(item: T, fields: string[] | undefined): Partial<T> {
  if (!fields) return item;
  const out: Record<string, unknown> = {};
  for (const key of ['id', ...fields]) if (key in item) out[key] = item[key];
  return out as Partial<T>;
}

export function throwIfErrors(errors: ErrorDetail[], message = 'invalid query parameters'): void {
  if (errors.length) throw new InvalidInput(message, errors);
}

export interface PagedList<T> {
  startIndex: number;
  itemsPerPage: number;
  list: T[];
  links: { next?: string; previous?: string };
}

/**
 * A page in the Jive list shape. `rows` holds up to count + 1 items: the extra one only
 * tells that a next page exists. Links keep the other query parameters.
 */
export function pagedList<T>(rows: T[], page: Page, selfUrl: string, query: Query): PagedList<T> {
  const links: PagedList<T>['links'] = {};
  const link = (startIndex: number) => {
    const url = new URL(selfUrl);
    for (const [k, v] of Object.entries(query)) {
      if (k === 'startIndex' || k === 'count') continue;
      for (const one of Array.isArray(v) ? v : [v]) if (typeof one === 'string') url.searchParams.append(k, one);
    }
    url.searchParams.set('startIndex', String(startIndex));
    url.searchParams.set('count', String(page.count));
    return url.toString();
  };
  if (rows.length > page.count) links.next = link(page.startIndex + page.count);
  if (page.startIndex > 0) links.previous = link(Math.max(0, page.startIndex - page.count));
  return { startIndex: page.startIndex, itemsPerPage: page.count, list: rows.slice(0, page.count), links };
}
