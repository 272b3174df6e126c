export * from './environment.js';
export * from './wait.js';
export * from './postgres.js';
export * from './kafka.js';
export * from './processes.js';
export * from './docker.js';
export * from './repo-root.js';
