import type { ServerResponse } from 'node:http';

/**
 * Writes a JSON answer with node's own response API, the same bytes as Express's `res.json`
 * (content type with charset, content length, one write): the error answers of every route and
 * the answers of direct routes (http/direct-routes.ts), which have no Express response.
 */
export function writeJson(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  if (headers) for (const name in headers) res.setHeader(name, headers[name]!);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text, 'utf8');
}
