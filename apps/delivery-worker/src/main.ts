#!/usr/bin/env node
import { runService } from '@hookstream/service-kit';

// Foundation skeleton: joins the consumer group on `deliveries`; delivery comes with its own issue.
await runService({
  name: 'delivery-worker',
  config: {},
  opsPort: { variable: 'HEALTH_PORT', default: 8082 },
  async start({ kafka, topics, logger, onShutdown }) {
    const consumer = kafka.consumer({ groupId: 'hookstream-delivery-worker' });
    await consumer.connect();
    await consumer.subscribe({ topic: topics.deliveries });
    await consumer.run({
      eachMessage: async ({ message }) => {
        logger.debug({ offset: message.offset }, 'job received');
      },
    });
    onShutdown('consumer', () => consumer.disconnect());
  },
});
