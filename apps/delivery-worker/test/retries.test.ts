import { fixtures, validateDeadLetter, type DeadLetter } from '@hookstream/schemas';
import { rowsWhere } from '@hookstream/store/testing';
import { startReceiver, waitFor, type Collector, type Receiver, type ReceiverOptions } from '@hookstream/test-kit';
import { attemptRows, createHarness, deliveryRow, insertWebhook, job, produceJobs, type Harness } from './support/harness.js';

describe('retries through the retry topics', () => {
  let h: Harness;
  let dlq: Collector;
  const receivers: Receiver[] = [];
  const request = { ...fixtures.webhookRequests.notificationToken, auth_config: { token: 'retry-test-token' } };

  beforeAll(async () => {
    h = await createHarness();
    await h.startWorker({ BUGGY_AFTER_DISCARDS: '100' });
    dlq = await h.kafka.consume(h.kafka.topics.deliveriesDlq);
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

  it('retries a receiver that fails twice, retry_base^n seconds apart, never early, and audits all three attempts', async () => {
    const r = await receiver((_req, n) => ({ status: n <= 2 ? 503 : 200, body: n <= 2 ? 'busy' : 'ok' }));
    const wh = await insertWebhook(h.pg.db, h.tenantId, request, { endpoint: r.url, retry_base: 1, retry_max_count: 5 });
    const j = job(h.tenantId, wh.id);
    await produceJobs(h.kafka, [j]);
    await waitFor(async () => (await deliveryRow(h.pg.db, j.delivery_id))?.status === 'delivered', { what: 'delivered after retries', timeoutMs: 20_000 });
    const calls = r.byId(j.delivery_id);
    expect(calls).toHaveLength(3);
    // Same delivery id on every attempt; retry_base 1 => each retry is due 1 s after the failure.
    const gaps = [calls[1]!.receivedAt - calls[0]!.answeredAt!, calls[2]!.receivedAt - calls[1]!.answeredAt!];
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(990);
    process.stderr.write(`[retries] retry gaps after the failed answer: ${gaps.join(' ms, ')} ms (due after 1000 ms)\n`);
    const attempts = await attemptRows(h.pg.db, j.delivery_id);
    expect(attempts.map((a) => [a.attempt, a.outcome, a.status_code, a.response_excerpt])).toEqual([
      [1, 'http_error', 503, 'busy'],
      [2, 'http_error', 503, 'busy'],
      [3, 'delivered', 200, 'ok'],
    ]);
    expect(await deliveryRow(h.pg.db, j.delivery_id)).toMatchObject({ status: 'delivered', attempts: 3, last_status_code: 200 });
  });

  it('after the last retry fails, writes the job with its history to deliveries.dlq and marks it discarded', async () => {
    const r = await receiver(() => ({ status: 500, body: 'x'.repeat(5000) }));
    const wh = await insertWebhook(h.pg.db, h.tenantId, request, { endpoint: r.url, retry_base: 1, retry_max_count: 2 });
    const j = job(h.tenantId, wh.id);
    await produceJobs(h.kafka, [j]);
    const letter = await waitFor(() => dlq.json<DeadLetter>().find((l) => l.job?.delivery_id === j.delivery_id), { what: 'dead letter', timeoutMs: 20_000 });
    expect(validateDeadLetter(letter).ok).toBe(true);
    expect(letter.reason).toBe('retries_exhausted');
    expect(letter.attempts.map((a) => [a.attempt, a.status_code])).toEqual([
      [1, 500],
      [2, 500],
      [3, 500],
    ]);
    expect(letter.job.body).toEqual(j.body);
    expect(r.byId(j.delivery_id)).toHaveLength(3);
    await waitFor(async () => (await deliveryRow(h.pg.db, j.delivery_id))?.status === 'discarded', { what: 'discarded row' });
    expect(await deliveryRow(h.pg.db, j.delivery_id)).toMatchObject({ status: 'discarded', attempts: 3, last_status_code: 500 });
    const attempts = await attemptRows(h.pg.db, j.delivery_id);
    expect(attempts).toHaveLength(3);
    // The audit keeps at most 1 KiB of a response.
    expect(String(attempts[0]!.response_excerpt)).toHaveLength(1024);
  });

  it('holds a job across tiers (5s, then 1s) and fires it not before, and within 1 s of, its due time', async () => {
    const r = await receiver(() => ({ status: 200 }));
    const wh = await insertWebhook(h.pg.db, h.tenantId, request, { endpoint: r.url });
    // Due in 8.5 s: the hop happens only if the worker reads the job back from the 5 s tier with
    // more than IN_MEMORY_WAIT_MS (5 s) still to go, so this leaves 3.5 s for the first read and
    // the tier produce on a loaded machine (6.5 s left only 1.5 s, and failed once in CI).
    const dueAt = Date.now() + 8500;
    const j = job(h.tenantId, wh.id, 'replied-message', { attempt: 2, due_at: dueAt });
    await produceJobs(h.kafka, [j]);
    const [call] = await waitFor(() => (r.byId(j.delivery_id).length ? r.byId(j.delivery_id) : undefined), { what: 'the due job', timeoutMs: 15_000 });
    process.stderr.write(`[tiers] job due in 8.5 s fired ${call!.receivedAt - dueAt} ms after its due time\n`);
    expect(call!.receivedAt).toBeGreaterThanOrEqual(dueAt);
    expect(call!.receivedAt - dueAt).toBeLessThan(1000);
    const [worker] = h.workers;
    const metrics = await (await fetch(`${worker!.opsUrl}/metrics`)).text();
    expect(Number(/hookstream_worker_retry_tier_hops_total\{[^}]*\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
  });

  it('makes one attempt only with retry_max_count 0', async () => {
    const r = await receiver(() => ({ status: 502 }));
    const wh = await insertWebhook(h.pg.db, h.tenantId, request, { endpoint: r.url, retry_max_count: 0 });
    const j = job(h.tenantId, wh.id);
    await produceJobs(h.kafka, [j]);
    const letter = await waitFor(() => dlq.json<DeadLetter>().find((l) => l.job?.delivery_id === j.delivery_id), { what: 'dead letter' });
    expect(letter.attempts).toHaveLength(1);
    expect(r.byId(j.delivery_id)).toHaveLength(1);
  });

  it('keeps a healthy endpoint fast while another endpoint hangs on every call', async () => {
    const slow = await receiver(() => ({ hang: true }));
    const healthy = await receiver(() => ({ status: 200 }));
    const slowHook = await insertWebhook(h.pg.db, h.tenantId, request, { endpoint: slow.url, timeout_ms: 2000, retry_max_count: 0, max_in_flight: 10 });
    const healthyHook = await insertWebhook(h.pg.db, h.tenantId, request, { endpoint: healthy.url, retry_max_count: 0 });
    // Interleaved on the same topic, with the slow endpoint's jobs first.
    const batch = Array.from({ length: 20 }, () => [job(h.tenantId, slowHook.id), job(h.tenantId, healthyHook.id)]).flat();
    const producedAt = await produceJobs(h.kafka, batch);
    const healthyJobs = batch.filter((j) => j.webhook_id === healthyHook.id);
    await waitFor(() => healthyJobs.every((j) => healthy.byId(j.delivery_id).length > 0), { what: 'all healthy deliveries' });
    const latencies = healthyJobs.map((j) => healthy.byId(j.delivery_id)[0]!.receivedAt - producedAt).sort((a, b) => a - b);
    const lastHealthy = latencies[latencies.length - 1]!;
    process.stderr.write(
      `[isolation] healthy endpoint: 20 deliveries, produce->receive p50 ${latencies[9]} ms, max ${lastHealthy} ms, while the slow endpoint held ${slow.requests.length} calls open (2 s timeout)\n`,
    );
    // Every healthy delivery arrived while the slow endpoint's first calls were still open,
    // and the slow endpoint never had more than its max_in_flight calls at once.
    expect(slow.requests.length).toBeGreaterThan(0);
    expect(producedAt + lastHealthy).toBeLessThan(slow.requests[0]!.receivedAt + 2000);
    expect(slow.requests.length).toBeLessThanOrEqual(10);
    await waitFor(
      async () => {
        const rows = await rowsWhere(h.pg.db, 'deliveries', { webhook_id: slowHook.id, status: 'discarded' });
        return rows.length === 20;
      },
      { what: 'slow endpoint jobs timed out and discarded', timeoutMs: 20_000 },
    );
    const [a] = await rowsWhere(h.pg.db, 'delivery_attempts', { webhook_id: slowHook.id });
    expect(a).toMatchObject({ outcome: 'timeout', error_class: 'timeout', status_code: null });
  });
});
