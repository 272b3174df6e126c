import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { validateEvent } from '@hookstream/schemas';
import { startReceiver, waitFor, type Receiver, type TestSystem } from '@hookstream/test-kit';
import { candidates, type Candidate } from './support/hostile.js';
import { rawRequest } from './support/raw-http.js';
import { recordResults } from './support/results.js';
import { event, newTenant, notificationWebhook, startReliabilitySystem, type Tenant } from './support/system.js';

const RUNS = Number(process.env.RELIABILITY_FUZZ_RUNS ?? 150);
/** A body larger than this is over the route's limit at the gateway's defaults (EVENT_MAX_BYTES 256 KiB plus the envelope allowance, BATCH_MAX_BYTES 8 MiB, API_BODY_MAX_BYTES 64 KiB). */
const overLimitFrom = (path: string) => (path === '/v1/events/batch' ? 8 * 1024 * 1024 : 512 * 1024);

interface Answer {
  status: number;
  body: unknown;
}

describe('hostile input', () => {
  let system: TestSystem;
  let receiver: Receiver;
  let tenant: Tenant;
  /** Event ids the gateway said it accepted. */
  const accepted = new Set<string>();
  const statuses: Record<string, Record<number, number>> = {};

  beforeAll(async () => {
    [system, receiver] = await Promise.all([startReliabilitySystem({ workers: 0, partitions: 2 }), startReceiver()]);
    tenant = await newTenant(system, 'fuzz');
  });
  afterAll(async () => {
    recordResults({ hostile_input: { runs_per_property: RUNS, statuses } });
    await system?.stop();
    await receiver?.close();
  });

  async function send(path: string, c: Candidate, headers: Record<string, string> = {}): Promise<Answer> {
    let res: Response;
    try {
      res = await fetch(`${system.gateway.baseUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tenant.apiKey}`, ...(c.contentType !== undefined ? { 'content-type': c.contentType } : {}), ...headers },
        body: c.body,
      });
    } catch (e) {
      // A body over the route's limit is refused with 413 and `connection: close` before it is
      // read (the gateway does not read megabytes it will refuse). When the client is still
      // writing, the close can reach it as EPIPE/ECONNRESET before the 413 is read: a refusal,
      // seen through TCP. Anything else (or any body within the limit) is a failure.
      const code = ((e as Error).cause as { code?: string } | undefined)?.code;
      if (c.body.length <= overLimitFrom(path) || (code !== 'EPIPE' && code !== 'ECONNRESET')) throw e;
      const byStatus = (statuses[`${path} ${c.kind}`] ??= {});
      byStatus[413] = (byStatus[413] ?? 0) + 1;
      return { status: 413, body: { error: `connection closed while sending ${c.body.length} bytes (${code})` } };
    }
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // checked below
    }
    const byStatus = (statuses[`${path} ${c.kind}`] ??= {});
    byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
    return { status: res.status, body };
  }

  /** The contract of every answer: valid input is accepted, anything else is a 4xx with a JSON error; never a 5xx. */
  function expectSound(c: Candidate, a: Answer, okStatus: number) {
    const context = `${c.kind} (${c.body.length} bytes, ${c.contentType ?? 'no content type'}) -> ${a.status} ${JSON.stringify(a.body).slice(0, 300)}`;
    if (a.status >= 500) throw new Error(`5xx for ${context}`);
    if (c.valid && a.status !== okStatus) throw new Error(`valid input refused: ${context}`);
    if (a.status >= 400) {
      const error = (a.body as { error?: unknown } | undefined)?.error;
      if (typeof error !== 'string' || error.length === 0) throw new Error(`4xx without a JSON error: ${context}`);
    }
  }

  const validEvent = () => event('liked-message', tenant.id) as unknown as Record<string, unknown>;

  it('POST /v1/events answers every hostile body with a 4xx and a JSON error, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(candidates(validEvent, 'application/cloudevents+json'), async (c) => {
        const a = await send('/v1/events', c);
        expectSound(c, a, 202);
        if (a.status === 202) accepted.add((a.body as { id: string }).id);
      }),
      { numRuns: RUNS },
    );
  });

  it('POST /v1/events/batch likewise, item by item', async () => {
    const validBatch = () => Array.from({ length: 3 }, validEvent) as unknown as Record<string, unknown>;
    await fc.assert(
      fc.asyncProperty(candidates(validBatch, 'application/cloudevents-batch+json'), async (c) => {
        const a = await send('/v1/events/batch', c);
        expectSound(c, a, 202);
        if (a.status === 202 || a.status === 207) {
          for (const r of (a.body as { results: { id?: string; status: string }[] }).results) if (r.status === 'accepted' && r.id) accepted.add(r.id);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('POST /v1/webhooks likewise', async () => {
    const validSpec = () => notificationWebhook(receiver, `/fuzz/${randomUUID()}`, ['liked-message']) as unknown as Record<string, unknown>;
    await fc.assert(
      fc.asyncProperty(candidates(validSpec, 'application/json'), async (c) => {
        const a = await send('/v1/webhooks', c);
        // A mutation can still be valid (an optional field dropped): 201; a repeated spec: 409.
        expectSound(c, a, 201);
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses header injection and request smuggling attempts with a 4xx, and keeps serving', async () => {
    const port = system.gateway.port;
    const body = JSON.stringify(validEvent());
    const auth = `Bearer ${tenant.apiKey}`;
    const attempts: Record<string, string> = {
      'CR LF in a header value': `POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Type: application/cloudevents+json\r\nX-Note: a\rInjected: yes\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      'NUL in a header value': `POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\u0000x\r\nContent-Type: application/cloudevents+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      'bare LF line ending in a value': `POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Type: application/cloudevents+json\nX-Evil: 1\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      'two Content-Length headers': `POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Type: application/cloudevents+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Length: 5\r\n\r\n${body}`,
      'Transfer-Encoding with Content-Length': `POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Type: application/cloudevents+json\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\nGET /v1/tenants HTTP/1.1\r\nHost: x\r\n\r\n`,
      'obsolete line folding': `POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Type: application/cloudevents+json\r\n  ; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      'oversized header': `POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nX-Big: ${'a'.repeat(70_000)}\r\nContent-Length: 2\r\n\r\n{}`,
      'CR LF in a ce- binary-mode attribute': `POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Type: application/json\r\nce-specversion: 1.0\r\nce-type: created-message\r\nce-id: x\r\nce-source: /s\rce-tenantid: ${randomUUID()}\r\nContent-Length: 2\r\n\r\n{}`,
      'space before the colon': `POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization : ${auth}\r\nContent-Type: application/cloudevents+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    };
    const answers: Record<string, number | string> = {};
    for (const [name, bytes] of Object.entries(attempts)) {
      const a = await rawRequest(port, bytes);
      answers[name] = a.status ?? 'closed';
      expect({ name, status: a.status }).toEqual({ name, status: expect.any(Number) });
      expect(a.status! >= 400 && a.status! < 500).toBe(true);
      expect(typeof (JSON.parse(a.body || 'null') as { error?: unknown } | null)?.error).toBe('string');
    }
    statuses['raw header attacks'] = answers as unknown as Record<number, number>;
    expect((await fetch(`${system.gateway.baseUrl}/healthz`)).status).toBe(200);
  });

  it('lets nothing invalid reach Kafka, and the gateway is still up', async () => {
    const records = await system.kafka.consume(system.kafka.topics.events);
    // Everything accepted is on the topic (plus the webhook lifecycle events of the webhooks created).
    await waitFor(() => accepted.size > 0 && [...accepted].every((id) => ids().has(id)), { timeoutMs: 30_000, what: 'the accepted events on the topic' });
    function ids() {
      return new Set(records.json<{ id?: string }>().map((r) => r.id ?? ''));
    }
    const invalid = records.messages
      .map((m) => ({ offset: m.offset, v: validateEvent(JSON.parse(m.value?.toString('utf8') ?? 'null')) }))
      .filter((x) => !x.v.ok);
    expect(invalid).toEqual([]);
    // No replacement characters from a lenient decoding of bad UTF-8.
    expect(records.messages.filter((m) => m.value?.toString('utf8').includes('\ufffd'))).toEqual([]);
    expect(system.gateway.child.exitCode).toBeNull();
    expect((await fetch(`${system.gateway.opsUrl}/readyz`)).status).toBe(200);
  });

  it('sends malformed records written straight to the events topic to events.invalid, with the reason', async () => {
    const good = event('liked-message', tenant.id);
    const bad: Array<{ value: string | Buffer | null; reason: string }> = [
      { value: 'not json {', reason: 'not_json' },
      { value: Buffer.from([0xff, 0xfe, 0x00, 0x7b]), reason: 'not_json' },
      { value: null, reason: 'not_json' },
      { value: JSON.stringify({ ...good, id: randomUUID(), specversion: '0.3' }), reason: 'unsupported_version' },
      { value: JSON.stringify({ ...good, id: randomUUID(), type: 'no-such-type' }), reason: 'unknown_type' },
      { value: JSON.stringify({ ...good, id: randomUUID(), tenantid: undefined }), reason: 'missing_tenantid' },
      { value: JSON.stringify({ ...good, id: randomUUID(), tenantid: 'not-a-uuid' }), reason: 'unknown_tenant' },
      { value: JSON.stringify({ ...good, id: randomUUID(), source: 42 }), reason: 'invalid_envelope' },
      { value: JSON.stringify({ ...good, id: randomUUID(), data: { nonsense: [1, 2, 3] } }), reason: 'invalid_data' },
      // Deep but well-formed JSON: parsed, and refused as an envelope (not an object).
      { value: `${'['.repeat(100_000)}${']'.repeat(100_000)}`, reason: 'invalid_envelope' },
      { value: JSON.stringify([good]), reason: 'invalid_envelope' },
    ];
    const invalidTopic = await system.kafka.consume(system.kafka.topics.eventsInvalid);
    // Raw bytes on purpose, through the Publisher.
    await system.kafka.publish(
      system.kafka.topics.events,
      bad.map((b, i) => ({ key: `fuzz:${i}`, value: b.value })),
    );
    await invalidTopic.waitFor(bad.length, 30_000);
    const got = invalidTopic.json<{ reason: string; source?: { offset?: unknown } }>();
    expect(got).toHaveLength(bad.length);
    const reasons = got.map((g) => g.reason).sort();
    expect(reasons).toEqual(bad.map((b) => b.reason).sort());
    expect(system.matchers[0]!.child.exitCode).toBeNull();
    expect((await fetch(`${system.matchers[0]!.opsUrl}/readyz`)).status).toBe(200);
  });
});
