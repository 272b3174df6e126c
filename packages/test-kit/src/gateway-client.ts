/** A small client of the gateway's REST API, for tests, the demo and the benchmark. */
export class GatewayClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  withToken(token: string): GatewayClient {
    return new GatewayClient(this.baseUrl, token);
  }

  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: T; headers: Headers }> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  /** Like request, but throws unless the status is the expected one. */
  async expect<T = Record<string, unknown>>(status: number, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
    const r = await this.request<T>(method, path, body, headers);
    if (r.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  }

  createTenant(name: string): Promise<{ id: string; name: string; api_key: string }> {
    return this.expect(201, 'POST', '/v1/tenants', { name });
  }

  createWebhook(spec: unknown): Promise<{ id: string } & Record<string, unknown>> {
    return this.expect(201, 'POST', '/v1/webhooks', spec);
  }

  putSecret(name: string, value: string): Promise<unknown> {
    return this.request('PUT', `/v1/secrets/${encodeURIComponent(name)}`, { value }).then((r) => {
      if (r.status >= 300) throw new Error(`PUT secret: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    });
  }

  publish(event: unknown): Promise<{ id: string }> {
    return this.expect(202, 'POST', '/v1/events', event, { 'content-type': 'application/cloudevents+json' });
  }

  publishBatch(events: unknown[]): Promise<unknown> {
    return this.request('POST', '/v1/events/batch', events, { 'content-type': 'application/cloudevents-batch+json' }).then((r) => {
      if (r.status >= 300 && r.status !== 207) throw new Error(`batch: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    });
  }
}
