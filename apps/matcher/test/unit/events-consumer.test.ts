import { deliveryId, WEBHOOKS_SEQ_HEADER, type DeliveryJob } from '@hookstream/schemas';
import { prom, topicNames } from '@hookstream/service-kit';
import type { KafkaMessage, TopicMessages } from 'kafkajs';
import { EventsConsumer, type EventsBatch } from '../../src/consumer/events-consumer.js';
import { FetchLinger } from '../../src/consumer/fetch-linger.js';
import type { EventRow } from '@hookstream/store';
import { SubscriptionIndex } from '../../src/matching/subscription-index.js';
import { createMatcherMetrics } from '../../src/metrics.js';
import { accepted, entity, record } from './records.js';

const topics = topicNames('t.');

function eventMessage(offset: string, webhooksSeq?: number): KafkaMessage {
  const ev = accepted('jive:user_session_logout').event;
  return {
    key: null,
    value: Buffer.from(JSON.stringify(ev)),
    offset,
    timestamp: String(Date.now()),
    attributes: 0,
    headers: webhooksSeq === undefined ? {} : { [WEBHOOKS_SEQ_HEADER]: Buffer.from(String(webhooksSeq)) },
  } as KafkaMessage;
}

/** A promise (`opened`) that the test resolves by calling `open`. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

/**
 * The consumer with in-memory fakes; `failures` makes the first publishes fail; `indexWrite`
 * decides when each index write (numbered from 0) ends.
 */
function setup(opts: { sliceSize?: number; publishFailures?: number; seq?: number; indexWrite?: (n: number) => Promise<void>; linger?: FetchLinger } = {}) {
  const index = new SubscriptionIndex('https://hs.example');
  const webhook = record(entity('user_session'));
  index.upsert(webhook);
  const published: TopicMessages[][] = [];
  const indexed: EventRow[][] = [];
  const commits: string[] = [];
  let flushes = 0;
  const catchUps: number[] = [];
  let failures = opts.publishFailures ?? 0;
  let writes = 0;
  const consumer = new EventsConsumer({
    publisher: {
      publish: async (parts) => {
        if (failures-- > 0) throw new Error('broker unavailable');
        published.push(parts);
      },
    },
    committer: {
      commit: async (topic, partition, offset, urgent) => void commits.push(`${topic}/${partition}@${offset}${urgent ? '' : ' (lingering)'}`),
      flush: async () => void flushes++,
    },
    writeIndex: async (events) => {
      await opts.indexWrite?.(writes++);
      indexed.push([...events]);
    },
    index,
    freshness: { seq: opts.seq ?? 0, catchUp: async (since) => void catchUps.push(since) },
    topics,
    metrics: createMatcherMetrics(new prom.Registry(), () => index.size),
    logger: { warn: () => undefined },
    sliceSize: opts.sliceSize ?? 100,
    retryMaxMs: 1000,
    ...(opts.linger ? { linger: opts.linger } : {}),
  });
  return { consumer, webhook, published, indexed, commits, catchUps, flushes: () => flushes };
}

function batch(messages: KafkaMessage[], running = () => true, partition = 2) {
  const resolved: string[] = [];
  const payload: EventsBatch = {
    batch: { topic: topics.events, partition, messages },
    resolveOffset: (o) => void resolved.push(o),
    heartbeat: async () => undefined,
    isRunning: running,
    isStale: () => false,
  };
  return { payload, resolved };
}

const jobsOf = (parts: TopicMessages[]) =>
  parts.filter((p) => p.topic === topics.deliveries).flatMap((p) => p.messages.map((m) => JSON.parse(String(m.value)) as DeliveryJob));

