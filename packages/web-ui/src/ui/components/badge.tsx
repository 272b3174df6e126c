import { httpStatusTone, statusTone, type Tone } from '../lib/format.js';

export function Badge({ tone, children, label }: { tone: Tone; children: string; label?: string }) {
  return (
    <span class={`badge ${tone}`} aria-label={label}>
      {children}
    </span>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <Badge tone={statusTone(status)}>{status.replace(/_/g, ' ')}</Badge>;
}

export function HttpStatus({ code }: { code: number | null | undefined }) {
  return <Badge tone={httpStatusTone(code)}>{code == null ? 'no response' : String(code)}</Badge>;
}
