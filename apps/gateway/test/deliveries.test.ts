import { randomUUID } from 'node:crypto';
import { deliveryId, fixtures, validateDeliveryJob } from '@hookstream/schemas';
import { insertAttemptRows, insertDeliveryRows, insertEventRows } from '@hookstream/store/testing';
import type { Collector } from '@hookstream/test-kit';
import { startHarness, type Harness } from './helpers/harness.js';

describe('delivery history and manual retry', () => {
  let h: Harness;
  let key: string;
  let tenantId: string;
  let otherKey: string;
  let webhookId: string;
  let otherWebhookId: string;
  let deliveries: Collector;
  const eventId = randomUUID();
  const body = fixtures.deliveredBody('user-followed', eventId);

  beforeAll(async () => {
    h = await startHarness();
    ({ api_key: key, id: tenantId } = await h.createTenant('partner-ops'));
    ({ api_key: otherKey } = await h.createTenant('intruder'));
    webhookId = (await h.call('POST', '/v1/webhooks', { key, body: { endpoint: 'https://a.example/hook', registered_events: { email: ['user-followed'] } } }))
      .body.id;
    otherWebhookId = (
      await h.call('POST', '/v1/webhooks', { key, body: { endpoint: 'https://b.example/hook', registered_events: { 'in-app': ['user-followed'] } } })
    ).body.id;
    // What the matcher and the worker would have written.
    await insertEventRows(h.pg.db, {
      tenant_id: tenantId,
      id: eventId,
      type: 'user-followed',
      source: 'https://publisher.example',
      matched_webhooks: [webhookId, otherWebhookId],
    });
    const rows = [
      {
        id: deliveryId(eventId, webhookId),
        event_id: eventId,
        status: 'retrying',
        attempts: 2,
        last_status_code: 503,
        created_at: new Date('2026-01-01T10:00:00Z'),
        body,
      },
      {
        id: deliveryId('evt-2', webhookId),
        event_id: 'evt-2',
        status: 'delivered',
        attempts: 1,
        last_status_code: 200,
        created_at: new Date('2026-01-02T10:00:00Z'),
        body,
      },
      {
        id: deliveryId('evt-3', webhookId),
        event_id: 'evt-3',
        status: 'discarded',
        attempts: 6,
        last_status_code: 410,
        created_at: new Date('2026-01-03T10:00:00Z'),
        body: null,
      },
    ];
    await insertDeliveryRows(
      h.pg.db,
      rows.map((r) => ({ ...r, tenant_id: tenantId, webhook_id: webhookId, event_type: 'user-followed', body: r.body ? JSON.stringify(r.body) : null })),
    );
    const first = deliveryId(eventId, webhookId);
    await insertAttemptRows(h.pg.db, [
      {
        delivery_id: first,
        tenant_id: tenantId,
        webhook_id: webhookId,
        cycle: 0,
        attempt: 1,
        started_at: new Date('2026-01-01T10:00:00Z'),
        duration_ms: 120,
        outcome: 'failed',
        status_code: 500,
        error_class: 'http_status',
        error_message: 'HTTP 500',
        response_excerpt: 'oops',
        retry_after_ms: 2000,
        request_headers: { 'webhook-attempt': '1', authorization: '[redacted]' },
      },
      {
        delivery_id: first,
        tenant_id: tenantId,
        webhook_id: webhookId,
        cycle: 0,
        attempt: 2,
        started_at: new Date('2026-01-01T10:00:02Z'),
        duration_ms: 10_000,
        outcome: 'failed',
        status_code: null,
        error_class: 'timeout',
        error_message: 'no response within 10000 ms',
        response_excerpt: null,
      },
    ]);
    deliveries = await h.kafka.consume(h.kafka.topics.deliveries);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('lists the deliveries of a webhook, newest first, filtered by status and since, paginated', async () => {
    const all = await h.call('GET', `/v1/webhooks/${webhookId}/deliveries`, { key });
    expect(all.status).toBe(200);
    expect(all.body.list.map((d: { event_id: string }) => d.event_id)).toEqual(['evt-3', 'evt-2', eventId]);
    expect(all.body.list[2]).toMatchObject({
      id: deliveryId(eventId, webhookId),
      status: 'retrying',
      attempts: 2,
      last_status_code: 503,
      webhook_id: webhookId,
    });
    const delivered = await h.call('GET', `/v1/webhooks/${webhookId}/deliveries?status=delivered`, { key });
    expect(delivered.body.list.map((d: { event_id: string }) => d.event_id)).toEqual(['evt-2']);
    const since = await h.call('GET', `/v1/webhooks/${webhookId}/deliveries?since=2026-01-02T00:00:00Z`, { key });
    expect(since.body.list).toHaveLength(2);
    const page = await h.call('GET', `/v1/webhooks/${webhookId}/deliveries?startIndex=1&count=1`, { key });
    expect(page.body).toMatchObject({ startIndex: 1, itemsPerPage: 1, list: [expect.objectContaining({ event_id: 'evt-2' })] });
    expect(page.body.links.next).toContain('startIndex=2');
    expect(page.body.links.previous).toContain('startIndex=0');
    expect((await h.call('GET', `/v1/webhooks/${webhookId}/deliveries?status=lost`, { key })).body.details[0].path).toBe('/query/status');
    expect((await h.call('GET', `/v1/webhooks/${webhookId}/deliveries?since=yesterday`, { key })).body.details[0].path).toBe('/query/since');
    expect((await h.call('GET', `/v1/webhooks/${webhookId}/deliveries`, { key: otherKey })).status).toBe(404);
    expect((await h.call('GET', `/v1/webhooks/${randomUUID()}/deliveries`, { key })).status).toBe(404);
  });

  it('shows one delivery with all its attempts', async () => {
    const r = await h.call('GET', `/v1/deliveries/${deliveryId(eventId, webhookId)}`, { key });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ event_id: eventId, status: 'retrying', body });
    expect(r.body.attempts).toEqual([
      {
        cycle: 0,
        attempt: 1,
        started_at: '2026-01-01T10:00:00.000Z',
        duration_ms: 120,
        outcome: 'failed',
        status_code: 500,
        error: { class: 'http_status', message: 'HTTP 500' },
        response_excerpt: 'oops',
        retry_after_ms: 2000,
        request_headers: { 'webhook-attempt': '1', authorization: '[redacted]' },
      },
      {
        cycle: 0,
        attempt: 2,
        started_at: '2026-01-01T10:00:02.000Z',
        duration_ms: 10_000,
        outcome: 'failed',
        status_code: null,
        error: { class: 'timeout', message: 'no response within 10000 ms' },
        response_excerpt: null,
        retry_after_ms: null,
        request_headers: null,
      },
    ]);
    expect((await h.call('GET', `/v1/deliveries/${deliveryId(eventId, webhookId)}`, { key: otherKey })).status).toBe(404);
    expect((await h.call('GET', `/v1/deliveries/${randomUUID()}`, { key })).status).toBe(404);
  });

  it('re-queues a delivery now as a new cycle, keyed by webhook id (202)', async () => {
    const id = deliveryId(eventId, webhookId);
    const r = await h.call('POST', `/v1/deliveries/${id}/retry`, { key });
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ delivery_id: id, cycle: 1, attempt: 1 });
    await deliveries.waitFor(1);
    const msg = deliveries.messages.find((m) => JSON.parse(m.value!.toString()).delivery_id === id)!;
    expect(msg.key!.toString()).toBe(webhookId);
    const job = JSON.parse(msg.value!.toString());
    expect(validateDeliveryJob(job).ok).toBe(true);
    expect(job).toMatchObject({
      delivery_id: id,
      event_id: eventId,
      tenant_id: tenantId,
      webhook_id: webhookId,
      event_type: 'user-followed',
      attempt: 1,
      cycle: 1,
      body,
    });
    expect((await h.call('POST', `/v1/deliveries/${deliveryId('evt-3', webhookId)}/retry`, { key })).status).toBe(409);
    expect((await h.call('POST', `/v1/deliveries/${id}/retry`, { key: otherKey })).status).toBe(404);
  });

  it('shows which webhooks an event matched and each delivery status (pending when not recorded yet)', async () => {
    const r = await h.call('GET', `/v1/events/${eventId}`, { key });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: eventId, type: 'user-followed', matched: true });
    expect(r.body.deliveries).toEqual([
      expect.objectContaining({ webhook_id: webhookId, delivery_id: deliveryId(eventId, webhookId), status: 'retrying', attempts: 2 }),
      expect.objectContaining({ webhook_id: otherWebhookId, delivery_id: deliveryId(eventId, otherWebhookId), status: 'pending', attempts: 0 }),
    ]);
    expect((await h.call('GET', `/v1/events/${eventId}`, { key: otherKey })).status).toBe(404);
  });
});
