#!/usr/bin/env node
import { runService } from '@hookstream/service-kit';
import { migrateLatest } from '@hookstream/store';
import { gatewayConfigSpec } from './config.js';
import { startGateway } from './gateway.js';

// Event ingest (data plane) and the control-plane REST API on PORT (see src/http/app.ts for the
// routes); /readyz with its details and /metrics on the operations port only, never on PORT.
await runService({
  name: 'gateway',
  config: gatewayConfigSpec,
  opsPort: { variable: 'OPS_PORT', default: 9464 },
  migrate: migrateLatest,
  start: startGateway,
});
