export * from './change-feed.js';
export * from './webhook-records.js';
export * from './webhook-cache.js';
export * from './secrets.js';
export * from './retention.js';
export * from './delivery-rows.js';
