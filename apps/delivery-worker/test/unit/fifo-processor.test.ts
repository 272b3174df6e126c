import { prom } from '@hookstream/service-kit';
import type { DeadLetter, DeliveryJob } from '@hookstream/schemas';
import type { WebhookRecord } from '@hookstream/store';
import type { AttemptRow, DeliveryRow } from '../../src/audit/rows.js';
import { CallSlots } from '../../src/dispatch/call-slots.js';
import { DeliveryProcessor, type ProcessorDeps } from '../../src/dispatch/delivery-processor.js';
import type { AttemptOutcome } from '../../src/http/webhook-call.js';
import { createWorkerMetrics } from '../../src/metrics.js';
import { PartitionRevoked } from '../../src/retry/waiting-room.js';
import { aJob, aWebhook, recordingLogger, tick } from './support/jobs.js';

const ok: AttemptOutcome = { startedAt: new Date(), durationMs: 1, statusCode: 200, ok: true, outcome: 'delivered', retryable: false, reauthenticated: false };
const down: AttemptOutcome = {
  startedAt: new Date(),
  durationMs: 1,
  statusCode: 503,
  ok: false,
  outcome: 'http_error',
  retryable: true,
  reauthenticated: false,
};

/**
 * Issue 19.2: the FIFO path of the processor with in-memory fakes. `failing` says how many
 * attempts of a job (by event id) fail before one succeeds; in-place back-off waits are gates
 * the test opens.
 */
function setup(webhook: WebhookRecord, failing: Record<string, number>) {
  const calls: string[] = [];
  const scheduled: DeliveryJob[] = [];
  const deadLetters: DeadLetter[] = [];
  const audit: { delivery?: DeliveryRow; attempts?: AttemptRow[] }[] = [];
  const waits: { at: number; owner: string; open: () => void; revoke: () => void }[] = [];
  const deps: ProcessorDeps = {
    cache: { get: (id) => (id === webhook.id ? webhook : undefined), refresh: async () => undefined },
    loadWebhook: async (id) => (id === webhook.id ? webhook : undefined),
    caller: {
      call: async (_w, jobs) => {
        const job = jobs[0]!;
        calls.push(`${job.event_id}#${job.attempt}`);
        const left = failing[job.event_id] ?? 0;
        failing[job.event_id] = left - 1;
        return left > 0 ? down : ok;
      },
    },
    audit: { write: async (rows) => void audit.push(rows) },
    router: { schedule: async (job) => void scheduled.push(job), deadLetter: async (letter) => void deadLetters.push(letter) },
    buggy: { discarded: async () => undefined, succeeded: async () => undefined },
    gone: { gone: async () => undefined },
    metrics: createWorkerMetrics(new prom.Registry()),
    logger: recordingLogger(),
    batchWaitMs: 1000,
    slots: new CallSlots(10),
    waitUntil: (at, owner) => new Promise<void>((open, reject) => waits.push({ at, owner, open, revoke: () => reject(new PartitionRevoked(owner)) })),
  };
  return { processor: new DeliveryProcessor(deps), calls, scheduled, deadLetters, audit, waits };
}

const fifo = (spec: Partial<WebhookRecord['spec']> = {}) => aWebhook({}, { ordering: 'fifo', ...spec } as Partial<WebhookRecord['spec']>);
const job = (event: string, key: string) => aJob({ event_id: event, ordering_key: key } as Partial<DeliveryJob>);

describe('FIFO webhooks in the delivery processor (issue 19.2)', () => {
  it('holds a failed key in place (no retry topic) while other keys go on, then delivers the key in order', async () => {
    const t = setup(fifo(), { a1: 1 });
    const done = [t.processor.process(job('a1', 'A'), 'p0'), t.processor.process(job('a2', 'A'), 'p0'), t.processor.process(job('b1', 'B'), 'p0')];
    await done[2];
    await tick(5);
    // a1 failed and waits its back-off in place; a2 has not been called; B was not held.
    expect(t.calls).toEqual(['a1#1', 'b1#1']);
    expect(t.scheduled).toEqual([]);
    expect(t.waits).toHaveLength(1);
    expect(t.waits[0]!.owner).toBe('p0');
    expect(t.audit.find((r) => r.delivery?.status === 'retrying')?.delivery?.event_id).toBe('a1');
    t.waits[0]!.open();
    await Promise.all(done);
    expect(t.calls).toEqual(['a1#1', 'b1#1', 'a1#2', 'a2#1']);
    expect(t.scheduled).toEqual([]);
  });

  it('dead-letters a delivery whose retries are exhausted, records it, and the key moves on', async () => {
    const t = setup(fifo({ retry_max_count: 1 }), { a1: 5 });
    const done = [t.processor.process(job('a1', 'A'), 'p0'), t.processor.process(job('a2', 'A'), 'p0')];
    await tick(5);
    t.waits[0]!.open();
    await Promise.all(done);
    expect(t.calls).toEqual(['a1#1', 'a1#2', 'a2#1']);
    expect(t.deadLetters.map((d) => [d.job.event_id, d.reason, d.attempts.length])).toEqual([['a1', 'retries_exhausted', 2]]);
    const discarded = t.audit.find((r) => r.delivery?.status === 'discarded')!.delivery!;
    expect(discarded.event_id).toBe('a1');
    expect(discarded.last_error).toMatch(/ordering key moved on/);
    expect(t.scheduled).toEqual([]);
  });

  it('a key whose partition moves mid-retry stops here: the later job is not sent (its new owner redelivers both)', async () => {
    const t = setup(fifo(), { a1: 1 });
    const first = t.processor.process(job('a1', 'A'), 'p0');
    const second = t.processor.process(job('a2', 'A'), 'p0');
    await tick(5);
    t.waits[0]!.revoke();
    await expect(first).rejects.toThrow(PartitionRevoked);
    await expect(second).rejects.toThrow(PartitionRevoked);
    expect(t.calls).toEqual(['a1#1']);
  });

  it('an unordered webhook keeps the retry topics, even for a job that carries an ordering key', async () => {
    const t = setup(aWebhook(), { a1: 1 });
    await Promise.all([t.processor.process(job('a1', 'A'), 'p0'), t.processor.process(job('a2', 'A'), 'p0')]);
    expect(t.calls).toEqual(['a1#1', 'a2#1']);
    expect(t.scheduled.map((j) => [j.event_id, j.attempt])).toEqual([['a1', 2]]);
    expect(t.waits).toEqual([]);
  });
});
