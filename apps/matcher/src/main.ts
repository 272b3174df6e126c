#!/usr/bin/env node
import { runService } from '@hookstream/service-kit';
import { migrateLatest } from '@hookstream/store';
import { startMatcher } from './app.js';
import { matcherConfigSpec } from './config.js';

// events -> delivery jobs: see app.ts for the wiring and README.md for the rules.
await runService({
  name: 'matcher',
  config: matcherConfigSpec,
  opsPort: { variable: 'OPS_PORT', default: 8081 },
  migrate: migrateLatest,
  start: (ctx) => startMatcher(ctx),
});
