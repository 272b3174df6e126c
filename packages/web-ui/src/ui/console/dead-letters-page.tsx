import { useState } from 'preact/hooks';
import { HttpStatus, StatusBadge } from '../components/badge.js';
import { Dialog } from '../components/dialog.js';
import { Empty, ErrorBox, Loading, Notice } from '../components/feedback.js';
import { Field } from '../components/field.js';
import { JsonBlock } from '../components/json-block.js';
import { PageHeader } from '../components/shell.js';
import { formatDateTime, formatDuration, formatRelative, shortId } from '../lib/format.js';
import type { Attempt } from '../lib/types.js';
import { useAsync } from '../lib/use-async.js';
import { useConsole } from './context.js';
import type { DeadLetter } from './types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Dead letters, newest first, per webhook or tenant: inspect one, replay one, or replay a webhook's all. */
export function DeadLettersPage() {
  const { api } = useConsole();
  const [webhook, setWebhook] = useState('');
  const [tenant, setTenant] = useState('');
  const [applied, setApplied] = useState({ webhook: '', tenant: '' });
  const [pages, setPages] = useState<DeadLetter[][]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [inspect, setInspect] = useState<string>();
  const [replayed, setReplayed] = useState<string>();
  const [error, setError] = useState<unknown>();
  const first = useAsync(async () => {
    const r = await api.get<{ data: DeadLetter[]; next_cursor: string | null }>('/v1/admin/dead-letters', {
      webhook_id: applied.webhook,
      tenant_id: applied.tenant,
      limit: 50,
    });
    setPages([]);
    setCursor(r.next_cursor);
    return r.data;
  }, [applied]);
  const more = async () => {
    if (!cursor) return;
    try {
      const r = await api.get<{ data: DeadLetter[]; next_cursor: string | null }>('/v1/admin/dead-letters', {
        webhook_id: applied.webhook,
        tenant_id: applied.tenant,
        limit: 50,
        cursor,
      });
      setPages((p) => [...p, r.data]);
      setCursor(r.next_cursor);
    } catch (err) {
      setError(err);
    }
  };
  const rows = [...(first.data ?? []), ...pages.flat()];
  const replayOne = async (id: string) => {
    setError(undefined);
    setReplayed(undefined);
    try {
      await api.post(`/v1/admin/dead-letters/${id}/replay`);
      setReplayed(`Dead letter ${shortId(id)} is back in delivery (a new cycle in its history).`);
      first.reload();
    } catch (err) {
      setError(err);
    }
  };
  const replayWebhook = async () => {
    setError(undefined);
    setReplayed(undefined);
    try {
      const r = await api.post<{ replayed: number }>(`/v1/admin/webhooks/${applied.webhook}/dead-letters/replay`);
      setReplayed(`${r.replayed} dead ${r.replayed === 1 ? 'letter' : 'letters'} of webhook ${shortId(applied.webhook)} back in delivery.`);
      first.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section data-testid="dead-letters-view" aria-labelledby="dl-title">
      <PageHeader
        title={<span id="dl-title">Dead letters</span>}
        sub="Deliveries that exhausted their retries or could not be delivered. Replaying starts a new cycle at attempt 1."
        actions={
          UUID.test(applied.webhook) && (
            <button type="button" class="button primary" onClick={replayWebhook} data-testid="dead-letters-replay-webhook">
              Replay all of this webhook
            </button>
          )
        }
      />
      <form
        class="filters card"
        role="search"
        aria-label="Filter dead letters"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied({ webhook: webhook.trim(), tenant: tenant.trim() });
        }}
      >
        <Field label="Webhook id">
          <input type="text" value={webhook} onInput={(e) => setWebhook(e.currentTarget.value)} placeholder="any" class="mono" />
        </Field>
        <Field label="Tenant id">
          <input type="text" value={tenant} onInput={(e) => setTenant(e.currentTarget.value)} placeholder="any" class="mono" />
        </Field>
        <button type="submit" class="button align-end">
          Apply
        </button>
      </form>
      <ErrorBox error={first.error ?? error} />
      {replayed && <Notice testId="dead-letter-replayed">{replayed}</Notice>}
      {first.loading && !first.data ? (
        <Loading label="Loading dead letters…" />
      ) : first.data && rows.length === 0 ? (
        <Empty title="No dead letters" testId="dead-letters-empty">
          <p>Nothing is waiting for an operator.</p>
        </Empty>
      ) : (
        rows.length > 0 && (
          <table class="table reflow">
            <caption class="sr-only">Dead letters, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Webhook</th>
                <th scope="col">Reason</th>
                <th scope="col">Attempts</th>
                <th scope="col">Dead-lettered</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((d) => (
                <tr key={d.delivery_id} data-testid="dead-letter-row" data-delivery-id={d.delivery_id} data-webhook-id={d.webhook_id}>
                  <td data-label="Event">
                    <div>
                      <span class="mono">{d.event_type}</span>
                      <div class="muted small mono">{shortId(d.event_id)}</div>
                    </div>
                  </td>
                  <td data-label="Webhook">
                    <div>
                      <button
                        type="button"
                        class="linklike mono"
                        onClick={() => (setWebhook(d.webhook_id), setApplied({ webhook: d.webhook_id, tenant: applied.tenant }))}
                        aria-label={`Show only webhook ${d.webhook_id}`}
                      >
                        {shortId(d.webhook_id)}
                      </button>
                      <div class="muted small mono">tenant {shortId(d.tenant_id)}</div>
                    </div>
                  </td>
                  <td data-label="Reason">
                    <span class="clip-2">{d.reason}</span>
                  </td>
                  <td data-label="Attempts">{d.attempts}</td>
                  <td data-label="Dead-lettered">
                    <time dateTime={d.dead_lettered_at} title={formatDateTime(d.dead_lettered_at)}>
                      {formatRelative(d.dead_lettered_at)}
                    </time>
                  </td>
                  <td data-label="Actions">
                    <div class="row-actions">
                      <button
                        type="button"
                        class="button small"
                        onClick={() => setInspect(d.delivery_id)}
                        data-testid="dead-letter-inspect"
                        aria-label={`Inspect dead letter ${shortId(d.delivery_id)}`}
                      >
                        Inspect
                      </button>
                      <button
                        type="button"
                        class="button small primary"
                        onClick={() => replayOne(d.delivery_id)}
                        data-testid="dead-letter-replay"
                        aria-label={`Replay dead letter ${shortId(d.delivery_id)}`}
                      >
                        Replay
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      )}
      {cursor && (
        <div class="pager">
          <button type="button" class="button small" onClick={more}>
            Load more
          </button>
        </div>
      )}
      <Dialog open={inspect !== undefined} title="Dead letter" onClose={() => setInspect(undefined)} testId="dead-letter-detail" wide>
        {inspect && <DeadLetterDetail id={inspect} onReplay={() => (setInspect(undefined), void replayOne(inspect))} />}
      </Dialog>
    </section>
  );
}

function DeadLetterDetail({ id, onReplay }: { id: string; onReplay(): void }) {
  const { api } = useConsole();
  const d = useAsync(() => api.get<Record<string, unknown>>(`/v1/admin/dead-letters/${id}`), [id]);
  if (d.loading && !d.data) return <Loading />;
  if (!d.data) return <ErrorBox error={d.error} />;
  const { payload, attempts, ...facts } = d.data;
  const list = Array.isArray(attempts) ? (attempts as Attempt[]) : [];
  return (
    <div class="stack">
      <dl class="facts">
        {Object.entries(facts).map(([k, v]) => (
          <div key={k}>
            <dt>{k.replace(/_/g, ' ')}</dt>
            <dd class="mono break">{k.endsWith('_at') && typeof v === 'string' ? formatDateTime(v) : typeof v === 'object' ? JSON.stringify(v) : String(v)}</dd>
          </div>
        ))}
      </dl>
      <div class="actions">
        <button type="button" class="button primary" onClick={onReplay}>
          Replay this dead letter
        </button>
      </div>
      <h3>Attempts ({list.length})</h3>
      <ol class="attempts">
        {list.map((a) => (
          <li key={`${a.cycle}-${a.attempt}`} class="attempt">
            <div class="attempt-head">
              <HttpStatus code={a.status_code} />
              <StatusBadge status={a.outcome} />
              <span class="muted small">
                cycle {a.cycle}, attempt {a.attempt} · {formatDateTime(a.started_at)} · {formatDuration(a.duration_ms)}
              </span>
            </div>
            {a.error && (a.error.message || a.error.class) && <p class="small">{[a.error.class, a.error.message].filter(Boolean).join(': ')}</p>}
            {a.response_excerpt && <pre class="code">{a.response_excerpt}</pre>}
          </li>
        ))}
      </ol>
      <h3>Payload</h3>
      <JsonBlock value={payload} label="Payload of the dead letter" />
    </div>
  );
}
