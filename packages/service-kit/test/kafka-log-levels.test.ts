import { logLevel } from 'kafkajs';
import { KafkaLogLevels } from '../src/kafka/log-levels.js';

const loading = "The coordinator is loading and hence can't process requests for this group";

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('kafkajs log levels', () => {
  it("logs the broker's expected start-up answers at debug, as kafkajs reports them", () => {
    const levels = new KafkaLogLevels();
    // Connection lines carry the answer's message in `error`.
    for (const error of [
      loading,
      'The group coordinator is not available',
      'This is not the correct coordinator for this group',
      'There is no leader for this topic-partition as we are in the middle of a leadership election',
      'This server does not host this topic-partition',
      // ListOffsets right after the topic's creation, before the new leader is known everywhere.
      'This server is not the leader for that topic-partition',
      'The group is rebalancing, so a rejoin is needed',
      // Two services creating or growing the same topics at once.
      'Topic with this name already exists',
      'Number of partitions is invalid',
    ]) {
      expect(levels.levelOf({ level: logLevel.ERROR, message: 'Response GroupCoordinator(key: 10, version: 2)', error })).toBe('debug');
    }
    // A retry line quotes it at the end of its message.
    expect(levels.levelOf({ level: logLevel.ERROR, message: 'Failed to send messages: This server does not host this topic-partition' })).toBe('debug');
  });

  it('keeps every other error and warning at its level: an unreachable broker stays an error', () => {
    const levels = new KafkaLogLevels();
    expect(levels.levelOf({ level: logLevel.ERROR, message: 'Connection error: connect ECONNREFUSED 127.0.0.1:9092' })).toBe('error');
    expect(levels.levelOf({ level: logLevel.ERROR, message: 'Failed to connect to broker, reconnecting' })).toBe('error');
    expect(
      levels.levelOf({
        level: logLevel.ERROR,
        message: 'Response Produce(key: 0, version: 7)',
        error: 'The request included a message larger than the max message size the server will accept',
      }),
    ).toBe('error');
    expect(levels.levelOf({ level: logLevel.WARN, message: 'Response without match' })).toBe('warn');
    expect(levels.levelOf({ level: logLevel.INFO, message: 'Starting' })).toBe('info');
    // Not an expected answer merely because one's text appears inside it.
    expect(levels.levelOf({ level: logLevel.ERROR, message: `Crash: KafkaJSNonRetriableError: ${loading} (after 5 retries)` })).toBe('error');
  });

  it('gives an expected answer its own level back once it has kept coming for longer than the grace period, and forgets it after a pause', () => {
    const c = clock();
    const levels = new KafkaLogLevels(60_000, c.now);
    const entry = { level: logLevel.ERROR, message: 'Response InitProducerId(key: 22, version: 1)', error: loading };
    expect(levels.levelOf(entry)).toBe('debug');
    for (let i = 0; i < 12; i++) {
      c.advance(5_000);
      expect(levels.levelOf(entry)).toBe('debug');
    }
    c.advance(5_000);
    expect(levels.levelOf(entry)).toBe('error');
    // Another answer has its own run.
    expect(levels.levelOf({ ...entry, error: 'The group coordinator is not available' })).toBe('debug');
    // After a quiet minute the same answer is a new start (a broker restart).
    c.advance(61_000);
    expect(levels.levelOf(entry)).toBe('debug');
  });
});
