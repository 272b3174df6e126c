import { ApiError, type ApiClient } from './api.js';

/** What the gateway answers to an exchanged token or the current session cookie. */
export interface Session {
  kind: 'portal' | 'console';
  tenant_id?: string;
  partner?: string;
  read_only: boolean;
  webhook_ids?: string[];
  expires_at: string;
  csrf_token: string;
}

/** The session token a session URL carries in its fragment (`#token=<jwt>`), if any. */
export function tokenFromHash(hash: string): string | undefined {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const token = params.get('token');
  return token && token.trim() !== '' ? token.trim() : undefined;
}

export interface Place {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  history: Pick<History, 'replaceState'>;
}

/**
 * Starts the page's session: a token in the fragment is exchanged once for the session cookie
 * (the fragment is removed first, so the single-use token stays neither in the address bar nor in
 * the history); without one, the cookie of an earlier visit is asked for. The CSRF token goes to
 * the client's memory only. Null: there is no session (the page then explains how to get one).
 */
export async function startSession(api: ApiClient, place: Place): Promise<Session | null> {
  const token = tokenFromHash(place.location.hash);
  if (token) place.history.replaceState(null, '', place.location.pathname + place.location.search);
  try {
    const session = token
      ? await api.post<Session>('/v1/sessions/exchange', { token }, { expect401: true })
      : await api.request<Session>('GET', '/v1/sessions/current', undefined, { expect401: true }).catch((err: unknown) => {
          if (err instanceof ApiError && err.status === 401) return null;
          throw err;
        });
    api.setCsrfToken(session?.csrf_token);
    return session;
  } catch (err) {
    if (token && err instanceof ApiError && err.status === 401) throw new SessionLinkRefused(err);
    throw err;
  }
}

/** The link's token was expired, already used, or not one of ours. */
export class SessionLinkRefused extends Error {
  constructor(readonly refusal: ApiError) {
    super('This link has expired or was already used.');
    this.name = 'SessionLinkRefused';
  }
}

export async function endSession(api: ApiClient): Promise<void> {
  await api.delete('/v1/sessions/current');
  api.setCsrfToken(undefined);
}
