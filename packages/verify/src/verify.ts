import { createHmac, timingSafeEqual, verify as verifyEd25519 } from 'node:crypto';
import { decodeBase64Strict } from './base64.js';
import { bodyBytes, type WebhookBody } from './body.js';
import { InvalidTimestampError, NoMatchingSignatureError, TimestampOutOfToleranceError } from './errors.js';
import { signatureHeader, singleHeader, type WebhookHeaders } from './headers.js';
import { keyList, parseVerificationKey, type VerificationKey } from './keys.js';

/** Five minutes either way, as the Standard Webhooks libraries allow. */
export const DEFAULT_TOLERANCE_S = 300;
const ED25519_SIGNATURE_BYTES = 64;
// Up to 15 digits keeps the number exact; the reference libraries read the same decimal integer.
const TIMESTAMP = /^[0-9]{1,15}$/;

export interface VerifyOptions {
  /** How far (seconds) the delivery's timestamp may be from the clock, in either direction. Default 300. */
  toleranceS?: number;
  /** The receiver's clock (a Date or epoch milliseconds); default now. For tests and replays of stored deliveries. */
  now?: Date | number;
}

export interface VerifiedWebhook {
  /** `webhook-id`: the same for every attempt of one message, so use it to drop duplicates. */
  id: string;
  /** `webhook-timestamp`: when this attempt was signed. */
  timestamp: Date;
  /** The scheme of the signature that matched. */
  version: 'v1' | 'v1a';
  /** Which of the keys given matched (during a rotation: is the old key still in use?). */
  keyIndex: number;
}

interface Signature {
  version: string;
  value: string;
}

function parseSignatures(header: string): Signature[] {
  const out: Signature[] = [];
  for (const entry of header.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma > 0) out.push({ version: entry.slice(0, comma), value: entry.slice(comma + 1) });
  }
  return out;
}

function matchesV1(key: Buffer, signed: Buffer, signatures: Signature[]): boolean {
  // The base64 text is compared, not decoded bytes: a signature in another spelling of the same
  // bytes is refused exactly as the reference libraries refuse it.
  const expected = Buffer.from(createHmac('sha256', key).update(signed).digest('base64'));
  for (const s of signatures) {
    const given = Buffer.from(s.value);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
  }
  return false;
}

function matchesV1a(key: VerificationKey & { version: 'v1a' }, signed: Buffer, signatures: Signature[]): boolean {
  for (const s of signatures) {
    const bytes = decodeBase64Strict(s.value);
    if (bytes?.length === ED25519_SIGNATURE_BYTES && verifyEd25519(null, signed, key.publicKey, bytes)) return true;
  }
  return false;
}

function noMatch(keys: VerificationKey[], signatures: Signature[]): NoMatchingSignatureError {
  const has = (v: string) => signatures.some((s) => s.version === v);
  const wants = (v: string) => keys.some((k) => k.version === v);
  if (!has('v1') && !has('v1a')) return new NoMatchingSignatureError('the webhook-signature header holds no v1 or v1a signature');
  if (!wants('v1a') && !has('v1'))
    return new NoMatchingSignatureError("the delivery carries no v1 signature (it is signed with v1a: verify it with the sender's whpk_ public key)");
  if (!wants('v1') && !has('v1a'))
    return new NoMatchingSignatureError('the delivery carries no v1a signature (it is signed with v1: verify it with the whsec_ signing secret)');
  return new NoMatchingSignatureError(
    `none of the ${signatures.length} signature(s) verifies with the ${keys.length} key(s) given: a wrong or outdated key, a body changed after sending (parsed and serialised again?) or a forged delivery`,
  );
}

function toleranceOf(options: VerifyOptions): number {
  const t = options.toleranceS ?? DEFAULT_TOLERANCE_S;
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) throw new RangeError('toleranceS must be a finite number of seconds, 0 or more');
  return t;
}

function nowMsOf(options: VerifyOptions): number {
  const now = options.now instanceof Date ? options.now.getTime() : (options.now ?? Date.now());
  if (typeof now !== 'number' || !Number.isFinite(now)) throw new RangeError('now must be a valid Date or epoch milliseconds');
  return now;
}

/**
 * Verifies a Standard Webhooks delivery: `webhook-id`, `webhook-timestamp` within the tolerance,
 * and at least one signature in `webhook-signature` made by one of `keys` (`whsec_` secrets for
 * `v1`, `whpk_` public keys for `v1a`; several during a rotation). Throws a
 * {@link WebhookVerificationError} subclass when it does not verify.
 */
export function verify(body: WebhookBody, headers: WebhookHeaders, keys: string | readonly string[], options: VerifyOptions = {}): VerifiedWebhook {
  const toleranceS = toleranceOf(options);
  const nowS = Math.floor(nowMsOf(options) / 1000);
  // Keys first: a misconfigured receiver learns it on the first request, whatever that request holds.
  const parsed = keyList(keys).map((k, i) => parseVerificationKey(k, i));
  const bytes = bodyBytes(body);

  const id = singleHeader(headers, 'webhook-id');
  const timestampText = singleHeader(headers, 'webhook-timestamp');
  const signatures = parseSignatures(signatureHeader(headers, 'webhook-signature'));
  if (!TIMESTAMP.test(timestampText)) throw new InvalidTimestampError();
  const timestampS = Number(timestampText);
  if (nowS - timestampS > toleranceS) throw new TimestampOutOfToleranceError('timestamp_too_old', nowS - timestampS, toleranceS);
  if (timestampS - nowS > toleranceS) throw new TimestampOutOfToleranceError('timestamp_too_new', timestampS - nowS, toleranceS);

  const signed = Buffer.concat([Buffer.from(`${id}.${timestampS}.`, 'utf8'), bytes]);
  const v1 = signatures.filter((s) => s.version === 'v1');
  const v1a = signatures.filter((s) => s.version === 'v1a');
  for (const [keyIndex, key] of parsed.entries()) {
    const ok = key.version === 'v1' ? matchesV1(key.hmacKey, signed, v1) : matchesV1a(key, signed, v1a);
    if (ok) return { id, timestamp: new Date(timestampS * 1000), version: key.version, keyIndex };
  }
  throw noMatch(parsed, signatures);
}
