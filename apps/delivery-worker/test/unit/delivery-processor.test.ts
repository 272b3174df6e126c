import { prom } from '@hookstream/service-kit';
import type { DeadLetter, DeliveryJob } from '@hookstream/schemas';
import type { WebhookRecord } from '@hookstream/store';
import type { AttemptRow, DeliveryRow } from '../../src/audit/rows.js';
import { CallSlots } from '../../src/dispatch/call-slots.js';
import { DeliveryProcessor, type ProcessorDeps } from '../../src/dispatch/delivery-processor.js';
import type { AttemptOutcome } from '../../src/http/webhook-call.js';
import { createWorkerMetrics } from '../../src/metrics.js';
import { aJob, aWebhook, recordingLogger } from './support/jobs.js';

const delivered: AttemptOutcome = {
  startedAt: new Date(),
  durationMs: 12,
  statusCode: 200,
  ok: true,
  outcome: 'delivered',
  retryable: false,
  reauthenticated: false,
};
const failed = (statusCode: number, retryable: boolean): AttemptOutcome => ({
  startedAt: new Date(),
  durationMs: 30,
  statusCode,
  ok: false,
  outcome: 'http_error',
  retryable,
  reauthenticated: false,
});

/** The processor with in-memory fakes of everything it declares; `outcomes` answers the calls in order. */
function setup(
  known: WebhookRecord | undefined,
  outcomes: AttemptOutcome[] = [],
  inDatabase: WebhookRecord | undefined = known,
  /** How long the n-th read of PostgreSQL takes (default: answered at once). */
  readMs: (n: number) => number = () => 0,
) {
  const audit: { delivery?: DeliveryRow; attempts?: AttemptRow[] }[] = [];
  const scheduled: DeliveryJob[] = [];
  const deadLetters: DeadLetter[] = [];
  const calls: { webhook: string; jobs: string[] }[] = [];
  const sentBodies: unknown[][] = [];
  const counted = { discarded: 0, succeeded: 0, gone: 0, loads: 0, refreshes: 0 };
  const deps: ProcessorDeps = {
    cache: {
      get: (id) => (known?.id === id ? known : undefined),
      // As the real cache does: the next get answers the fresh copy.
      refresh: async (id) => {
        counted.refreshes++;
        if (inDatabase?.id === id) known = inDatabase;
      },
    },
    loadWebhook: async (id) => {
      const ms = readMs(counted.loads++);
      if (ms > 0) await new Promise((r) => setTimeout(r, ms));
      return inDatabase?.id === id ? inDatabase : undefined;
    },
    caller: {
      call: async (webhook, jobs) => {
        calls.push({ webhook: webhook.id, jobs: jobs.map((j) => j.delivery_id) });
        sentBodies.push(jobs.map((j) => j.body));
        const next = outcomes.shift();
        if (!next) throw new Error('no outcome left for this call');
        return next;
      },
    },
    audit: { write: async (rows) => void audit.push(rows) },
    router: { schedule: async (job) => void scheduled.push(job), deadLetter: async (letter) => void deadLetters.push(letter) },
    buggy: { discarded: async () => void counted.discarded++, succeeded: async () => void counted.succeeded++ },
    gone: { gone: async () => void counted.gone++ },
    metrics: createWorkerMetrics(new prom.Registry()),
    logger: recordingLogger(),
    batchWaitMs: 1000,
    slots: new CallSlots(10),
  };
  return { processor: new DeliveryProcessor(deps), audit, scheduled, deadLetters, calls, counted, sentBodies };
}

