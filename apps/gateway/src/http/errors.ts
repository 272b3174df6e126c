import type { Logger } from '@hookstream/service-kit';
import type { NextFunction, Request, Response } from 'express';
import {
  Conflict,
  DomainError,
  Forbidden,
  InvalidInput,
  NotFound,
  RateLimited,
  TooLarge,
  Unauthenticated,
  Unavailable,
  UnsupportedMediaType,
} from '../domain/errors.js';
import type { ErrorDetail } from '../domain/errors.js';

export type { ErrorDetail } from '../domain/errors.js';

/** The status and headers of each kind of domain error: the only place they meet HTTP. */
export function httpStatusOf(err: DomainError): { status: number; headers: Record<string, string> } {
  if (err instanceof InvalidInput) return { status: 400, headers: {} };
  if (err instanceof Unauthenticated) return { status: 401, headers: { 'www-authenticate': err.challenge } };
  if (err instanceof Forbidden) return { status: 403, headers: {} };
  if (err instanceof NotFound) return { status: 404, headers: {} };
  if (err instanceof Conflict) return { status: 409, headers: {} };
  // The unread rest of the body would be taken for the next request: close instead.
  if (err instanceof TooLarge) return { status: 413, headers: err.unreadBody ? { connection: 'close' } : {} };
  if (err instanceof UnsupportedMediaType) return { status: 415, headers: {} };
  if (err instanceof RateLimited) return { status: 429, headers: { 'retry-after': String(err.retryAfterS) } };
  if (err instanceof Unavailable) return { status: 503, headers: err.retryAfterS === undefined ? {} : { 'retry-after': String(err.retryAfterS) } };
  return { status: 500, headers: {} };
}

export function sendError(res: Response, status: number, error: string, details?: ErrorDetail[], headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res
    .status(status)
    .set({ 'cache-control': 'no-store', ...headers })
    .json(details && details.length ? { error, details } : { error });
}

/** The one error handler of the app: domain errors get their status, anything else a generic 500. */
export function errorMiddleware(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof DomainError) {
      const { status, headers } = httpStatusOf(err);
      if (err instanceof Forbidden) {
        if (!res.headersSent) res.status(status).set('cache-control', 'no-store').json({ error: err.message, missing_scope: err.missingScope });
        return;
      }
      sendError(res, status, err.message, err.details, headers);
      return;
    }
    // Errors raised by Express itself (e.g. a malformed URL) carry a client status.
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      sendError(res, status, status === 400 ? 'bad request' : (err as Error).message);
      return;
    }
    logger.error({ err: describe(err), method: req.method, route: req.route?.path ?? req.path }, 'request failed');
    sendError(res, 500, 'internal error; the request was not completed');
  };
}

/** Message and code only: a driver error's parameters could hold request data. */
function describe(err: unknown): Record<string, unknown> {
  if (err instanceof Error) return { type: err.name, message: err.message.slice(0, 500), code: (err as { code?: unknown }).code };
  return { message: String(err).slice(0, 200) };
}
