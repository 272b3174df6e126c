import { RETRY_TIERS, RETRY_TIER_MS, topicNames, topicSpecs, loadConfig } from '../src/index.js';

describe('topic catalogue', () => {
  it('puts every topic under the configured prefix', () => {
    const names = topicNames('acme.');
    expect(names.events).toBe('acme.events');
    expect(names.deliveriesDlq).toBe('acme.deliveries.dlq');
    expect(names.retry['30s']).toBe('acme.deliveries.retry.30s');
  });

  it('takes partition counts from configuration', () => {
    const specs = topicSpecs(loadConfig({}, { KAFKA_TOPIC_PREFIX: 'x.', TOPIC_PARTITIONS_EVENTS: '12', TOPIC_PARTITIONS_RETRY: '4' }));
    expect(specs.find((s) => s.topic === 'x.events')?.numPartitions).toBe(12);
    expect(specs.filter((s) => s.topic.startsWith('x.deliveries.retry.')).map((s) => s.numPartitions)).toEqual(RETRY_TIERS.map(() => 4));
  });

  it('orders retry tiers from shortest to longest', () => {
    const ms = RETRY_TIERS.map((t) => RETRY_TIER_MS[t]);
    expect([...ms].sort((a, b) => a - b)).toEqual(ms);
  });
});
