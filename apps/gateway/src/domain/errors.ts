/**
 * What went wrong, in the terms of the gateway's services. Services and the HTTP plumbing throw
 * these; the one error middleware (http/error-middleware.ts) turns each kind into a status code
 * and headers, so no service knows about HTTP.
 */
export interface ErrorDetail {
  /** JSON Pointer into the input (`/auth_config/token_uri`), or `/query/<name>` for a query parameter. */
  path: string;
  message: string;
  rule?: string;
}

/** The base of every error whose message may be shown to the client as is. */
export abstract class DomainError extends Error {
  /**
   * A stable machine-readable code (`session_token_invalid`, `csrf_token_invalid`, ...): when set,
   * the answer is `{error: code, message}` instead of `{error: message}`.
   */
  code?: string;

  constructor(
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** Sets the error's code (see `code`); returns the error, to be thrown. */
  coded(code: string): this {
    this.code = code;
    return this;
  }
}

/** The input (body, parameter, media type framing) is wrong; `details` names each problem. */
export class InvalidInput extends DomainError {}

/** The named resource does not exist for this tenant (or belongs to another one). */
export class NotFound extends DomainError {
  constructor(what: string, message = `${what} not found`) {
    super(message);
  }
}

/**
 * The caller is known but may not do this: its API key lacks `missingScope` (#17.1, the
 * webhooks service's 403). Checked before the request's input, so it reveals nothing about it.
 */
export class Forbidden extends DomainError {
  constructor(
    message: string,
    readonly missingScope: string,
  ) {
    super(message);
  }
}

/** The request contradicts the current state (a duplicate, a resource that cannot be retried). */
export class Conflict extends DomainError {}

/** No credentials, or wrong ones; `challenge` is what a client is told to send instead. */
export class Unauthenticated extends DomainError {
  constructor(
    message: string,
    readonly challenge: string,
  ) {
    super(message);
  }
}

/** The tenant used up its request budget for now. */
export class RateLimited extends DomainError {
  constructor(
    message: string,
    readonly retryAfterS: number,
  ) {
    super(message);
  }
}

/**
 * A dependency (the broker) did not confirm, or a feature is switched off on this instance.
 * `retryAfterS` is set when retrying the same request soon is expected to work.
 */
export class Unavailable extends DomainError {
  constructor(
    message: string,
    readonly retryAfterS?: number,
  ) {
    super(message);
  }
}

/**
 * The input is over a size or count limit. `unreadBody`: the request body was not read to its
 * end, so the connection cannot carry another request.
 */
export class TooLarge extends DomainError {
  constructor(
    message: string,
    readonly unreadBody = false,
  ) {
    super(message);
  }
}

/** The request body is of a media type the operation does not take. */
export class UnsupportedMediaType extends DomainError {}
