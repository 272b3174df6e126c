/** Formatting shared by every view: pure functions, so they are unit-tested without a browser. */

const pad = (n: number) => String(n).padStart(2, '0');

/** `2026-12-05 21:04:09` in the reader's time zone (a fixed, sortable shape). */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `just now`, `5 min ago`, `3 h ago`, `2 d ago`; `in 4 min` for the future. */
export function formatRelative(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return '—';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const s = Math.round((now.getTime() - t) / 1000);
  const abs = Math.abs(s);
  const future = s < 0;
  const say = (n: number, unit: string) => (future ? `in ${n} ${unit}` : `${n} ${unit} ago`);
  if (abs < 45) return future ? 'in a moment' : 'just now';
  if (abs < 3600) return say(Math.max(1, Math.round(abs / 60)), 'min');
  if (abs < 86_400) return say(Math.round(abs / 3600), 'h');
  return say(Math.round(abs / 86_400), 'd');
}

/** Milliseconds as people read them: `38 ms`, `1.25 s`, `2 min 5 s`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** A ratio 0..1 as a percentage with at most one decimal (`99.5 %`, `100 %`); `—` when unknown. */
export function formatPercent(ratio: number | null | undefined): string {
  if (ratio == null || !Number.isFinite(ratio)) return '—';
  const p = Math.round(ratio * 1000) / 10;
  return `${p} %`;
}

/** Counts with thin grouping: `12 345`. */
export function formatCount(n: number | null | undefined): string {
  if (n == null || !Number.isFinite(n)) return '—';
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
}

export type Tone = 'ok' | 'warn' | 'bad' | 'muted' | 'info';

/** The colour family of a delivery or endpoint status. */
export function statusTone(status: string): Tone {
  switch (status) {
    case 'delivered':
    case 'succeeded':
    case 'success':
    case 'enabled':
      return 'ok';
    case 'retrying':
    case 'pending':
    case 'buggy':
      return 'warn';
    case 'failed':
    case 'discarded':
    case 'dead_lettered':
    case 'dead-lettered':
    case 'disabled':
    case 'error':
      return 'bad';
    case 'skipped':
      return 'muted';
    default:
      return 'info';
  }
}

/** An HTTP status code's family, for colouring attempts (`2xx` ok, `4xx`/`5xx` bad, none muted). */
export function httpStatusTone(code: number | null | undefined): Tone {
  if (code == null) return 'muted';
  if (code >= 200 && code < 300) return 'ok';
  if (code >= 300 && code < 400) return 'info';
  return 'bad';
}

/** Shortens an id for tables, keeping both ends recognisable: `5f1c9a…e21b`. */
export function shortId(id: string, keep = 6): string {
  return id.length <= keep * 2 + 1 ? id : `${id.slice(0, keep)}…${id.slice(-4)}`;
}

/**
 * A `datetime-local` input's value (local wall time, `2026-12-05T21:04`) as an RFC 3339 instant
 * the API takes; undefined for an empty or unreadable value.
 */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** The reverse: an instant as a `datetime-local` input value in the reader's time zone. */
export function isoToLocalInput(iso: string | Date): string {
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** JSON shown to people: two-space indentation, `—` for nothing. */
export function prettyJson(value: unknown): string {
  if (value === undefined) return '—';
  if (typeof value === 'string') {
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      return value;
    }
  }
  return JSON.stringify(value, null, 2);
}
