import { fixtures, type CloudEvent, type DeadLetter } from '@hookstream/schemas';
import { reenableWebhook } from '@hookstream/store';
import { webhookRow } from '@hookstream/store/testing';
import { startReceiver, waitFor, type Collector, type Receiver, type ReceiverOptions } from '@hookstream/test-kit';
import { attemptRows, createHarness, deliveryRow, insertWebhook, job, produceJobs, type Harness } from './support/harness.js';

/** Issue 18 points 4 and 5: receivers steer delivery (410, Retry-After, throttling) and every request says which attempt it is. */
describe('receivers steer delivery', () => {
  let h: Harness;
  let dlq: Collector;
  let events: Collector;
  const receivers: Receiver[] = [];
  const request = { ...fixtures.webhookRequests.notificationToken, auth_config: { token: 'steering-test-token' } };

  beforeAll(async () => {
    h = await createHarness();
    // Throttled and gone endpoints discard many deliveries; the buggy mark is not what these tests look at.
    await h.startWorker({ BUGGY_AFTER_DISCARDS: '1000' });
    [dlq, events] = await Promise.all([h.kafka.consume(h.kafka.topics.deliveriesDlq), h.kafka.consume(h.kafka.topics.events)]);
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await h.close();
  });

  async function receiver(reply: NonNullable<ReceiverOptions['respond']>) {
    const r = await startReceiver({ respond: reply });
    receivers.push(r);
    return r;
  }

  it('410 Gone: the webhook is disabled at once, pending deliveries (queued or waiting on a retry tier) are discarded with reason gone, webhook_disabled is published, and enabling it again works', async () => {
    let gone = true;
    const r = await receiver(() => (gone ? { status: 410, body: 'retired' } : { status: 200 }));
    const wh = await insertWebhook(h.pg.db, h.tenantId, request, { endpoint: r.url, max_in_flight: 1, retry_base: 1, retry_max_count: 5 });
    // One waiting on a retry tier, due after the 410 has disabled the webhook.
    const retrying = job(h.tenantId, wh.id, 'replied-message', { attempt: 2, due_at: Date.now() + 2500 });
    const queued = [1, 2, 3, 4].map(() => job(h.tenantId, wh.id));
    await produceJobs(h.kafka, [retrying, ...queued]);

    const disabled = await waitFor(() => events.json<CloudEvent>().find((e) => e.type === 'jive:webhook_disabled' && e.subject === wh.id), {
      what: 'webhook_disabled',
      timeoutMs: 15_000,
    });
    expect(disabled).toMatchObject({ tenantid: h.tenantId, data: { verb: 'jive:webhook_disabled', reason: 'gone', jive: { objectID: wh.id } } });
    expect(await webhookRow(h.pg.db, wh.id)).toMatchObject({ enabled: false, disabled_reason: 'gone' });

    for (const j of [...queued, retrying]) {
      await waitFor(async () => (await deliveryRow(h.pg.db, j.delivery_id))?.status === 'discarded', { what: `discarded ${j.delivery_id}`, timeoutMs: 15_000 });
    }
    const letters = await waitFor(
      () => {
        const mine = dlq.json<DeadLetter>().filter((l) => l.job?.webhook_id === wh.id);
        return mine.length === 5 ? mine : undefined;
      },
      { what: 'five dead letters', timeoutMs: 15_000 },
    );
    expect(new Set(letters.map((l) => l.reason))).toEqual(new Set(['gone']));
    // "Stops receiving within one attempt": the first 410 is the only call the endpoint ever got.
    expect(r.requests).toHaveLength(1);
    expect(events.json<CloudEvent>().filter((e) => e.type === 'jive:webhook_disabled' && e.subject === wh.id)).toHaveLength(1);

    // Enabling it again (as PUT /v1/webhooks/{id}/enable does) clears the reason and deliveries resume.
    gone = false;
    expect(await reenableWebhook(h.pg.db, wh.id)).toMatchObject({ enabled: true, disabled_reason: null });
    const after = job(h.tenantId, wh.id);
    await waitFor(
      async () => {
        if (!r.byId(after.delivery_id).length) await produceJobs(h.kafka, [after]);
        return (await deliveryRow(h.pg.db, after.delivery_id))?.status === 'delivered';
      },
      { what: 'delivered after enable', timeoutMs: 15_000, intervalMs: 1000 },
    );
  });

  it('503 with Retry-After: 3: the next attempt is 3 s or later after the answer, recorded in the attempt; each request carries webhook-attempt and user-agent, and the history shows its headers with credentials redacted', async () => {
    // Taken just before the answer is written: the worker cannot have read the answer earlier.
    let answering = 0;
    const r = await receiver((_req, n) => {
      if (n > 1) return { status: 200 };
      answering = Date.now();
      return { status: 503, headers: { 'retry-after': '3' }, body: 'busy' };
    });
    const wh = await insertWebhook(h.pg.db, h.tenantId, request, { endpoint: r.url, retry_base: 1, retry_max_count: 3 });
    const j = job(h.tenantId, wh.id);
    await produceJobs(h.kafka, [j]);
    await waitFor(async () => (await deliveryRow(h.pg.db, j.delivery_id))?.status === 'delivered', { what: 'delivered after Retry-After', timeoutMs: 20_000 });
    const calls = r.byId(j.delivery_id);
    expect(calls).toHaveLength(2);
    const attempts = await attemptRows(h.pg.db, j.delivery_id);
    // Seen by the receiver (answer written -> next request read) and by the worker (answer read -> next call started).
    const gap = calls[1]!.receivedAt - answering;
    const workerGap = new Date(attempts[1]!.started_at).getTime() - (new Date(attempts[0]!.started_at).getTime() + Number(attempts[0]!.duration_ms));
    process.stderr.write(
      `[steering] 503 Retry-After: 3; next attempt ${gap} ms after the answer at the receiver, ${workerGap} ms in the worker's attempt rows (normal back-off 1000 ms)\n`,
    );
    expect(gap).toBeGreaterThanOrEqual(3000);
    // duration_ms is rounded to the millisecond.
    expect(workerGap).toBeGreaterThanOrEqual(2999);

    expect(calls.map((c) => c.headers['webhook-attempt'])).toEqual(['1', '2']);
    expect(calls[0]!.headers['user-agent']).toMatch(/^hookstream\/\d+\.\d+\.\d+/);

    expect(attempts.map((a) => [a.attempt, a.status_code, a.retry_after_ms])).toEqual([
      [1, 503, 3000],
      [2, 200, null],
    ]);
    const sent = attempts[0]!.request_headers as Record<string, string>;
    expect(sent).toMatchObject({
      'webhook-attempt': '1',
      'webhook-id': j.delivery_id,
      'x-openweb-notification-event-webhook-token': '[redacted]',
      'content-type': 'application/json',
    });
    expect(sent['user-agent']).toMatch(/^hookstream\//);
    expect(JSON.stringify(attempts)).not.toContain('steering-test-token');
  });

  it('429/503 throttle that endpoint only: its concurrency halves down to 1 while fast endpoints all complete', async () => {
    // The throttled endpoint holds each call 300 ms and answers 503 to every one of them.
    const slow = await receiver(() => ({ status: 503, delayMs: 300, body: 'overloaded' }));
    const throttled = await insertWebhook(h.pg.db, h.tenantId, request, { endpoint: slow.url, max_in_flight: 4, retry_max_count: 0 });
    const fastReceivers = await Promise.all([0, 1, 2].map(() => receiver(() => ({ status: 200 }))));
    const fast = await Promise.all(fastReceivers.map((fr) => insertWebhook(h.pg.db, h.tenantId, request, { endpoint: fr.url, max_in_flight: 4 })));
    const slowJobs = Array.from({ length: 16 }, () => job(h.tenantId, throttled.id));
    const fastJobs = fast.flatMap((w) => Array.from({ length: 20 }, () => job(h.tenantId, w.id)));
    await produceJobs(h.kafka, [...slowJobs, ...fastJobs]);
    await waitFor(
      async () => {
        for (const j of fastJobs) if ((await deliveryRow(h.pg.db, j.delivery_id))?.status !== 'delivered') return false;
        return true;
      },
      { what: 'every fast delivery', timeoutMs: 20_000 },
    );
    const slowSoFar = slow.requests.length;
    process.stderr.write(`[steering] fast endpoints done (60 deliveries) while the throttled one had received ${slowSoFar} of 16\n`);
    expect(slowSoFar).toBeLessThan(16);
    await waitFor(() => slow.requests.length === 16 && slow.requests.every((q) => q.answeredAt !== undefined), {
      what: 'all throttled calls',
      timeoutMs: 20_000,
    });
    // The first wave ran at max_in_flight (4); once it was answered 503, one call at a time.
    const arrivals = slow.requests.map((q) => q.receivedAt);
    const firstWaveAnswered = Math.max(...slow.requests.slice(0, 4).map((q) => q.answeredAt!));
    const later = slow.requests.filter((q) => q.receivedAt >= firstWaveAnswered);
    expect(later.length).toBeGreaterThanOrEqual(10);
    for (const q of later) {
      const overlapping = slow.requests.filter((o) => o !== q && o.receivedAt <= q.receivedAt && (o.answeredAt ?? Infinity) > q.receivedAt);
      expect(overlapping.map((o) => o.receivedAt)).toEqual([]);
    }
    expect(arrivals.slice(0, 4).every((t) => t < firstWaveAnswered)).toBe(true);
  });
});
