import { randomUUID } from 'node:crypto';
import { CompactSign, decodeProtectedHeader } from 'jose';

/** The single-use token a session URL carries in its fragment (`#token=`). */
export function tokenOf(url: string): string {
  const token = new URL(url).hash.match(/token=([^&]+)/)?.[1];
  if (!token) throw new Error(`no #token= in ${url}`);
  return decodeURIComponent(token);
}

/**
 * A copy of a real session token with other claims, signed with the gateway's portal key:
 * the same token the gateway would issue, except for what the test changes (a new jti, an
 * exp in the past). Only the test, which started the gateway with that key, can make one.
 */
export async function resignedToken(token: string, portalKeyBase64: string, change: (claims: Record<string, unknown>) => void): Promise<string> {
  const [, payload] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>;
  claims.jti = randomUUID();
  change(claims);
  return new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader(decodeProtectedHeader(token) as { alg: string })
    .sign(Buffer.from(portalKeyBase64, 'base64'));
}
