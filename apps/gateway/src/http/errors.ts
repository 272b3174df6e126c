import type { Response } from 'express';

export interface ErrorDetail {
  path: string;
  message: string;
  rule?: string;
}

/**
 * An error with the HTTP status and the message the client sees. Anything else thrown in a
 * handler is answered 500 with a generic message: internals never reach a response.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: ErrorDetail[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFound = (what: string) => new HttpError(404, `${what} not found`);

export function sendError(res: Response, status: number, error: string, details?: ErrorDetail[], headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res
    .status(status)
    .set({ 'cache-control': 'no-store', ...headers })
    .json(details && details.length ? { error, details } : { error });
}
