export * from './kafka-record.js';
export * from './events-record.js';
export * from './invalid-event-record.js';
export * from './delivery-job-record.js';
export * from './dead-letter-record.js';
export * from './trace-context.js';
