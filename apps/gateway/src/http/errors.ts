import type { Logger } from '@hookstream/service-kit';
import type { ServerResponse } from 'node:http';
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
import { writeJson } from './json-reply.js';

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

/** The status, headers and JSON body a failed request is answered with. */
export interface ErrorReply {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** Writes an error answer, unless the response already started (then the connection just ends as it is). */
export function sendErrorReply(res: ServerResponse, reply: ErrorReply): void {
  if (res.headersSent) return;
  writeJson(res, reply.status, reply.body, reply.headers);
}

/**
 * The answer to a failed request: domain errors get their status, errors Express raises with a
 * client status keep it, anything else is logged (by `route`, never with request data) and is a
 * generic 500. The one mapping of both the Express routes and the direct routes.
 */
export function errorReply(err: unknown, logger: Pick<Logger, 'error'>, method: string, route: () => string): ErrorReply {
  if (err instanceof DomainError) {
    const { status, headers } = httpStatusOf(err);
    if (err.code) return { status, headers: { 'cache-control': 'no-store', ...headers }, body: { error: err.code, message: err.message } };
    if (err instanceof Forbidden) return { status, headers: { 'cache-control': 'no-store' }, body: { error: err.message, missing_scope: err.missingScope } };
    return plain(status, err.message, err.details, headers);
  }
  // Errors raised by Express itself (e.g. a malformed URL) carry a client status.
  const status = (err as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) return plain(status, status === 400 ? 'bad request' : (err as Error).message);
  logger.error({ err: describe(err), method, route: route() }, 'request failed');
  return plain(500, 'internal error; the request was not completed');
}

function plain(status: number, error: string, details?: ErrorDetail[], headers: Record<string, string> = {}): ErrorReply {
  return { status, headers: { 'cache-control': 'no-store', ...headers }, body: details && details.length ? { error, details } : { error } };
}

/** The one error handler of the Express app (the direct routes call `errorReply` themselves). */
export function errorMiddleware(logger: Pick<Logger, 'error'>) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    sendErrorReply(
      res,
      errorReply(err, logger, req.method, () => (req.route as { path?: string } | undefined)?.path ?? req.path),
    );
  };
}

/** Message and code only: a driver error's parameters could hold request data. */
function describe(err: unknown): Record<string, unknown> {
  if (err instanceof Error) return { type: err.name, message: err.message.slice(0, 500), code: (err as { code?: unknown }).code };
  return { message: String(err).slice(0, 200) };
}
