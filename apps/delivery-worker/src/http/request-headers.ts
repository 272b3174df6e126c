/** What a credential's value is replaced with in the delivery history. */
export const REDACTED = '[redacted]';

/**
 * Header names whose values are credentials whatever the webhook's configuration says. The
 * `webhook-signature` is not among them: it is an HMAC of this one request, which the receiver
 * computes itself, and shows nothing of the key.
 */
const CREDENTIAL_NAME = /authorization|cookie|token|secret|password|passwd|api[-_]?key|session|credential|auth/i;

/**
 * The request's headers as the delivery history shows them: the names given in `credentials`
 * (the webhook's token header, `authorization`) and every name that looks like a credential
 * carry `[redacted]` instead of their value, so nothing secret is ever stored.
 */
export function redactedHeaders(headers: Record<string, string>, credentials: readonly string[] = []): Record<string, string> {
  const secret = new Set(credentials.map((c) => c.toLowerCase()));
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    out[lower] = secret.has(lower) || CREDENTIAL_NAME.test(lower) ? REDACTED : value;
  }
  return out;
}
