import type { ErrorDetail } from '../domain/errors.js';

type Query = Record<string, unknown>;

const DATE_TIME = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/;

/** An RFC 3339 date-time query parameter; a malformed one adds a problem at `/query/<name>`. */
export function dateTimeQuery(query: Query, name: string, errors: ErrorDetail[]): Date | undefined {
  const raw = query[name];
  if (raw === undefined) return undefined;
  const at = typeof raw === 'string' && DATE_TIME.test(raw) ? new Date(raw) : undefined;
  if (!at || Number.isNaN(at.getTime())) {
    errors.push({ path: `/query/${name}`, message: 'must be an RFC 3339 date-time, e.g. 2026-01-31T12:00:00Z', rule: 'format' });
    return undefined;
  }
  return at;
}

/** An integer query parameter within [min, max]; absent gives `def`. */
export function integerQuery(query: Query, name: string, min: number, max: number, def: number, errors: ErrorDetail[]): number {
  const raw = query[name];
  if (raw === undefined) return def;
  const n = typeof raw === 'string' && /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    errors.push({ path: `/query/${name}`, message: `must be an integer from ${min} to ${max}`, rule: 'range' });
    return def;
  }
  return n;
}

/** A UUID query parameter. */
export function uuidQuery(query: Query, name: string, errors: ErrorDetail[]): string | undefined {
  const raw = query[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(raw)) {
    errors.push({ path: `/query/${name}`, message: 'must be a UUID', rule: 'format' });
    return undefined;
  }
  return raw;
}
