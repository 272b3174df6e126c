import { createHmac } from 'node:crypto';
import { decodeWhsecSecret, SIGNING_SECRET_HOW_TO, SIGNING_SECRET_PREFIX } from '@hookstream/schemas';
import { AuthError } from './errors.js';

/**
 * The HMAC key of a signing secret, as Standard Webhooks reads it: a `whsec_` secret is the
 * base64 of the key bytes. Since #16.2 the gateway accepts nothing else; a plain secret of a
 * row stored before keeps its UTF-8 bytes (its receiver verifies with that), but a `whsec_`
 * secret that does not decode strictly is refused rather than signed with the short or empty
 * key Node's lenient decoder would make of it (a forgeable signature).
 */
export function signingKey(secret: string): Buffer {
  if (!secret.startsWith(SIGNING_SECRET_PREFIX)) return Buffer.from(secret, 'utf8');
  const key = decodeWhsecSecret(secret);
  if (!key) throw new AuthError('auth_config', `the webhook's signing secret is not valid base64 after whsec_; set a new one: ${SIGNING_SECRET_HOW_TO}`);
  return key;
}

/**
 * `webhook-signature` value of the Standard Webhooks scheme: `v1,` + base64 HMAC-SHA256 of
 * `<webhook-id>.<webhook-timestamp>.<body>`, so partners can verify with existing libraries.
 */
export function webhookSignature(secret: string, id: string, timestampS: number, body: string): string {
  const mac = createHmac('sha256', signingKey(secret)).update(`${id}.${timestampS}.${body}`).digest('base64');
  return `v1,${mac}`;
}
