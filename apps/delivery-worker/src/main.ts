#!/usr/bin/env node
import { runService } from '@hookstream/service-kit';
import { migrateLatest } from '@hookstream/store';
import { workerConfigSpec } from './config.js';
import { startWorker } from './worker.js';

// Delivery jobs -> authenticated HTTP calls, retries through Kafka, dead letters, audit.
await runService({
  name: 'delivery-worker',
  config: workerConfigSpec,
  opsPort: { variable: 'OPS_PORT', default: 8082 },
  migrate: migrateLatest,
  start: startWorker,
});
