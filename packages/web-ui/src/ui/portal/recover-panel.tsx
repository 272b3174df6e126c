import { useState } from 'preact/hooks';
import { ErrorBox, Notice } from '../components/feedback.js';
import { Field } from '../components/field.js';
import { isoToLocalInput, localInputToIso } from '../lib/format.js';
import { ApiError } from '../lib/api.js';
import { usePortal } from './context.js';

/** "Recover everything that failed since …": every failed or discarded delivery in the window is sent again. */
export function RecoverPanel({ webhookId, onRecovered }: { webhookId: string; onRecovered(n: number): void }) {
  const { api } = usePortal();
  const [since, setSince] = useState(() => isoToLocalInput(new Date(Date.now() - 24 * 3600_000)));
  const [until, setUntil] = useState('');
  const [result, setResult] = useState<number>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setResult(undefined);
    const from = localInputToIso(since);
    if (!from) {
      setError(new ApiError(400, 'invalid form', [{ path: '/since', message: 'choose a date and time' }]));
      return;
    }
    setBusy(true);
    try {
      const to = localInputToIso(until);
      const r = await api.post<{ replayed: number }>(`/v1/webhooks/${webhookId}/recover`, { since: from, ...(to ? { until: to } : {}) });
      setResult(r.replayed);
      onRecovered(r.replayed);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby="recover-title">
      <h2 id="recover-title">Recover failed deliveries</h2>
      <form class="form" onSubmit={submit} data-testid="recover-form">
        <Field label="Failed since">
          <input type="datetime-local" value={since} onInput={(e) => setSince(e.currentTarget.value)} required />
        </Field>
        <Field label="Until (optional)">
          <input type="datetime-local" value={until} onInput={(e) => setUntil(e.currentTarget.value)} />
        </Field>
        <button type="submit" class="button" disabled={busy} data-testid="recover-submit">
          {busy ? 'Recovering…' : 'Recover deliveries'}
        </button>
      </form>
      <ErrorBox error={error} />
      {result !== undefined && (
        <Notice testId="recover-result">
          {result === 0 ? 'Nothing failed in that window.' : `${result} ${result === 1 ? 'delivery' : 'deliveries'} sent again.`}
        </Notice>
      )}
    </section>
  );
}
