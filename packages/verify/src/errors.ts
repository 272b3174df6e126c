/** Why a delivery was refused; `code` is stable for programs, `message` is for people and never quotes a key, a signature or the body. */
export type VerificationErrorCode =
  'missing_header' | 'invalid_header' | 'invalid_timestamp' | 'timestamp_too_old' | 'timestamp_too_new' | 'no_matching_signature' | 'invalid_key';

/** Every refusal of verify(): one `catch` can answer 400/401 and log `code`. */
export class WebhookVerificationError extends Error {
  readonly code: VerificationErrorCode;

  constructor(code: VerificationErrorCode, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** `webhook-id`, `webhook-timestamp` or `webhook-signature` is absent or empty. */
export class MissingHeaderError extends WebhookVerificationError {
  readonly header: string;

  constructor(header: string) {
    super('missing_header', `the ${header} header is missing or empty: is this a Standard Webhooks delivery, and does a proxy drop the header?`);
    this.header = header;
  }
}

/** A header appears more than once with different values (which one was signed cannot be told). */
export class InvalidHeaderError extends WebhookVerificationError {
  readonly header: string;

  constructor(header: string, why: string) {
    super('invalid_header', `the ${header} header ${why}`);
    this.header = header;
  }
}

/** `webhook-timestamp` is not an integer number of seconds since the epoch. */
export class InvalidTimestampError extends WebhookVerificationError {
  constructor() {
    super('invalid_timestamp', 'the webhook-timestamp header is not an integer number of seconds since 1970-01-01T00:00:00Z');
  }
}

/** The delivery's timestamp is further from the receiver's clock than the tolerance: a replay, or a clock that is off. */
export class TimestampOutOfToleranceError extends WebhookVerificationError {
  constructor(code: 'timestamp_too_old' | 'timestamp_too_new', deltaS: number, toleranceS: number) {
    const where = code === 'timestamp_too_old' ? `${deltaS} s in the past` : `${deltaS} s in the future`;
    super(code, `the webhook-timestamp is ${where}, beyond the tolerance of ${toleranceS} s (a replayed delivery, or a clock that is off)`);
  }
}

/** No signature in `webhook-signature` verifies with any of the keys. */
export class NoMatchingSignatureError extends WebhookVerificationError {
  constructor(detail: string) {
    super('no_matching_signature', `no signature matches: ${detail}`);
  }
}

/** A key given to verify() or sign() is not a usable `whsec_` / `whpk_` / `whsk_` key: a configuration error of the receiver. */
export class InvalidKeyError extends WebhookVerificationError {
  /** Position of the key in the list given (0 for a single key). */
  readonly keyIndex: number;

  constructor(keyIndex: number, why: string) {
    super('invalid_key', `key ${keyIndex} ${why}`);
    this.keyIndex = keyIndex;
  }
}
