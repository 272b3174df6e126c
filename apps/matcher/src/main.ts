#!/usr/bin/env node
import { runService } from '@hookstream/service-kit';
import { startMatcher } from './app.js';
import { matcherConfigSpec } from './config.js';

// events -> delivery jobs: see app.ts for the wiring and README.md for the rules.
await runService({
  name: 'matcher',
  config: matcherConfigSpec,
  opsPort: { variable: 'HEALTH_PORT', default: 8081 },
  start: (ctx) => startMatcher(ctx),
});
