/** The two timer functions a schedule uses; tests pass a fake clock. */
export interface IntervalTimers {
  setInterval(run: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const systemTimers: IntervalTimers = {
  setInterval(run, ms) {
    // unref: a schedule alone must not keep a stopping process alive.
    return setInterval(run, ms).unref();
  },
  clearInterval(handle) {
    clearInterval(handle as NodeJS.Timeout);
  },
};

export interface Schedule {
  stop(): void;
}

/**
 * Runs `task` every `intervalMs`. A failing run (thrown or rejected) goes to `onFailure` and the
 * next run comes as planned: a timer callback must never throw or leave a rejection unhandled,
 * which would take the whole gateway down.
 */
export function repeat(intervalMs: number, task: () => unknown, onFailure: (err: unknown) => void, timers: IntervalTimers = systemTimers): Schedule {
  const handle = timers.setInterval(() => {
    try {
      Promise.resolve(task()).catch(onFailure);
    } catch (err) {
      onFailure(err);
    }
  }, intervalMs);
  return { stop: () => timers.clearInterval(handle) };
}

/** The message of an error for a log line (the stack adds nothing for these expected failures). */
export const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));
