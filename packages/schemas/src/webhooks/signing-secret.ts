import { describePattern } from '../validation.js';

/**
 * Signing secrets follow the Standard Webhooks rule: `whsec_` + standard base64 (padded) of
 * 24 to 64 random bytes. The reference libraries strip the prefix and base64-decode the rest,
 * so any other form either fails there or (Node's lenient decoder) becomes a short or empty
 * HMAC key that anyone can forge.
 */
export const SIGNING_SECRET_PREFIX = 'whsec_';
export const MIN_SIGNING_KEY_BYTES = 24;
export const MAX_SIGNING_KEY_BYTES = 64;

const HOW_TO = `a signing secret is 'whsec_' followed by the standard base64 of ${MIN_SIGNING_KEY_BYTES} to ${MAX_SIGNING_KEY_BYTES} random bytes; make one with: echo "whsec_$(openssl rand -base64 32)"`;

/** The shape only (8 to 21 base64 quanta, padded): the exact byte count is checked by {@link signingSecretProblem}. */
export const SIGNING_SECRET_PATTERN = describePattern('^whsec_(?:[A-Za-z0-9+/]{4}){8,21}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$', `must be ${HOW_TO}`);
export const SIGNING_SECRET_MAX_LENGTH = SIGNING_SECRET_PREFIX.length + 88;

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The key bytes of a `whsec_` secret decoded strictly (padding required, no stray characters,
 * no non-zero trailing bits), or undefined when it does not decode to at least one byte.
 */
export function decodeWhsecSecret(secret: string): Buffer | undefined {
  if (!secret.startsWith(SIGNING_SECRET_PREFIX)) return undefined;
  const text = secret.slice(SIGNING_SECRET_PREFIX.length);
  if (!STRICT_BASE64.test(text)) return undefined;
  const key = Buffer.from(text, 'base64');
  if (key.length === 0 || key.toString('base64') !== text) return undefined;
  return key;
}

/** Why a new signing secret is refused (never quoting it), or undefined when it is accepted. */
export function signingSecretProblem(secret: string): string | undefined {
  const key = decodeWhsecSecret(secret);
  if (!key) return `must be ${HOW_TO}`;
  if (key.length < MIN_SIGNING_KEY_BYTES || key.length > MAX_SIGNING_KEY_BYTES) return `decodes to ${key.length} bytes; ${HOW_TO}`;
  return undefined;
}

/** How to make a secret, for messages of the other components. */
export const SIGNING_SECRET_HOW_TO = HOW_TO;