describe('EventsConsumer', () => {
  describe('fetch linger', () => {
    /**
     * A FetchLinger whose waits are recorded and end at once, on a clock the test moves: 20 ms
     * between fetches is a slow stream, where every small fetch takes the longest wait (10 ms).
     */
    function recordingLinger(below: number) {
      const waits: number[] = [];
      let held = 0;
      const clock = { ms: 0 };
      const linger = new FetchLinger({ lingerMs: 10, below, sleep: async (ms) => void waits.push(ms), onLinger: () => void held++, now: () => clock.ms });
      return { linger, waits, lingers: () => held, later: () => void (clock.ms += 20) };
    }
    const events = (from: number, n: number) => Array.from({ length: n }, (_, i) => eventMessage(String(from + i)));

    it("holds the next fetch while fetches, counted over their partitions' batches, bring fewer events than the threshold", async () => {
      const { linger, waits, lingers, later } = recordingLinger(8);
      const t = setup({ linger });
      // A first small fetch might be part of a burst: it fetches on.
      await t.consumer.eachBatch(batch(events(0, 2)).payload);
      expect(waits).toEqual([]);
      later();
      // The next one, two partitions' batches handed over in the same turn (3 + 4 events), is small too: a quiet stream.
      await Promise.all([t.consumer.eachBatch(batch(events(2, 3)).payload), t.consumer.eachBatch(batch(events(0, 4), () => true, 3).payload)]);
      expect(waits).toEqual([10, 10]);
      // Counted once for the fetch, not once per partition.
      expect(lingers()).toBe(1);
      // The events were produced before the wait, not held by it.
      expect(t.published.flatMap(jobsOf)).toHaveLength(9);
    });

    it('fetches on at once after a fetch of at least the threshold, and after a small one that follows it', async () => {
      const { linger, waits, later } = recordingLinger(8);
      const t = setup({ linger });
      await t.consumer.eachBatch(batch(events(0, 1)).payload);
      later();
      // 4 + 4 events in one turn: one fetch of 8.
      await Promise.all([t.consumer.eachBatch(batch(events(1, 4)).payload), t.consumer.eachBatch(batch(events(0, 4), () => true, 3).payload)]);
      expect(waits).toEqual([]);
      later();
      // The rest of a burst: small, but after a busy fetch.
      await t.consumer.eachBatch(batch(events(5, 2)).payload);
      expect(waits).toEqual([]);
      later();
      await t.consumer.eachBatch(batch(events(7, 2)).payload);
      expect(waits).toEqual([10]);
    });

    it('does not hold a stopping consumer', async () => {
      const { linger, waits, later } = recordingLinger(8);
      const t = setup({ linger });
      await t.consumer.eachBatch(batch(events(0, 1)).payload);
      later();
      let running = true;
      const { payload } = batch(events(1, 1), () => running);
      const done = t.consumer.eachBatch(payload);
      running = false;
      await done;
      expect(waits).toEqual([]);
    });

    it('never waits with a linger of 0', async () => {
      const waits: number[] = [];
      const t = setup({ linger: new FetchLinger({ lingerMs: 0, below: 8, sleep: async (ms) => void waits.push(ms) }) });
      await t.consumer.eachBatch(batch(events(0, 1)).payload);
      await t.consumer.eachBatch(batch(events(1, 1)).payload);
      expect(waits).toEqual([]);
    });
  });

  it('publishes one job per matched event, indexes the events, then resolves and commits each slice', async () => {
    const t = setup({ sliceSize: 2 });
    const messages = [eventMessage('10'), eventMessage('11'), eventMessage('12')];
    const { payload, resolved } = batch(messages);
    await t.consumer.eachBatch(payload);
    const jobs = t.published.flatMap(jobsOf);
    expect(jobs.map((j) => j.webhook_id)).toEqual([t.webhook.id, t.webhook.id, t.webhook.id]);
    const eventIds = messages.map((m) => (JSON.parse(String(m.value)) as { id: string }).id);
    expect(jobs.map((j) => j.delivery_id)).toEqual(eventIds.map((id) => deliveryId(id, t.webhook.id)));
    expect(t.indexed.flat().map((r) => r.id)).toEqual(eventIds);
    expect(resolved).toEqual(['11', '12']);
    await t.consumer.settled();
    expect(t.commits).toEqual([`${topics.events}/2@12`, `${topics.events}/2@13 (lingering)`]);
  });

  it("lets the offsets of small slices linger until a slice's worth was handed in, then sends it at once after the previous one", async () => {
    const t = setup({ sliceSize: 3 });
    for (const offsets of [['0'], ['1'], ['2'], ['3', '4'], ['5']]) {
      await t.consumer.eachBatch(batch(offsets.map((o) => eventMessage(o))).payload);
    }
    await t.consumer.settled();
    expect(t.commits).toEqual([
      `${topics.events}/2@1 (lingering)`,
      `${topics.events}/2@2 (lingering)`,
      `${topics.events}/2@3`,
      `${topics.events}/2@5 (lingering)`,
      `${topics.events}/2@6`,
    ]);
    // Before each urgent offset, whatever lingered was sent first (the bound on uncommitted progress).
    expect(t.flushes()).toBe(2);
  });

  it('flushes lingering offsets when the consumer stops, and sends one still waiting for its index rows at once', async () => {
    const second = gate();
    const t = setup({ sliceSize: 100, indexWrite: (n) => (n === 1 ? second.opened : Promise.resolve()) });
    let running = true;
    await t.consumer.eachBatch(batch([eventMessage('0')]).payload);
    await t.consumer.settled();
    expect(t.flushes()).toBe(0);
    const { payload } = batch([eventMessage('1')], () => running);
    payload.heartbeat = async () => void (running = false);
    // Stopping, the batch waits for its last commit, which waits for the index rows.
    const stopped = t.consumer.eachBatch(payload);
    await new Promise((r) => setTimeout(r, 100));
    expect(t.flushes()).toBe(1);
    expect(t.commits).toEqual([`${topics.events}/2@1 (lingering)`]);
    second.open();
    await stopped;
    expect(t.commits).toEqual([`${topics.events}/2@1 (lingering)`, `${topics.events}/2@2`]);
  });

  it('fetches on once the jobs are acknowledged; each offset waits for its index rows and those before it', async () => {
    const writes = [gate(), gate()];
    const t = setup({ indexWrite: (n) => writes[n]!.opened });
    const first = batch([eventMessage('0')]);
    const second = batch([eventMessage('1')]);
    // Both batches return (kafkajs fetches on) while their index writes are still running.
    await t.consumer.eachBatch(first.payload);
    await t.consumer.eachBatch(second.payload);
    expect([...first.resolved, ...second.resolved]).toEqual(['0', '1']);
    expect(t.published).toHaveLength(2);
    expect(t.commits).toEqual([]);
    // The later write ends first: its offset would cover the earlier slice's rows, so it waits.
    writes[1]!.open();
    await new Promise((r) => setImmediate(r));
    expect(t.commits).toEqual([]);
    writes[0]!.open();
    await t.consumer.settled();
    expect(t.commits).toEqual([`${topics.events}/2@1 (lingering)`, `${topics.events}/2@2 (lingering)`]);
    expect(t.indexed.flat()).toHaveLength(2);
  });

  it('commits nothing of a partition past an index write that gave up, until its events are read again', async () => {
    let running = true;
    const t = setup({ indexWrite: (n) => (n === 0 ? Promise.reject(new Error('database down')) : Promise.resolve()) });
    const { payload } = batch([eventMessage('0')], () => running);
    await t.consumer.eachBatch(payload);
    // The consumer stops while the write is retried: it gives up, and a later slice's offset is not committed either.
    running = false;
    await t.consumer.eachBatch(batch([eventMessage('1')], () => true).payload);
    await t.consumer.settled();
    expect(t.commits).toEqual([]);
    // The partition is read again from its last commit: the rows are written and the offsets committed.
    const again = batch([eventMessage('0'), eventMessage('1')]);
    await t.consumer.eachBatch(again.payload);
    await t.consumer.settled();
    expect(t.commits).toEqual([`${topics.events}/2@2 (lingering)`]);
  });

  it('matches without a round trip when the events say the index is recent enough', async () => {
    const t = setup({ seq: 7 });
    await t.consumer.eachBatch(batch([eventMessage('0', 7), eventMessage('1', 5)]).payload);
    expect(t.catchUps).toEqual([]);
  });

  it('waits for the webhook changes to catch up when an event was accepted under a newer change, or does not say', async () => {
    const newer = setup({ seq: 7 });
    await newer.consumer.eachBatch(batch([eventMessage('0', 8)]).payload);
    expect(newer.catchUps).toHaveLength(1);
    const unknown = setup({ seq: 7 });
    await unknown.consumer.eachBatch(batch([eventMessage('0')]).payload);
    expect(unknown.catchUps).toHaveLength(1);
  });

  it('retries a failing publish in place: nothing is resolved or committed before it succeeds', async () => {
    const t = setup({ publishFailures: 2 });
    const { payload, resolved } = batch([eventMessage('0')]);
    await t.consumer.eachBatch(payload);
    expect(t.published).toHaveLength(1);
    expect(resolved).toEqual(['0']);
    await t.consumer.settled();
    expect(t.commits).toEqual([`${topics.events}/2@1 (lingering)`]);
  });

  it('gives up on a slice when the consumer stops while a step fails: nothing resolved, nothing committed', async () => {
    const t = setup({ publishFailures: 1000 });
    let running = true;
    const { payload, resolved } = batch([eventMessage('0')], () => running);
    const done = t.consumer.eachBatch(payload);
    await new Promise((r) => setTimeout(r, 50));
    running = false;
    await done;
    expect(t.published).toEqual([]);
    expect(resolved).toEqual([]);
    expect(t.commits).toEqual([]);
  });
});
