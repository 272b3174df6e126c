import { createHmac, createSecretKey, sign, type KeyObject } from 'node:crypto';
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
  return hmacSignature(signingKey(secret), id, timestampS, body);
}

/*
 * The signed content is fed in two parts: joining the prefix to the body first would copy the
 * body (about a kilobyte) into a new string on every attempt, only to encode it once more.
 */
function hmacSignature(key: KeyObject | Buffer, id: string, timestampS: number, body: string): string {
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampS}.`).update(body).digest('base64')}`;
}

/**
 * `v1a,` + base64 Ed25519 signature of `<webhook-id>.<webhook-timestamp>.<body>` (Standard
 * Webhooks' asymmetric scheme) with a `whsk_` private key.
 */
export function ed25519Signature(secretKey: string, id: string, timestampS: number, body: string): string {
  return ed25519With(ed25519KeyOf(secretKey), id, timestampS, body);
}

function ed25519KeyOf(secretKey: string): KeyObject {
  const key = ed25519PrivateKey(secretKey);
  if (!key) throw new AuthError('auth_config', "the webhook's Ed25519 signing key is malformed; rotate it: POST /v1/webhooks/{id}/signing-secret/rotate");
  return key;
}

function ed25519With(key: KeyObject, id: string, timestampS: number, body: string): string {
  return `v1a,${sign(null, Buffer.from(`${id}.${timestampS}.${body}`), key).toString('base64')}`;
}

type Signer = (id: string, timestampS: number, body: string) => string;

/**
 * How a signing secret signs, worked out once per secret: decoding a `whsec_` secret (a strict
 * base64 check, a decode and an encode back) and making its HMAC key cost a third of the
 * signature (an Ed25519 key object more), on every attempt of every delivery. Kept by the webhook's opened secrets object
 * (the secret resolver's, the same until the webhook's secrets change), so no secret outlives it.
 * Each signer also remembers the secret it was made from and is made again when the object's
 * secret is another (an object changed in place must not sign with the old key); the check is a
 * string comparison, nearly always of the same string.
 * A malformed secret is not kept: it throws its AuthError at every attempt, as before.
 */
interface Signers {
  secret: string;
  current: Signer;
  previousSecret?: string;
  previous?: Signer;
}
const signersOf = new WeakMap<WebhookSecrets, Signers>();

function signerOf(secret: string): Signer {
  if (isEd25519SecretKey(secret)) {
    const key = ed25519KeyOf(secret);
    return (id, timestampS, body) => ed25519With(key, id, timestampS, body);
  }
  const raw = signingKey(secret);
  // A key object cannot be empty (an old row's empty plain secret keeps its empty HMAC key).
  const key = raw.length > 0 ? createSecretKey(raw) : raw;
  return (id, timestampS, body) => hmacSignature(key, id, timestampS, body);
}

function signersFor(secrets: WebhookSecrets & { signing_secret: string }): Signers {
  let signers = signersOf.get(secrets);
  if (signers?.secret !== secrets.signing_secret) {
    signers = { secret: secrets.signing_secret, current: signerOf(secrets.signing_secret) };
    signersOf.set(secrets, signers);
  }
  return signers;
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
  const signers = signersFor(secrets as WebhookSecrets & { signing_secret: string });
  const current = signers.current(id, timestampS, body);
  const until = secrets.previous_signing_expires_at ? Date.parse(secrets.previous_signing_expires_at) : NaN;
  if (!secrets.previous_signing_secret || !(timestampS * 1000 < until)) return current;
  // Made only while it signs: a malformed previous key fails the attempts of its grace period, not later ones.
  if (signers.previousSecret !== secrets.previous_signing_secret || !signers.previous) {
    signers.previous = signerOf(secrets.previous_signing_secret);
    signers.previousSecret = secrets.previous_signing_secret;
  }
  return `${current} ${signers.previous(id, timestampS, body)}`;
}
