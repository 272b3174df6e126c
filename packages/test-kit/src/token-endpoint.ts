import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, jwtVerify } from 'jose';

/** One OAuth2 client the endpoint knows. */
export interface TokenClient {
  clientId: string;
  clientSecret: string;
  audience: string;
  /** Lifetime of issued tokens in seconds (default 600). */
  expiresIn?: number;
  /**
   * A different answer to this client's n-th verified request (1-based): a short-lived
   * token, a 500, a 200 without access_token. Undefined: a fresh token.
   */
  answer?: (n: number) => { status: number; body: unknown } | undefined;
}

/** One request the endpoint got, with its outcome. */
export interface TokenRequest {
  at: number;
  form: Record<string, string>;
  /** The client the assertion named, once it was found. */
  clientId?: string;
  /** The verified assertion's claims. */
  claims?: Record<string, unknown>;
  status: number;
  /** Why the request was refused. */
  error?: string;
}

export interface TokenEndpoint {
  url: string;
  /** Access tokens issued so far, newest last. */
  issued: string[];
  requests: TokenRequest[];
  /** The requests whose assertion named this client. */
  requestsOf(clientId: string): TokenRequest[];
  isValid(token: string): boolean;
  close(): Promise<void>;
}

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * A real OAuth2 token endpoint for RFC 7523 `client_secret_jwt`: it verifies the client
 * assertion with jose (HS256 with the client secret; iss = sub = client id, audience,
 * expiry, a 600 s lifetime) and the form fields before issuing an access token.
 */
export async function startTokenEndpoint(clients: TokenClient | TokenClient[]): Promise<TokenEndpoint> {
  const known = Array.isArray(clients) ? clients : [clients];
  const requests: TokenRequest[] = [];
  const issued: string[] = [];
  const issuedTo = new Map<string, number>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      const rec: TokenRequest = { at: Date.now(), form, status: 0 };
      requests.push(rec);
      const send = (status: number, body: unknown, error?: string) => {
        rec.status = status;
        rec.error = error;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const assertion = form.client_assertion ?? '';
      try {
        rec.clientId = decodeJwt(assertion).iss;
      } catch {
        return send(400, { error: 'invalid_request' }, 'malformed assertion');
      }
      const client = known.find((c) => c.clientId === rec.clientId);
      if (!client) return send(401, { error: 'invalid_client' }, 'unknown client');
      try {
        if (form.grant_type !== 'client_credentials') throw new Error(`grant_type ${form.grant_type}`);
        if (form.client_assertion_type !== ASSERTION_TYPE) throw new Error('client_assertion_type');
        // RFC 7521 4.2: a client_id sent with the assertion must name the same client.
        if (form.client_id !== undefined && form.client_id !== client.clientId) throw new Error('client_id does not match the assertion');
        const { payload, protectedHeader } = await jwtVerify(assertion, new TextEncoder().encode(client.clientSecret), {
          algorithms: ['HS256'],
          issuer: client.clientId,
          subject: client.clientId,
          audience: client.audience,
          requiredClaims: ['exp', 'iat', 'jti'],
        });
        if (protectedHeader.alg !== 'HS256') throw new Error('alg');
        if (payload.exp! - payload.iat! !== 600) throw new Error(`assertion lifetime ${payload.exp! - payload.iat!}`);
        rec.claims = payload as Record<string, unknown>;
      } catch (e) {
        return send(401, { error: 'invalid_client' }, e instanceof Error ? e.message : String(e));
      }
      const n = requests.filter((r) => r.clientId === client.clientId && r.claims).length;
      const special = client.answer?.(n);
      if (special) return send(special.status, special.body);
      // Predictable per client, so tests can say which token a call carried.
      const count = (issuedTo.get(client.clientId) ?? 0) + 1;
      issuedTo.set(client.clientId, count);
      const token = `at-${client.clientId}-${count}`;
      issued.push(token);
      send(200, { access_token: token, token_type: 'Bearer', expires_in: client.expiresIn ?? 600 });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/oauth2/token`,
    issued,
    requests,
    requestsOf: (clientId) => requests.filter((r) => r.clientId === clientId),
    isValid: (t) => issued.includes(t),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
