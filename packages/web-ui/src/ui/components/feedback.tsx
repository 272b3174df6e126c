import type { ComponentChildren } from 'preact';
import { describeError } from '../lib/api.js';

/** A failed call as the API explained it: the status and message, then each JSON path at fault. */
export function ErrorBox({ error, testId = 'error' }: { error: unknown; testId?: string }) {
  if (error === undefined || error === null) return null;
  const { title, lines } = describeError(error);
  return (
    <div class="notice bad" role="alert" data-testid={testId}>
      <strong>{title}</strong>
      {lines.length > 0 && (
        <ul class="error-paths">
          {lines.map((l) => {
            const at = l.indexOf(': ');
            return at > 0 && l.startsWith('/') ? (
              <li key={l}>
                <code>{l.slice(0, at)}</code> {l.slice(at + 2)}
              </li>
            ) : (
              <li key={l}>{l}</li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p class="loading" role="status" aria-live="polite" data-testid="loading">
      <span class="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

export function Empty({ title, children, testId }: { title: string; children?: ComponentChildren; testId?: string }) {
  return (
    <div class="empty" data-testid={testId}>
      <p class="empty-title">{title}</p>
      {children}
    </div>
  );
}

/** A success or information line that screen readers announce. */
export function Notice({ tone = 'ok', children, testId }: { tone?: 'ok' | 'info' | 'warn'; children: ComponentChildren; testId?: string }) {
  return (
    <div class={`notice ${tone}`} role="status" aria-live="polite" data-testid={testId}>
      {children}
    </div>
  );
}
