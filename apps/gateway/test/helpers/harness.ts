import { randomBytes } from 'node:crypto';
import { createTestDatabase, createTestKafka, startApp, type AppProcess, type TestDatabase, type TestKafka } from '@hookstream/test-kit';

export const ADMIN_TOKEN = `admin-${randomBytes(16).toString('hex')}`;

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

export interface Harness {
  pg: TestDatabase;
  kafka: TestKafka;
  app: AppProcess;
  /** The environment the gateway was started with (its secret key, ...). */
  env: Record<string, string>;
  /** Calls the gateway; `body` objects are sent as JSON unless `raw` is given. */
  call<T = any>(method: string, path: string, opts?: CallOptions): Promise<Reply<T>>;
  createTenant(name?: string): Promise<{ id: string; name: string; api_key: string }>;
  /** Every response text seen so far, for leak checks. */
  responses: string[];
  close(): Promise<void>;
}

export interface CallOptions {
  key?: string;
  body?: unknown;
  raw?: string | Buffer;
  headers?: Record<string, string>;
  baseUrl?: string;
}

export function gatewayEnv(pg: TestDatabase, kafka: TestKafka, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: pg.url,
    KAFKA_TOPIC_PREFIX: kafka.prefix,
    HOOKSTREAM_SECRET_KEY: randomBytes(32).toString('base64'),
    HOOKSTREAM_PORTAL_KEY: randomBytes(32).toString('base64'),
    HOOKSTREAM_ADMIN_TOKEN: ADMIN_TOKEN,
    HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS: 'true',
    HOOKSTREAM_PUBLIC_URL: 'https://hookstream.test',
    TOPIC_PARTITIONS_EVENTS: '2',
    TOPIC_PARTITIONS_DELIVERIES: '2',
    TOPIC_PARTITIONS_RETRY: '1',
    TOPIC_PARTITIONS_DLQ: '1',
    // Every test calls from 127.0.0.1, and the suites send wrong keys on purpose.
    AUTH_FAILURE_LIMIT: '100000',
    ...extra,
  };
}

export async function startHarness(extraEnv: Record<string, string> = {}): Promise<Harness> {
  const [pg, kafka] = await Promise.all([createTestDatabase(), createTestKafka({ partitions: 2 })]);
  const env = gatewayEnv(pg, kafka, extraEnv);
  const app = await startApp('gateway', { env });
  const responses: string[] = [];
  const call = async <T>(method: string, path: string, opts: CallOptions = {}): Promise<Reply<T>> => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.key) headers.authorization = `Bearer ${opts.key}`;
    let body: string | Buffer | undefined = opts.raw;
    if (body === undefined && opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${opts.baseUrl ?? app.baseUrl}${path}`, { method, headers, body });
    const text = await res.text();
    responses.push(text);
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, text, body: parsed as T };
  };
  return {
    pg,
    kafka,
    app,
    env,
    call,
    responses,
    async createTenant(name = 'acme') {
      const r = await call<{ id: string; name: string; api_key: string }>('POST', '/v1/tenants', {
        body: { name },
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      if (r.status !== 201) throw new Error(`tenant creation failed: ${r.status} ${r.text}`);
      return r.body;
    },
    async close() {
      await app.stop('SIGTERM');
      await Promise.all([pg.drop(), kafka.close()]);
    },
  };
}
