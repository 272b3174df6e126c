export * from './history.js';
export * from './rows.js';
export * from './status.js';
export * from './writes.js';
export * from './replay.js';
export * from './recovery.js';
