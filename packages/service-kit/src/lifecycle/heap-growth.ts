import v8 from 'node:v8';

/**
 * Fixes how far V8 lets the old generation grow past what its last mark-compact kept, as
 * `1 + percent / 100` times that (0: V8's own choice). V8 otherwise derives the factor from how
 * fast its last collections ran against how fast the app allocated, and on cores shared with
 * other work the collections look slow: the factor fell to its conservative floor, so a gateway
 * keeping 27 MB collected its whole old generation every 1.4 s (6-8 MB of promoted short-lived
 * objects each time), and on a loaded machine each of those pauses took 50-250 ms, the longest
 * stops of the latency tail (docs/performance.md, "The latency tail at half load, fifth
 * session"). Set at run time because `--heap-growing-percent` is not allowed in NODE_OPTIONS
 * (the Dockerfile's and the Kubernetes manifests' way of passing flags); V8 reads it at every
 * mark-compact, so it applies from the first one on.
 */
export function setHeapGrowing(percent: number): void {
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
