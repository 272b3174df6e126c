/** What a credential's value is replaced with in the delivery history. */
export const REDACTED = '[redacted]';

/**
 * Header names whose values are credentials whatever the webhook's configuration says. The
 * `webhook-signature` is not among them: it is an HMAC of this one request, which the receiver
 * computes itself, and shows nothing of the key.
 */
const CREDENTIAL_NAME = /authorization|cookie|token|secret|password|passwd|api[-_]?key|session|credential|auth/i;

/*
 * Every attempt shows its headers, and the names repeat (the fixed webhook-* names, a few token
 * header names): the pattern is tested once per name, not once per header of every attempt.
 * Bounded, since token header names come from configuration.
 */
const MAX_REMEMBERED_NAMES = 1024;
const looksSecretByName = new Map<string, boolean>();

function looksSecret(lowerName: string): boolean {
  let secret = looksSecretByName.get(lowerName);
  if (secret === undefined) {
    secret = CREDENTIAL_NAME.test(lowerName);
    if (looksSecretByName.size >= MAX_REMEMBERED_NAMES) looksSecretByName.clear();
    looksSecretByName.set(lowerName, secret);
  }
  return secret;
}

/**
 * The request's headers as the delivery history shows them: the names given in `credentials`
 * (the webhook's token header, `authorization`; in any case) and every name that looks like a
 * credential carry `[redacted]` instead of their value, so nothing secret is ever stored. Names
 * are lower-cased. Headers with nothing to change (every call without credentials) are returned
 * as they are, not copied: neither they nor the result may be changed afterwards.
 */
export function redactedHeaders(headers: Record<string, string>, credentials: readonly string[] = []): Record<string, string> {
  for (const name in headers) {
    if (name !== name.toLowerCase() || looksSecret(name) || isCredential(name, credentials)) return redactedCopy(headers, credentials);
  }
  return headers;
}

function isCredential(lowerName: string, credentials: readonly string[]): boolean {
  for (const c of credentials) if (c === lowerName || c.toLowerCase() === lowerName) return true;
  return false;
}

function redactedCopy(headers: Record<string, string>, credentials: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    const lower = name.toLowerCase();
    out[lower] = looksSecret(lower) || isCredential(lower, credentials) ? REDACTED : headers[name]!;
  }
  return out;
}
