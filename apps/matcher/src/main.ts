#!/usr/bin/env node
import { runService } from '@hookstream/service-kit';

// Foundation skeleton: joins the consumer group on `events`; matching comes with its own issue.
await runService({
  name: 'matcher',
  config: {},
  opsPort: { variable: 'HEALTH_PORT', default: 8081 },
  async start({ kafka, topics, logger, onShutdown }) {
    const consumer = kafka.consumer({ groupId: 'hookstream-matcher' });
    await consumer.connect();
    await consumer.subscribe({ topic: topics.events });
    await consumer.run({
      eachMessage: async ({ message }) => {
        logger.debug({ offset: message.offset }, 'event received');
      },
    });
    onShutdown('consumer', () => consumer.disconnect());
  },
});
