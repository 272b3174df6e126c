export { verify, DEFAULT_TOLERANCE_S, type VerifyOptions, type VerifiedWebhook } from './verify.js';
export { sign, type SignOptions, type StandardWebhookHeaders } from './sign.js';
export type { WebhookBody } from './body.js';
export type { WebhookHeaders, HeadersLike, HeaderValue } from './headers.js';
export {
  SECRET_PREFIX,
  PUBLIC_KEY_PREFIX,
  SECRET_KEY_PREFIX,
  parseSigningSecret,
  parsePublicKey,
  parseSecretKey,
  encodePublicKey,
  encodeSecretKey,
  publicKeyFromSecretKey,
  generateSigningSecret,
  generateKeyPair,
} from './keys.js';
export {
  WebhookVerificationError,
  MissingHeaderError,
  InvalidHeaderError,
  InvalidTimestampError,
  TimestampOutOfToleranceError,
  NoMatchingSignatureError,
  InvalidKeyError,
  type VerificationErrorCode,
} from './errors.js';
