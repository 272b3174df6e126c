#!/usr/bin/env node
// Kept outside dist so the bin link exists before the first build.
await import('../dist/main.js');
