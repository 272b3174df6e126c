import { WEBHOOKS_SEQ_HEADER, type TraceCarrier } from '@hookstream/schemas';
import { prom, topicNames } from '@hookstream/service-kit';
import type { KafkaMessage, TopicMessages } from 'kafkajs';
import { EventsConsumer, type EventsBatch } from '../../src/consumer/events-consumer.js';
import { SubscriptionIndex } from '../../src/matching/subscription-index.js';
import { createMatcherMetrics } from '../../src/metrics.js';
import type { EventSpanStarter } from '../../src/tracing/event-spans.js';
import { accepted, entity, record } from './records.js';

const topics = topicNames('t.');
const PUBLISHER = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const OWN: TraceCarrier = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-1111111111111111-01' };

function eventMessage(offset: string, traceparent?: string): KafkaMessage {
  return {
    key: null,
    value: Buffer.from(JSON.stringify(accepted('jive:user_session_logout').event)),
    offset,
    timestamp: String(Date.now()),
    attributes: 0,
    headers: { [WEBHOOKS_SEQ_HEADER]: Buffer.from('0'), ...(traceparent ? { traceparent: Buffer.from(traceparent) } : {}) },
  } as KafkaMessage;
}

/** Records each span: the parent the matcher read from the record, and how it ended. */
function fakeSpans() {
  const spans: { parent?: string; offset: string; ended?: string; jobs?: number }[] = [];
  const starter: EventSpanStarter = {
    start(decoded, source) {
      const s: (typeof spans)[number] = { offset: source.offset, ...(decoded.trace ? { parent: decoded.trace.traceparent } : {}) };
      spans.push(s);
      return {
        carrier: OWN,
        finish: ({ jobs }) => Object.assign(s, { ended: 'ok', jobs }),
        fail: (message) => void (s.ended = message),
      };
    },
  };
  return { spans, starter };
}

function setup(spans: EventSpanStarter, publish: (parts: TopicMessages[]) => Promise<void>) {
  const index = new SubscriptionIndex('https://hs.example');
  index.upsert(record(entity('user_session')));
  return new EventsConsumer({
    publisher: { publish },
    committer: { commit: async () => undefined, flush: async () => undefined },
    writeIndex: async () => undefined,
    index,
    freshness: { seq: 0, catchUp: async () => undefined },
    topics,
    metrics: createMatcherMetrics(new prom.Registry(), () => index.size),
    logger: { warn: () => undefined },
    sliceSize: 100,
    retryMaxMs: 50,
    spans,
  });
}

function batch(messages: KafkaMessage[], running = () => true): EventsBatch {
  return {
    batch: { topic: topics.events, partition: 0, messages },
    resolveOffset: () => undefined,
    heartbeat: async () => undefined,
    isRunning: running,
    isStale: () => false,
  };
}

describe('EventsConsumer with tracing', () => {
  it('opens one span per event under the record traceparent, puts its context on the event jobs, and ends it once they are acknowledged', async () => {
    const { spans, starter } = fakeSpans();
    const published: TopicMessages[] = [];
    let acknowledged = false;
    const consumer = setup(starter, async (parts) => {
      // Nothing ended before the broker acknowledged.
      expect(spans.every((s) => s.ended === undefined)).toBe(true);
      published.push(...parts);
      acknowledged = true;
    });
    await consumer.eachBatch(batch([eventMessage('5', PUBLISHER), eventMessage('6')]));
    expect(acknowledged).toBe(true);
    expect(spans).toEqual([
      { offset: '5', parent: PUBLISHER, ended: 'ok', jobs: 1 },
      { offset: '6', ended: 'ok', jobs: 1 },
    ]);
    const jobs = published.filter((p) => p.topic === topics.deliveries).flatMap((p) => p.messages);
    expect(jobs.map((m) => (m.headers as Record<string, string>).traceparent)).toEqual([OWN.traceparent, OWN.traceparent]);
  });

  it('ends the spans as failed when the consumer stops before the jobs were acknowledged', async () => {
    const { spans, starter } = fakeSpans();
    let running = true;
    const consumer = setup(starter, async () => {
      running = false;
      throw new Error('broker unavailable');
    });
    await consumer.eachBatch(batch([eventMessage('9', PUBLISHER)], () => running));
    expect(spans).toEqual([{ offset: '9', parent: PUBLISHER, ended: 'stopped before the jobs were acknowledged; the events will be read again' }]);
  });
});
