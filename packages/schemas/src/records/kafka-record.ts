import type { ValidationError } from '../validation.js';

/**
 * The parts of a Kafka record that the record modules read and write. Typed structurally (no
 * kafkajs import) so that `schemas` stays free of the client: kafkajs `Message`, `KafkaMessage`
 * and `IHeaders` all fit.
 */
export type IncomingHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

export interface IncomingRecord {
  value: Buffer | null;
  headers?: IncomingHeaders | undefined;
}

/** What a producer hands to the Publisher: key and value as text, headers as strings. */
export interface EncodedRecord {
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

/** A decoded record, or why it was refused, with JSON pointers into the value. */
export type Decoded<T, R extends string = string> = { ok: true; record: T } | { ok: false; reason: R; errors: ValidationError[] };

/** Which kind of hookstream record a message of a job topic or of the dead-letter topic is. */
export const RECORD_TYPE_HEADER = 'hookstream-record-type';
export const DELIVERY_ID_HEADER = 'hookstream-delivery-id';
export const TENANT_ID_HEADER = 'hookstream-tenant-id';
export const EVENT_TYPE_HEADER = 'hookstream-event-type';

/** Kafka headers as UTF-8 strings; a repeated header keeps its values joined by ", " (as HTTP does). */
export function headerStrings(headers: IncomingHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    if (raw === undefined || raw === null) continue;
    const values = Array.isArray(raw) ? raw : [raw];
    out[name] = values.map((v) => (typeof v === 'string' ? v : Buffer.from(v).toString('utf8'))).join(', ');
  }
  return out;
}

/** The first value of a header as text, or undefined. */
export function firstHeader(headers: IncomingHeaders | undefined, name: string): string | undefined {
  const raw = headers?.[name];
  const first = Array.isArray(raw) ? raw[0] : raw;
  if (first === undefined || first === null) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}

/** The value parsed as JSON, or the `not_json` refusal every JSON record family gives. */
export function parseJsonValue(value: Buffer | string | null): { ok: true; value: unknown } | { ok: false; reason: 'not_json'; errors: ValidationError[] } {
  try {
    return { ok: true, value: JSON.parse(typeof value === 'string' ? value : (value?.toString('utf8') ?? '')) as unknown };
  } catch {
    return { ok: false, reason: 'not_json', errors: [{ path: '', message: 'the message value is not JSON', rule: 'json' }] };
  }
}
