import { InvalidHeaderError, MissingHeaderError } from './errors.js';

export type HeaderValue = string | readonly string[] | undefined;
/** A Fetch `Headers` object (undici, Node's global, a Request's headers) or anything with its `get`. */
export interface HeadersLike {
  get(name: string): string | null;
}
/** Headers as a plain object in any letter case (Node's `req.headers`, express, a test) or as a `Headers` object. */
export type WebhookHeaders = HeadersLike | Readonly<Record<string, HeaderValue>>;

function isHeadersLike(headers: WebhookHeaders): headers is HeadersLike {
  return typeof (headers as { get?: unknown }).get === 'function';
}

/** Every non-empty value of a header, whatever the case of its name. */
function values(headers: WebhookHeaders, name: string): string[] {
  if (headers == null || typeof headers !== 'object') throw new TypeError('verify() needs the request headers as an object or a Headers instance');
  if (isHeadersLike(headers)) {
    const v = headers.get(name);
    return v ? [v] : [];
  }
  const out: string[] = [];
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    for (const v of typeof value === 'string' ? [value] : Array.isArray(value) ? (value as unknown[]) : []) if (typeof v === 'string' && v !== '') out.push(v);
  }
  return out;
}

/** A header that must have one value: two different ones leave unknown which one was signed. */
export function singleHeader(headers: WebhookHeaders, name: string): string {
  const found = values(headers, name);
  if (found.length === 0) throw new MissingHeaderError(name);
  if (new Set(found).size > 1) throw new InvalidHeaderError(name, 'appears more than once with different values');
  return found[0]!;
}

/** The signature list: several header lines are read as one space-separated list. */
export function signatureHeader(headers: WebhookHeaders, name: string): string {
  const found = values(headers, name);
  if (found.length === 0) throw new MissingHeaderError(name);
  return found.join(' ');
}
