/** Where secrets live in a webhook request or spec (dot paths). */
export const SECRET_FIELD_PATHS = ['auth_config.token', 'auth_config.client_secret', 'signing_secret'] as const;

/** What a secret is replaced with: shows that one is set without revealing it. */
export const REDACTED = '[redacted]';

/**
 * A deep copy with every secret masked, for anything the API returns or logs.
 * Works on the normalized spec and on either request shape.
 */
export function redactWebhook<T>(spec: T): T {
  const copy = structuredClone(spec);
  for (const path of SECRET_FIELD_PATHS) {
    const keys = path.split('.');
    let node: unknown = copy;
    for (const key of keys.slice(0, -1)) node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
    const last = keys[keys.length - 1] as string;
    if (typeof node === 'object' && node !== null && (node as Record<string, unknown>)[last] !== undefined) {
      (node as Record<string, unknown>)[last] = REDACTED;
    }
  }
  return copy;
}
