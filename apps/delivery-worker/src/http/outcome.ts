import { EndpointRefusedError, type EndpointRefusal } from '../safety/endpoint-guard.js';

/** Bytes of a partner's response kept in the audit. */
export const RESPONSE_EXCERPT_BYTES = 1024;
/** Reading stops here: a partner's huge response must not cost us memory or time. */
export const MAX_RESPONSE_READ_BYTES = 64 * 1024;

export interface Timeouts {
  /** DNS + TCP + TLS. */
  connectMs: number;
  /** Silence allowed on the socket while waiting for or reading the response (undefined: only `totalMs`). */
  readMs?: number;
  /** The whole exchange: a 2xx must have arrived by then. */
  totalMs: number;
}

export interface HttpOutcome {
  startedAt: Date;
  durationMs: number;
  statusCode?: number;
  /** First bytes of the response body, UTF-8. */
  body?: string;
  /** The response's `Retry-After` header, as sent. */
  retryAfter?: string;
  /** Set when no response came: `timeout:connect`, `connection_refused`, `endpoint_refused`, ... */
  errorClass?: string;
  errorMessage?: string;
  /** For `endpoint_refused`: host, address and class, for the operator log (never recorded for the tenant). */
  refusal?: EndpointRefusal;
}

/**
 * A time limit of ours that ended a call, in got's shape (`name` TimeoutError, `event` = the
 * phase), so that both clients' timeouts are classified by the same rule below.
 */
export class CallTimeoutError extends Error {
  override readonly name = 'TimeoutError';
  readonly code = 'ETIMEDOUT';
  constructor(readonly event: 'connect' | 'socket' | 'request') {
    super(`call timed out (${event})`);
  }
}

interface ClientError {
  code?: string;
  name?: string;
  message?: string;
  event?: string;
  cause?: unknown;
}

/** undici's own timeouts, by the phase they belong to. */
const UNDICI_TIMEOUT_EVENTS: Record<string, string> = {
  UND_ERR_CONNECT_TIMEOUT: 'connect',
  UND_ERR_HEADERS_TIMEOUT: 'socket',
  UND_ERR_BODY_TIMEOUT: 'socket',
};

/**
 * Our error class and a message that names no URL (URLs may carry credentials), for an error of
 * either client: got (control plane) or undici (delivery path).
 */
export function classifyRequestError(e: unknown, timeouts: Timeouts): { errorClass: string; errorMessage: string; refusal?: EndpointRefusal } {
  const err = (e ?? {}) as ClientError;
  const cause = err.cause as ClientError | undefined;
  const refused = e instanceof EndpointRefusedError ? e : cause instanceof EndpointRefusedError ? cause : undefined;
  if (refused) return { errorClass: 'endpoint_refused', errorMessage: refused.message, refusal: refused.refusal };
  const code = err.code ?? cause?.code;
  const undiciTimeout = code === undefined ? undefined : UNDICI_TIMEOUT_EVENTS[code];
  if (err.name === 'TimeoutError' || code === 'ETIMEDOUT' || undiciTimeout !== undefined) {
    const ev = undiciTimeout ?? err.event ?? 'request';
    if (ev === 'lookup' || ev === 'connect' || ev === 'secureConnect') {
      return { errorClass: 'timeout:connect', errorMessage: `no connection within ${timeouts.connectMs} ms (${ev})` };
    }
    if (ev === 'socket' && timeouts.readMs !== undefined) {
      return { errorClass: 'timeout:read', errorMessage: `no data from the endpoint for ${timeouts.readMs} ms` };
    }
    return { errorClass: 'timeout', errorMessage: `no response within ${timeouts.totalMs} ms` };
  }
  switch (code) {
    case 'ECONNREFUSED':
      return { errorClass: 'connection_refused', errorMessage: 'connection refused' };
    // UND_ERR_SOCKET (undici): the endpoint closed the connection before the response was complete.
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return { errorClass: 'connection_reset', errorMessage: 'connection reset by the endpoint' };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { errorClass: 'dns', errorMessage: `host name did not resolve (${code})` };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { errorClass: 'unreachable', errorMessage: `host unreachable (${code})` };
    default:
      break;
  }
  if (typeof code === 'string' && (code.startsWith('ERR_TLS') || code.includes('CERT') || code.startsWith('ERR_SSL'))) {
    return { errorClass: 'tls', errorMessage: `TLS error (${code})` };
  }
  return { errorClass: 'network', errorMessage: `request failed${code ? ` (${code})` : ''}` };
}
