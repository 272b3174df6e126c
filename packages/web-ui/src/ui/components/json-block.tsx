import { prettyJson } from '../lib/format.js';

/** JSON for reading: scrolls inside itself, so a long payload never widens the page. */
export function JsonBlock({ value, label, testId }: { value: unknown; label: string; testId?: string }) {
  return (
    <pre class="code" tabIndex={0} aria-label={label} data-testid={testId}>
      {prettyJson(value)}
    </pre>
  );
}
