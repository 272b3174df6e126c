import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { JSON_SECURITY_HEADER_LINES } from '@hookstream/service-kit';

/** Parser errors Node reports for a request it refuses before any route sees it. */
const STATUS_BY_CODE: Record<string, { status: number; reason: string; error: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, reason: 'Request Header Fields Too Large', error: 'the request headers are too large' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, reason: 'Request Timeout', error: 'the request was not received in time' },
};

/**
 * Malformed HTTP (CR or NUL in a header value, two Content-Length headers, Transfer-Encoding
 * with Content-Length, ...) is refused by Node's parser, whose default answer is a bare 400
 * without a body. Answer it like every other error of the API: a status and a JSON `error`,
 * then close the connection (its framing can no longer be trusted). The message names the
 * parser's error code only, never the offending bytes.
 */
export function answerMalformedRequests(server: Server): void {
  server.on('clientError', (err: Error & { code?: string }, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const known = STATUS_BY_CODE[err.code ?? ''];
    const status = known?.status ?? 400;
    const body = JSON.stringify({
      error: known?.error ?? `malformed HTTP request (${err.code ?? 'parse error'}): check header names and values (no CR, LF or NUL) and message framing`,
    });
    socket.end(
      `HTTP/1.1 ${status} ${known?.reason ?? 'Bad Request'}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\ncache-control: no-store\r\n${JSON_SECURITY_HEADER_LINES}connection: close\r\n\r\n${body}`,
    );
  });
}
