#!/usr/bin/env node
import { runService } from '@hookstream/service-kit';
import { migrateLatest } from '@hookstream/store';
import { gatewayConfigSpec } from './config.js';
import { startGateway } from './gateway.js';

// Event ingest (data plane) and the control-plane REST API; see src/http/app.ts for the routes.
await runService({ name: 'gateway', config: gatewayConfigSpec, migrate: migrateLatest, start: startGateway });
