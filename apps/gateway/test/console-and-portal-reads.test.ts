import { randomUUID } from 'node:crypto';
import { deliveryId, EVENT_TYPES, fixtures } from '@hookstream/schemas';
import { insertAttemptRows, insertDeliveryRows, insertWebhookRow } from '@hookstream/store/testing';
import { waitFor, type Collector } from '@hookstream/test-kit';
import { ADMIN_TOKEN, startHarness, type Harness } from './helpers/harness.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const hourOf = (t: number) => new Date(Math.floor(t / HOUR) * HOUR).toISOString();
const minuteOf = (t: number) => new Date(Math.floor(t / MINUTE) * MINUTE).toISOString();
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

/**
 * Issue 20: the routes the partner portal and the operator console read and act through, against
 * a real gateway, PostgreSQL and Kafka; the audit rows are what the matcher and the worker write.
 */
describe('portal and console routes (issue 20)', () => {
  let h: Harness;
  let key: string;
  let tenantId: string;
  let otherKey: string;
  let otherTenantId: string;
  let webhookId: string;
  let quietWebhookId: string;
  let otherWebhookId: string;
  let deliveries: Collector;
  const now = Date.now();
  const body = fixtures.deliveredBody('user-followed', 'evt-base');
  const dead = ['dl-1', 'dl-2', 'dl-3'];

  beforeAll(async () => {
    h = await startHarness();
    ({ api_key: key, id: tenantId } = await h.createTenant('portal-reads'));
    ({ api_key: otherKey, id: otherTenantId } = await h.createTenant('other-tenant'));
    const create = async (k: string, endpoint: string) =>
      (await h.call('POST', '/v1/webhooks', { key: k, body: { endpoint, registered_events: { email: ['user-followed', 'liked-message'] } } })).body
        .id as string;
    webhookId = await create(key, 'https://a.example/hook');
    quietWebhookId = await create(key, 'https://quiet.example/hook');
    otherWebhookId = await create(otherKey, 'https://other.example/hook');
    const row = (eventId: string, webhook: string, tenant: string, extra: Record<string, unknown>) => ({
      id: deliveryId(eventId, webhook),
      event_id: eventId,
      tenant_id: tenant,
      webhook_id: webhook,
      event_type: 'user-followed',
      body: JSON.stringify(body),
      ...extra,
    });
    await insertDeliveryRows(h.pg.db, [
      row('ok-1', webhookId, tenantId, { status: 'delivered', attempts: 1, created_at: new Date('2026-01-01T10:00:00Z') }),
      row('liked-1', webhookId, tenantId, { status: 'delivered', attempts: 1, event_type: 'liked-message', created_at: new Date('2026-01-02T10:00:00Z') }),
      ...dead.map((e, i) =>
        row(e, webhookId, tenantId, {
          status: 'discarded',
          attempts: 3,
          last_status_code: 500,
          last_error: 'HTTP 500',
          created_at: new Date(`2026-01-0${3 + i}T10:00:00Z`),
          finished_at: new Date(`2026-01-0${3 + i}T11:00:00Z`),
        }),
      ),
      row('dl-other', otherWebhookId, otherTenantId, {
        status: 'discarded',
        attempts: 1,
        last_error: 'the endpoint answered 410',
        created_at: new Date('2026-01-09T10:00:00Z'),
        finished_at: new Date('2026-01-09T10:00:01Z'),
      }),
    ]);
    const attempt = (eventId: string, n: number, at: number, outcome: string, duration: number, extra: Record<string, unknown> = {}) => ({
      delivery_id: deliveryId(eventId, webhookId),
      tenant_id: tenantId,
      webhook_id: webhookId,
      cycle: 0,
      attempt: n,
      started_at: new Date(at),
      duration_ms: duration,
      outcome,
      status_code: outcome === 'delivered' ? 200 : 500,
      ...extra,
    });
    await insertAttemptRows(h.pg.db, [
      // The statistics' window: two attempts half an hour ago, one three hours ago, one outside (30 h).
      attempt('ok-1', 1, now - 30 * MINUTE, 'delivered', 100),
      attempt('liked-1', 1, now - 30 * MINUTE, 'http_error', 300),
      attempt('ok-1', 2, now - 3 * HOUR, 'delivered', 50),
      attempt('liked-1', 2, now - 30 * HOUR, 'delivered', 70),
      // dl-3's attempts, in its second cycle: a replay starts the third.
      attempt('dl-3', 1, Date.parse('2026-01-05T10:59:00Z'), 'http_error', 20, {
        cycle: 1,
        response_excerpt: 'boom',
        request_headers: { authorization: '[redacted]', 'webhook-id': 'x' },
      }),
    ]);
    deliveries = await h.kafka.consume(h.kafka.topics.deliveries);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('GET /v1/event-types lists every catalogue type with its channels, JSON Schema and a valid example', async () => {
    const r = await h.call('GET', '/v1/event-types', { key });
    expect(r.status).toBe(200);
    expect(r.body.data.map((t: { type: string }) => t.type)).toEqual([...EVENT_TYPES]);
    const followed = r.body.data.find((t: { type: string }) => t.type === 'user-followed');
    expect(followed).toMatchObject({ family: 'notification', channel: ['email', 'in-app'], example: fixtures.eventData('user-followed') });
    expect(followed.schema).toMatchObject({ type: 'object', properties: expect.objectContaining({ channels: expect.any(Object) }) });
    expect(followed.description.length).toBeGreaterThan(5);
    expect(r.body.data.find((t: { type: string }) => t.type === 'jive:created')).toMatchObject({ family: 'content', channel: ['content'] });
    expect(r.body.data.find((t: { type: string }) => t.type === 'jive:webhook_created')).toMatchObject({ family: 'system', category: expect.any(String) });
    expect((await h.call('GET', '/v1/event-types')).status).toBe(401);
  });

  it("filters a webhook's deliveries by event type and until (besides status and since)", async () => {
    const list = async (q: string) =>
      (await h.call('GET', `/v1/webhooks/${webhookId}/deliveries?${q}`, { key })).body.list.map((d: { event_id: string }) => d.event_id);
    expect(await list('event_type=liked-message')).toEqual(['liked-1']);
    expect(await list('until=2026-01-03T00:00:00Z')).toEqual(['liked-1', 'ok-1']);
    expect(await list('since=2026-01-02T00:00:00Z&until=2026-01-04T00:00:00Z&event_type=user-followed')).toEqual(['dl-1']);
    const bad = await h.call('GET', `/v1/webhooks/${webhookId}/deliveries?event_type=no-such-type&until=soon`, { key });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['/query/event_type', '/query/until']);
  });

  it('GET /v1/webhooks/{id}/stats answers hourly buckets of the last 24 h with success rate and latency percentiles', async () => {
    const r = await h.call('GET', `/v1/webhooks/${webhookId}/stats?hours=24`, { key });
    expect(r.status).toBe(200);
    expect(r.body.buckets).toHaveLength(24);
    expect(r.body).toMatchObject({ attempts: 3, success_rate: 2 / 3 });
    expect(Date.parse(r.body.to) - Date.parse(r.body.from)).toBe(24 * HOUR);
    const byStart = new Map(r.body.buckets.map((b: { start: string }) => [b.start, b]));
    const recent = byStart.get(hourOf(now - 30 * MINUTE)) as Record<string, unknown>;
    expect(recent).toMatchObject({ attempts: 2, succeeded: 1, failed: 1, p50_ms: 200 });
    expect(recent.p95_ms).toBe(290);
    expect(byStart.get(hourOf(now - 3 * HOUR))).toMatchObject({ attempts: 1, succeeded: 1, failed: 0, p50_ms: 50, p95_ms: 50 });
    const empty = await h.call('GET', `/v1/webhooks/${quietWebhookId}/stats`, { key });
    expect(empty.body).toMatchObject({ attempts: 0, success_rate: null });
    expect(empty.body.buckets.every((b: { attempts: number; p50_ms: unknown }) => b.attempts === 0 && b.p50_ms === null)).toBe(true);
    expect((await h.call('GET', `/v1/webhooks/${webhookId}/stats?hours=0`, { key })).body.details[0].path).toBe('/query/hours');
    expect((await h.call('GET', `/v1/webhooks/${webhookId}/stats`, { key: otherKey })).status).toBe(404);
  });

  it('GET /v1/admin/dead-letters pages newest first, filters by webhook and tenant; one dead letter shows its payload and attempts', async () => {
    const first = await h.call('GET', '/v1/admin/dead-letters?limit=2', { headers: admin });
    expect(first.status).toBe(200);
    expect(first.body.data.map((d: { event_id: string }) => d.event_id)).toEqual(['dl-other', 'dl-3']);
    expect(first.body.data[1]).toEqual({
      delivery_id: deliveryId('dl-3', webhookId),
      webhook_id: webhookId,
      tenant_id: tenantId,
      event_id: 'dl-3',
      event_type: 'user-followed',
      reason: 'HTTP 500',
      last_status_code: 500,
      attempts: 3,
      cycle: 0,
      dead_lettered_at: '2026-01-05T11:00:00.000Z',
    });
    const second = await h.call('GET', `/v1/admin/dead-letters?limit=2&cursor=${first.body.next_cursor}`, { headers: admin });
    expect(second.body.data.map((d: { event_id: string }) => d.event_id)).toEqual(['dl-2', 'dl-1']);
    expect(second.body.next_cursor).toBeNull();
    const ofWebhook = await h.call('GET', `/v1/admin/dead-letters?webhook_id=${otherWebhookId}`, { headers: admin });
    expect(ofWebhook.body.data.map((d: { event_id: string }) => d.event_id)).toEqual(['dl-other']);
    const ofTenant = await h.call('GET', `/v1/admin/dead-letters?tenant_id=${tenantId}`, { headers: admin });
    expect(ofTenant.body.data.map((d: { event_id: string }) => d.event_id)).toEqual(['dl-3', 'dl-2', 'dl-1']);
    const bad = await h.call('GET', '/v1/admin/dead-letters?cursor=nope&webhook_id=1', { headers: admin });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['/query/cursor', '/query/webhook_id']);

    const one = await h.call('GET', `/v1/admin/dead-letters/${deliveryId('dl-3', webhookId)}`, { headers: admin });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ event_id: 'dl-3', payload: body });
    expect(one.body.attempts).toEqual([
      expect.objectContaining({
        cycle: 1,
        attempt: 1,
        status_code: 500,
        duration_ms: 20,
        response_excerpt: 'boom',
        request_headers: { authorization: '[redacted]', 'webhook-id': 'x' },
      }),
    ]);
    expect((await h.call('GET', `/v1/admin/dead-letters/${deliveryId('ok-1', webhookId)}`, { headers: admin })).status).toBe(404);
    // Operator only: a tenant key is not the admin token.
    expect((await h.call('GET', '/v1/admin/dead-letters', { key })).status).toBe(401);
  });

  it('GET /v1/admin/webhooks lists buggy and disabled webhooks', async () => {
    const buggyId = await insertWebhookRow(h.pg.db, {
      tenant_id: tenantId,
      kind: 'notification',
      enabled: true,
      buggy: true,
      consecutive_failures: 7,
      marked_buggy_at: new Date('2026-01-05T00:00:00Z'),
      spec: JSON.stringify({ endpoint: 'https://buggy.example/hook' }),
      fingerprint: `fp-${randomUUID()}`,
    });
    await h.call('PUT', `/v1/webhooks/${quietWebhookId}`, {
      key,
      body: { enabled: false, endpoint: 'https://quiet.example/hook', registered_events: { email: ['user-followed', 'liked-message'] } },
    });
    const buggy = await h.call('GET', '/v1/admin/webhooks?state=buggy', { headers: admin });
    expect(buggy.status).toBe(200);
    expect(buggy.body.data).toEqual([
      expect.objectContaining({
        id: buggyId,
        tenant_id: tenantId,
        state: 'buggy',
        buggy: true,
        endpoint: 'https://buggy.example/hook',
        marked_buggy_at: '2026-01-05T00:00:00.000Z',
        consecutive_failures: 7,
      }),
    ]);
    const disabled = await h.call('GET', '/v1/admin/webhooks?state=disabled', { headers: admin });
    expect(disabled.body.data).toEqual([expect.objectContaining({ id: quietWebhookId, state: 'disabled', enabled: false, disabled_reason: null })]);
    expect((await h.call('GET', '/v1/admin/webhooks?state=sad', { headers: admin })).body.details[0].path).toBe('/query/state');
  });

  it("GET /v1/admin/consumer-lag answers the lag of the installation's groups per partition", async () => {
    const group = `${h.kafka.prefix}matcher`;
    await h.kafka.publish(
      h.kafka.topics.events,
      [0, 1, 2].map((i) => ({ key: `k${i}`, value: '{}', partition: 0 })),
    );
    await h.kafka.admin.setOffsets({ groupId: group, topic: h.kafka.topics.events, partitions: [{ partition: 0, offset: '1' }] });
    // The gateway's own announcements of the webhooks created above are on the topic too.
    const high = (await h.kafka.admin.fetchTopicOffsets(h.kafka.topics.events)).find((p) => p.partition === 0)!.high;
    expect(Number(high)).toBeGreaterThanOrEqual(3);
    const r = await h.call('GET', '/v1/admin/consumer-lag', { headers: admin });
    expect(r.status).toBe(200);
    const row = r.body.data.find((x: { group: string; partition: number }) => x.group === group && x.partition === 0);
    expect(row).toEqual({ group, topic: h.kafka.topics.events, partition: 0, offset: '1', high_watermark: high, lag: Number(high) - 1 });
    expect(r.body.data.every((x: { group: string }) => x.group.startsWith(h.kafka.prefix))).toBe(true);
  });

  it('GET /v1/admin/delivery-rate answers delivered and failed attempts per minute of the last hour', async () => {
    const r = await h.call('GET', '/v1/admin/delivery-rate?minutes=60', { headers: admin });
    expect(r.status).toBe(200);
    expect(r.body.buckets).toHaveLength(60);
    const bucket = r.body.buckets.find((b: { start: string }) => b.start === minuteOf(now - 30 * MINUTE));
    expect(bucket).toEqual({ start: minuteOf(now - 30 * MINUTE), delivered: 1, failed: 1 });
    const total = r.body.buckets.reduce((n: number, b: { delivered: number; failed: number }) => n + b.delivered + b.failed, 0);
    expect(total).toBe(2);
    expect((await h.call('GET', '/v1/admin/delivery-rate?minutes=5000', { headers: admin })).body.details[0].path).toBe('/query/minutes');
  });

  it('replays one dead letter, then every dead letter of a webhook, as new cycles on the deliveries topic (202)', async () => {
    const id = deliveryId('dl-3', webhookId);
    const one = await h.call('POST', `/v1/admin/dead-letters/${id}/replay`, { headers: admin });
    expect([one.status, one.body]).toEqual([202, { replayed: 1 }]);
    await deliveries.waitFor(1);
    const job = deliveries.json<Record<string, unknown>>().find((j) => j.delivery_id === id)!;
    // Its attempts reached cycle 1: the replay is attempt 1 of cycle 2, with the recorded body.
    expect(job).toMatchObject({ delivery_id: id, webhook_id: webhookId, tenant_id: tenantId, attempt: 1, cycle: 2, body });
    expect(deliveries.messages[0]!.headers!['hookstream-replay']!.toString()).toBe('api');
    expect((await h.call('POST', `/v1/admin/dead-letters/${deliveryId('ok-1', webhookId)}/replay`, { headers: admin })).status).toBe(404);

    const all = await h.call('POST', `/v1/admin/webhooks/${webhookId}/dead-letters/replay`, { headers: admin });
    expect(all).toMatchObject({ status: 202, body: { replayed: 3 } });
    await deliveries.waitFor(4);
    expect(
      deliveries
        .json<{ event_id: string }>()
        .slice(1)
        .map((j) => j.event_id),
    ).toEqual(['dl-1', 'dl-2', 'dl-3']);
  });

  it('POST /v1/webhooks/{id}/recover replays what failed in the window, scoped to the tenant', async () => {
    const before = deliveries.messages.length;
    const r = await h.call('POST', `/v1/webhooks/${webhookId}/recover`, { key, body: { since: '2026-01-04T00:00:00Z', until: '2026-01-05T00:00:00Z' } });
    expect(r).toMatchObject({ status: 202, body: { replayed: 1 } });
    await deliveries.waitFor(before + 1);
    expect(deliveries.json<{ event_id: string; cycle: number }>()[before]).toMatchObject({ event_id: 'dl-2', cycle: 1 });
    const bad = await h.call('POST', `/v1/webhooks/${webhookId}/recover`, { key, body: { since: 'monday' } });
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].path).toBe('/since');
    const reversed = await h.call('POST', `/v1/webhooks/${webhookId}/recover`, { key, body: { since: '2026-01-05T00:00:00Z', until: '2026-01-04T00:00:00Z' } });
    expect(reversed.body.details[0].path).toBe('/until');
    expect((await h.call('POST', `/v1/webhooks/${webhookId}/recover`, { key: otherKey, body: { since: '2026-01-01T00:00:00Z' } })).status).toBe(404);
    expect((await h.call('POST', `/v1/webhooks/${quietWebhookId}/recover`, { key, body: { since: '2026-01-01T00:00:00Z' } })).status).toBe(409);
  });

  it('POST /v1/webhooks/{id}/test-events puts the example event on events marked for that webhook only (202); unknown type 400, another tenant 404', async () => {
    const events = await h.kafka.consume(h.kafka.topics.events);
    const r = await h.call('POST', `/v1/webhooks/${webhookId}/test-events`, { key, body: { type: 'liked-message' } });
    expect(r.status).toBe(202);
    const record = await waitFor(() => events.messages.find((m) => JSON.parse(m.value!.toString()).id === r.body.event_id), { timeoutMs: 20_000 });
    expect(record.headers!['hookstream-test-webhook']!.toString()).toBe(webhookId);
    expect(Number(record.headers!['hookstream-webhooks-seq']!.toString())).toBeGreaterThan(0);
    expect(JSON.parse(record.value!.toString())).toMatchObject({
      type: 'liked-message',
      tenantid: tenantId,
      data: { ...fixtures.eventData('liked-message'), event_id: r.body.event_id },
    });
    // Only the test event carries the marker (the gateway's own announcements on the topic do not).
    expect(events.messages.filter((m) => m.headers?.['hookstream-test-webhook']).length).toBe(1);
    const bad = await h.call('POST', `/v1/webhooks/${webhookId}/test-events`, { key, body: { type: 'nope' } });
    expect([bad.status, bad.body.details[0].path]).toEqual([400, '/type']);
    expect((await h.call('POST', `/v1/webhooks/${webhookId}/test-events`, { key: otherKey, body: { type: 'liked-message' } })).status).toBe(404);
    await events.stop();
  });

  it("PUT /v1/admin/webhooks/{id}/enable re-enables any tenant's webhook as the tenant's enable does", async () => {
    const r = await h.call('PUT', `/v1/admin/webhooks/${quietWebhookId}/enable`, { headers: admin });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: quietWebhookId, tenant_id: tenantId, enabled: true, buggy: false, recovered_deliveries: 0 });
    await waitFor(async () => (await h.call('GET', `/v1/webhooks/${quietWebhookId}`, { key })).body.enabled === true, { timeoutMs: 10_000 });
    expect((await h.call('PUT', `/v1/admin/webhooks/${randomUUID()}/enable`, { headers: admin })).status).toBe(404);
  });
});
