// Test-only entry point (`@hookstream/store/testing`): the SQL the apps' tests need to set up
// rows, read them back for assertions and simulate faults, kept here so that no app, tests
// included, writes SQL of its own. Never imported by src/ (an ESLint rule forbids it).
export * from './fixture-rows.js';
export * from './row-reads.js';
export * from './faults.js';
