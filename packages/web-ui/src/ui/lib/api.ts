/** One problem the API names in a 400 (or 404 on a body member): the JSON path at fault and why. */
export interface ApiErrorDetail {
  path: string;
  message: string;
  rule?: string;
}

/** An answer of the API that was not a success, with what its JSON error body said. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** The body's `error` (a message, or a code such as `csrf_token_invalid`). */
    readonly error: string,
    readonly details: ApiErrorDetail[] = [],
  ) {
    super(error);
    this.name = 'ApiError';
  }
}

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * The one way the UI talks to the gateway: same-origin REST calls authenticated by the session
 * cookie (the browser sends it; the UI never sees it). Every state-changing call carries the
 * session's CSRF token in `x-csrf-token`, which the UI keeps in memory only.
 */
export class ApiClient {
  private csrfToken: string | undefined;
  /** Called when a call answers 401 (the session ended or expired), except where `expect401` is set. */
  onUnauthorized: (() => void) | undefined;

  constructor(private readonly fetchFn: FetchLike = (url, init) => fetch(url, init)) {}

  setCsrfToken(token: string | undefined): void {
    this.csrfToken = token;
  }

  get<T>(path: string, query?: Record<string, string | number | undefined>): Promise<T> {
    return this.request<T>('GET', withQuery(path, query));
  }
  post<T>(path: string, body?: unknown, init?: CallInit): Promise<T> {
    return this.request<T>('POST', path, body, init);
  }
  put<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }
  delete<T = void>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  async request<T>(method: string, path: string, body?: unknown, init: CallInit = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (!SAFE_METHODS.has(method) && this.csrfToken) headers['x-csrf-token'] = this.csrfToken;
    let res: Response;
    try {
      res = await this.fetchFn(path, {
        method,
        headers,
        credentials: 'same-origin',
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch {
      throw new ApiError(0, 'The gateway could not be reached. Check your connection and try again.');
    }
    const text = await res.text();
    const parsed = parseJson(text);
    if (!res.ok) {
      if (res.status === 401 && !init.expect401) this.onUnauthorized?.();
      throw errorFrom(res.status, parsed);
    }
    return (text === '' ? undefined : parsed) as T;
  }
}

export interface CallInit {
  headers?: Record<string, string>;
  /** A 401 is an expected answer of this call (no session yet), not a session that ended. */
  expect401?: boolean;
}

function withQuery(path: string, query?: Record<string, string | number | undefined>): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}${path.includes('?') ? '&' : '?'}${qs}` : path;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorFrom(status: number, body: unknown): ApiError {
  const b = (body && typeof body === 'object' ? body : {}) as { error?: unknown; message?: unknown; details?: unknown };
  const code = typeof b.error === 'string' ? b.error : `HTTP ${status}`;
  // Some errors carry a code in `error` and the sentence in `message`.
  const message = typeof b.message === 'string' && b.message !== '' ? `${code}: ${b.message}` : code;
  const details = Array.isArray(b.details)
    ? b.details.filter((d): d is ApiErrorDetail => !!d && typeof d === 'object' && typeof (d as ApiErrorDetail).message === 'string')
    : [];
  return new ApiError(
    status,
    message,
    details.map((d) => ({ path: typeof d.path === 'string' ? d.path : '', message: d.message, rule: d.rule })),
  );
}

/** What a person reads for a failed call: the status, the API's message and each JSON path at fault. */
export function describeError(err: unknown): { title: string; lines: string[] } {
  if (err instanceof ApiError) {
    const title = err.status === 0 ? err.error : `${statusText(err.status)} (${err.status}): ${err.error}`;
    return { title, lines: err.details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)) };
  }
  return { title: err instanceof Error ? err.message : String(err), lines: [] };
}

function statusText(status: number): string {
  switch (status) {
    case 400:
      return 'Invalid request';
    case 401:
      return 'Not signed in';
    case 403:
      return 'Not allowed';
    case 404:
      return 'Not found';
    case 409:
      return 'Conflict';
    case 413:
      return 'Too large';
    case 429:
      return 'Too many requests';
    case 503:
      return 'Unavailable';
    default:
      return status >= 500 ? 'Server error' : 'Error';
  }
}
