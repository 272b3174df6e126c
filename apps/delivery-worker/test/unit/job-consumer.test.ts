import type { KafkaMessage } from 'kafkajs';
import { JobConsumer, type Decision, type JobConsumerOptions } from '../../src/consume/job-consumer.js';
import { FakeConsumer } from './support/fake-consumer.js';
import { aMessage, recordingLogger, tick } from './support/jobs.js';

const TOPIC = 'deliveries';

/** Work the test finishes by hand, per offset. */
class ManualWork {
  readonly started: string[] = [];
  private readonly pending = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  handler = (_topic: string, _partition: number, message: KafkaMessage): Decision => {
    this.started.push(message.offset);
    return { work: new Promise<void>((resolve, reject) => this.pending.set(message.offset, { resolve, reject })) };
  };
  finish(offset: string): void {
    this.pending.get(offset)!.resolve();
  }
  fail(offset: string, e = new Error('boom')): void {
    this.pending.get(offset)!.reject(e);
  }
}

const messages = (...offsets: string[]) => offsets.map((o) => aMessage({}, o));

async function started(handler: (t: string, p: number, m: KafkaMessage) => Decision, opts: Partial<JobConsumerOptions> = {}) {
  const consumer = new FakeConsumer();
  const inFlight = { value: 0 };
  const logger = recordingLogger();
  const jobs = new JobConsumer(consumer, handler, { topics: [TOPIC], partitionMaxInFlight: 10, maxWaiting: 10, commitIntervalMs: 60_000, ...opts }, logger, {
    inFlight: { inc: () => void inFlight.value++, dec: () => void inFlight.value-- },
  });
  await jobs.start();
  consumer.join({ [TOPIC]: [0] });
  return { consumer, jobs, inFlight, logger };
}

