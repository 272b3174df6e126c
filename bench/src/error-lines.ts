/** Error-level lines in a process's output, and the first few of them to quote. */
export interface ErrorLines {
  count: number;
  first: string[];
}

/** pino's `error` (50) and `fatal` (60) levels, as numbers or as the labels service-kit's logger prints. */
const ERROR_LEVEL = 50;
const ERROR_LABELS = new Set(['error', 'fatal']);
const QUOTE_CHARS = 400;

/**
 * Counts the pino lines (one JSON object per line) at level error or above. Other lines (a
 * runtime warning on stderr, a partial line) are not log records and are not counted.
 */
export function errorLines(lines: readonly string[], quote = 3): ErrorLines {
  const found: string[] = [];
  for (const line of lines) {
    const text = line.trim();
    if (!text.startsWith('{')) continue;
    let level: unknown;
    try {
      level = (JSON.parse(text) as { level?: unknown }).level;
    } catch {
      continue;
    }
    if ((typeof level === 'number' && level >= ERROR_LEVEL) || (typeof level === 'string' && ERROR_LABELS.has(level))) found.push(text);
  }
  return {
    count: found.length,
    first: found.slice(0, quote).map((l) => (l.length > QUOTE_CHARS ? `${l.slice(0, QUOTE_CHARS)}…` : l)),
  };
}
