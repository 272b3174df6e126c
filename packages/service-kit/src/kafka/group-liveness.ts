import { env, type Reader } from '../config/env.js';

/**
 * How fast a consumer group notices a dead member. A SIGKILLed process never leaves its group:
 * its partitions deliver nothing until the coordinator has gone a whole session without its
 * heartbeat, and a replacement that joins meanwhile waits for that too (kafkajs has no static
 * membership to take the dead member's place). 30 s sessions stalled delivery for 30-35 s after a
 * kill; 6 s, the shortest session brokers accept by default (`group.min.session.timeout.ms`),
 * resumes it in 6-9 s (docs/operations.md "Recovery after a crash"). A live member heartbeats
 * from its fetch loop, and the measured event-loop blocks under load (0.5 s at most) stay far
 * below 6 s.
 */
export const MIN_SESSION_TIMEOUT_MS = 6_000;
export const DEFAULT_SESSION_TIMEOUT_MS = 6_000;
/** A third of the session at most, as Kafka advises: two heartbeats may be lost before the session ends. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 1_000;

const sessionReader = env.int({ default: DEFAULT_SESSION_TIMEOUT_MS, min: MIN_SESSION_TIMEOUT_MS, max: 300_000 });

/** A group session timeout setting (ms). */
export function sessionTimeoutSetting(): Reader<number> {
  return sessionReader;
}

/** A heartbeat interval setting (ms), checked against the session timeout read from `sessionVariable`. */
export function heartbeatIntervalSetting(sessionVariable: string): Reader<number> {
  const own = env.int({ default: DEFAULT_HEARTBEAT_INTERVAL_MS, min: 100, max: 100_000 });
  return {
    parse(raw, source = {}) {
      const interval = own.parse(raw, source);
      let session: number;
      try {
        const rawSession = source[sessionVariable];
        session = sessionReader.parse(rawSession === '' ? undefined : rawSession);
      } catch {
        return interval; // the session's own error is reported under its name
      }
      const most = Math.floor(session / 3);
      if (interval > most) throw `must be at most a third of ${sessionVariable} (${session} ms): at most ${most}`;
      return interval;
    },
  };
}
