import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, jwtVerify } from 'jose';

export interface TokenRequest {
  at: number;
  form: URLSearchParams;
  claims?: Record<string, unknown>;
  error?: string;
}

export interface TokenClient {
  clientId: string;
  secret: string;
  audience: string;
  /** The answer to a verified request; default: a fresh token living 600 s. */
  answer?: (n: number) => { status: number; body: unknown };
}

export interface TokenEndpoint {
  url: string;
  requests: TokenRequest[];
  issued: string[];
  /** Tokens issued to a client id. */
  requestsOf(clientId: string): TokenRequest[];
  close(): Promise<void>;
}

/**
 * A real OAuth2 token endpoint for RFC 7523 client_secret_jwt: it verifies the client
 * assertion with jose (HS256 with the client secret; iss = sub = client_id, aud, exp) and the
 * form fields, and issues access tokens.
 */
export async function startTokenEndpoint(clients: TokenClient[]): Promise<TokenEndpoint> {
  const requests: TokenRequest[] = [];
  const issued: string[] = [];
  let counter = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        const rec: TokenRequest = { at: Date.now(), form };
        requests.push(rec);
        const send = (status: number, body: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        };
        const assertion = form.get('client_assertion') ?? '';
        let clientId: string | undefined;
        try {
          clientId = decodeJwt(assertion).iss;
        } catch {
          rec.error = 'malformed assertion';
          return send(400, { error: 'invalid_request' });
        }
        const client = clients.find((c) => c.clientId === clientId);
        if (!client) {
          rec.error = 'unknown client';
          return send(401, { error: 'invalid_client' });
        }
        try {
          const { payload, protectedHeader } = await jwtVerify(assertion, new TextEncoder().encode(client.secret), {
            algorithms: ['HS256'],
            issuer: client.clientId,
            subject: client.clientId,
            audience: client.audience,
            requiredClaims: ['exp', 'iat', 'jti'],
          });
          if (protectedHeader.alg !== 'HS256') throw new Error('alg');
          if (payload.exp! - payload.iat! !== 600) throw new Error('assertion must live 600 s');
          if (form.get('grant_type') !== 'client_credentials') throw new Error('grant_type');
          if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') throw new Error('client_assertion_type');
          rec.claims = payload as Record<string, unknown>;
        } catch (e) {
          rec.error = (e as Error).message;
          return send(401, { error: 'invalid_client', error_description: rec.error });
        }
        const n = requests.filter((r) => r.claims?.iss === client.clientId).length;
        const answer = client.answer?.(n);
        if (answer) return send(answer.status, answer.body);
        const token = `at-${client.clientId}-${++counter}`;
        issued.push(token);
        send(200, { access_token: token, token_type: 'Bearer', expires_in: 600 });
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/oauth2/token`,
    requests,
    issued,
    requestsOf: (clientId) => requests.filter((r) => r.claims?.iss === clientId),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
