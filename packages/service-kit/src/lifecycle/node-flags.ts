/**
 * Node.js flags every hookstream app is started with (scripts/start.mjs, the test kit's
 * startApp, the Dockerfile's NODE_OPTIONS).
 *
 * `--max-semi-space-size=32` (MiB; Node 20's default allows 16): the apps allocate many
 * short-lived objects per event (decoded records, job bodies, HTTP requests), and with the
 * default young generation they are scavenged so often that objects still in use get promoted
 * and collected again by the major GC. Measured with `npm run bench` on 2026-12-02, runs
 * alternated with and without the flag: worker CPU per event 0.40 -> 0.34 ms, delivered
 * 1,136 -> 1,230 events/s, p99 at half load 209 -> 167 ms, for about 10-20 MiB more RSS per app
 * (docs/performance.md).
 *
 * The old generation's growth (`--heap-growing-percent`) is not here: NODE_OPTIONS refuses it,
 * so every app sets it at run time from V8_HEAP_GROWING_PERCENT (heap-growth.ts).
 */
export const APP_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32'];
