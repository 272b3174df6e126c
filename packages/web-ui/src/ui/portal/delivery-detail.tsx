import { useState } from 'preact/hooks';
import { HttpStatus, StatusBadge } from '../components/badge.js';
import { Dialog } from '../components/dialog.js';
import { ErrorBox, Loading, Notice } from '../components/feedback.js';
import { JsonBlock } from '../components/json-block.js';
import { formatDateTime, formatDuration } from '../lib/format.js';
import type { Attempt, DeliveryDetail } from '../lib/types.js';
import { useAsync } from '../lib/use-async.js';
import { usePortal } from './context.js';

/** One delivery: its payload and every attempt (status, duration, headers sent, response excerpt). */
export function DeliveryDetailDialog({ id, onClose, onRetried }: { id: string | undefined; onClose(): void; onRetried(id: string): void }) {
  return (
    <Dialog open={id !== undefined} title="Delivery" onClose={onClose} testId="delivery-detail" wide>
      {id && <Detail id={id} onRetried={onRetried} />}
    </Dialog>
  );
}

function Detail({ id, onRetried }: { id: string; onRetried(id: string): void }) {
  const { api, session } = usePortal();
  const d = useAsync(() => api.get<DeliveryDetail>(`/v1/deliveries/${id}`), [id]);
  const [queued, setQueued] = useState(false);
  const [error, setError] = useState<unknown>();
  const retry = async () => {
    setError(undefined);
    try {
      await api.post(`/v1/deliveries/${id}/retry`);
      setQueued(true);
      onRetried(id);
      d.reload();
    } catch (err) {
      setError(err);
    }
  };
  if (d.loading && !d.data) return <Loading />;
  if (!d.data) return <ErrorBox error={d.error} />;
  const delivery = d.data;
  return (
    <div class="stack">
      <dl class="facts">
        <div>
          <dt>Status</dt>
          <dd>
            <StatusBadge status={delivery.status} />
          </dd>
        </div>
        <div>
          <dt>Event type</dt>
          <dd class="mono">{delivery.event_type}</dd>
        </div>
        <div>
          <dt>Event id</dt>
          <dd class="mono break">{delivery.event_id}</dd>
        </div>
        <div>
          <dt>Delivery id</dt>
          <dd class="mono break">{delivery.id}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{formatDateTime(delivery.created_at)}</dd>
        </div>
        {delivery.next_attempt_at && (
          <div>
            <dt>Next attempt</dt>
            <dd>{formatDateTime(delivery.next_attempt_at)}</dd>
          </div>
        )}
      </dl>
      {!session.read_only && (
        <div class="actions">
          <button type="button" class="button primary small" onClick={retry} data-testid="delivery-detail-retry">
            Retry now
          </button>
          <button type="button" class="button small" onClick={d.reload}>
            Refresh
          </button>
        </div>
      )}
      {queued && <Notice testId="delivery-detail-retried">Queued again: a new attempt starts shortly.</Notice>}
      <ErrorBox error={error} />
      <h3>Attempts ({delivery.attempts.length})</h3>
      {delivery.attempts.length === 0 ? (
        <p class="muted">No attempt yet.</p>
      ) : (
        <ol class="attempts">
          {delivery.attempts.map((a) => (
            <AttemptItem key={`${a.cycle}-${a.attempt}`} a={a} />
          ))}
        </ol>
      )}
      <details>
        <summary>Payload</summary>
        <JsonBlock value={delivery.body} label="Payload" testId="delivery-payload" />
      </details>
    </div>
  );
}

function AttemptItem({ a }: { a: Attempt }) {
  const headers = Object.entries(a.request_headers ?? {});
  return (
    <li class="attempt" data-testid="attempt" data-outcome={a.outcome} data-status-code={a.status_code ?? ''}>
      <div class="attempt-head">
        <HttpStatus code={a.status_code} />
        <StatusBadge status={a.outcome} />
        <span class="muted small">
          cycle {a.cycle}, attempt {a.attempt} · {formatDateTime(a.started_at)} · {formatDuration(a.duration_ms)}
        </span>
      </div>
      {a.error && (a.error.message || a.error.class) && (
        <p class="small">
          <strong>Error:</strong> {[a.error.class, a.error.message].filter(Boolean).join(': ')}
        </p>
      )}
      {headers.length > 0 && (
        <details>
          <summary>Request headers ({headers.length})</summary>
          <table class="table kv">
            <caption class="sr-only">Request headers, credentials redacted</caption>
            <tbody>
              {headers.map(([k, v]) => (
                <tr key={k}>
                  <th scope="row" class="mono">
                    {k}
                  </th>
                  <td class="mono break">{v}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
      {a.response_excerpt && (
        <details>
          <summary>Response excerpt</summary>
          <pre class="code" tabIndex={0} data-testid="attempt-response">
            {a.response_excerpt}
          </pre>
        </details>
      )}
    </li>
  );
}
