import { createHmac, sign } from 'node:crypto';
import { decodeWhsecSecret, ed25519PrivateKey, isEd25519SecretKey, SIGNING_SECRET_HOW_TO, SIGNING_SECRET_PREFIX } from '@hookstream/schemas';
import type { WebhookSecrets } from '@hookstream/store';
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

/**
 * `v1a,` + base64 Ed25519 signature of `<webhook-id>.<webhook-timestamp>.<body>` (Standard
 * Webhooks' asymmetric scheme) with a `whsk_` private key.
 */
export function ed25519Signature(secretKey: string, id: string, timestampS: number, body: string): string {
  const key = ed25519PrivateKey(secretKey);
  if (!key) throw new AuthError('auth_config', "the webhook's Ed25519 signing key is malformed; rotate it: POST /v1/webhooks/{id}/signing-secret/rotate");
  return `v1a,${sign(null, Buffer.from(`${id}.${timestampS}.${body}`), key).toString('base64')}`;
}

function signatureWith(key: string, id: string, timestampS: number, body: string): string {
  return isEd25519SecretKey(key) ? ed25519Signature(key, id, timestampS, body) : webhookSignature(key, id, timestampS, body);
}

/**
 * The `webhook-signature` header of an attempt: the current key's signature, then during a
 * rotation's grace period the previous key's, space-separated (the Standard Webhooks form of
 * several signatures; verifiers accept the request when any one matches). Whether the previous
 * key still signs is judged at the attempt's own timestamp, so a retry after the grace period
 * carries only the new signature. Undefined when the webhook does not sign.
 */
export function signatureHeader(secrets: WebhookSecrets, id: string, timestampS: number, body: string): string | undefined {
  if (!secrets.signing_secret) return undefined;
  const out = [signatureWith(secrets.signing_secret, id, timestampS, body)];
  const until = secrets.previous_signing_expires_at ? Date.parse(secrets.previous_signing_expires_at) : NaN;
  if (secrets.previous_signing_secret && timestampS * 1000 < until) out.push(signatureWith(secrets.previous_signing_secret, id, timestampS, body));
  return out.join(' ');
}
