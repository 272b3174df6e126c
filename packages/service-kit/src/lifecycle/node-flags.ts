/**
 * Node.js flags every hookstream app is started with (scripts/start.mjs, the test kit's
 * startApp, the Dockerfile's NODE_OPTIONS, the Kubernetes manifests), but the matcher's (below).
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

/**
 * The matcher's young generation is twice as large again (`--max-semi-space-size=64`). A slice of
 * 500 events holds its plan (about 2,600 job records, each a string of about 1 KB built from
 * parts) until the slice is produced, and every scavenge copies what is still held: at 32 MiB a
 * scavenge ran every few slices and the scavenger was a quarter of the matcher's CPU in its own
 * benchmark (`perf`: `ScavengeObject` 9.6 %, `EvacuateShortcutCandidate` 5.3 %, ...). Halving how
 * often it runs, with about the same to copy each time, measured on 2026-12-07 (runs alternated,
 * docs/performance.md, thirteenth session): `matcher:match` 40,269-42,091 -> 54,000-55,696 events/s,
 * the matcher's CPU per event at a steady 300/s .26 -> .24 ms, the pipeline unchanged, for about
 * 45-60 MiB more peak RSS (219 -> 262 MiB in the bench). The gateway and the worker gained
 * nothing they need at that price, so they keep 32.
 */
export const MATCHER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];

/** The flags an app is started with (the start script, the test kit, the matcher's benchmark). */
export function nodeFlagsOf(app: string): readonly string[] {
  return app === 'matcher' ? MATCHER_NODE_FLAGS : APP_NODE_FLAGS;
}
