import type { IncomingMessage } from 'node:http';
import type { Response } from 'express';

/** The one cookie of UI sessions: a signed session JWT (sessions/session-tokens.ts). */
export const SESSION_COOKIE = 'hookstream_session';

/** The session cookie's value in the request, if any (the first one, as browsers send the most specific first). */
export function sessionCookieOf(req: IncomingMessage): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

/**
 * HttpOnly (scripts cannot read it), SameSite=Strict (no other site's page sends it), Path=/ (the
 * UI calls /v1), Secure when the public URL is https.
 */
export function setSessionCookie(res: Response, value: string, maxAgeS: number, publicUrl: string): void {
  res.append('set-cookie', `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeS}${secure(publicUrl)}`);
}

/** Logout: the browser drops the cookie at once. */
export function clearSessionCookie(res: Response, publicUrl: string): void {
  res.append('set-cookie', `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0${secure(publicUrl)}`);
}

const secure = (publicUrl: string) => (publicUrl.startsWith('https:') ? '; Secure' : '');
