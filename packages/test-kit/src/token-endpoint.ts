import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';

export interface TokenEndpointOptions {
  clientId: string;
  clientSecret: string;
  audience: string;
  expiresIn?: number;
  /** Extra form fields that must be present with these values (e.g. scope, realm). */
  requireFields?: Record<string, string>;
}

export interface TokenEndpoint {
  url: string;
  /** Access tokens issued so far, newest last. */
  issued: string[];
  /** Every request with its outcome. */
  requests: { form: Record<string, string>; ok: boolean; error?: string; at: number }[];
  isValid(token: string): boolean;
  /** Invalidates every issued token (the partner rotated its keys). */
  revokeAll(): void;
  /** Answer the next requests with this status (or 'no-token' for a 200 without access_token). */
  failNext(times: number, how?: number | 'no-token'): void;
  setExpiresIn(seconds: number): void;
  close(): Promise<void>;
}

/**
 * An OAuth2 token endpoint for RFC 7523 `client_secret_jwt`: it verifies the
 * client assertion (HS256 with the client secret, iss = sub = client id, audience,
 * expiry) with jose before issuing an access token.
 */
export async function startTokenEndpoint(opts: TokenEndpointOptions): Promise<TokenEndpoint> {
  const issued: string[] = [];
  const valid = new Set<string>();
  const requests: TokenEndpoint['requests'] = [];
  let expiresIn = opts.expiresIn ?? 600;
  let failures = 0;
  let failHow: number | 'no-token' = 500;
  const key = new TextEncoder().encode(opts.clientSecret);

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      const reply = (status: number, body: unknown, error?: string) => {
        requests.push({ form, ok: status === 200 && !error, error, at: Date.now() });
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (failures > 0) {
        failures--;
        if (failHow === 'no-token') return reply(200, { token_type: 'Bearer', expires_in: expiresIn }, 'no-token');
        return reply(failHow, { error: 'temporarily_unavailable' }, `status ${failHow}`);
      }
      void (async () => {
        try {
          if (form.grant_type !== 'client_credentials') throw new Error(`grant_type ${form.grant_type}`);
          if (form.client_assertion_type !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') throw new Error('client_assertion_type');
          for (const [k, v] of Object.entries(opts.requireFields ?? {})) if (form[k] !== v) throw new Error(`missing ${k}`);
          const { payload, protectedHeader } = await jwtVerify(form.client_assertion ?? '', key, {
            algorithms: ['HS256'],
            issuer: opts.clientId,
            subject: opts.clientId,
            audience: opts.audience,
          });
          if (protectedHeader.alg !== 'HS256' || !payload.jti || !payload.iat || !payload.exp) throw new Error('claims');
          if (payload.exp - payload.iat !== 600) throw new Error(`assertion lifetime ${payload.exp - payload.iat}`);
          const token = randomBytes(16).toString('hex');
          issued.push(token);
          valid.add(token);
          reply(200, { access_token: token, token_type: 'Bearer', expires_in: expiresIn });
        } catch (e) {
          reply(401, { error: 'invalid_client' }, e instanceof Error ? e.message : String(e));
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/oauth/token`,
    issued,
    requests,
    isValid: (t) => valid.has(t),
    revokeAll: () => valid.clear(),
    failNext(times, how = 500) {
      failures = times;
      failHow = how;
    },
    setExpiresIn(s) {
      expiresIn = s;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
