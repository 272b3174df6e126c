import { createRequire } from 'node:module';
import { logLevel } from 'kafkajs';

export type PinoLevel = 'error' | 'warn' | 'info' | 'debug';

const pinoLevel: Record<number, PinoLevel> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * Broker answers that are part of a normal start (a fresh broker, a new group, topics just
 * created) and that kafkajs retries by itself: their Kafka error codes.
 */
export const EXPECTED_START_ANSWERS = {
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  LEADER_NOT_AVAILABLE: 5,
  /**
   * A partition's leader is elected a moment after its topic is created, and clients asking
   * before every broker's metadata caught up (ListOffsets of a consumer joining) hear this; it
   * is the same answer while a leader moves in a cluster. kafkajs refreshes metadata and retries.
   */
  NOT_LEADER_FOR_PARTITION: 6,
  /** Group or transaction coordinator still loading its log (also InitProducerId on a fresh broker). */
  COORDINATOR_LOAD_IN_PROGRESS: 14,
  COORDINATOR_NOT_AVAILABLE: 15,
  NOT_COORDINATOR: 16,
  REBALANCE_IN_PROGRESS: 27,
  /**
   * Services starting together race to create and grow the same topics: the loser's request is
   * refused and ensureTopics' next round finds the topic as wanted (or the start fails loudly).
   */
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
} as const;

/** How long an expected answer may keep coming back before it is reported at its own level again. */
export const EXPECTED_ANSWER_GRACE_MS = 60_000;

/**
 * kafkajs logs such an answer as text only (a Connection "Response ..." line carrying the
 * error's message, a retry line quoting it), so the messages are taken from kafkajs' own table.
 */
function expectedMessages(): string[] {
  const require = createRequire(import.meta.url);
  const { errorCodes } = require('kafkajs/src/protocol/error.js') as { errorCodes: { code: number; message: string }[] };
  const codes = new Set<number>(Object.values(EXPECTED_START_ANSWERS));
  return errorCodes.filter((e) => codes.has(e.code)).map((e) => e.message);
}

export interface KafkaLogEntry {
  level: number;
  message?: string;
  error?: unknown;
}

/**
 * Maps a kafkajs log level to pino's, except that an expected start-up answer (see
 * {@link EXPECTED_START_ANSWERS}) is logged at debug while kafkajs retries it. The same answer
 * still coming back after `graceMs` without a pause of `graceMs` is no start-up any more (a
 * coordinator that never loads): it gets its own level back. Anything else, for example a
 * broker that cannot be reached, keeps kafkajs' level.
 */
export class KafkaLogLevels {
  private readonly messages: string[];
  /** Per expected message: when its current run of occurrences began and when it was last seen. */
  private readonly runs = new Map<string, { since: number; last: number }>();

  constructor(
    private readonly graceMs = EXPECTED_ANSWER_GRACE_MS,
    private readonly now: () => number = Date.now,
    messages: string[] = expectedMessages(),
  ) {
    this.messages = messages;
  }

  levelOf(entry: KafkaLogEntry): PinoLevel {
    const level = pinoLevel[entry.level] ?? 'info';
    if (level !== 'error' && level !== 'warn') return level;
    const answer = this.expectedAnswer(entry);
    if (answer === undefined) return level;
    const t = this.now();
    const run = this.runs.get(answer);
    if (!run || t - run.last > this.graceMs) {
      this.runs.set(answer, { since: t, last: t });
      return 'debug';
    }
    run.last = t;
    return t - run.since > this.graceMs ? level : 'debug';
  }

  private expectedAnswer(entry: KafkaLogEntry): string | undefined {
    const texts = [entry.error, entry.message].filter((v): v is string => typeof v === 'string');
    // Exact, or at the end of a retry line ("Failed to send messages: <message>").
    return this.messages.find((m) => texts.some((t) => t === m || t.endsWith(`: ${m}`)));
  }
}
