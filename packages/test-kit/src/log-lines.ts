/**
 * The lines of an app's output at error level or above: pino records with level error or fatal
 * (label or number), and any other line (a crash trace, kafkajs printing by itself) saying ERROR.
 */
export function errorLines(lines: readonly string[]): string[] {
  return lines.filter((line) => {
    let rec: { level?: unknown };
    try {
      rec = JSON.parse(line) as { level?: unknown };
    } catch {
      return /\bERROR\b/.test(line);
    }
    if (typeof rec.level === 'number') return rec.level >= 50;
    return rec.level === 'error' || rec.level === 'fatal';
  });
}
