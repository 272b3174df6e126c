/**
 * Metric names referenced by a PromQL expression. Not a parser: it removes what cannot be
 * a metric name (strings, label matchers, ranges, grouping clauses, Grafana variables),
 * then keeps the identifiers that are not function calls or keywords. Enough for the
 * expressions of our own dashboard and rules, which the tests below keep honest.
 */
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan', 'atan2']);

export function metricNames(expr: string): string[] {
  const cleaned = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\{?\w+\}?/g, ' ');
  const names = new Set<string>();
  for (const m of cleaned.matchAll(/(?<![\w.:])([A-Za-z_:][\w:]*)(\s*\()?/g)) {
    const [, name, call] = m;
    if (call || KEYWORDS.has(name!.toLowerCase())) continue;
    names.add(name!);
  }
  return [...names].sort();
}

/** The `# TYPE` lines of a Prometheus text exposition: metric name -> type. */
export function exposedMetrics(exposition: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const m of exposition.matchAll(/^# TYPE ([A-Za-z_:][\w:]*) (\w+)$/gm)) types.set(m[1]!, m[2]!);
  return types;
}

/**
 * Whether a name used in a query is exported: as is, or as a series of a histogram or
 * summary (`_bucket`, `_sum`, `_count`).
 */
export function isExported(name: string, exported: Map<string, string>): boolean {
  if (exported.has(name)) return true;
  const m = /^(.*)_(bucket|sum|count)$/.exec(name);
  if (!m) return false;
  const type = exported.get(m[1]!);
  return type === 'histogram' || (type === 'summary' && m[2] !== 'bucket');
}

/** Labels Prometheus adds to every scraped series: they never appear on /metrics. */
const TARGET_LABELS = new Set(['instance', 'job']);

/**
 * Labels a query needs on a metric's series: those of its label matchers
 * (`m{status=~"5.."}`) and those an aggregation groups by (`sum by (group) (... m ...)`).
 * A label missing from the series silently empties a panel or a rule.
 */
export function labelRequirements(expr: string): { metric: string; label: string }[] {
  const out: { metric: string; label: string }[] = [];
  const add = (metrics: string[], labels: string[]) => {
    for (const metric of metrics) for (const label of labels) if (!TARGET_LABELS.has(label)) out.push({ metric, label });
  };
  const noStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  for (const m of noStrings.matchAll(/(?<![\w.:])([A-Za-z_:][\w:]*)\s*\{([^}]*)\}/g)) {
    add(
      [m[1]!],
      [...m[2]!.matchAll(/([A-Za-z_]\w*)\s*(?:=~|!~|!=|=)/g)].map((l) => l[1]!),
    );
  }
  for (const m of noStrings.matchAll(/\bby\s*\(([^)]*)\)\s*\(/g)) {
    const start = m.index! + m[0].length;
    let depth = 1;
    let end = start;
    while (end < noStrings.length && depth > 0) {
      depth += noStrings[end] === '(' ? 1 : noStrings[end] === ')' ? -1 : 0;
      end++;
    }
    const labels = m[1]!
      .split(',')
      .map((l) => l.trim())
      .filter(Boolean);
    add(metricNames(noStrings.slice(start, end - 1)), labels);
  }
  return out;
}

/** Label names seen on the samples of a Prometheus text exposition: sample name -> labels. */
export function sampleLabels(exposition: string): Map<string, Set<string>> {
  const labels = new Map<string, Set<string>>();
  for (const m of exposition.matchAll(/^([A-Za-z_:][\w:]*)(?:\{(.*)\})? \S+$/gm)) {
    const set = labels.get(m[1]!) ?? new Set<string>();
    for (const l of (m[2] ?? '').matchAll(/([A-Za-z_]\w*)="/g)) set.add(l[1]!);
    labels.set(m[1]!, set);
  }
  return labels;
}
