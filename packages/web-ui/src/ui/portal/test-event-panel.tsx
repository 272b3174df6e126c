import { useState } from 'preact/hooks';
import { ErrorBox, Notice } from '../components/feedback.js';
import { Field } from '../components/field.js';
import { subscribedTypes } from './endpoint-facts.js';
import { shortId } from '../lib/format.js';
import type { Webhook } from '../lib/types.js';
import { useAsync } from '../lib/use-async.js';
import { usePortal } from './context.js';

/** Sends one example event of a chosen type to this endpoint only; its delivery then shows in the log. */
export function TestEventPanel({ webhook, onSent }: { webhook: Webhook; onSent(eventId: string): void }) {
  const { api, catalogue } = usePortal();
  const types = useAsync(catalogue, []);
  const [type, setType] = useState(() => subscribedTypes(webhook)[0] ?? '');
  const [sent, setSent] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const send = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setSent(undefined);
    setBusy(true);
    try {
      const r = await api.post<{ event_id: string }>(`/v1/webhooks/${webhook.id}/test-events`, { type });
      setSent(r.event_id);
      onSent(r.event_id);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby="test-event-title">
      <h2 id="test-event-title">Send a test event</h2>
      <form class="form" onSubmit={send} data-testid="test-event-form">
        <Field label="Event type" hint="The catalogue's example payload, sent to this endpoint only.">
          <select value={type} onChange={(e) => setType(e.currentTarget.value)} data-testid="test-event-type">
            <option value="">Choose an event type…</option>
            {(types.data ?? []).map((t) => (
              <option key={t.type} value={t.type}>
                {t.type}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" class="button primary" disabled={!type || busy} data-testid="test-event-send">
          {busy ? 'Sending…' : 'Send test event'}
        </button>
      </form>
      <ErrorBox error={types.error ?? error} />
      {sent && (
        <Notice testId="test-event-sent">
          Test event <span class="mono">{shortId(sent)}</span> sent. Its delivery appears in the log.
        </Notice>
      )}
    </section>
  );
}