describe('DeliveryProcessor', () => {
  it('records a delivered job with its attempt and resets the failure count', async () => {
    const t = setup(aWebhook(), [delivered]);
    const job = aJob();
    await t.processor.process(job);
    expect(t.calls).toEqual([{ webhook: job.webhook_id, jobs: [job.delivery_id] }]);
    expect(t.audit).toHaveLength(1);
    expect(t.audit[0]!.delivery).toMatchObject({ id: job.delivery_id, status: 'delivered', attempts: 1, last_status_code: 200, last_error: null });
    expect(t.audit[0]!.attempts).toMatchObject([{ delivery_id: job.delivery_id, attempt: 1, outcome: 'delivered', status_code: 200, error_class: null }]);
    await new Promise((r) => setImmediate(r));
    expect(t.counted.succeeded).toBe(1);
    expect(t.scheduled).toEqual([]);
    expect(t.deadLetters).toEqual([]);
  });

  it('schedules the next attempt of a retryable failure after its back-off, and records it as retrying', async () => {
    const t = setup(aWebhook({}, { retry_base: 2, retry_max_count: 3 }), [failed(503, true)]);
    const job = aJob();
    const before = Date.now();
    await t.processor.process(job);
    expect(t.scheduled).toHaveLength(1);
    const next = t.scheduled[0]!;
    expect(next).toMatchObject({ delivery_id: job.delivery_id, attempt: 2, previous_attempts: [{ attempt: 1, status_code: 503 }] });
    expect(next.due_at).toBeGreaterThanOrEqual(before + 2000);
    expect(next.due_at).toBeLessThanOrEqual(Date.now() + 2000);
    expect(t.audit[0]!.delivery).toMatchObject({ status: 'retrying', last_status_code: 503, last_error: 'endpoint answered 503' });
    expect(t.audit[0]!.delivery!.next_attempt_at).toEqual(new Date(next.due_at!));
    expect(t.deadLetters).toEqual([]);
    expect(t.counted.discarded).toBe(0);
  });

  it('dead-letters the last failed attempt with every attempt, records it discarded and counts it towards buggy', async () => {
    const t = setup(aWebhook({}, { retry_max_count: 1 }), [failed(500, true)]);
    const job = aJob({ attempt: 2, previous_attempts: [{ attempt: 1, at: new Date(0).toISOString(), duration_ms: 5, status_code: 500 }] });
    await t.processor.process(job);
    expect(t.scheduled).toEqual([]);
    expect(t.deadLetters).toHaveLength(1);
    expect(t.deadLetters[0]).toMatchObject({ reason: 'retries_exhausted', job: { delivery_id: job.delivery_id } });
    expect(t.deadLetters[0]!.attempts.map((a) => a.attempt)).toEqual([1, 2]);
    expect(t.audit[0]!.delivery).toMatchObject({ status: 'discarded', attempts: 2 });
    expect(t.counted.discarded).toBe(1);
  });

  it('dead-letters at once what the endpoint refuses for good (not retryable)', async () => {
    const t = setup(aWebhook(), [{ ...failed(418, false), errorClass: 'http_418' }]);
    await t.processor.process(aJob());
    expect(t.deadLetters.map((d) => d.reason)).toEqual(['http_418']);
    expect(t.scheduled).toEqual([]);
  });

  it('410 Gone: disables the webhook before the next call, dead-letters the job with reason gone, no retry, no buggy count', async () => {
    const t = setup(aWebhook({}, { retry_max_count: 5 }), [failed(410, true)]);
    await t.processor.process(aJob());
    expect(t.counted.gone).toBe(1);
    expect(t.deadLetters.map((d) => d.reason)).toEqual(['gone']);
    expect(t.scheduled).toEqual([]);
    expect(t.audit[0]!.delivery).toMatchObject({ status: 'discarded', last_status_code: 410 });
    expect(t.counted.discarded).toBe(0);
  });

  it('discards (reason gone) instead of skipping the jobs of a webhook disabled because its endpoint answered 410', async () => {
    const t = setup(aWebhook({ enabled: false, disabledReason: 'gone' }));
    const job = aJob({ attempt: 3, due_at: Date.now() });
    await t.processor.process(job);
    expect(t.calls).toEqual([]);
    expect(t.deadLetters.map((d) => d.reason)).toEqual(['gone']);
    expect(t.audit[0]!.delivery).toMatchObject({ id: job.delivery_id, status: 'discarded' });
  });

  it('Retry-After: the next attempt is due no sooner than the receiver asked (clamped to 24 h), nor sooner than the back-off; recorded in the attempt', async () => {
    for (const [retryAfter, askedMs, minDelayMs] of [
      ['30', 30_000, 30_000],
      ['0', 0, 2000],
      [String(7 * 24 * 3600), 24 * 3600_000, 24 * 3600_000],
    ] as const) {
      const t = setup(aWebhook({}, { retry_base: 2, retry_max_count: 3 }), [{ ...failed(429, true), retryAfter }]);
      const before = Date.now();
      await t.processor.process(aJob());
      expect(t.scheduled[0]!.due_at).toBeGreaterThanOrEqual(before + minDelayMs);
      expect(t.scheduled[0]!.due_at).toBeLessThanOrEqual(Date.now() + minDelayMs);
      expect(t.audit[0]!.attempts![0]).toMatchObject({ status_code: 429, retry_after_ms: askedMs });
    }
  });

  it('19.3: transforms each job of a batch before the call; a job whose transform throws is discarded (transform_error, message in the history), the others are sent, none is retried', async () => {
    const transform = '$exists(data.bad) ? $error("bad comment " & id) : {"text": type & ": " & data.text, "subject": subject}';
    const t = setup(aWebhook({}, { batch_size: 2, transform }), [delivered]);
    const good = aJob({ event_id: 'evt-good', body: { text: 'hello' }, envelope: { source: '/s', subject: 'thread-7' } });
    const bad = aJob({ event_id: 'evt-bad', body: { bad: true } });
    await Promise.all([t.processor.process(good), t.processor.process(bad)]);
    expect(t.sentBodies).toEqual([[{ text: `${good.event_type}: hello`, subject: 'thread-7' }]]);
    expect(t.calls).toEqual([{ webhook: good.webhook_id, jobs: [good.delivery_id] }]);
    expect(t.deadLetters).toHaveLength(1);
    expect(t.deadLetters[0]).toMatchObject({ reason: 'transform_error', job: { delivery_id: bad.delivery_id, body: { bad: true } } });
    const discarded = t.audit.find((a) => a.delivery?.id === bad.delivery_id)!.delivery!;
    expect(discarded).toMatchObject({ status: 'discarded', last_error: 'transform_error: D3137: bad comment evt-bad (at position 27)' });
    expect(t.scheduled).toEqual([]);
    expect(t.counted.discarded).toBe(0);
  });

  it('never delivers across tenants: a job for another tenant’s webhook is dead-lettered, with no history row', async () => {
    const t = setup(aWebhook({ tenantId: '11111111-2222-4333-8444-555555555555' }));
    await t.processor.process(aJob());
    expect(t.deadLetters.map((d) => d.reason)).toEqual(['tenant_mismatch']);
    expect(t.calls).toEqual([]);
    expect(t.audit).toEqual([]);
  });

  it('records jobs for a disabled or buggy webhook as skipped, without calling it', async () => {
    for (const [webhook, reason] of [
      [aWebhook({ enabled: false }), 'webhook is disabled'],
      [aWebhook({ buggy: true }), 'webhook is marked buggy'],
    ] as const) {
      const t = setup(webhook);
      await t.processor.process(aJob());
      expect(t.calls).toEqual([]);
      expect(t.audit.map((a) => [a.delivery?.status, a.delivery?.last_error])).toEqual([['skipped', reason]]);
    }
  });

  it('asks the database about a webhook the cache does not know yet, and refreshes the cache', async () => {
    const t = setup(undefined, [delivered], aWebhook());
    await t.processor.process(aJob());
    expect(t.counted.loads).toBeGreaterThanOrEqual(1);
    expect(t.counted.refreshes).toBe(1);
    expect(t.calls).toHaveLength(1);
  });

  it('uses the database when the cache is older than the revision the job was matched against', async () => {
    const t = setup(aWebhook({ revision: 1, enabled: false }), [delivered], aWebhook({ revision: 2 }));
    await t.processor.process(aJob({ webhook_revision: 2 }));
    expect(t.calls).toHaveLength(1);
    expect(t.audit[0]!.delivery!.status).toBe('delivered');
  });

  it('jobs that wait for their webhook to be read go on in the order they came: one read, answered in any order, and a cached job waits behind it', async () => {
    // Reads that answer in the reverse order of asking (the pool's connections run them at once)
    // must not reorder a webhook's jobs: a recovery replays skipped deliveries in publication order.
    const t = setup(aWebhook({ revision: 1 }), Array(5).fill(delivered), aWebhook({ revision: 2 }, { max_in_flight: 1 }), (n) => 40 - 10 * n);
    const jobs = [aJob({ webhook_revision: 2 }), aJob({ webhook_revision: 2 }), aJob({ webhook_revision: 2 }), aJob(), aJob({ webhook_revision: 2 })];
    await Promise.all(jobs.map((j) => t.processor.process(j)));
    expect(t.calls.flatMap((c) => c.jobs)).toEqual(jobs.map((j) => j.delivery_id));
    expect(t.counted.loads).toBe(1);
    expect(t.counted.refreshes).toBe(1);
  });

  it('dead-letters a job whose webhook no longer exists, recorded as discarded', async () => {
    const t = setup(undefined, [], undefined);
    await t.processor.process(aJob());
    expect(t.deadLetters.map((d) => d.reason)).toEqual(['webhook_deleted']);
    expect(t.audit.map((a) => [a.delivery?.status, a.delivery?.last_error])).toEqual([['discarded', 'the webhook no longer exists']]);
  });

  it('starts no call once told to stop: the job stays unfinished for Kafka to redeliver', async () => {
    const t = setup(aWebhook(), [delivered]);
    t.processor.stopStarting();
    let finished = false;
    void t.processor.process(aJob()).then(() => (finished = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(finished).toBe(false);
    expect(t.calls).toEqual([]);
    expect(t.processor.queuedJobs).toBe(1);
  });
});
