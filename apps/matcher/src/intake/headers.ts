import type { IHeaders } from 'kafkajs';

/** Kafka headers as UTF-8 strings; a repeated header keeps its values joined by ", " (as HTTP does). */
export function headerStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    if (raw === undefined || raw === null) continue;
    const values = Array.isArray(raw) ? raw : [raw];
    out[name] = values.map((v) => (typeof v === 'string' ? v : Buffer.from(v).toString('utf8'))).join(', ');
  }
  return out;
}

/** Binary-mode CloudEvents carry their attributes as `ce_` headers, starting with `ce_specversion`. */
export function isBinaryMode(headers: Record<string, string>): boolean {
  return Object.keys(headers).some((n) => n.toLowerCase() === 'ce_specversion');
}