describe('JobConsumer', () => {
  it('subscribes to its topics and hands every message to the handler at once, resolving each', async () => {
    const work = new ManualWork();
    const { consumer, jobs, inFlight } = await started(work.handler);
    expect(consumer.subscribed).toEqual([TOPIC]);
    const resolved = await consumer.deliver(TOPIC, 0, messages('0', '1', '2'));
    expect(work.started).toEqual(['0', '1', '2']);
    expect(resolved).toEqual(['0', '1', '2']);
    expect(jobs.unfinished).toBe(3);
    expect(inFlight.value).toBe(3);
    await jobs.stop(0);
  });

  it('commits only up to the oldest unfinished job of the partition', async () => {
    const work = new ManualWork();
    const { consumer, jobs } = await started(work.handler);
    await consumer.deliver(TOPIC, 0, messages('0', '1', '2'));
    work.finish('1');
    work.finish('2');
    await tick();
    await jobs.commit();
    expect(consumer.commits).toEqual([]);
    work.finish('0');
    await tick();
    await jobs.commit();
    expect(consumer.commits).toEqual([[{ topic: TOPIC, partition: 0, offset: '3' }]]);
    await jobs.stop(0);
  });

  it('commits finished work by itself one commit interval later', async () => {
    const work = new ManualWork();
    const { consumer, jobs } = await started(work.handler, { commitIntervalMs: 20 });
    await consumer.deliver(TOPIC, 0, messages('0', '1'));
    work.finish('0');
    await tick(60);
    expect(consumer.commits).toEqual([[{ topic: TOPIC, partition: 0, offset: '1' }]]);
    work.finish('1');
    await tick(60);
    expect(consumer.commits).toEqual([[{ topic: TOPIC, partition: 0, offset: '1' }], [{ topic: TOPIC, partition: 0, offset: '2' }]]);
    await jobs.stop(0);
  });

  it('commits a job that finished while a slow commit was still out, without another job to prompt it', async () => {
    const work = new ManualWork();
    const { consumer, jobs } = await started(work.handler, { commitIntervalMs: 20 });
    let open!: () => void;
    consumer.commitGate = new Promise<void>((r) => (open = r));
    await consumer.deliver(TOPIC, 0, messages('0', '1'));
    work.finish('0');
    await tick(40);
    expect(consumer.commits).toEqual([[{ topic: TOPIC, partition: 0, offset: '1' }]]);
    work.finish('1');
    // Its own commit timer fires while the first commit is still out, and finds that one.
    await tick(60);
    consumer.commitGate = undefined;
    open();
    await tick(80);
    expect(consumer.commits.at(-1)).toEqual([{ topic: TOPIC, partition: 0, offset: '2' }]);
    await jobs.stop(0);
  });

  it('leaves a failed job uncommitted, so Kafka hands it out again', async () => {
    const work = new ManualWork();
    const { consumer, jobs, logger } = await started(work.handler);
    await consumer.deliver(TOPIC, 0, messages('0', '1'));
    work.fail('0');
    work.finish('1');
    await tick();
    await jobs.commit();
    expect(consumer.commits).toEqual([]);
    expect(jobs.unfinished).toBe(0);
    expect(logger.lines.some((l) => l.msg === 'job failed; it stays uncommitted')).toBe(true);
    await jobs.stop(0);
  });

  it('skips messages refetched below what it already handed out', async () => {
    const work = new ManualWork();
    const { consumer, jobs } = await started(work.handler);
    await consumer.deliver(TOPIC, 0, messages('0', '1'));
    const resolved = await consumer.deliver(TOPIC, 0, messages('0', '1', '2'));
    expect(work.started).toEqual(['0', '1', '2']);
    expect(resolved).toEqual(['0', '1', '2']);
    await jobs.stop(0);
  });

  it('pauses a partition at its bound of unfinished jobs and resumes it once half are done', async () => {
    const work = new ManualWork();
    const { consumer, jobs } = await started(work.handler, { partitionMaxInFlight: 2 });
    const resolved = await consumer.deliver(TOPIC, 0, messages('0', '1', '2'));
    expect(resolved).toEqual(['0', '1']);
    expect(consumer.pauses).toEqual([[{ topic: TOPIC, partitions: [0] }]]);
    const resumesBefore = consumer.resumes.length;
    work.finish('0');
    await tick();
    expect(consumer.resumes.slice(resumesBefore)).toEqual([[{ topic: TOPIC, partitions: [0] }]]);
    await jobs.stop(0);
  });

  it('keeps the rest of the batch it saturated in and hands it out as the partition unsaturates, before fetching again', async () => {
    const work = new ManualWork();
    const { consumer, jobs } = await started(work.handler, { partitionMaxInFlight: 2 });
    const resolved = await consumer.deliver(TOPIC, 0, messages('0', '1', '2', '3', '4'));
    expect(resolved).toEqual(['0', '1']);
    const resumesBefore = consumer.resumes.length;
    work.finish('0');
    await tick();
    // '2' goes out from memory; the partition is full again, so it stays paused.
    expect(work.started).toEqual(['0', '1', '2']);
    expect(resolved).toEqual(['0', '1', '2']);
    expect(consumer.resumes.length).toBe(resumesBefore);
    work.finish('1');
    work.finish('2');
    await tick();
    expect(work.started).toEqual(['0', '1', '2', '3', '4']);
    expect(resolved).toEqual(['0', '1', '2', '3', '4']);
    // Only once the kept batch is handed out is the partition fetched again.
    expect(consumer.resumes.slice(resumesBefore)).toEqual([[{ topic: TOPIC, partitions: [0] }]]);
    await jobs.stop(0);
  });

  it('forgets a kept batch at a rebalance: kafkajs reads the partition again from its committed offset', async () => {
    const work = new ManualWork();
    const { consumer, jobs } = await started(work.handler, { partitionMaxInFlight: 2 });
    await consumer.deliver(TOPIC, 0, messages('0', '1', '2', '3'));
    consumer.rebalance();
    consumer.join({ [TOPIC]: [0] });
    work.finish('0');
    work.finish('1');
    await tick();
    expect(work.started).toEqual(['0', '1']);
    // Read again: what was handed out is skipped, the rest goes out.
    await consumer.deliver(TOPIC, 0, messages('0', '1', '2', '3'));
    expect(work.started).toEqual(['0', '1', '2', '3']);
    await jobs.stop(0);
  });

  it('holds a partition until the time the handler asks for, leaving the message unresolved', async () => {
    const { consumer, jobs } = await started(() => ({ hold: Date.now() + 30 }));
    const resolved = await consumer.deliver(TOPIC, 0, messages('0'));
    expect(resolved).toEqual([]);
    expect(jobs.isHeld(TOPIC, 0)).toBe(true);
    expect(consumer.pauses).toEqual([[{ topic: TOPIC, partitions: [0] }]]);
    const resumesBefore = consumer.resumes.length;
    await tick(60);
    expect(jobs.isHeld(TOPIC, 0)).toBe(false);
    expect(consumer.resumes.slice(resumesBefore)).toEqual([[{ topic: TOPIC, partitions: [0] }]]);
    await jobs.stop(0);
  });

  describe('fetch wait', () => {
    const fetchWait = { baseMs: 200, idleMaxMs: 1000 };

    it('grows while fetches find nothing and nothing is in flight, and is back at the base after records', async () => {
      const work = new ManualWork();
      const { consumer, jobs } = await started(work.handler, { fetchWait });
      // The join resumed the assigned partitions: the first fetch waits the base time.
      expect([consumer.startFetch(), consumer.startFetch(), consumer.startFetch(), consumer.startFetch()]).toEqual([200, 400, 800, 1000]);
      await consumer.deliver(TOPIC, 0, messages('0'));
      expect(consumer.startFetch()).toBe(200);
      // Still working on it: a saturated partition could be resumed at any moment.
      expect(consumer.startFetch()).toBe(200);
      work.finish('0');
      await tick();
      expect(consumer.startFetch()).toBe(400);
      await jobs.stop(0);
    });

    it('ends before a held partition is resumed, and is back at the base after the resume', async () => {
      const { consumer, jobs } = await started(() => ({ hold: Date.now() + 600 }), { fetchWait });
      await consumer.deliver(TOPIC, 0, messages('0'));
      consumer.startFetch();
      const wait = consumer.startFetch()!;
      expect(wait).toBeGreaterThan(200);
      expect(wait).toBeLessThanOrEqual(600);
      await tick(650);
      expect(jobs.isHeld(TOPIC, 0)).toBe(false);
      expect(consumer.startFetch()).toBe(200);
      await jobs.stop(0);
    });

    it('is left to the consumer when not configured', async () => {
      const { consumer, jobs } = await started(() => ({ work: Promise.resolve() }));
      expect(consumer.startFetch()).toBeUndefined();
      await jobs.stop(0);
    });
  });

  describe('drained slow tiers', () => {
    const SLOW = 'retry.30s';
    const INTERVAL = 60;
    const opts = (extra: Partial<JobConsumerOptions> = {}): Partial<JobConsumerOptions> => ({
      topics: [TOPIC, SLOW],
      revisitIntervalOf: (topic) => (topic === SLOW ? INTERVAL : undefined),
      ...extra,
    });
    const empty = (topic: string, partition: number, at = '5') => ({ topic, partition, fetchedOffset: at, highWatermark: at, records: 0 });

    async function joined(handler: (t: string, p: number, m: KafkaMessage) => Decision, extra: Partial<JobConsumerOptions> = {}) {
      const s = await started(handler, opts(extra));
      s.consumer.join({ [TOPIC]: [0], [SLOW]: [0, 1] });
      s.consumer.pauses.length = 0;
      s.consumer.resumes.length = 0;
      return s;
    }

    it('leaves out a slow tier a fetch found drained, never the other topics, and counts it as held, not stuck', async () => {
      const { consumer, jobs } = await joined(() => ({ work: Promise.resolve() }));
      consumer.startFetch();
      consumer.fetched([empty(TOPIC, 0), empty(SLOW, 0), { topic: SLOW, partition: 1, fetchedOffset: '3', highWatermark: '5', records: 0 }]);
      expect(consumer.pauses).toEqual([[{ topic: SLOW, partitions: [0] }]]);
      expect(jobs.leftOut).toBe(1);
      expect(jobs.isHeld(SLOW, 0)).toBe(true);
      expect(jobs.isHeld(SLOW, 1)).toBe(false);
      expect(jobs.isHeld(TOPIC, 0)).toBe(false);
      await jobs.stop(0);
    });

    it('puts it back into the first fetch that starts once its revisit has come, and leaves it out again when still drained', async () => {
      const { consumer, jobs } = await joined(() => ({ work: Promise.resolve() }));
      consumer.fetched([empty(SLOW, 0), empty(SLOW, 1)]);
      expect(consumer.pauses).toEqual([[{ topic: SLOW, partitions: [0, 1] }]]);
      consumer.startFetch();
      expect(consumer.resumes).toEqual([]);
      await tick(INTERVAL * 2 + 5);
      consumer.startFetch();
      expect(consumer.resumes).toEqual([[{ topic: SLOW, partitions: [0, 1] }]]);
      expect(jobs.leftOut).toBe(0);
      consumer.fetched([empty(SLOW, 0), empty(SLOW, 1)]);
      expect(consumer.pauses).toHaveLength(2);
      expect(jobs.leftOut).toBe(2);
      await jobs.stop(0);
    });

    it('leaves out a slow tier once a batch handed out everything up to its high watermark, not when it stopped at a hold', async () => {
      let holdAt: string | undefined = '7';
      const { consumer, jobs } = await joined((_t, _p, m) => (m.offset === holdAt ? { hold: Date.now() + 10_000 } : { work: Promise.resolve() }));
      expect(await consumer.deliver(SLOW, 0, messages('5', '6'), '8')).toEqual(['5', '6']);
      expect(jobs.leftOut).toBe(0);
      expect(await consumer.deliver(SLOW, 1, messages('6', '7'), '8')).toEqual(['6']);
      expect(consumer.pauses).toEqual([[{ topic: SLOW, partitions: [1] }]]);
      expect(jobs.leftOut).toBe(0);
      holdAt = undefined;
      expect(await consumer.deliver(SLOW, 0, messages('7'), '8')).toEqual(['7']);
      expect(consumer.pauses).toEqual([[{ topic: SLOW, partitions: [1] }], [{ topic: SLOW, partitions: [0] }]]);
      expect(jobs.leftOut).toBe(1);
      // `deliveries` is never left out, however drained.
      expect(await consumer.deliver(TOPIC, 0, messages('0'), '1')).toEqual(['0']);
      expect(jobs.leftOut).toBe(1);
      await jobs.stop(0);
    });

    it('drops, unresolved, a batch that reaches a partition left out (it is read at the revisit)', async () => {
      const { consumer, jobs } = await joined(() => ({ work: Promise.resolve() }));
      consumer.fetched([empty(SLOW, 0)]);
      expect(await consumer.deliver(SLOW, 0, messages('5'), '6')).toEqual([]);
      await jobs.stop(0);
    });

    it('never waits a fetch past the next revisit, and a revisit does not bring the wait back to the base', async () => {
      const { consumer, jobs } = await joined(() => ({ work: Promise.resolve() }), { fetchWait: { baseMs: 10, idleMaxMs: 1000 } });
      consumer.fetched([empty(SLOW, 0)]);
      const waits = [consumer.startFetch()!, consumer.startFetch()!, consumer.startFetch()!];
      for (const w of waits) expect(w).toBeLessThanOrEqual(INTERVAL);
      await tick(INTERVAL * 2 + 5);
      consumer.startFetch();
      expect(consumer.resumes).toEqual([[{ topic: SLOW, partitions: [0] }]]);
      // Nothing left out any more: the wait goes on growing from where it was.
      expect(consumer.startFetch()).toBeGreaterThan(20);
      await jobs.stop(0);
    });

    it('forgets what it left out at a rebalance and resumes every partition still assigned', async () => {
      const { consumer, jobs } = await joined(() => ({ work: Promise.resolve() }));
      consumer.fetched([empty(SLOW, 0), empty(SLOW, 1)]);
      expect(jobs.leftOut).toBe(2);
      consumer.join({ [TOPIC]: [0], [SLOW]: [1] });
      expect(jobs.leftOut).toBe(0);
      expect(consumer.resumes).toEqual([
        [
          { topic: TOPIC, partitions: [0] },
          { topic: SLOW, partitions: [1] },
        ],
      ]);
      // A partition no longer assigned is not left out by a late report either.
      consumer.fetched([empty(SLOW, 0)]);
      expect(jobs.leftOut).toBe(0);
      await jobs.stop(0);
    });

    it('resumes nothing once stopping', async () => {
      const { consumer, jobs } = await joined(() => ({ work: Promise.resolve() }));
      consumer.fetched([empty(SLOW, 0)]);
      await jobs.stop(0);
      const resumes = consumer.resumes.length;
      await tick(INTERVAL * 2 + 5);
      consumer.startFetch();
      expect(consumer.resumes).toHaveLength(resumes);
    });

    it('leaves nothing out when the consumer cannot report its fetches', async () => {
      const consumer = new FakeConsumer();
      consumer.reportsFetches = false;
      const jobs = new JobConsumer(
        consumer,
        () => ({ work: Promise.resolve() }),
        { partitionMaxInFlight: 10, maxWaiting: 10, commitIntervalMs: 60_000, ...opts() } as JobConsumerOptions,
        recordingLogger(),
        {
          inFlight: { inc: () => undefined, dec: () => undefined },
        },
      );
      await jobs.start();
      consumer.join({ [SLOW]: [0] });
      expect(await consumer.deliver(SLOW, 0, messages('5'), '6')).toEqual(['5']);
      expect(jobs.leftOut).toBe(0);
      expect(consumer.pauses).toEqual([]);
      await jobs.stop(0);
    });
  });

  it('survives a handler that throws: the message stays unresolved and the partition is held', async () => {
    const { consumer, jobs, logger } = await started(() => {
      throw new Error('handler bug');
    });
    const resolved = await consumer.deliver(TOPIC, 0, messages('0'));
    expect(resolved).toEqual([]);
    expect(jobs.isHeld(TOPIC, 0)).toBe(true);
    expect(logger.lines.map((l) => l.msg)).toContain('job handler failed');
    await jobs.stop(0);
  });

  it('reports a problem until it joins, and for good once the consumer stops without restart', async () => {
    const consumer = new FakeConsumer();
    const stopped: Error[] = [];
    const jobs = new JobConsumer(
      consumer,
      () => ({ work: Promise.resolve() }),
      { topics: [TOPIC], partitionMaxInFlight: 1, maxWaiting: 1, commitIntervalMs: 60_000, onStopped: (e) => stopped.push(e) },
      recordingLogger(),
      { inFlight: { inc: () => undefined, dec: () => undefined } },
    );
    await jobs.start();
    expect(jobs.problem).toBe('not a member of the consumer group yet');
    consumer.join({ [TOPIC]: [0, 1] });
    expect(jobs.problem).toBeUndefined();
    consumer.crash(new Error('retriable'), true);
    expect(jobs.problem).toBeUndefined();
    consumer.crash(new Error('fatal'), false);
    expect(jobs.problem).toBe('the consumer stopped: fatal');
    expect(stopped.map((e) => e.message)).toEqual(['fatal']);
    await jobs.stop(0);
  });

  it('tells its listeners about rebalances and the new assignment as partition keys', async () => {
    const consumer = new FakeConsumer();
    const events: string[] = [];
    const jobs = new JobConsumer(
      consumer,
      () => ({ work: Promise.resolve() }),
      {
        topics: [TOPIC],
        partitionMaxInFlight: 1,
        maxWaiting: 1,
        commitIntervalMs: 60_000,
        onRebalancing: () => events.push('rebalancing'),
        onAssigned: (keys) => events.push(`assigned ${[...keys].sort().join(',')}`),
      },
      recordingLogger(),
      { inFlight: { inc: () => undefined, dec: () => undefined } },
    );
    await jobs.start();
    consumer.rebalance();
    consumer.join({ [TOPIC]: [1, 0] });
    expect(events).toEqual(['rebalancing', `assigned 0|${TOPIC},1|${TOPIC}`]);
    await jobs.stop(0);
  });

  it('on stop, takes nothing more, waits for started jobs, commits them and disconnects', async () => {
    const work = new ManualWork();
    const { consumer, jobs } = await started(work.handler);
    await consumer.deliver(TOPIC, 0, messages('0'));
    const stopping = jobs.stop(5000);
    expect(await consumer.deliver(TOPIC, 0, messages('1'))).toEqual([]);
    await tick(30);
    expect(consumer.disconnected).toBe(false);
    work.finish('0');
    await stopping;
    expect(work.started).toEqual(['0']);
    expect(consumer.commits).toEqual([[{ topic: TOPIC, partition: 0, offset: '1' }]]);
    expect(consumer.disconnected).toBe(true);
  });
});
