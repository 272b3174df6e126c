#!/usr/bin/env node
import { runService } from '@hookstream/service-kit';
import { workerConfigSpec } from './config.js';
import { startWorker } from './worker.js';

// Delivery jobs -> authenticated HTTP calls, retries through Kafka, dead letters, audit.
await runService({
  name: 'delivery-worker',
  config: workerConfigSpec,
  opsPort: { variable: 'HEALTH_PORT', default: 8082 },
  start: startWorker,
});
