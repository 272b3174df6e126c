import { RETRY_TIER_MS, topicNames } from '@hookstream/service-kit';
import type { DeliveryJob, InvalidEventRecord } from '@hookstream/schemas';
import { partitionKey, type Decision } from '../../src/consume/job-consumer.js';
import { RESUME_LEAD_MS } from '../../src/retry/retry-schedule.js';
import { tierDecision, type TierDecisionDeps } from '../../src/retry/tier-decision.js';
import { aJob, aMessage, recordingLogger } from './support/jobs.js';

const topics = topicNames('t.');
const NOW = 10_000_000;

/** The decision with in-memory fakes around it, and what each fake was asked. */
function setup(inMemoryWaitMs?: number) {
  const attempted: DeliveryJob[] = [];
  const owners: string[] = [];
  const scheduled: { job: DeliveryJob; now: number }[] = [];
  const invalid: InvalidEventRecord[] = [];
  const waits: { time: number; key: string }[] = [];
  const counts = { hops: 0, lateness: [] as number[] };
  const logger = recordingLogger();
  const clock = { now: NOW };
  const deps: TierDecisionDeps = {
    topics,
    router: {
      schedule: async (job, now) => void scheduled.push({ job, now }),
      invalidJob: async (record) => void invalid.push(record),
    },
    attempt: async (job, owner) => {
      attempted.push(job);
      owners.push(owner);
    },
    waitUntil: async (time, key) => {
      waits.push({ time, key });
      clock.now = time;
    },
    metrics: { tierHops: { inc: () => void counts.hops++ }, retryLateness: { observe: (s) => void counts.lateness.push(s) } },
    logger,
    now: () => clock.now,
    ...(inMemoryWaitMs !== undefined ? { inMemoryWaitMs } : {}),
  };
  return { decide: tierDecision(deps), owners, attempted, scheduled, invalid, waits, counts, logger };
}

async function workOf(decision: Decision): Promise<void> {
  if (!('work' in decision)) throw new Error(`expected work, got ${JSON.stringify(decision)}`);
  await decision.work;
}

describe('tierDecision: what happens to a record read from a job topic', () => {
  it('dead-letters an unreadable record with the reason, and attempts nothing', async () => {
    const t = setup();
    await workOf(t.decide(topics.deliveries, 3, aMessage('{not json', '17')));
    expect(t.invalid).toHaveLength(1);
    expect(t.invalid[0]!.reason).toBe('not_json');
    expect(t.attempted).toEqual([]);
    expect(t.logger.lines.map((l) => l.msg)).toEqual(['unreadable job dead-lettered']);
  });

  it('issue 21: the warning about an unreadable record carries the trace id of its traceparent header', async () => {
    const t = setup();
    const message = aMessage('{not json', '17');
    message.headers = { traceparent: Buffer.from('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01') };
    await workOf(t.decide(topics.deliveries, 3, message));
    expect(t.logger.lines[0]!.fields).toMatchObject({ trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' });
  });

  it('dead-letters a job whose ids are not UUIDs of this deployment', async () => {
    const t = setup();
    await workOf(t.decide(topics.deliveries, 0, aMessage(aJob({ tenant_id: 'acme' }))));
    expect(t.invalid[0]!.reason).toBe('invalid_delivery_job');
    expect(t.attempted).toEqual([]);
  });

  it("issue 19.2: a FIFO job (with an ordering key) is attempted at once with its partition, counted as waiting, not against the partition's bound", async () => {
    const t = setup();
    const job = aJob({ ordering_key: 'users/42' });
    const decision = t.decide(topics.deliveries, 2, aMessage(job));
    expect(decision).toMatchObject({ waiting: true });
    await workOf(decision);
    expect(t.attempted.map((j) => j.delivery_id)).toEqual([job.delivery_id]);
    expect(t.owners).toEqual([partitionKey(topics.deliveries, 2)]);
  });

  it('attempts a first attempt from `deliveries` at once, without counting lateness', async () => {
    const t = setup();
    const job = aJob();
    const decision = t.decide(topics.deliveries, 0, aMessage(job));
    expect('waiting' in decision).toBe(false);
    await workOf(decision);
    expect(t.attempted.map((j) => j.delivery_id)).toEqual([job.delivery_id]);
    expect(t.counts.lateness).toEqual([]);
  });

  it('sends a job on `deliveries` that is not due yet to a retry tier, not counted as a hop', async () => {
    const t = setup();
    const job = aJob({ due_at: NOW + 60_000 });
    await workOf(t.decide(topics.deliveries, 0, aMessage(job)));
    expect(t.attempted).toEqual([]);
    expect(t.scheduled).toEqual([{ job, now: NOW }]);
    expect(t.counts.hops).toBe(0);
  });

  it('attempts a due retry read from its tier and records how late it started', async () => {
    const t = setup();
    const job = aJob({ attempt: 2, due_at: NOW - 250 });
    await workOf(t.decide(topics.retry['1s'], 0, aMessage(job, '5', NOW - 1250)));
    expect(t.attempted).toHaveLength(1);
    expect(t.counts.lateness).toEqual([0.25]);
  });

  it('waits in memory for a retry due within reach, keyed by its partition, then attempts it', async () => {
    const t = setup();
    const job = aJob({ attempt: 2, due_at: NOW + 2000 });
    const decision = t.decide(topics.retry['1s'], 4, aMessage(job, '9', NOW));
    expect(decision).toMatchObject({ waiting: true });
    await workOf(decision);
    expect(t.waits).toEqual([{ time: NOW + 2000, key: partitionKey(topics.retry['1s'], 4) }]);
    expect(t.attempted).toHaveLength(1);
    expect(t.scheduled).toEqual([]);
  });

  it('holds the partition when the time is beyond the in-memory reach', () => {
    const t = setup();
    const job = aJob({ attempt: 3, due_at: NOW + 3_600_000 });
    const decision = t.decide(topics.retry['10m'], 0, aMessage(job, '0', NOW));
    expect(decision).toEqual({ hold: NOW + RETRY_TIER_MS['10m'] - RESUME_LEAD_MS });
    expect(t.attempted).toEqual([]);
    expect(t.scheduled).toEqual([]);
  });

  it('uses the configured in-memory reach', () => {
    const job = aJob({ attempt: 2, due_at: NOW + 12_000 });
    expect(setup().decide(topics.retry['30s'], 0, aMessage(job, '0', NOW))).toEqual({ hold: NOW + 12_000 - RESUME_LEAD_MS });
    expect(setup(15_000).decide(topics.retry['30s'], 0, aMessage(job, '0', NOW))).toMatchObject({ waiting: true });
  });

  it('moves a retry whose tier delay ran out before its due time on to a shorter tier, counted as a hop', async () => {
    const t = setup();
    const job = aJob({ attempt: 4, due_at: NOW + 60_000 });
    // Enqueued a full tier delay ago: its time on this tier is over.
    await workOf(t.decide(topics.retry['30s'], 0, aMessage(job, '0', NOW - RETRY_TIER_MS['30s'])));
    expect(t.scheduled).toEqual([{ job, now: NOW }]);
    expect(t.counts.hops).toBe(1);
    expect(t.attempted).toEqual([]);
  });
});
