import { useState } from 'preact/hooks';
import { ErrorBox, Notice } from '../components/feedback.js';
import { Field } from '../components/field.js';
import { JsonBlock } from '../components/json-block.js';
import { ApiError } from '../lib/api.js';
import type { EventTypeEntry } from '../lib/types.js';
import { useAsync } from '../lib/use-async.js';
import { usePortal } from './context.js';

/** A catalogue type chooser whose example payload the previews run on. */
function ExampleChooser({ label, value, onChange }: { label: string; value: string; onChange(type: string, entry?: EventTypeEntry): void }) {
  const { catalogue } = usePortal();
  const types = useAsync(catalogue, []);
  return (
    <Field label={label}>
      <select
        value={value}
        onChange={(e) =>
          onChange(
            e.currentTarget.value,
            types.data?.find((t) => t.type === e.currentTarget.value),
          )
        }
      >
        <option value="">Choose an event type…</option>
        {(types.data ?? []).map((t) => (
          <option key={t.type} value={t.type}>
            {t.type}
          </option>
        ))}
      </select>
    </Field>
  );
}

const exampleData = (entry?: EventTypeEntry): Record<string, unknown> =>
  entry && entry.example && typeof entry.example === 'object' && !Array.isArray(entry.example) ? (entry.example as Record<string, unknown>) : {};

/** The body the endpoint would receive for an example event through a draft transform. */
export function TransformPreview({ webhookId, transform }: { webhookId: string; transform: string }) {
  const { api } = usePortal();
  const [type, setType] = useState('');
  const [entry, setEntry] = useState<EventTypeEntry>();
  const [result, setResult] = useState<{ ok: boolean; body?: unknown; error?: string }>();
  const [error, setError] = useState<unknown>();
  const run = async () => {
    setError(undefined);
    setResult(undefined);
    try {
      setResult(
        await api.post(`/v1/webhooks/${webhookId}/transform/test`, {
          event: { id: 'evt_preview', type: type || 'preview', source: '/portal/preview', data: exampleData(entry) },
          ...(transform.trim() !== '' ? { transform } : {}),
        }),
      );
    } catch (err) {
      setError(err instanceof ApiError && err.status === 409 ? new ApiError(409, 'Write a transform above to preview it.') : err);
    }
  };
  return (
    <div class="preview" data-testid="transform-preview">
      <div class="preview-row">
        <ExampleChooser
          label="Example event for the transform preview"
          value={type}
          onChange={(t, e) => {
            setType(t);
            setEntry(e);
          }}
        />
        <button type="button" class="button small" onClick={run} disabled={!type}>
          Preview transform
        </button>
      </div>
      <ErrorBox error={error} />
      {result &&
        (result.ok ? (
          <JsonBlock value={result.body} label="Transformed body" testId="transform-preview-result" />
        ) : (
          <Notice tone="warn" testId="transform-preview-result">
            This event would be discarded: {result.error}
          </Notice>
        ))}
    </div>
  );
}

/** Whether an example event passes a draft filter, and which condition stopped it. */
export function FilterPreview({ webhookId, filterText }: { webhookId: string; filterText: string }) {
  const { api } = usePortal();
  const [type, setType] = useState('');
  const [entry, setEntry] = useState<EventTypeEntry>();
  const [result, setResult] = useState<{ passes: boolean; has_filter: boolean; failed_condition?: string }>();
  const [error, setError] = useState<unknown>();
  const run = async () => {
    setError(undefined);
    setResult(undefined);
    let filter: unknown;
    if (filterText.trim() !== '') {
      try {
        filter = JSON.parse(filterText);
      } catch {
        setError(new ApiError(400, 'invalid form', [{ path: '/filter', message: 'is not valid JSON' }]));
        return;
      }
    }
    try {
      setResult(
        await api.post(`/v1/webhooks/${webhookId}/filter/test`, { event: { type, data: exampleData(entry) }, ...(filter !== undefined ? { filter } : {}) }),
      );
    } catch (err) {
      setError(err);
    }
  };
  return (
    <div class="preview" data-testid="filter-preview">
      <div class="preview-row">
        <ExampleChooser
          label="Example event for the filter test"
          value={type}
          onChange={(t, e) => {
            setType(t);
            setEntry(e);
          }}
        />
        <button type="button" class="button small" onClick={run} disabled={!type}>
          Test filter
        </button>
      </div>
      <ErrorBox error={error} />
      {result && (
        <Notice tone={result.passes ? 'ok' : 'warn'} testId="filter-preview-result">
          {!result.has_filter
            ? 'No filter: every subscribed event is delivered.'
            : result.passes
              ? 'This event passes the filter.'
              : `This event is filtered out by the condition at ${result.failed_condition ?? 'the filter'}.`}
        </Notice>
      )}
    </div>
  );
}
